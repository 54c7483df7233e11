"""Optimistic locking on every record: ETag on read, If-Match on write (428 without,
412 with the current record when stale), 304 for If-None-Match."""

import datetime

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from needs.models import ActionPlan, Consent, Donor, FollowUp
from tests.factories import CountryReviewFactory, NeedFactory, make_assistance

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def records(own_review):
    """A record of each kind under locking, with a field to change (and its value)."""
    plan = ActionPlan.objects.create(state=own_review.state, title="Plan")
    follow_up = FollowUp.objects.create(review=own_review)
    donor = Donor.objects.create(name="Donor", kind="ngo")
    project = make_assistance(states=[own_review.state])
    review = CountryReviewFactory(state__code="NEW")
    consent = Consent.objects.create(
        review=own_review,
        subject=Consent.Subject.FULL_REPORT,
        audience=Consent.Audience.UN_ONLY,
        agreed_on=datetime.date(2014, 1, 1),
    )
    return {
        "action-plans": (plan.pk, {"title": "Changed"}),
        "follow-ups": (follow_up.pk, {"office": "Changed"}),
        "donors": (donor.pk, {"notes": "Changed"}),
        "assistance": (project.pk, {"notes": "Changed"}),
        "reviews": (review.pk, {"has_full_report": True}),
        "consents": (consent.pk, {"audience": "donors"}),
    }


RESOURCES = [
    "action-plans",
    "follow-ups",
    "donors",
    "assistance",
    "reviews",
    "consents",
]


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_change_needs_the_current_etag(secretariat, records, resource):
    pk, change = records[resource]
    url = f"/api/v1/{resource}/{pk}/"
    client = api(secretariat)
    read = client.get(url)
    tag = read["ETag"]
    before = read.json()
    field = next(iter(change))

    # Without If-Match: 428, nothing changed
    assert client.patch(url, change).status_code == 428
    assert client.put(url, before | change).status_code == 428
    assert client.get(url).json() == before

    # With another ETag: 412 with the record as it is, nothing changed
    stale = client.patch(url, change, HTTP_IF_MATCH='"0000"')
    assert stale.status_code == 412
    assert stale.json()["current"] == before
    assert stale.json()["etag"] == tag
    assert client.get(url).json() == before

    # With the current ETag: changed, and a new ETag
    done = client.patch(url, change, HTTP_IF_MATCH=tag)
    assert done.status_code == 200, done.json()
    assert done.json()[field] == change[field]
    assert done["ETag"] != tag
    assert done["ETag"] == client.get(url)["ETag"]

    # The old ETag is stale now
    assert client.patch(url, change, HTTP_IF_MATCH=tag).status_code == 412


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_deletion_needs_the_current_etag(secretariat, records, resource):
    pk, _ = records[resource]
    url = f"/api/v1/{resource}/{pk}/"
    client = api(secretariat)
    tag = client.get(url)["ETag"]
    assert client.delete(url).status_code == 428
    assert client.delete(url, HTTP_IF_MATCH='"0000"').status_code == 412
    assert client.get(url).status_code == 200
    assert client.delete(url, HTTP_IF_MATCH=tag).status_code == 204
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("resource", RESOURCES)
def test_if_none_match_answers_304_while_the_record_holds(
    secretariat, records, resource
):
    pk, change = records[resource]
    url = f"/api/v1/{resource}/{pk}/"
    client = api(secretariat)
    tag = client.get(url)["ETag"]
    unchanged = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged["ETag"] == tag
    client.patch(url, change, HTTP_IF_MATCH=tag)
    assert client.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 200


def test_lost_update_two_clients_same_etag_the_second_gets_412(
    secretariat, focal_point, own_review
):
    # Given an action plan that the secretariat and the focal point both read
    plan = ActionPlan.objects.create(state=own_review.state, title="Plan")
    url = f"/api/v1/action-plans/{plan.pk}/"
    first, second = api(secretariat), api(focal_point)
    tag = first.get(url)["ETag"]
    assert second.get(url)["ETag"] == tag
    # When both change it with the ETag they read
    assert first.patch(url, {"title": "First"}, HTTP_IF_MATCH=tag).status_code == 200
    late = second.patch(url, {"notes": "Second"}, HTTP_IF_MATCH=tag)
    # Then the second is refused and the first change stands
    assert late.status_code == 412
    assert late.json()["current"]["title"] == "First"
    plan.refresh_from_db()
    assert (plan.title, plan.notes) == ("First", "")


