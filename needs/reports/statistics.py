"""The statistics engine: every published number, computed by the database.

`compute(filters)` returns the statistics document (`StatisticsDocument`) that the
report pages, the API (`/api/v1/statistics/`), the `statistics` command and the draft
note all use; `summary()` gives the home page's headline counts from the same document.
The document comes from the shared cache while the data are unchanged
(`needs.reports.cache`); computed, it takes two queries whatever the number of needs
and the filters: the reference rows, and one statement (`needs.reports.queries`),
whose results are keyed by ids and summed here.

Counting unit: one need is one distinct (review, article, type); "States" are distinct
States parties.
"""

import datetime
from collections import defaultdict
from dataclasses import asdict, dataclass

from django.db.models import Max
from django.utils import timezone

from needs.models import Need
from needs.reports import cache, queries
from reviews.models import CountryReview

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
# Scope, as querysets: the rules the statement implements (`needs.reports.queries`),
# for reads that want the rows themselves; the tests check that both agree.
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


@dataclass(frozen=True)
class _Chapter:
    pk: int
    number: str
    title: str


@dataclass(frozen=True)
class _Article:
    pk: int
    number: int
    title: str
    section: str
    subsection: str
    chapter: _Chapter


@dataclass(frozen=True)
class _Keyed:
    """A need type or a regional group: its id, slug and place in its order."""

    pk: int
    slug: str
    display_order: int


class _Reference:
    """Reference rows read once per document (chapters, articles, types, groups, in
    one query): the ids the statement returns become numbers, slugs and titles."""

    def __init__(self, reference_rows: list[tuple]):
        rows: dict[str, list] = defaultdict(list)
        for kind, *row in reference_rows:
            rows[kind].append(row)
        chapters = {
            pk: _Chapter(pk, key, title)
            for pk, key, _, order, title, _, _, _ in sorted(
                rows["chapter"], key=lambda r: r[3]
            )
        }
        self.chapters = list(chapters.values())
        self.articles = {
            number: _Article(pk, number, title, section, sub, chapters[chapter])
            for pk, _, number, _, title, section, sub, chapter in sorted(
                rows["article"], key=lambda r: r[3]
            )
        }
        self.article_order = {number: i for i, number in enumerate(self.articles)}
        self.types = [
            _Keyed(r[0], r[1], r[3]) for r in sorted(rows["type"], key=lambda r: r[3])
        ]
        self.type_order = {t.slug: t.display_order for t in self.types}
        self.regions = [
            _Keyed(r[0], r[1], r[3]) for r in sorted(rows["group"], key=lambda r: r[3])
        ]
        self.article_by_id = {a.pk: a for a in self.articles.values()}
        self.chapter_by_id = {c.pk: c.number for c in self.chapters}
        self.type_by_id = {t.pk: t.slug for t in self.types}
        self.region_by_id = {g.pk: g.slug for g in self.regions}

    def scope(self, filters: StatisticsFilter) -> queries.Scope:
        """The filter as ids; an unknown value matches nothing (id None)."""
        articles = None
        if filters.chapter:
            articles = [
                a.pk
                for a in self.articles.values()
                if a.chapter.number == filters.chapter
            ]
        if filters.article is not None:
            article = self.articles.get(filters.article)
            wanted = {article.pk} if article else set()
            articles = [pk for pk in articles or wanted if pk in wanted]
        return queries.Scope(
            cycle=filters.cycle,
            review_year=filters.review_year,
            regional_group=_id_of(self.regions, "slug", filters.regional_group),
            articles=None if articles is None else tuple(articles),
            need_type=_id_of(self.types, "slug", filters.need_type),
            coverage=filters.coverage,
            as_of=filters.as_of,
            restricted=frozenset(
                name
                for name in ("cycle", "review_year", "regional_group", "need_type")
                if getattr(filters, name) not in (None, "")
            )
            | ({"coverage"} if filters.coverage else set()),
        )

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

    def region(self, pk) -> str:
        return self.region_by_id.get(pk, NO_GROUP) if pk is not None else NO_GROUP


