"""The statistics engine: every published number, computed by the database.

`compute(filters)` returns the statistics document (`StatisticsDocument`) that the
report pages, the API (`/api/v1/statistics/`), the `statistics` command and the draft
note all use; `summary()` gives the home page's headline counts from the same scope.
Each section of the document is built by one small function below from GROUP BY
queries; the number of queries does not depend on the number of needs.

Counting unit: one need is one distinct (review, article, type); "States" are distinct
States parties.
"""

import datetime
from collections import defaultdict
from dataclasses import asdict, dataclass

from django.db.models import Count, Max, Q
from django.utils import timezone

from needs.models import Need, NeedType
from reviews.models import Article, Chapter, CountryReview, RegionalGroup

COUNTS = {"states": Count("review__state", distinct=True), "needs": Count("pk")}
COVERAGE = [choice.value for choice in Need.Coverage]
NO_GROUP = "none"


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
    as_of: datetime.date | None = None  # reviews completed and values as of that day

    def as_dict(self) -> dict:
        return {
            key: (value.isoformat() if isinstance(value, datetime.date) else value)
            for key, value in asdict(self).items()
            if value is not None
        }


# ---------------------------------------------------------------------------
# The document's shape
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ArticleStatistics:
    article: int
    title: str
    section: str
    subsection: str
    states: int
    needs: int
    by_type: dict[str, int]  # type slug -> States, largest first
    coverage: dict[str, int]  # coverage value -> needs
    states_by_needs_count: dict[str, int]  # "1" -> States with one need, …


@dataclass(frozen=True)
class ChapterStatistics:
    title: str
    states: int
    needs: int
    states_by_region: dict[str, int]
    needs_by_type: dict[str, int]
    articles: list[ArticleStatistics]
    coverage: dict[str, int]


@dataclass(frozen=True)
class CoverageStatistics:
    overall: dict[str, int]
    by_chapter: dict[str, dict[str, int]]
    by_type: dict[str, dict[str, int]]
    by_region: dict[str, dict[str, int]]


@dataclass(frozen=True)
class ReviewedStatistics:
    states: int
    reviews: int
    completed: int
    states_by_region: dict[str, int]


@dataclass(frozen=True)
class StatisticsDocument:
    filters: dict
    states_reviewed: int
    reviews: int
    reviews_completed: int
    states_reviewed_by_region: dict[str, int]
    states_with_needs: int
    needs: int
    needs_by_type: dict[str, int]
    states_by_type: dict[str, int]
    states_by_region: dict[str, int]
    chapters: dict[str, ChapterStatistics]
    states_by_needs_count: dict[str, dict[str, int]]
    coverage: CoverageStatistics

    def as_dict(self) -> dict:
        """The published JSON form (API, `statistics --format json`)."""
        return asdict(self)

    def article(self, number: int) -> ArticleStatistics | None:
        for chapter in self.chapters.values():
            for entry in chapter.articles:
                if entry.article == number:
                    return entry
        return None

    def chapters_with_needs(self) -> list[str]:
        return [number for number, data in self.chapters.items() if data.needs]


@dataclass(frozen=True)
class Summary:
    """The home page's headline counts."""

    needs: int
    states_with_needs: int
    not_yet_addressed: int
    met_in_part: int
    met_fully: int
    reviews: int
    reviews_completed: int
    states_reviewed: int


# ---------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------
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


def accepted_as_of(day: datetime.date):
    """The needs' accepted values as they stood at the end of `day`, read from the
    audit trail: for each need its last historical row by then, if the need existed
    and had been accepted. Later changes, acceptances and withdrawals do not move it.
    (Historical rows have the same fields and relations as needs.)"""
    cutoff = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    )
    history = Need.history.model.objects
    latest = (
        history.filter(history_date__lt=cutoff)
        .values("id")
        .annotate(last=Max("history_id"))
        .values("last")
    )
    return history.filter(
        history_id__in=latest,
        history_type__in=["+", "~"],
        accepted_at__lt=cutoff,
    )


