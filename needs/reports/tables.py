"""The note's tables and figures, laid out from a statistics document.

Numbering follows the note: for each chapter with needs, a chapter table (Table 1,
Table 30 in 2013) followed by one table per article in the note's order (Tables 2-29,
31-37). Each table has a stable slug (`chapter-III`, `article-15`, `types-III`, …) for
its CSV download (`needs.exchange.spreadsheets`), whatever its number.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.utils.translation import gettext

from needs.models import NeedType
from needs.reports.statistics import StatisticsDocument
from reviews.models import Article, Chapter, RegionalGroup


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
        if not self.number:
            return ""
        # Translators: the number of a table of the note: "Table 12".
        return gettext("Table %(number)s") % {"number": self.number}

    def chart_items(self, value_column: int = 1) -> list[tuple[str, int]]:
        return [(str(row[0]), row[value_column]) for row in self.rows]


class Names:
    """Display names of need types and regional groups in the active language, read
    once (one query each); chapter and article titles when first asked for."""

    def __init__(self):
        self.types = {t.slug: t.label for t in NeedType.objects.all()}
        self.regions = {g.slug: g.label for g in RegionalGroup.objects.all()}
        self.regions["none"] = gettext("No regional group")

    @cached_property
    def chapters(self) -> dict[str, str]:
        """Chapter titles by number ("III": "Criminalization and law enforcement")."""
        return {c.number: c.label for c in Chapter.objects.all()}

    @cached_property
    def articles(self) -> dict[int, str]:
        """Article titles by number (15: "Bribery of national public officials")."""
        return {a.number: a.label for a in Article.objects.all()}


def chapter_table(document: StatisticsDocument, chapter: str) -> Table:
    data = document.chapters[chapter]
    notes = []
    if chapter == "III":
        notes.append(
            gettext(
                "Figure XXX of the 2013 note gives a total of 623 chapter III needs; "
                "its paragraph 9 and Table 1 give 616, which is what the records "
                "reproduce."
            )
        )
    title = gettext(
        # Translators: a table's title; %(chapter)s is a chapter's Roman numeral.
        "Technical assistance needs under chapter %(chapter)s of the Convention"
    )
    return Table(
        slug=f"chapter-{chapter}",
        title=title % {"chapter": chapter},
        columns=[
            gettext("Article"),
            gettext("Number of States parties"),
            gettext("Number of needs"),
        ],
        # The note's Tables 1 and 30 list the articles in numeric order (the
        # sections, and so the article tables, follow the note's order: 44, 45, 47).
        rows=[
            [a.article, a.states, a.needs]
            for a in sorted(data.articles, key=lambda entry: entry.article)
        ],
        total=[gettext("All articles"), data.states, data.needs],
        notes=notes,
    )


def article_table(document: StatisticsDocument, number: int, names: Names) -> Table:
    entry = document.article(number)
    # Translators: a table's title; %(article)s is an article's number.
    title = gettext("Technical assistance needs related to article %(article)s")
    return Table(
        slug=f"article-{number}",
        title=title % {"article": number},
        columns=[gettext("Type of need"), gettext("Number of States parties")],
        rows=[[names.types[slug], count] for slug, count in entry.by_type.items()],
        total=[gettext("Total"), entry.needs],
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
    if chapter:
        title = gettext(
            # Translators: a table's title; %(chapter)s is a chapter's Roman numeral.
            "Technical assistance needs related to chapter %(chapter)s of the "
            "Convention, by type"
        ) % {"chapter": chapter}
    else:
        title = gettext("Technical assistance needs related to all chapters, by type")
    return Table(
        slug=f"types-{chapter}" if chapter else "types",
        title=title,
        columns=[gettext("Type of need"), gettext("Number of needs")],
        rows=[[names.types[slug], count] for slug, count in counts.items()],
        total=[gettext("Total"), sum(counts.values())],
    )


def states_by_type_table(document: StatisticsDocument, names: Names) -> Table:
    return Table(
        slug="states-by-type",
        title=gettext(
            "Technical assistance needs, by type and number of States parties"
        ),
        columns=[
            gettext("Type of need"),
            gettext("Number of States parties"),
            gettext("Number of needs"),
        ],
        rows=[
            [names.types[slug], count, document.needs_by_type[slug]]
            for slug, count in document.states_by_type.items()
        ],
    )


def needs_by_article_table(document: StatisticsDocument) -> Table:
    return Table(
        slug="articles",
        title=gettext(
            "Technical assistance needs identified by States parties, by article number"
        ),
        columns=[
            gettext("Article"),
            gettext("Chapter"),
            gettext("Number of States parties"),
            gettext("Number of needs"),
        ],
        rows=[
            [a.article, chapter, a.states, a.needs]
            for chapter, data in document.chapters.items()
            for a in data.articles
        ],
    )


def regions_table(document: StatisticsDocument, names: Names) -> Table:
    chapters = document.chapters_with_needs()
    regions = list(document.states_reviewed_by_region)
    # Translators: a column of a table; %(chapter)s is a chapter's Roman numeral.
    with_needs = gettext("States with chapter %(chapter)s needs")
    return Table(
        slug="regions",
        title=gettext(
            "States parties reviewed and identifying needs, by regional group"
        ),
        columns=[
            gettext("Regional group"),
            gettext("States reviewed"),
            *[with_needs % {"chapter": c} for c in chapters],
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
            gettext("All groups"),
            document.states_reviewed,
            *[document.chapters[c].states for c in chapters],
        ],
    )


def distribution_table(document: StatisticsDocument, chapter: str) -> Table:
    histogram = document.states_by_needs_count[chapter]
    title = gettext(
        # Translators: a table's title; %(chapter)s is a chapter's Roman numeral.
        "States parties by number of needs identified under chapter %(chapter)s"
    )
    return Table(
        slug=f"distribution-{chapter}",
        title=title % {"chapter": chapter},
        columns=[gettext("Number of needs"), gettext("Number of States parties")],
        rows=[[int(k), v] for k, v in histogram.items()],
        total=[gettext("Total"), sum(histogram.values())],
    )


def coverage_table(document: StatisticsDocument, names: Names) -> Table:
    return Table(
        slug="coverage",
        title=gettext(
            "Coverage of the needs by type: met fully, in part, not yet addressed"
        ),
        columns=[
            gettext("Type of need"),
            gettext("Met fully"),
            gettext("Met in part"),
            gettext("Not yet addressed"),
        ],
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