def _id_of(rows, attribute: str, value):
    if value in (None, ""):
        return None
    return next((row.pk for row in rows if getattr(row, attribute) == value), None)


# ---------------------------------------------------------------------------
# The document, summed from the statement's results
# ---------------------------------------------------------------------------
def compute(filters: StatisticsFilter | None = None) -> StatisticsDocument:
    """The statistics document for `filters`, from the shared cache when the data
    have not changed since it was computed (`needs.reports.cache`)."""
    filters = filters or StatisticsFilter()
    return cache.document(filters, compute_uncached)


def compute_uncached(
    filters: StatisticsFilter | None = None, *, portable: bool = False
) -> StatisticsDocument:
    """The statistics document computed from the database: the reference rows and
    one statement (`needs.reports.queries`); `portable` runs the portable statement
    whatever the database (to compare the two).

    On PostgreSQL that is one round trip: the statement is built from the reference
    rows this process read last, and reads them again with it; if they changed in
    between (rare: the reference data were edited), it runs again from the new ones.
    Elsewhere, two queries."""
    filters = filters or StatisticsFilter()
    known = _known["reference"]
    if known is not None and queries.one_round_trip(portable=portable):
        ref = _Reference(known)
        counts, fresh = queries.counts(
            ref.scope(filters), [t.pk for t in ref.types], reference=True
        )
        if fresh == known:
            return _document(filters, ref, counts)
    rows = queries.reference_rows()
    _known["reference"] = rows
    ref = _Reference(rows)
    counts, _ = queries.counts(
        ref.scope(filters), [t.pk for t in ref.types], portable=portable
    )
    return _document(filters, ref, counts)


# The reference rows this process read last (see compute_uncached).
_known: dict[str, list | None] = {"reference": None}


def _document(
    filters: StatisticsFilter, ref: _Reference, counts: queries.Counts
) -> StatisticsDocument:
    sums = _Sums(ref, counts)
    chapters = _chapters(ref, sums, counts, only=filters.chapter)
    reviewed = _reviewed(ref, counts)
    return StatisticsDocument(
        filters=filters.as_dict(),
        states_reviewed=reviewed.states,
        reviews=reviewed.reviews,
        reviews_completed=reviewed.completed,
        states_reviewed_by_region=reviewed.states_by_region,
        states_with_needs=sum(states for _, states in counts.group_states),
        needs=sums.total,
        needs_by_type=ref.ranked(dict(sums.by_type)),
        states_by_type=ref.ranked(
            {ref.type_by_id[t]: states for t, states in counts.type_states}
        ),
        states_by_region=ref.by_region(
            {ref.region(g): states for g, states in counts.group_states}
        ),
        chapters=chapters,
        states_by_needs_count={
            number: {str(k): v for k, v in sorted(sums.histogram[number].items())}
            for number in chapters
        },
        coverage=CoverageStatistics(
            overall=_coverage(sums.coverage[()]),
            by_chapter={n: _coverage(sums.coverage["c", n]) for n in chapters},
            by_type={
                t.slug: _coverage(sums.coverage["t", t.slug])
                for t in ref.types
                if t.slug in sums.by_type
            },
            by_region={
                slug: _coverage(sums.coverage["g", slug])
                for slug in [*(g.slug for g in ref.regions), NO_GROUP]
                if ("g", slug) in sums.coverage
            },
        ),
    )


def summary(filters: StatisticsFilter | None = None) -> Summary:
    """Headline counts of the same scope as `compute`, from its (cached) document."""
    document = compute(filters)
    return Summary(
        needs=document.needs,
        states_with_needs=document.states_with_needs,
        not_yet_addressed=document.coverage.overall[Need.Coverage.NOT_YET_ADDRESSED],
        met_in_part=document.coverage.overall[Need.Coverage.MET_IN_PART],
        met_fully=document.coverage.overall[Need.Coverage.MET_FULLY],
        reviews=document.reviews,
        reviews_completed=document.reviews_completed,
        states_reviewed=document.states_reviewed,
    )