def scoped_needs(filters: StatisticsFilter):
    """Needs of the reviews in scope, restricted by chapter, article, type, coverage;
    their accepted values now, or as they stood on `as_of`."""
    if filters.as_of is not None:
        needs = accepted_as_of(filters.as_of)
    else:
        needs = Need.objects.counted()
    needs = needs.filter(review__in=scoped_reviews(filters))
    if filters.chapter:
        needs = needs.filter(article__chapter__number=filters.chapter)
    if filters.article is not None:
        needs = needs.filter(article__number=filters.article)
    if filters.need_type:
        needs = needs.filter(need_type__slug=filters.need_type)
    if filters.coverage:
        needs = needs.filter(coverage=filters.coverage)
    return needs


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

    def ranked(self, counts: dict[str, int]) -> dict[str, int]:
        """Largest first, ties in the types' order, as the note's tables print them."""
        return dict(
            sorted(counts.items(), key=lambda kv: (-kv[1], self.type_order[kv[0]]))
        )

    def by_region(self, counts: dict[str, int]) -> dict[str, int]:
        """Every regional group in reference order (zeros included); 'none' if any."""
        result = {group.slug: counts.get(group.slug, 0) for group in self.regions}
        if counts.get(NO_GROUP):
            result[NO_GROUP] = counts[NO_GROUP]
        return result


# ---------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------
def compute(filters: StatisticsFilter | None = None) -> StatisticsDocument:
    """The statistics document for `filters` (see the module docstring)."""
    filters = filters or StatisticsFilter()
    ref = _Reference()
    needs = scoped_needs(filters)
    reviewed = _reviewed(scoped_reviews(filters), ref)
    overall = needs.aggregate(**COUNTS)
    by_type = list(needs.values("need_type__slug").annotate(**COUNTS).order_by())
    coverage = _coverage(needs, ref)
    chapters = _chapters(needs, ref, coverage, only=filters.chapter)
    return StatisticsDocument(
        filters=filters.as_dict(),
        states_reviewed=reviewed.states,
        reviews=reviewed.reviews,
        reviews_completed=reviewed.completed,
        states_reviewed_by_region=reviewed.states_by_region,
        states_with_needs=overall["states"],
        needs=overall["needs"],
        needs_by_type=ref.ranked({r["need_type__slug"]: r["needs"] for r in by_type}),
        states_by_type=ref.ranked({r["need_type__slug"]: r["states"] for r in by_type}),
        states_by_region=_states_by_region(needs, ref),
        chapters=chapters,
        states_by_needs_count=_distribution(
            needs, "article__chapter__number", chapters
        ),
        coverage=CoverageStatistics(
            overall=_total(coverage["article__chapter__number"]),
            by_chapter={n: coverage["article__chapter__number"][n] for n in chapters},
            by_type={
                t.slug: coverage["need_type__slug"][t.slug]
                for t in ref.types
                if t.slug in coverage["need_type__slug"]
            },
            by_region={
                (slug or NO_GROUP): counts
                for slug, counts in coverage[
                    "review__state__regional_group__slug"
                ].items()
            },
        ),
    )


def summary(filters: StatisticsFilter | None = None) -> Summary:
    """Headline counts of the same scope as `compute` (two queries)."""
    filters = filters or StatisticsFilter()
    needs = scoped_needs(filters).aggregate(
        **COUNTS,
        **{
            value.replace("-", "_"): Count("pk", filter=Q(coverage=value))
            for value in COVERAGE
        },
    )
    reviews = scoped_reviews(filters).aggregate(
        reviews=Count("pk"),
        completed=Count("pk", filter=Q(status=CountryReview.Status.COMPLETED)),
        states=Count("state", distinct=True),
    )
    return Summary(
        needs=needs["needs"],
        states_with_needs=needs["states"],
        not_yet_addressed=needs["not_yet_addressed"],
        met_in_part=needs["met_in_part"],
        met_fully=needs["met_fully"],
        reviews=reviews["reviews"],
        reviews_completed=reviews["completed"],
        states_reviewed=reviews["states"],
    )


def _reviewed(reviews, ref: _Reference) -> ReviewedStatistics:
    totals = reviews.aggregate(
        states=Count("state", distinct=True),
        reviews=Count("pk"),
        completed=Count("pk", filter=Q(status=CountryReview.Status.COMPLETED)),
    )
    by_region = (
        reviews.values("state__regional_group__slug")
        .annotate(states=Count("state", distinct=True))
        .order_by()
    )
    return ReviewedStatistics(
        states=totals["states"],
        reviews=totals["reviews"],
        completed=totals["completed"],
        states_by_region=ref.by_region(
            {
                (r["state__regional_group__slug"] or NO_GROUP): r["states"]
                for r in by_region
            }
        ),
    )