def test_a_change_of_nested_items_changes_the_etag(secretariat, own_review):
    need = NeedFactory(review=own_review)
    plan = ActionPlan.objects.create(state=own_review.state, title="Plan")
    url = f"/api/v1/action-plans/{plan.pk}/"
    client = api(secretariat)
    tag = client.get(url)["ETag"]
    item = {"rank": 1, "responsible_authority": "Ministry", "needs": [need.pk]}
    changed = client.patch(url, {"items": [item]}, HTTP_IF_MATCH=tag)
    assert changed.status_code == 200, changed.json()
    assert changed["ETag"] != tag
    assert client.patch(url, {"items": []}, HTTP_IF_MATCH=tag).status_code == 412
    assert plan.items.count() == 1


def test_a_need_takes_if_match_or_version_and_its_etag_names_the_version(
    secretariat, own_review
):
    need = NeedFactory(review=own_review)
    url = f"/api/v1/needs/{need.pk}/"
    client = api(secretariat)
    read = client.get(url)
    assert read["ETag"] == f'"need-{need.pk}-v{need.version}"'
    assert client.get(url, HTTP_IF_NONE_MATCH=read["ETag"]).status_code == 304
    by_version = client.patch(url, {"priority": "high", "version": need.version})
    assert by_version.status_code == 200, by_version.json()
    stale = client.patch(url, {"priority": "low"}, HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412
    assert stale.json()["current"]["priority"] == "high"
    assert stale.json()["etag"] == by_version["ETag"]


def test_the_schema_requires_if_match_on_every_change_and_deletion():
    schema = SchemaGenerator().get_schema(public=True)
    paths = schema["paths"]
    for resource in [*RESOURCES, "needs"]:
        path = paths[f"/api/v1/{resource}/{{id}}/"]
        for method in ("put", "patch", "delete"):
            headers = {
                p["name"]: p for p in path[method]["parameters"] if p["in"] == "header"
            }
            assert headers["If-Match"]["required"] is True, (resource, method)
            assert {"412", "428"} <= set(path[method]["responses"]), (resource, method)
        assert "ETag" in path["get"]["responses"]["200"]["headers"]
        assert "304" in path["get"]["responses"]
    update_body = schema["components"]["schemas"]["PatchedNeedUpdateRequest"]
    assert update_body["properties"]["version"]["type"] == "integer"


def test_a_reader_who_may_not_write_gets_403_before_any_precondition(
    viewer, secretariat, own_review
):
    # Given a plan the State shares with the public, so that a viewer reads it
    Consent.objects.create(
        review=own_review,
        subject="action-plan",
        audience="public",
        agreed_on=datetime.date(2014, 1, 1),
    )
    plan = ActionPlan.objects.create(state=own_review.state, title="Plan")
    url = f"/api/v1/action-plans/{plan.pk}/"
    client = api(viewer)
    read = client.get(url)
    assert read.status_code == 200
    # When the viewer changes or deletes it, with or without its ETag
    answers = {
        client.patch(url, {"title": "x"}).status_code,
        client.patch(url, {"title": "x"}, HTTP_IF_MATCH=read["ETag"]).status_code,
        client.delete(url).status_code,
    }
    # Then the answer is always "not allowed", and the plan is unchanged
    assert answers == {403}
    plan.refresh_from_db()
    assert plan.title == "Plan"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_write_to_an_id_that_is_no_number_is_404(secretariat, method):
    response = getattr(api(secretariat), method)(
        "/api/v1/action-plans/null,null/", {}, HTTP_IF_MATCH='"x"'
    )
    assert response.status_code == 404