class _Sums:
    """The needs counts summed up to chapters and totals from the statement's four
    groupings, and the States per chapter from their histogram rows."""

    def __init__(self, ref: _Reference, counts: queries.Counts):
        self.total = sum(needs for _, _, needs in counts.article_types)
        self.by_type: dict[str, int] = defaultdict(int)
        self.by_article: dict[int, int] = defaultdict(int)
        self.by_chapter: dict[str, int] = defaultdict(int)
        self.chapter_types: dict = defaultdict(lambda: defaultdict(int))
        for a, t, needs in counts.article_types:
            article, slug = ref.article_by_id[a], ref.type_by_id[t]
            self.by_type[slug] += needs
            self.by_article[article.number] += needs
            self.by_chapter[article.chapter.number] += needs
            self.chapter_types[article.chapter.number][slug] += needs
        self.coverage: dict = defaultdict(lambda: [0] * len(COVERAGE))
        for a, v, needs in counts.article_coverage:
            article = ref.article_by_id[a]
            for key in [(), ("c", article.chapter.number), ("a", article.number)]:
                self.coverage[key][v] += needs
        for t, v, needs in counts.type_coverage:
            self.coverage["t", ref.type_by_id[t]][v] += needs
        for g, v, needs in counts.group_coverage:
            self.coverage["g", ref.region(g)][v] += needs
        self.chapter_states: dict[str, int] = defaultdict(int)
        self.chapter_regions: dict = defaultdict(lambda: defaultdict(int))
        self.histogram: dict = defaultdict(lambda: defaultdict(int))
        for c, g, n, states in counts.chapter_states:
            chapter = ref.chapter_by_id[c]
            self.chapter_states[chapter] += states
            self.chapter_regions[chapter][ref.region(g)] += states
            self.histogram[chapter][n] += states


def _coverage(values: list[int]) -> dict[str, int]:
    return dict(zip(COVERAGE, values, strict=True))


def _reviewed(ref: _Reference, counts: queries.Counts) -> ReviewedStatistics:
    return ReviewedStatistics(
        states=sum(states for _, states, _, _ in counts.reviewed),
        reviews=sum(reviews for _, _, reviews, _ in counts.reviewed),
        completed=sum(completed for _, _, _, completed in counts.reviewed),
        states_by_region=ref.by_region(
            {ref.region(g): states for g, states, _, _ in counts.reviewed}
        ),
    )


def _articles(ref: _Reference, sums: _Sums, counts: queries.Counts) -> dict:
    """Each chapter's articles with needs, in the note's order."""
    histogram: dict = defaultdict(dict)
    for a, n, states in sorted(counts.article_states, key=lambda row: row[1]):
        histogram[ref.article_by_id[a].number][str(n)] = states
    by_type: dict = defaultdict(dict)
    for a, t, states in counts.article_type_states:
        by_type[ref.article_by_id[a].number][ref.type_by_id[t]] = states
    by_chapter: dict = defaultdict(list)
    for number in sorted(histogram, key=ref.article_order.__getitem__):
        article = ref.articles[number]
        by_chapter[article.chapter.number].append(
            ArticleStatistics(
                article=number,
                title=article.title,
                section=article.section,
                subsection=article.subsection,
                states=sum(histogram[number].values()),
                needs=sums.by_article[number],
                by_type=ref.ranked(by_type[number]),
                coverage=_coverage(sums.coverage["a", number]),
                states_by_needs_count=histogram[number],
            )
        )
    return by_chapter


def _chapters(ref: _Reference, sums: _Sums, counts: queries.Counts, *, only=None):
    """Every chapter (or the one filtered on), zeros included."""
    articles = _articles(ref, sums, counts)
    return {
        chapter.number: ChapterStatistics(
            title=chapter.title,
            states=sums.chapter_states[chapter.number],
            needs=sums.by_chapter[chapter.number],
            states_by_region=ref.by_region(sums.chapter_regions[chapter.number]),
            needs_by_type=ref.ranked(dict(sums.chapter_types[chapter.number])),
            articles=articles[chapter.number],
            coverage=_coverage(sums.coverage["c", chapter.number]),
        )
        for chapter in ref.chapters
        if not only or chapter.number == only
    }
