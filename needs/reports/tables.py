"""The note's tables and figures, laid out from a statistics document.

Numbering follows the note: for each chapter with needs, a chapter table (Table 1,
Table 30 in 2013) followed by one table per article in the note's order (Tables 2-29,
31-37). Each table has a stable slug (`chapter-III`, `article-15`, `types-III`, …) for
its CSV download (`needs.exchange.spreadsheets`), whatever its number.
"""

from dataclasses import dataclass, field

from needs.models import NeedType
from needs.reports.statistics import StatisticsDocument
from reviews.models import RegionalGroup


@dataclass
class Table:
    slug: str
    title: str
    columns: list[str]
    rows: list[list]
    number: int | None = None
    total: list | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"Table {self.number}" if self.number else ""

    def chart_items(self, value_column: int = 1) -> list[tuple[str, int]]:
        return [(str(row[0]), row[value_column]) for row in self.rows]


class Names:
    """Display names of need types and regional groups, read once."""

    def __init__(self):
        self.types = dict(NeedType.objects.values_list("slug", "name"))
        self.regions = dict(RegionalGroup.objects.values_list("slug", "name"))
        self.regions["none"] = "No regional group"


def chapter_table(document: StatisticsDocument, chapter: str) -> Table:
    data = document.chapters[chapter]
    notes = []
    if chapter == "III":
        notes.append(
            "Figure XXX of the 2013 note gives a total of 623 chapter III needs; its "
            "paragraph 9 and Table 1 give 616, which is what the records reproduce."
        )
    return Table(
        slug=f"chapter-{chapter}",
        title=f"Technical assistance needs under chapter {chapter} of the Convention",
        columns=["Article", "Number of States parties", "Number of needs"],
        rows=[[a.article, a.states, a.needs] for a in data.articles],
        total=["All articles", data.states, data.needs],
        notes=notes,
    )


def article_table(document: StatisticsDocument, number: int, names: Names) -> Table:
    entry = document.article(number)
    return Table(
        slug=f"article-{number}",
        title=f"Technical assistance needs related to article {number}",
        columns=["Type of need", "Number of States parties"],
        rows=[[names.types[slug], count] for slug, count in entry.by_type.items()],
        total=["Total", entry.needs],
    )


def numbered_tables(document: StatisticsDocument, names: Names) -> list[Table]:
    """Every chapter and article table, numbered as the note numbers them."""
    tables = []
    for chapter, data in document.chapters.items():
        if not data.articles:
            continue
        tables.append(chapter_table(document, chapter))
        tables += [article_table(document, a.article, names) for a in data.articles]
    for number, table in enumerate(tables, start=1):
        table.number = number
    return tables


def types_table(
    document: StatisticsDocument, names: Names, chapter: str | None = None
) -> Table:
    counts = (
        document.chapters[chapter].needs_by_type if chapter else document.needs_by_type
    )
    scope = f"chapter {chapter} of the Convention" if chapter else "all chapters"
    return Table(
        slug=f"types-{chapter}" if chapter else "types",
        title=f"Technical assistance needs related to {scope}, by type",
        columns=["Type of need", "Number of needs"],
        rows=[[names.types[slug], count] for slug, count in counts.items()],
        total=["Total", sum(counts.values())],
    )


def states_by_type_table(document: StatisticsDocument, names: Names) -> Table:
    return Table(
        slug="states-by-type",
        title="Technical assistance needs, by type and number of States parties",
        columns=["Type of need", "Number of States parties", "Number of needs"],
        rows=[
            [names.types[slug], count, document.needs_by_type[slug]]
            for slug, count in document.states_by_type.items()
        ],
    )


def needs_by_article_table(document: StatisticsDocument) -> Table:
    return Table(
        slug="articles",
        title=(
            "Technical assistance needs identified by States parties, by article number"
        ),
        columns=["Article", "Chapter", "Number of States parties", "Number of needs"],
        rows=[
            [a.article, chapter, a.states, a.needs]
            for chapter, data in document.chapters.items()
            for a in data.articles
        ],
    )


def regions_table(document: StatisticsDocument, names: Names) -> Table:
    chapters = document.chapters_with_needs()
    regions = list(document.states_reviewed_by_region)
    return Table(
        slug="regions",
        title="States parties reviewed and identifying needs, by regional group",
        columns=[
            "Regional group",
            "States reviewed",
            *[f"States with chapter {c} needs" for c in chapters],
        ],
        rows=[
            [
                names.regions[slug],
                document.states_reviewed_by_region.get(slug, 0),
                *[document.chapters[c].states_by_region.get(slug, 0) for c in chapters],
            ]
            for slug in regions
        ],
        total=[
            "All groups",
            document.states_reviewed,
            *[document.chapters[c].states for c in chapters],
        ],
    )


def distribution_table(document: StatisticsDocument, chapter: str) -> Table:
    histogram = document.states_by_needs_count[chapter]
    return Table(
        slug=f"distribution-{chapter}",
        title=f"States parties by number of needs identified under chapter {chapter}",
        columns=["Number of needs", "Number of States parties"],
        rows=[[int(k), v] for k, v in histogram.items()],
        total=["Total", sum(histogram.values())],
    )


def coverage_table(document: StatisticsDocument, names: Names) -> Table:
    return Table(
        slug="coverage",
        title="Coverage of the needs by type: met fully, in part, not yet addressed",
        columns=["Type of need", "Met fully", "Met in part", "Not yet addressed"],
        rows=[
            [
                names.types[slug],
                c["met-fully"],
                c["met-in-part"],
                c["not-yet-addressed"],
            ]
            for slug, c in document.coverage.by_type.items()
        ],
    )


def all_tables(document: StatisticsDocument, names: Names | None = None) -> list[Table]:
    """Every table the reports offer, in reading order."""
    names = names or Names()
    chapters = document.chapters_with_needs()
    return [
        states_by_type_table(document, names),
        types_table(document, names),
        needs_by_article_table(document),
        *numbered_tables(document, names),
        *[types_table(document, names, c) for c in chapters],
        regions_table(document, names),
        *[distribution_table(document, c) for c in chapters],
        coverage_table(document, names),
    ]


def table_by_slug(document: StatisticsDocument, slug: str) -> Table | None:
    return next((t for t in all_tables(document) if t.slug == slug), None)
