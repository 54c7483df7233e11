"""The needs API: reads, writes, domain rules, stale edits, filters, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from needs.models import Need, NeedType
from reviews.models import Article, RegionalGroup, ReviewCycle
from tests.factories import CountryReviewFactory, NeedFactory

pytestmark = pytest.mark.django_db


def api(user=None):
    client = APIClient()
    if user:
        client.force_authenticate(user)
    return client


def new_need(the_review, **values):
    return {
        "review": the_review.pk,
        "article": 15,
        "need_type": "other",
        "description": "Case management system",
    } | values


def test_focal_point_creates_a_draft_for_their_own_review(focal_point, own_review):
    response = api(focal_point).post(
        "/api/v1/needs/", new_need(own_review), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["state"], body["article"], body["status"]) == ("OWN", 15, "draft")
    need = Need.objects.get()
    assert need.history.first().history_user == focal_point


def test_secretariat_creates_an_accepted_need(secretariat, own_review):
    response = api(secretariat).post(
        "/api/v1/needs/", new_need(own_review), format="json"
    )
    assert response.json()["status"] == "accepted"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"article": 9}, "article", "which cycle 1 does not review"),
        ({"need_type": "bananas"}, "need_type", "Unknown type of need"),
        ({"article": 99}, "article", "does not exist"),
        ({"priority": "urgent"}, "priority", "not a valid choice"),
        ({"review": "x"}, "review", "Incorrect type"),
    ],
)
def test_bad_input_gets_a_field_message(
    secretariat, own_review, values, field, message
):
    response = api(secretariat).post(
        "/api/v1/needs/", new_need(own_review, **values), format="json"
    )
    assert response.status_code == 400
    assert message in " ".join(response.json()["fields"][field])
    assert not Need.objects.exists()


def test_duplicate_need_names_the_rule(secretariat, own_review):
    api(secretariat).post("/api/v1/needs/", new_need(own_review), format="json")
    response = api(secretariat).post(
        "/api/v1/needs/", new_need(own_review), format="json"
    )
    assert response.status_code == 400
    assert "already records this type of need for this article" in str(response.json())
    assert Need.objects.count() == 1


def test_need_of_another_state_is_refused_with_the_rule(focal_point, other_review):
    response = api(focal_point).post(
        "/api/v1/needs/", new_need(other_review), format="json"
    )
    assert response.status_code == 400
    assert "own State only" in response.json()["fields"]["review"][0]
    assert not Need.objects.exists()


def test_update_needs_a_precondition(secretariat):
    need = NeedFactory()
    response = api(secretariat).patch(
        f"/api/v1/needs/{need.pk}/", {"coverage": "met-fully"}, format="json"
    )
    assert response.status_code == 428
    need.refresh_from_db()
    assert need.coverage == "not-yet-addressed"


def test_update_with_etag_then_a_stale_etag_is_412(
    secretariat, focal_point, own_review
):
    need = NeedFactory(review=own_review, description="First")
    first = api(focal_point).get(f"/api/v1/needs/{need.pk}/")
    tag = first["ETag"]
    ok = api(secretariat).patch(
        f"/api/v1/needs/{need.pk}/",
        {"description": "Secretariat"},
        format="json",
        HTTP_IF_MATCH=tag,
    )
    assert ok.status_code == 200
    assert ok["ETag"] != tag
    stale = api(focal_point).patch(
        f"/api/v1/needs/{need.pk}/",
        {"description": "Focal point"},
        format="json",
        HTTP_IF_MATCH=tag,
    )
    assert stale.status_code == 412
    need.refresh_from_db()
    assert need.description == "Secretariat"


def test_stale_body_version_shows_what_changed(secretariat, focal_point, own_review):
    need = NeedFactory(review=own_review, description="First")
    api(secretariat).patch(
        f"/api/v1/needs/{need.pk}/",
        {"description": "Second", "version": 1},
        format="json",
    )
    stale = api(focal_point).patch(
        f"/api/v1/needs/{need.pk}/",
        {"description": "Mine", "version": 1},
        format="json",
    )
    assert stale.status_code == 412
    assert stale.json()["changes"]["description"] == {"yours": "First", "now": "Second"}


def test_identity_of_a_need_cannot_be_changed(secretariat):
    need = NeedFactory()
    api(secretariat).patch(
        f"/api/v1/needs/{need.pk}/", {"article": 16, "version": 1}, format="json"
    )
    need.refresh_from_db()
    assert need.article.number == 15


def test_need_by_state_article_and_type(secretariat):
    need = NeedFactory(review__state__code="KEN1")
    response = api(secretariat).get("/api/v1/needs/KEN1/15/good-practices/")
    assert response.status_code == 200
    assert response.json()["id"] == need.pk
    assert (
        api(secretariat).get("/api/v1/needs/KEN1/16/good-practices/").status_code == 404
    )


def test_focal_point_delete_of_an_accepted_need_asks_for_withdrawal(
    focal_point, own_review
):
    need = NeedFactory(review=own_review)
    client = api(focal_point)
    assert client.delete(f"/api/v1/needs/{need.pk}/").status_code == 428
    stale = client.delete(f"/api/v1/needs/{need.pk}/", HTTP_IF_MATCH='"need-1-v0"')
    assert stale.status_code == 412
    need.refresh_from_db()
    assert not need.withdrawal_requested
    tag = client.get(f"/api/v1/needs/{need.pk}/")["ETag"]
    response = client.delete(f"/api/v1/needs/{need.pk}/", HTTP_IF_MATCH=tag)
    assert response.status_code == 202
    need.refresh_from_db()
    assert need.withdrawal_requested
    assert response["ETag"] == f'"need-{need.pk}-v{need.version}"'


def test_workflow_over_the_api(focal_point, secretariat, own_review):
    api(focal_point).post("/api/v1/needs/", new_need(own_review), format="json")
    assert (
        api(focal_point).post(f"/api/v1/reviews/{own_review.pk}/submit/").status_code
        == 201
    )
    refused = api(focal_point).post(f"/api/v1/reviews/{own_review.pk}/accept/")
    assert refused.status_code == 403
    no_comment = api(secretariat).post(f"/api/v1/reviews/{own_review.pk}/return/", {})
    assert no_comment.status_code == 400
    assert "comment" in no_comment.json()["fields"]
    accepted = api(secretariat).post(f"/api/v1/reviews/{own_review.pk}/accept/")
    assert accepted.json()["needs"] == 1
    assert Need.objects.get().status == "accepted"


def test_deleting_a_review_with_needs_is_a_409_not_a_500(secretariat):
    need = NeedFactory()
    url = f"/api/v1/reviews/{need.review.pk}/"
    tag = api(secretariat).get(url)["ETag"]
    response = api(secretariat).delete(url, HTTP_IF_MATCH=tag)
    assert response.status_code == 409


# ---------------------------------------------------------------------------
# Filters, pagination, ordering, query counts
# ---------------------------------------------------------------------------
@pytest.fixture
def spread(db):
    asia = RegionalGroup.objects.get(slug="asia-pacific")
    second = ReviewCycle.objects.get(number=2)
    return {
        "african_15": NeedFactory(),
        "asian_46": NeedFactory(
            review__state__regional_group=asia,
            review__cycle_year=2,
            article=Article.objects.get(number=46),
            need_type_id=6,
            coverage="met-in-part",
        ),
        "second_cycle_52": NeedFactory(
            review=CountryReviewFactory(cycle=second),
            article=Article.objects.get(number=52),
            need_type_id=9,
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"regional_group": "asia-pacific"}, ["asian_46"]),
        ({"cycle": 2}, ["second_cycle_52"]),
        ({"review_year": 2}, ["asian_46"]),
        ({"chapter": "IV"}, ["asian_46"]),
        ({"article": 15}, ["african_15"]),
        ({"need_type": "capacity-building"}, ["asian_46"]),
        ({"coverage": "met-in-part"}, ["asian_46"]),
        ({"q": "prosecutors"}, ["african_15", "asian_46", "second_cycle_52"]),
    ],
)
def test_each_filter_returns_exactly_the_matching_needs(
    secretariat, spread, query, expected
):
    response = api(secretariat).get("/api/v1/needs/", query)
    assert response.status_code == 200
    assert sorted(n["id"] for n in response.json()["results"]) == sorted(
        spread[key].pk for key in expected
    )


def test_state_filter_and_unknown_values(secretariat, spread):
    code = spread["asian_46"].review.state.code
    response = api(secretariat).get("/api/v1/needs/", {"state": code})
    assert [n["id"] for n in response.json()["results"]] == [spread["asian_46"].pk]
    bad = api(secretariat).get("/api/v1/needs/", {"article": "x", "coverage": "maybe"})
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"article", "coverage"}


def test_pagination_and_ordering(secretariat):
    review = CountryReviewFactory()
    for number in range(15, 27):
        NeedFactory(review=review, article=Article.objects.get(number=number))
    page = (
        api(secretariat)
        .get(
            "/api/v1/needs/",
            {"page_size": 5, "page": 2, "ordering": "-article__number"},
        )
        .json()
    )
    assert page["count"] == 12
    assert [n["article"] for n in page["results"]] == [21, 20, 19, 18, 17]


@pytest.mark.parametrize(
    "url", ["/api/v1/needs/", "/api/v1/reviews/", "/api/v1/states/"]
)
def test_list_query_count_does_not_depend_on_rows(
    secretariat, url, django_assert_max_num_queries
):

    def count():
        user = type(secretariat).objects.get(pk=secretariat.pk)  # nothing cached
        with CaptureQueriesContext(connection) as captured:
            assert api(user).get(url, {"page_size": 500}).status_code == 200
        return len(captured)

    for _ in range(5):
        NeedFactory()
    few = count()
    grow_to_500()
    assert count() == few


def grow_to_500():
    """Bring the needs from 5 to 500: 55 reviews with the nine types of article 16."""
    article = Article.objects.get(number=16)
    reviews = [CountryReviewFactory() for _ in range(55)]
    Need.objects.bulk_create(
        Need(review=review, article=article, need_type=need_type)
        for review in reviews
        for need_type in NeedType.objects.all()
    )
    assert Need.objects.count() == 500
