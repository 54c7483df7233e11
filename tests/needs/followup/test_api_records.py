"""The follow-up API: action plans, follow-ups, donors, assistance."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from needs.models import ActionPlan, Assistance, Consent, Donor, FollowUp, Need
from reviews.models import StateParty
from tests.factories import CountryReviewFactory, NeedFactory

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_focal_point_keeps_their_action_plan_with_ranked_items(focal_point, own_review):
    need = NeedFactory(review=own_review)
    response = api(focal_point).post(
        "/api/v1/action-plans/",
        {
            "state": "OWN",
            "title": "National plan 2014-2016",
            "status": "drafting",
            "items": [
                {
                    "rank": 1,
                    "responsible_authority": "Ministry of Justice",
                    "needs": [need.pk],
                    "due_on": "2014-12-31",
                    "integration": "undaf",
                    "integration_reference": "UNDAF 2014",
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    plan = ActionPlan.objects.get()
    assert list(plan.items.get().needs.all()) == [need]
    assert plan.history.first().history_user == focal_point


def test_a_plan_ranks_only_its_own_states_needs(secretariat, own_review, other_review):
    foreign = NeedFactory(review=other_review)
    response = api(secretariat).post(
        "/api/v1/action-plans/",
        {
            "state": "OWN",
            "title": "Plan",
            "items": [
                {"rank": 1, "responsible_authority": "Ministry", "needs": [foreign.pk]}
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "a plan ranks its own State's needs" in str(response.json())
    assert not ActionPlan.objects.exists()


def test_item_rules_give_field_messages(secretariat, own_review):
    response = api(secretariat).post(
        "/api/v1/action-plans/",
        {
            "state": "OWN",
            "title": "Plan",
            "items": [
                {"rank": 1, "responsible_authority": "A", "integration": "undaf"}
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "integration_reference" in str(response.json())


def test_focal_point_cannot_write_another_states_plan_or_follow_up(
    focal_point, own_review, other_review, secretariat
):
    plan = ActionPlan.objects.create(state=other_review.state, title="Theirs")
    follow_up = FollowUp.objects.create(review=other_review)
    client = api(focal_point)
    assert client.get(f"/api/v1/action-plans/{plan.pk}/").status_code == 404
    assert (
        client.patch(f"/api/v1/action-plans/{plan.pk}/", {"title": "x"}).status_code
        == 404
    )
    assert client.get(f"/api/v1/follow-ups/{follow_up.pk}/").status_code == 404
    created = client.post(
        "/api/v1/action-plans/", {"state": "OTH", "title": "Mine now"}, format="json"
    )
    assert created.status_code == 400  # as for a code no State has
    assert set(created.json()["fields"]) == {"state"}
    assert (
        client.post("/api/v1/follow-ups/", {"review": own_review.pk}).status_code == 403
    )
    assert ActionPlan.objects.count() == 1


def test_secretariat_records_the_follow_up_with_events(secretariat, own_review):
    response = api(secretariat).post(
        "/api/v1/follow-ups/",
        {
            "review": own_review.pk,
            "letter_sent_on": "2013-02-01",
            "followed_up_by": "regional-adviser",
            "office": "Regional adviser, Pretoria",
            "events": [
                {
                    "date": "2013-05-10",
                    "kind": "country-visit",
                    "participants": "UNDP, donors",
                    "outcome": "Needs mapped",
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    follow_up = FollowUp.objects.get()
    assert follow_up.responsible == secretariat
    assert follow_up.events.get().kind == "country-visit"
    url = f"/api/v1/follow-ups/{follow_up.pk}/"
    bad = api(secretariat).patch(
        url,
        {"reply_received_on": "2013-01-01"},
        format="json",
        HTTP_IF_MATCH=api(secretariat).get(url)["ETag"],
    )
    assert bad.status_code == 400
    assert "cannot precede the letter" in str(bad.json())


def test_linking_assistance_moves_the_needs_coverage(secretariat, own_review, viewer):
    donor = (
        api(secretariat)
        .post(
            "/api/v1/donors/",
            {"name": "Norway", "kind": "bilateral", "home_country": "NOR"},
            format="json",
        )
        .json()
    )
    need = NeedFactory(review=own_review)
    project = (
        api(secretariat)
        .post(
            "/api/v1/assistance/",
            {
                "title": "Witness protection",
                "beneficiaries": ["OWN"],
                "donors": [donor["id"]],
                "status": "ongoing",
                "starts_on": "2013-01-01",
                "ends_on": "2014-12-31",
            },
            format="json",
        )
        .json()
    )
    linked = api(secretariat).post(
        f"/api/v1/assistance/{project['id']}/link/",
        {"need": need.pk, "coverage": "in-full"},
        format="json",
    )
    assert linked.status_code == 201
    need.refresh_from_db()
    assert need.coverage == Need.Coverage.MET_FULLY
    filtered = api(secretariat).get("/api/v1/needs/", {"donor": donor["id"]}).json()
    assert [n["id"] for n in filtered["results"]] == [need.pk]
    assert (
        api(viewer).post("/api/v1/donors/", {"name": "X", "kind": "ngo"}).status_code
        == 403
    )
    assert Donor.objects.count() == 1


def test_bilateral_donor_needs_a_home_country(secretariat):
    response = api(secretariat).post(
        "/api/v1/donors/", {"name": "X", "kind": "bilateral"}
    )
    assert response.status_code == 400
    assert "home country" in str(response.json())


def test_assistance_list_hides_other_states_needs(
    focal_point, own_review, other_review
):
    project = Assistance.objects.create(title="Regional", modality="regional")
    project.beneficiaries.set([own_review.state, other_review.state])
    theirs = NeedFactory(review=other_review)
    mine = NeedFactory(review=own_review)
    project.links.create(need=theirs, coverage="in-part")
    project.links.create(need=mine, coverage="in-part")
    body = api(focal_point).get(f"/api/v1/assistance/{project.pk}/").json()
    assert [link["need"] for link in body["needs"]] == [mine.pk]


def test_follow_up_list_query_count_is_flat(secretariat, django_assert_max_num_queries):

    for _ in range(20):
        follow_up = FollowUp.objects.create(review=CountryReviewFactory())
        follow_up.events.create(date=datetime.date(2013, 1, 1), kind="workshop")
    with django_assert_max_num_queries(8):
        assert api(secretariat).get("/api/v1/follow-ups/").status_code == 200


def _make_records(count):

    for _ in range(count):
        review = CountryReviewFactory()
        need = NeedFactory(review=review)
        FollowUp.objects.create(review=review, letter_sent_on=datetime.date(2013, 1, 2))
        plan = ActionPlan.objects.create(state=review.state, title="Plan")
        item = plan.items.create(rank=1, responsible_authority="Ministry")
        item.needs.set([need])
        donor = Donor.objects.create(name=f"Donor {Donor.objects.count()}", kind="ngo")
        project = Assistance.objects.create(title="Project", status="ongoing")
        project.donors.set([donor])
        project.beneficiaries.set([review.state])
        project.links.create(need=need, coverage="in-part")
    return StateParty


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/action-plans/",
        "/api/v1/assistance/",
        "/api/v1/donors/",
        "/api/v1/follow-ups/",
    ],
)
def test_follow_up_lists_cost_the_same_for_3_or_30_records(secretariat, url):

    def count():
        user = type(secretariat).objects.get(pk=secretariat.pk)
        with CaptureQueriesContext(connection) as captured:
            assert api(user).get(url, {"page_size": 500}).status_code == 200
        return len(captured)

    _make_records(3)
    few = count()
    _make_records(27)
    assert count() == few


@pytest.mark.parametrize(
    ("url", "query", "expected"),
    [
        ("/api/v1/follow-ups/", {"letter_sent_after": "2013-06-01"}, "late"),
        ("/api/v1/follow-ups/", {"state": "EARLY"}, "early"),
        ("/api/v1/action-plans/", {"status": "adopted"}, "late"),
        ("/api/v1/assistance/", {"status": "ended-without-extension"}, "late"),
        ("/api/v1/reviews/", {"completed_before": "2013-01-01"}, "early"),
    ],
)
def test_follow_up_filters_return_exactly_the_matching_records(
    secretariat, url, query, expected
):

    made = {}
    for key, day in (
        ("early", datetime.date(2012, 6, 1)),
        ("late", datetime.date(2013, 9, 1)),
    ):
        review = CountryReviewFactory(state__code=key.upper(), completed_on=day)
        follow_up = FollowUp.objects.create(review=review, letter_sent_on=day)
        plan = ActionPlan.objects.create(
            state=review.state,
            title=key,
            started_on=day,
            status="adopted" if key == "late" else "drafting",
            adopted_on=day if key == "late" else None,
        )
        project = Assistance.objects.create(
            title=key, status="ended-without-extension" if key == "late" else "ongoing"
        )
        project.beneficiaries.set([review.state])
        made[key] = {
            "/api/v1/follow-ups/": follow_up.pk,
            "/api/v1/action-plans/": plan.pk,
            "/api/v1/assistance/": project.pk,
            "/api/v1/reviews/": review.pk,
        }
    results = api(secretariat).get(url, query).json()["results"]
    assert [r["id"] for r in results] == [made[expected][url]]


# ---------------------------------------------------------------------------
# Consent (paragraph 79)
# ---------------------------------------------------------------------------
def test_secretariat_records_consent_and_viewers_then_see_the_full_report_flag(
    secretariat, own_review
):
    # When the secretariat records that the State shares its full report with donors
    response = api(secretariat).post(
        "/api/v1/consents/",
        {
            "review": own_review.pk,
            "subject": "full-report",
            "audience": "donors",
            "agreed_on": "2014-05-02",
            "notes": "Note verbale of 2 May",
        },
        format="json",
    )
    # Then it is recorded through the service, with its author in the history
    assert response.status_code == 201, response.json()
    consent = Consent.objects.get()
    assert (consent.subject, consent.audience, consent.review) == (
        "full-report",
        "donors",
        own_review,
    )
    assert response.json()["state"] == own_review.state.code
    assert consent.history.first().history_user == secretariat


def test_a_second_consent_for_the_same_subject_is_a_field_error(
    secretariat, own_review
):
    Consent.objects.create(
        review=own_review,
        subject="full-report",
        audience="un-only",
        agreed_on=datetime.date(2014, 1, 1),
    )
    body = {
        "review": own_review.pk,
        "subject": "full-report",
        "audience": "public",
        "agreed_on": "2015-01-01",
    }
    response = api(secretariat).post("/api/v1/consents/", body, format="json")
    assert response.status_code == 400
    assert "already records consent" in str(response.json())
    assert Consent.objects.get().audience == "un-only"


def test_a_consents_subject_does_not_change(secretariat, own_review):
    consent = Consent.objects.create(
        review=own_review,
        subject="full-report",
        audience="un-only",
        agreed_on=datetime.date(2014, 1, 1),
    )
    client = api(secretariat)
    url = f"/api/v1/consents/{consent.pk}/"
    tag = client.get(url)["ETag"]
    response = client.patch(url, {"subject": "action-plan"}, HTTP_IF_MATCH=tag)
    assert response.status_code == 400
    assert "subject" in response.json()["fields"]
    consent.refresh_from_db()
    assert consent.subject == "full-report"


def test_focal_point_reads_its_states_consents_but_cannot_record_them(
    focal_point, own_review, other_review
):
    own = Consent.objects.create(
        review=own_review,
        subject="full-report",
        audience="donors",
        agreed_on=datetime.date(2014, 1, 1),
    )
    assert other_review.consents.exists()  # the other State shares its report
    client = api(focal_point)
    listed = client.get("/api/v1/consents/").json()["results"]
    assert [c["id"] for c in listed] == [own.pk]
    body = {
        "review": own_review.pk,
        "subject": "action-plan",
        "audience": "public",
        "agreed_on": "2015-01-01",
    }
    assert client.post("/api/v1/consents/", body, format="json").status_code == 403
    assert not own_review.consents.filter(subject="action-plan").exists()


def test_viewers_see_no_consent_records(viewer, own_review):
    Consent.objects.create(
        review=own_review,
        subject="full-report",
        audience="donors",
        agreed_on=datetime.date(2014, 1, 1),
    )
    assert api(viewer).get("/api/v1/consents/").json()["results"] == []


def test_deleting_a_consent_withdraws_it(secretariat, own_review):
    consent = Consent.objects.create(
        review=own_review,
        subject="full-report",
        audience="donors",
        agreed_on=datetime.date(2014, 1, 1),
    )
    client = api(secretariat)
    url = f"/api/v1/consents/{consent.pk}/"
    assert client.delete(url, HTTP_IF_MATCH=client.get(url)["ETag"]).status_code == 204
    assert not Consent.objects.exists()
    assert consent.history.first().history_type == "-"
