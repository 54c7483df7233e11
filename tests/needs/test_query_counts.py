"""The pages and lists of needs ask the same number of queries for a few needs as for
many: the entry page of a review, a State's page, a review's page, the needs list
(HTML) and the API's needs list, by number and by cursor, for each role."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from needs import services
from needs.models import Need, NeedType
from reviews.models import Article, ReviewCycle
from tests.factories import SHARES_REPORT, CountryReviewFactory

pytestmark = pytest.mark.django_db


def queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
        assert response.status_code == 200, (url, response.status_code)
        b"".join(response.streaming_content) if response.streaming else None
    return len(captured)


def add_needs(review, count: int, chapter: str = "III") -> None:
    """`count` accepted needs in `review`: its chapter's articles times the types."""
    articles = Article.objects.filter(chapter__number=chapter).order_by("number")
    pairs = [(a, t) for a in articles for t in NeedType.objects.all()]
    Need.objects.bulk_create(
        Need(review=review, article=article, need_type=need_type, description="x")
        for article, need_type in pairs[:count]
    )


def propose_changes(review, user, count: int) -> None:
    """A focal point's proposals under way on `count` of the review's needs."""
    for need in review.needs.order_by("pk")[:count]:
        services.need_update(
            need=need,
            user=user,
            expected_version=need.version,
            description=f"Proposed {need.pk}",
        )


@pytest.fixture
def grow(own_review, focal_point):
    """A review with 3 needs (changed), then 60 (20 changed), the State's
    second-cycle review and other States' reviews."""

    def few():
        add_needs(own_review, 3)
        propose_changes(own_review, focal_point, 3)

    def many():
        add_needs_beyond(own_review, 60)
        propose_changes(own_review, focal_point, 20)
        second = ReviewCycle.objects.get(number=2)
        add_needs(CountryReviewFactory(state=own_review.state, cycle=second), 30, "II")
        for _ in range(3):
            add_needs(CountryReviewFactory(shares=SHARES_REPORT), 30)

    return few, many


def add_needs_beyond(review, total: int) -> None:
    have = set(review.needs.values_list("article_id", "need_type_id"))
    articles = Article.objects.filter(chapter__number="III").order_by("number")
    pairs = [
        (a, t)
        for a in articles
        for t in NeedType.objects.all()
        if (a.pk, t.pk) not in have
    ]
    Need.objects.bulk_create(
        Need(review=review, article=a, need_type=t, description="y")
        for a, t in pairs[: total - len(have)]
    )


@pytest.mark.parametrize("role", ["focal_point", "secretariat"])
def test_the_entry_page_costs_the_same_for_3_and_60_needs(
    request, client, own_review, grow, role
):
    client.force_login(request.getfixturevalue(role))
    url = reverse("needs:review_entry", args=[own_review.pk])
    few, many = grow
    few()
    before = queries(client, url)
    many()
    assert own_review.needs.count() == 60
    assert queries(client, url) == before


@pytest.mark.parametrize("role", ["focal_point", "secretariat", "viewer"])
def test_state_and_review_pages_cost_the_same_for_few_and_many_needs(
    request, client, own_review, grow, role
):
    user = request.getfixturevalue(role)
    client.force_login(user)
    few, many = grow
    few()
    if role == "viewer":  # a State that shares with viewers
        own_review.consents.create(
            subject="full-report", audience="donors", agreed_on=own_review.completed_on
        )
    urls = [own_review.state.get_absolute_url(), own_review.get_absolute_url()]
    before = [queries(client, url) for url in urls]
    many()
    assert [queries(client, url) for url in urls] == before


@pytest.mark.parametrize("role", ["focal_point", "secretariat", "viewer"])
def test_the_needs_list_page_costs_the_same_for_few_and_many_needs(
    request, client, grow, role
):
    client.force_login(request.getfixturevalue(role))
    few, many = grow
    few()
    url = reverse("needs:need_list")
    before = [queries(client, url), queries(client, url, {"state": "OWN"})]
    many()
    assert [queries(client, url), queries(client, url, {"state": "OWN"})] == before


@pytest.mark.parametrize("role", ["focal_point", "secretariat", "viewer"])
def test_the_api_needs_list_costs_the_same_for_few_and_many_needs(request, grow, role):
    user = request.getfixturevalue(role)
    few, many = grow
    api = APIClient()
    api.force_authenticate(user)

    def costs() -> list[int]:
        first = api.get("/api/v1/needs/", {"page_size": 2}).json()
        cursor = first["next"].split("cursor=")[1].split("&")[0]
        return [
            queries(api, "/api/v1/needs/", {"page_size": 500}),
            queries(api, "/api/v1/needs/", {"page_size": 2, "page": 2}),
            queries(api, "/api/v1/needs/", {"page_size": 2, "cursor": cursor}),
            queries(api, "/api/v1/needs/", {"format": "csv"}),
        ]

    few()
    before = costs()
    many()
    assert costs() == before
