"""Every API endpoint, every role, against another State's records: zero leaks."""

import pytest
from rest_framework.test import APIClient

from needs.models import ActionPlan, Assistance, FollowUp
from reviews.models import Account
from tests.factories import (
    AccountFactory,
    CountryReviewFactory,
    NeedFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(own_review):
    # Under way: nothing of it is published, so no viewer may see it.
    withholding = CountryReviewFactory(
        state__code="WHD", status="under-way", completed_on=None
    )
    need = NeedFactory(review=withholding, description="Withheld")
    plan = ActionPlan.objects.create(state=withholding.state, title="Their plan")
    follow_up = FollowUp.objects.create(review=withholding)
    project = Assistance.objects.create(title="Their project")
    project.beneficiaries.set([withholding.state])
    return {
        "action-plans": f"/api/v1/action-plans/{plan.pk}/",
        "follow-ups": f"/api/v1/follow-ups/{follow_up.pk}/",
        "assistance": f"/api/v1/assistance/{project.pk}/",
        "assistance-link": f"/api/v1/assistance/{project.pk}/link/",
        "states": f"/api/v1/states/{withholding.state.code}/",
        "reviews": f"/api/v1/reviews/{withholding.pk}/",
        "needs": f"/api/v1/needs/{need.pk}/",
        "needs-by-key": "/api/v1/needs/WHD/15/good-practices/",
        "review-submit": f"/api/v1/reviews/{withholding.pk}/submit/",
        "review-accept": f"/api/v1/reviews/{withholding.pk}/accept/",
        "review-return": f"/api/v1/reviews/{withholding.pk}/return/",
    }


def client_as(role, own_review):
    client = APIClient()
    if role == "anonymous":
        return client
    if role == "no-role":
        user = UserFactory()
    elif role == "focal-point":
        user = AccountFactory(
            role=Account.Role.FOCAL_POINT, state=own_review.state
        ).user
    else:
        user = AccountFactory(role=role).user
    client.force_authenticate(user)
    return client


DENIED = {
    "anonymous": {401},
    "no-role": {403},
    "focal-point": {404},
    "viewer": {404},
}


@pytest.mark.parametrize("role", ["anonymous", "no-role", "focal-point", "viewer"])
def test_no_door_of_the_api_opens_another_states_records(records, own_review, role):
    client = client_as(role, own_review)
    leaks = []
    for name, url in records.items():
        methods = (
            ["post"]
            if name.startswith("review-") or name.endswith("-link")
            else ["get", "patch", "put", "delete"]
        )
        for method in methods:
            body = None if method == "get" else {"comment": "x", "version": 1}
            response = getattr(client, method)(url, body, format="json")
            # 405: the endpoint takes no such method, whatever the record.
            if response.status_code not in DENIED[role] | {405}:
                leaks.append((method, name, response.status_code))
    assert leaks == []
    assert NeedFactory._meta.model.objects.get(description="Withheld").version == 1


@pytest.mark.parametrize("role", ["focal-point", "viewer"])
def test_api_lists_hold_no_other_states_records(records, own_review, role):
    client = client_as(role, own_review)
    for url in [
        "/api/v1/needs/",
        "/api/v1/reviews/",
        "/api/v1/states/",
        "/api/v1/action-plans/",
        "/api/v1/follow-ups/",
        "/api/v1/assistance/",
    ]:
        body = client.get(url, {"page_size": 500}).json()
        assert "WHD" not in str(body), url
        assert "Withheld" not in str(body), url


def test_viewer_reads_sharing_states_but_writes_nothing(own_review, other_review):
    need = NeedFactory(review=other_review)
    client = client_as("viewer", own_review)
    assert client.get(f"/api/v1/needs/{need.pk}/").status_code == 200
    assert (
        client.patch(
            f"/api/v1/needs/{need.pk}/", {"version": 1}, format="json"
        ).status_code
        == 403
    )
    assert client.delete(f"/api/v1/needs/{need.pk}/").status_code == 403
    assert client.post("/api/v1/reviews/", {}, format="json").status_code == 403
    created = client.post(
        "/api/v1/needs/",
        {"review": other_review.pk, "article": 16, "need_type": "other"},
        format="json",
    )
    assert created.status_code == 403
    need.refresh_from_db()
    assert need.version == 1


def test_reference_endpoints_serve_every_role_with_a_role(own_review):
    client = client_as("viewer", own_review)
    for url in [
        "/api/v1/regional-groups/",
        "/api/v1/cycles/",
        "/api/v1/articles/",
        "/api/v1/need-types/",
        "/api/v1/articles/46/",
        "/api/v1/need-types/other/",
    ]:
        assert client.get(url).status_code == 200, url
    assert client_as("no-role", own_review).get("/api/v1/articles/").status_code == 403


def test_token_authentication(client, own_review):
    user = UserFactory(username="tok")
    AccountFactory(user=user, role=Account.Role.SECRETARIAT)
    response = client.post(
        "/api/v1/token/",
        {"username": "tok", "password": "correct horse battery staple"},
        content_type="application/json",
    )
    token = response.json()["token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/needs/").status_code == 200


def test_schema_is_public_and_covers_every_endpoint(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for resource in [
        "regional-groups",
        "states",
        "cycles",
        "reviews",
        "articles",
        "need-types",
        "needs",
        "statistics",
    ]:
        assert f"/api/v1/{resource}/" in paths, resource
    parameters = {p["name"] for p in paths["/api/v1/needs/"]["get"]["parameters"]}
    assert {
        "regional_group",
        "state",
        "cycle",
        "review_year",
        "chapter",
        "article",
        "need_type",
        "coverage",
        "page",
        "ordering",
        "search",
    } <= parameters
    responses = paths["/api/v1/needs/{id}/"]["patch"]["responses"]
    assert {"200", "400", "403", "404", "412", "428"} <= set(responses)


def test_docs_page_is_served_without_a_cdn(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.getvalue().decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
