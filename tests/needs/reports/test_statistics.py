"""The statistics engine: filters, exact changes, bounded queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from needs.models import Need, NeedType
from needs.reports.statistics import StatisticsFilter, compute
from reviews.models import Article, CountryReview, RegionalGroup, ReviewCycle
from tests.factories import CountryReviewFactory, NeedFactory, StatePartyFactory

pytestmark = pytest.mark.django_db


def flatten(value, prefix=""):
    """{"a.b.0.c": leaf, …}: every number of a document, addressable by path."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = (
            (item.get("article", index) if isinstance(item, dict) else index, item)
            for index, item in enumerate(value)
        )
    else:
        return {prefix: value}
    flat = {}
    for key, item in items:
        flat |= flatten(item, f"{prefix}.{key}" if prefix else str(key))
    return flat


def changes(before, after):
    a, b = flatten(before), flatten(after)
    return {
        k: (a.get(k), b.get(k)) for k in a.keys() | b.keys() if a.get(k) != b.get(k)
    }


def test_adding_one_need_changes_exactly_its_numbers(note_2013):
    before = compute().as_dict()
    review = CountryReview.objects.get(state__code="AF-01")
    article = Article.objects.get(number=15)
    used = Need.objects.filter(review=review, article=article).values("need_type")
    need_type = NeedType.objects.exclude(pk__in=used).order_by("display_order").first()
    state_had_article = Need.objects.filter(review=review, article=article).exists()
    had_type = before["chapters"]["III"]["articles"][0]["by_type"].get(
        need_type.slug, 0
    )

    Need.objects.create(review=review, article=article, need_type=need_type)

    diff = changes(before, compute().as_dict())
    slug = need_type.slug
    expected = {
        "needs": (873, 874),
        "chapters.III.needs": (616, 617),
        "chapters.III.articles.15.needs": (14, 15),
        f"chapters.III.articles.15.by_type.{slug}": (had_type or None, had_type + 1),
        f"needs_by_type.{slug}": (
            before["needs_by_type"][slug],
            before["needs_by_type"][slug] + 1,
        ),
        f"chapters.III.needs_by_type.{slug}": (
            before["chapters"]["III"]["needs_by_type"][slug],
            before["chapters"]["III"]["needs_by_type"][slug] + 1,
        ),
        "coverage.overall.not-yet-addressed": (873, 874),
        "coverage.by_chapter.III.not-yet-addressed": (616, 617),
        "chapters.III.coverage.not-yet-addressed": (616, 617),
        "chapters.III.articles.15.coverage.not-yet-addressed": (14, 15),
        f"coverage.by_type.{slug}.not-yet-addressed": (
            before["coverage"]["by_type"][slug]["not-yet-addressed"],
            before["coverage"]["by_type"][slug]["not-yet-addressed"] + 1,
        ),
        "coverage.by_region.african.not-yet-addressed": (
            before["coverage"]["by_region"]["african"]["not-yet-addressed"],
            before["coverage"]["by_region"]["african"]["not-yet-addressed"] + 1,
        ),
    }
    # Whether the article's State count moves depends on whether AF-01 had needs there.
    assert state_had_article or "chapters.III.articles.15.states" in diff
    structural = {
        k: v
        for k, v in diff.items()
        if k not in expected
        and not k.startswith(
            ("states_by_needs_count.III", "chapters.III.articles.15.states")
        )
        and not k.startswith(f"states_by_type.{slug}")
    }
    assert structural == {}
    for key, value in expected.items():
        assert diff.get(key) == value, key


def test_deleting_one_need_lowers_its_article_type_and_chapter(note_2013):
    before = compute(StatisticsFilter(article=44)).as_dict()
    need = Need.objects.filter(
        article__number=44, need_type__slug="good-practices"
    ).first()
    need.delete()
    after = compute(StatisticsFilter(article=44)).as_dict()
    entry = after["chapters"]["IV"]["articles"][0]
    assert entry["needs"] == before["chapters"]["IV"]["articles"][0]["needs"] - 1
    assert entry["by_type"]["good-practices"] == 12
    assert after["chapters"]["IV"]["needs"] == 42


def test_moving_a_need_to_another_article_moves_one_count(note_2013):
    need = Need.objects.filter(article__number=15, need_type__slug="other").get()
    target = Article.objects.get(number=27)
    need.article = target
    need.save()
    document = compute().as_dict()
    articles = {a["article"]: a for a in document["chapters"]["III"]["articles"]}
    assert articles[15]["needs"] == 13
    assert "other" not in articles[15]["by_type"]
    assert articles[27]["needs"] == 5
    assert articles[27]["by_type"]["other"] == 1
    assert document["chapters"]["III"]["needs"] == 616


