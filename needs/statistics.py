"""The statistics engine: every published number, computed by the database.

One function, `compute(filters)`, returns the statistics document that the report
pages, the API (`/api/v1/statistics/`), the `statistics` command and the draft note all
use. Every aggregate is a GROUP BY query; the number of queries does not depend on the
number of needs.

Counting unit: one need is one distinct (review, article, type); "States" are distinct
States parties.
"""

import datetime
from collections import defaultdict
from dataclasses import asdict, dataclass

from django.db.models import Count, Q

from needs.models import Need, NeedType
from reviews.models import Article, Chapter, CountryReview, RegionalGroup


@dataclass(frozen=True)
class StatisticsFilter:
    """What the statistics are restricted to; None means no restriction."""

    cycle: int | None = None
    review_year: int | None = None
    regional_group: str | None = None
    chapter: str | None = None
    article: int | None = None
    need_type: str | None = None
    coverage: str | None = None
    as_of: datetime.date | None = None

    def as_dict(self) -> dict:
        return {
            key: (value.isoformat() if isinstance(value, datetime.date) else value)
            for key, value in asdict(self).items()
            if value is not None
        }


def scoped_reviews(filters: StatisticsFilter):
    """Reviews in scope: cycle, year, regional group, and completed by `as_of`."""
    reviews = CountryReview.objects.all()
    if filters.cycle is not None:
        reviews = reviews.filter(cycle__number=filters.cycle)
    if filters.review_year is not None:
        reviews = reviews.filter(cycle_year=filters.review_year)
    if filters.regional_group:
        reviews = reviews.filter(state__regional_group__slug=filters.regional_group)
    if filters.as_of is not None:
        reviews = reviews.completed_by(filters.as_of)
    return reviews


def scoped_needs(filters: StatisticsFilter):
    """Needs of the reviews in scope, restricted by chapter, article, type, coverage."""
    needs = Need.objects.counted().filter(review__in=scoped_reviews(filters))
    if filters.chapter:
        needs = needs.filter(article__chapter__number=filters.chapter)
    if filters.article is not None:
        needs = needs.filter(article__number=filters.article)
    if filters.need_type:
        needs = needs.filter(need_type__slug=filters.need_type)
    if filters.coverage:
        needs = needs.filter(coverage=filters.coverage)
    return needs


COUNTS = {"states": Count("review__state", distinct=True), "needs": Count("pk")}
COVERAGE = [choice.value for choice in Need.Coverage]


def _ranked(counts: dict[str, int], order: dict[str, int]) -> dict[str, int]:
    """Largest first, ties in reference order, as the note's tables print them."""
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], order[kv[0]])))


def _coverage_rows(needs, key: str) -> dict:
    rows = needs.values(key, "coverage").annotate(n=Count("pk")).order_by()
    result: dict = defaultdict(lambda: dict.fromkeys(COVERAGE, 0))
    for row in rows:
        result[row[key]][row["coverage"]] = row["n"]
    return result


class _Reference:
    """Reference rows read once per document (chapters, articles, types, groups)."""

    def __init__(self):
        self.chapters = list(Chapter.objects.order_by("ordinal"))
        self.articles = {
            a.number: a
            for a in Article.objects.select_related("chapter").in_note_order()
        }
        self.article_order = {number: i for i, number in enumerate(self.articles)}
        self.types = list(NeedType.objects.order_by("display_order"))
        self.type_order = {t.slug: t.display_order for t in self.types}
        self.regions = list(RegionalGroup.objects.order_by("display_order"))


