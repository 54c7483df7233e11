"""The needs list at any size: written from values exactly as NeedSerializer writes a
need, paged by cursor (keyset) or by number, counted exactly or, for a large list,
by the database's estimate, which the response says."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from needs import selectors, services
from needs.models import Need, NeedType
from needs.serializers import NEED_LIST_FIELDS, NeedSerializer, need_list_data
from reviews.models import Article
from tatracker import paging
from tatracker.drf import encode_cursor
from tests.factories import SHARES_REPORT, CountryReviewFactory, NeedFactory

pytestmark = pytest.mark.django_db

NEEDS = "/api/v1/needs/"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def make_needs(review, count: int) -> list[Need]:
    articles = Article.objects.filter(chapter__number="III").order_by("number")
    return [
        NeedFactory(review=review, article=article, description=f"Need {n}")
        for n, article in enumerate(articles[:count])
    ]


# ---------------------------------------------------------------------------
# The list's rows, written from values
# ---------------------------------------------------------------------------
@pytest.fixture
def every_case(own_review, other_review, focal_point):
    """Needs that the secretariat, a focal point and a viewer each read differently:
    a proposal under way, a withheld description, a draft."""
    changed = NeedFactory(review=own_review, description="Accepted wording")
    services.need_update(
        need=changed,
        user=focal_point,
        expected_version=changed.version,
        description="Proposed wording",
        priority=Need.Priority.HIGH,
    )
    withheld = CountryReviewFactory(state__code="WHD")  # shares nothing
    NeedFactory(review=withheld, description="Secret words")
    NeedFactory(review=other_review, description="=Shared words", remaining="-1")
    services.need_create(
        user=focal_point,
        review=own_review,
        article=Article.objects.get(number=16),
        need_type=NeedType.objects.get(slug="other"),
        description="A draft",
    )


@pytest.mark.parametrize("role", ["secretariat", "focal_point", "viewer"])
def test_the_list_writes_each_need_as_the_serializer_does(request, every_case, role):
    user = request.getfixturevalue(role)
    needs = selectors.needs_for(user).select_related("proposal").order_by("id")
    assert needs.count() >= 2

    by_values = need_list_data(list(needs.values(*NEED_LIST_FIELDS)), user=user)

    factory_request = type("Request", (), {"user": user})()
    by_serializer = NeedSerializer(
        needs, many=True, context={"request": factory_request}
    ).data
    assert by_values == [dict(row) for row in by_serializer]
    if role != "viewer":
        assert any(row["proposal"] for row in by_values)
    assert api(user).get(NEEDS).json()["results"] == by_values


# ---------------------------------------------------------------------------
# Cursors
# ---------------------------------------------------------------------------
def walk(client, url, params, link="next") -> list[list[int]]:
    """The ids of each page, following `link` from the first answer."""
    body = client.get(url, params).json()
    pages = [[n["id"] for n in body["results"]]]
    while body[link]:
        body = client.get(body[link]).json()
        pages.append([n["id"] for n in body["results"]])
    return pages


@pytest.mark.parametrize(
    "ordering", [None, "-article__number", "priority,-id", "-updated_at"]
)
def test_next_links_walk_every_need_once_in_order_and_previous_walks_back(
    secretariat, own_review, ordering
):
    # given 12 needs, two of them high priority (ties on priority)
    needs = make_needs(own_review, 12)
    Need.objects.filter(pk__in=[needs[3].pk, needs[7].pk]).update(priority="high")
    params = {"page_size": 5} | ({"ordering": ordering} if ordering else {})
    client = api(secretariat)
    expected = [
        n["id"] for n in client.get(NEEDS, params | {"page_size": 50}).json()["results"]
    ]

    # when the client follows `next` from the first page
    pages = walk(client, NEEDS, params)

    # then it reads every need once, in the list's order, five at a time
    assert [len(page) for page in pages] == [5, 5, 2]
    assert [pk for page in pages for pk in page] == expected
    first = client.get(NEEDS, params).json()
    assert "cursor=" in first["next"]
    assert first["previous"] is None
    assert (first["count"], first["count_estimated"]) == (12, False)

    # and following `previous` from the last page gives the same pages back
    last = client.get(NEEDS, params).json()
    while last["next"]:
        last = client.get(last["next"]).json()
    back = [[n["id"] for n in last["results"]]]
    while last["previous"]:
        last = client.get(last["previous"]).json()
        back.append([n["id"] for n in last["results"]])
    assert back[::-1] == pages


def test_a_cursor_page_is_not_moved_by_needs_added_before_it(secretariat, own_review):
    needs = make_needs(own_review, 6)
    client = api(secretariat)
    second = client.get(NEEDS, {"page_size": 3}).json()["next"]
    Need.objects.filter(pk=needs[0].pk).delete()  # a row of the first page goes
    assert [n["id"] for n in client.get(second).json()["results"]] == [
        n.pk for n in needs[3:]
    ]


def test_page_numbers_still_work_with_page_links(secretariat, own_review):
    make_needs(own_review, 12)
    body = api(secretariat).get(NEEDS, {"page_size": 5, "page": 2}).json()
    assert body["next"].endswith("page=3&page_size=5") or "page=3" in body["next"]
    assert "cursor" not in body["next"]
    assert (body["count"], body["count_estimated"]) == (12, False)


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "not-a-cursor"},
        {"cursor": encode_cursor([1]), "page": 2},
        {"cursor": encode_cursor([15, 1], ordering=["article__number", "id"])},
        {"cursor": encode_cursor(["x"])},
    ],
)
def test_a_cursor_that_is_not_one_of_this_list_is_a_400(secretariat, params):
    response = api(secretariat).get(NEEDS, params)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"cursor"}


def test_the_schema_documents_the_cursor_and_the_estimate(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    parameters = schema["paths"][NEEDS]["get"]["parameters"]
    cursor = next(p for p in parameters if p["name"] == "cursor")
    assert cursor["schema"] == {"type": "string", "minLength": 1}
    page = schema["components"]["schemas"]["PaginatedNeedList"]
    assert page["properties"]["count_estimated"]["type"] == "boolean"
    assert "estimate" in page["properties"]["count"]["description"]


# ---------------------------------------------------------------------------
# Estimated counts
# ---------------------------------------------------------------------------
@pytest.fixture
def large(monkeypatch):
    """The planner estimates a million rows for any list, and every list holds at
    least the rows from which counts are estimated."""
    monkeypatch.setattr(paging, "table_rows", lambda queryset: 1_234_567)
    monkeypatch.setattr(paging, "planned_rows", lambda queryset: 1_234_567)


def test_a_large_list_says_its_count_is_an_estimate(secretariat, own_review, large):
    make_needs(own_review, 12)
    client = api(secretariat)
    first = client.get(NEEDS, {"page_size": 5}).json()
    assert (first["count"], first["count_estimated"]) == (1_200_000, True)
    by_number = client.get(NEEDS, {"page_size": 5, "page": 2}).json()
    assert (by_number["count"], by_number["count_estimated"]) == (1_200_000, True)
    assert "page=3" in by_number["next"]

    # the last page knows: the rows before it and its own
    last = client.get(NEEDS, {"page_size": 5, "page": 3}).json()
    assert (last["count"], last["count_estimated"], last["next"]) == (12, False, None)
    assert client.get(NEEDS, {"page_size": 5, "page": 4}).status_code == 404


def test_the_page_says_about_and_a_page_past_the_end_is_the_last(
    admin_client, own_review, large
):
    make_needs(own_review, 28)
    make_needs(CountryReviewFactory(), 28)
    page = admin_client.get(reverse("needs:need_list"))
    assert "Page 1 of about 24,000 (about 1,200,000 in all)" in page.content.decode()
    assert page.context["page_obj"].has_next()

    past = admin_client.get(reverse("needs:need_list"), {"page": 99})
    assert past.context["page_obj"].number == 2
    assert "Page 2 of 2 (56 in all)" in past.content.decode()


def test_a_planner_far_off_on_a_small_list_is_not_believed(
    secretariat, own_review, monkeypatch
):
    # A table the planner has not analysed yet: 12 needs planned as 100 000
    make_needs(own_review, 12)
    monkeypatch.setattr(paging, "table_rows", lambda queryset: 0)
    monkeypatch.setattr(paging, "planned_rows", lambda queryset: 100_000)
    assert paging.count_rows(Need.objects.all()) == (12, False)
    page = api(secretariat).get(NEEDS, {"page_size": 5}).json()
    assert (page["count"], page["count_estimated"]) == (12, False)


def test_counts_are_exact_below_the_threshold_and_rounded_above():
    assert paging.rounded(1_234_567) == 1_200_000
    assert paging.rounded(10_400) == 10_000
    assert paging.rounded(87) == 87
    assert paging.count_rows(Need.objects.none()) == (0, False)


@pytest.mark.postgres
def test_a_tables_statistics_are_read_once_a_minute(
    monkeypatch, django_assert_num_queries
):
    # given a process that keeps them a minute (the suite reads them every time)
    monkeypatch.setattr(paging, "TABLE_ROWS_SECONDS", 60)
    clock = [1000.0]
    monkeypatch.setattr(paging.time, "monotonic", lambda: clock[0])
    needs = Need.objects.all()

    # then the first request reads them, the next ones within the minute do not
    with django_assert_num_queries(1):
        first = paging.table_rows(needs)
    clock[0] += 59
    with django_assert_num_queries(0):
        assert paging.table_rows(needs) == first
    # and a minute later they are read again
    clock[0] += 2
    with django_assert_num_queries(1):
        paging.table_rows(needs)


@pytest.mark.postgres
def test_postgresql_estimates_a_list_from_its_plan(secretariat, own_review, settings):
    make_needs(own_review, 12)
    estimate = paging.planned_rows(Need.objects.all())
    assert isinstance(estimate, int)
    assert estimate >= 0
    assert paging.planned_rows(Need.objects.none()) == 0
    assert paging.planned_rows(Need.objects.filter(pk__in=[])) == 0
    # a table the statistics do not know as large is counted, exactly
    assert paging.table_rows(Need.objects.all()) < paging.ESTIMATE_FROM
    assert paging.count_rows(Need.objects.all()) == (12, False)


def test_a_viewer_pages_through_the_needs_shared_with_them(viewer, other_review):
    make_needs(other_review, 7)
    withheld = CountryReviewFactory(state__code="WHD", shares=SHARES_REPORT[:1])
    make_needs(withheld, 2)
    pages = walk(api(viewer), NEEDS, {"page_size": 4})
    assert sum(len(page) for page in pages) == Need.objects.visible_to(viewer).count()


def test_a_whole_table_is_estimated_from_its_statistics_without_a_plan(monkeypatch):
    monkeypatch.setattr(paging, "table_rows", lambda queryset: 1_234_567)
    planned = []
    monkeypatch.setattr(
        paging, "planned_rows", lambda queryset: planned.append(queryset) or 54_321
    )
    assert paging.count_rows(Need.objects.all()) == (1_200_000, True)
    assert planned == []
    # a filtered list is planned
    assert paging.count_rows(Need.objects.filter(coverage="met-fully")) == (
        54_000,
        True,
    )
    assert len(planned) == 1