def test_region_filter_restricts_reviews_and_needs(note_2013):
    document = compute(StatisticsFilter(regional_group="african")).as_dict()
    assert document["states_reviewed"] == 9
    assert document["chapters"]["III"]["states"] == 8
    assert document["chapters"]["IV"]["states"] == 6
    assert {k for k, v in document["states_by_region"].items() if v} == {"african"}
    assert (
        document["needs"]
        == Need.objects.filter(review__state__regional_group__slug="african").count()
    )


def test_cycle_filter_separates_the_cycles(note_2013):
    review = CountryReviewFactory(cycle=ReviewCycle.objects.get(number=2))
    NeedFactory(review=review, article=Article.objects.get(number=52))
    second = compute(StatisticsFilter(cycle=2)).as_dict()
    assert (second["states_reviewed"], second["needs"]) == (1, 1)
    assert second["chapters"]["V"]["articles"][0]["article"] == 52
    first = compute(StatisticsFilter(cycle=1)).as_dict()
    assert (first["states_reviewed"], first["needs"]) == (44, 873)


def test_as_of_counts_only_reviews_completed_by_then(note_2013):
    early = compute(StatisticsFilter(as_of=datetime.date(2012, 9, 1))).as_dict()
    expected_reviews = CountryReview.objects.filter(completed_on__lte="2012-09-01")
    assert early["states_reviewed"] == expected_reviews.count()
    assert 0 < early["states_reviewed"] < 44
    assert early["needs"] == Need.objects.filter(review__in=expected_reviews).count()
    CountryReview.objects.filter(state__code="AF-01").update(
        status=CountryReview.Status.UNDER_WAY
    )
    assert (
        compute(StatisticsFilter(as_of=datetime.date(2014, 1, 1))).as_dict()[
            "states_reviewed"
        ]
        == 43
    )


@pytest.mark.parametrize(
    ("filters", "queryset_filter"),
    [
        (StatisticsFilter(chapter="IV"), {"article__chapter__number": "IV"}),
        (StatisticsFilter(article=32), {"article__number": 32}),
        (StatisticsFilter(need_type="other"), {"need_type__slug": "other"}),
        (StatisticsFilter(review_year=2), {"review__cycle_year": 2}),
    ],
)
def test_each_filter_counts_exactly_the_matching_needs(
    note_2013, filters, queryset_filter
):
    assert (
        compute(filters).as_dict()["needs"]
        == Need.objects.filter(**queryset_filter).count()
    )


def test_coverage_breakdowns_follow_the_records(note_2013):
    Need.objects.filter(article__number=15).update(coverage=Need.Coverage.MET_FULLY)
    Need.objects.filter(article__number=44).update(coverage=Need.Coverage.MET_IN_PART)
    document = compute().as_dict()
    assert document["coverage"]["overall"] == {
        "not-yet-addressed": 873 - 14 - 43,
        "met-in-part": 43,
        "met-fully": 14,
    }
    assert document["chapters"]["IV"]["articles"][0]["coverage"]["met-in-part"] == 43
    assert compute(StatisticsFilter(coverage="met-fully")).as_dict()["needs"] == 14


def test_a_state_in_no_regional_group_is_counted_under_none(db):
    NeedFactory(review__state=StatePartyFactory(regional_group=None))
    document = compute().as_dict()
    assert document["states_by_region"]["none"] == 1
    assert set(RegionalGroup.objects.values_list("slug", flat=True)) < set(
        document["states_by_region"]
    )


def _queries(filters=None):
    with CaptureQueriesContext(connection) as captured:
        compute(filters).as_dict()
    return len(captured.captured_queries)


def test_query_count_is_the_same_with_ten_times_the_needs(note_2013):
    small = _queries()
    reviews = list(CountryReview.objects.filter(state__reconstructed=True))
    articles = list(Article.objects.filter(chapter__number__in=["III", "IV"]))
    types = list(NeedType.objects.all())
    existing = set(Need.objects.values_list("review", "article", "need_type"))
    extra = [
        Need(review=r, article=a, need_type=t)
        for r in reviews
        for a in articles
        for t in types
        if (r.pk, a.pk, t.pk) not in existing
    ][: 873 * 9]
    Need.objects.bulk_create(extra)
    assert Need.objects.count() == 873 * 10
    assert _queries() == small
    assert _queries(StatisticsFilter(chapter="III", regional_group="african")) == small