def _states_by_region(needs, ref: _Reference) -> dict[str, int]:
    rows = needs.values("review__state__regional_group__slug").annotate(**COUNTS)
    return ref.by_region(
        {
            (r["review__state__regional_group__slug"] or NO_GROUP): r["states"]
            for r in rows.order_by()
        }
    )


def _coverage(needs, ref: _Reference) -> dict[str, dict]:
    """{grouping key: {value: {coverage: needs}}} for the four coverage breakdowns."""
    keys = [
        "article__chapter__number",
        "article__number",
        "need_type__slug",
        "review__state__regional_group__slug",
    ]
    result = {}
    for key in keys:
        rows = needs.values(key, "coverage").annotate(n=Count("pk")).order_by()
        counts: dict = defaultdict(lambda: dict.fromkeys(COVERAGE, 0))
        for row in rows:
            counts[row[key]][row["coverage"]] = row["n"]
        result[key] = counts
    return result


def _distribution(needs, key: str, wanted) -> dict[str, dict[str, int]]:
    """For each value of `key` in `wanted`: how many States identified 1, 2, … needs."""
    rows = needs.values(key, "review__state").annotate(n=Count("pk")).order_by()
    histogram: dict = defaultdict(lambda: defaultdict(int))
    for row in rows:
        histogram[row[key]][row["n"]] += 1
    return {
        value: {str(k): v for k, v in sorted(histogram[value].items())}
        for value in wanted
    }


def _articles(needs, ref: _Reference, coverage: dict) -> dict[str, list]:
    """Each chapter's articles with needs, in the note's order."""
    by_article_type = (
        needs.values("article__number", "need_type__slug").annotate(**COUNTS).order_by()
    )
    states_by_type: dict = defaultdict(dict)
    for row in by_article_type:
        states_by_type[row["article__number"]][row["need_type__slug"]] = row["states"]
    per_state = _distribution(
        needs, "article__number", [r["article__number"] for r in by_article_type]
    )
    rows = needs.values("article__number").annotate(**COUNTS).order_by()
    by_chapter: dict = defaultdict(list)
    for row in sorted(rows, key=lambda r: ref.article_order[r["article__number"]]):
        article = ref.articles[row["article__number"]]
        by_chapter[article.chapter.number].append(
            ArticleStatistics(
                article=article.number,
                title=article.title,
                section=article.section,
                subsection=article.subsection,
                states=row["states"],
                needs=row["needs"],
                by_type=ref.ranked(states_by_type[article.number]),
                coverage=coverage["article__number"][article.number],
                states_by_needs_count=per_state[article.number],
            )
        )
    return by_chapter


def _chapters(needs, ref: _Reference, coverage: dict, *, only=None) -> dict:
    """Every chapter (or the one filtered on), zeros included."""
    articles = _articles(needs, ref, coverage)
    totals = {
        r["article__chapter__number"]: r
        for r in needs.values("article__chapter__number").annotate(**COUNTS).order_by()
    }
    regions: dict = defaultdict(dict)
    rows = needs.values(
        "article__chapter__number", "review__state__regional_group__slug"
    ).annotate(**COUNTS)
    for row in rows.order_by():
        slug = row["review__state__regional_group__slug"] or NO_GROUP
        regions[row["article__chapter__number"]][slug] = row["states"]
    types: dict = defaultdict(lambda: defaultdict(int))
    rows = needs.values("article__chapter__number", "need_type__slug").annotate(
        **COUNTS
    )
    for row in rows.order_by():
        types[row["article__chapter__number"]][row["need_type__slug"]] = row["needs"]
    chapters = {}
    for chapter in ref.chapters:
        if only and chapter.number != only:
            continue
        total = totals.get(chapter.number, {"states": 0, "needs": 0})
        chapters[chapter.number] = ChapterStatistics(
            title=chapter.title,
            states=total["states"],
            needs=total["needs"],
            states_by_region=ref.by_region(regions[chapter.number]),
            needs_by_type=ref.ranked(dict(types[chapter.number])),
            articles=articles[chapter.number],
            coverage=coverage["article__chapter__number"][chapter.number],
        )
    return chapters


def _total(rows: dict) -> dict[str, int]:
    total = dict.fromkeys(COVERAGE, 0)
    for counts in rows.values():
        for key, value in counts.items():
            total[key] += value
    return total