def compute(filters: StatisticsFilter | None = None) -> dict:
    """The statistics document for `filters` (see the module docstring)."""
    filters = filters or StatisticsFilter()
    ref = _Reference()
    needs = scoped_needs(filters)
    reviews = scoped_reviews(filters)

    by_article_type = (
        needs.values("article__chapter__number", "article__number", "need_type__slug")
        .annotate(**COUNTS)
        .order_by()
    )
    by_article = needs.values("article__number").annotate(**COUNTS).order_by()
    by_chapter = needs.values("article__chapter__number").annotate(**COUNTS).order_by()
    by_chapter_region = (
        needs.values("article__chapter__number", "review__state__regional_group__slug")
        .annotate(**COUNTS)
        .order_by()
    )
    by_chapter_state = (
        needs.values("article__chapter__number", "review__state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_article_state = (
        needs.values("article__number", "review__state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_type = needs.values("need_type__slug").annotate(**COUNTS).order_by()
    by_region = (
        needs.values("review__state__regional_group__slug")
        .annotate(**COUNTS)
        .order_by()
    )
    overall = needs.aggregate(**COUNTS)
    reviewed = reviews.aggregate(
        states=Count("state", distinct=True),
        reviews=Count("pk"),
        completed=Count("pk", filter=Q(status=CountryReview.Status.COMPLETED)),
    )
    reviewed_by_region = (
        reviews.values("state__regional_group__slug")
        .annotate(states=Count("state", distinct=True))
        .order_by()
    )
    coverage_by_chapter = _coverage_rows(needs, "article__chapter__number")
    coverage_by_article = _coverage_rows(needs, "article__number")
    coverage_by_type = _coverage_rows(needs, "need_type__slug")
    coverage_by_region = _coverage_rows(needs, "review__state__regional_group__slug")

    per_state = defaultdict(lambda: defaultdict(int))
    for row in by_chapter_state:
        per_state[row["article__chapter__number"]][row["n"]] += 1
    per_article_state = defaultdict(lambda: defaultdict(int))
    for row in by_article_state:
        per_article_state[row["article__number"]][row["n"]] += 1
    articles_of = defaultdict(dict)
    states_by_article_type = defaultdict(dict)
    needs_by_chapter_type = defaultdict(lambda: defaultdict(int))
    for row in by_article_type:
        slug = row["need_type__slug"]
        states_by_article_type[row["article__number"]][slug] = row["states"]
        needs_by_chapter_type[row["article__chapter__number"]][slug] += row["needs"]
    for row in by_article:
        article = ref.articles[row["article__number"]]
        articles_of[article.chapter.number][article.number] = {
            "article": article.number,
            "title": article.title,
            "section": article.section,
            "subsection": article.subsection,
            "states": row["states"],
            "needs": row["needs"],
            "by_type": _ranked(states_by_article_type[article.number], ref.type_order),
            "coverage": coverage_by_article[article.number],
            "states_by_needs_count": _histogram(per_article_state[article.number]),
        }

    regions_of = defaultdict(dict)
    for row in by_chapter_region:
        slug = row["review__state__regional_group__slug"] or "none"
        regions_of[row["article__chapter__number"]][slug] = row["states"]

    chapter_rows = {row["article__chapter__number"]: row for row in by_chapter}
    chapters = {}
    for chapter in ref.chapters:
        if filters.chapter and chapter.number != filters.chapter:
            continue
        row = chapter_rows.get(chapter.number, {"states": 0, "needs": 0})
        articles = sorted(
            articles_of[chapter.number].values(),
            key=lambda a: ref.article_order[a["article"]],
        )
        chapters[chapter.number] = {
            "title": chapter.title,
            "states": row["states"],
            "needs": row["needs"],
            "states_by_region": _regions(ref, regions_of[chapter.number]),
            "needs_by_type": _ranked(
                needs_by_chapter_type[chapter.number], ref.type_order
            ),
            "articles": articles,
            "coverage": coverage_by_chapter[chapter.number],
        }

    return {
        "filters": filters.as_dict(),
        "states_reviewed": reviewed["states"],
        "reviews": reviewed["reviews"],
        "reviews_completed": reviewed["completed"],
        "states_reviewed_by_region": _regions(
            ref,
            {
                (r["state__regional_group__slug"] or "none"): r["states"]
                for r in reviewed_by_region
            },
        ),
        "states_with_needs": overall["states"],
        "needs": overall["needs"],
        "needs_by_type": _ranked(
            {r["need_type__slug"]: r["needs"] for r in by_type}, ref.type_order
        ),
        "states_by_type": _ranked(
            {r["need_type__slug"]: r["states"] for r in by_type}, ref.type_order
        ),
        "states_by_region": _regions(
            ref,
            {
                (r["review__state__regional_group__slug"] or "none"): r["states"]
                for r in by_region
            },
        ),
        "chapters": chapters,
        "states_by_needs_count": {
            number: _histogram(per_state[number]) for number in chapters
        },
        "coverage": {
            "overall": _coverage_total(coverage_by_chapter),
            "by_chapter": {n: coverage_by_chapter[n] for n in chapters},
            "by_type": {
                t.slug: coverage_by_type[t.slug]
                for t in ref.types
                if t.slug in coverage_by_type
            },
            "by_region": {
                (slug or "none"): counts for slug, counts in coverage_by_region.items()
            },
        },
    }


def _regions(ref: _Reference, counts: dict[str, int]) -> dict[str, int]:
    """Every regional group in reference order (zeros included); 'none' if any."""
    result = {group.slug: counts.get(group.slug, 0) for group in ref.regions}
    if counts.get("none"):
        result["none"] = counts["none"]
    return result


def _histogram(counts: dict[int, int]) -> dict[str, int]:
    """{"1": States with one need, "2": …} in increasing number of needs."""
    return {str(k): v for k, v in sorted(counts.items())}


def _coverage_total(rows: dict) -> dict[str, int]:
    total = dict.fromkeys(COVERAGE, 0)
    for counts in rows.values():
        for key, value in counts.items():
            total[key] += value
    return total
