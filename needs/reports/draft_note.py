"""A draft of the note's analytical sections, written from a statistics document.

Same order of sections and articles as the 2013 note, the same tables, and sentences
in its style computed from the numbers ("Eight States parties identified 14 needs …";
numbers below ten in words). `blocks()` gives the structure; `to_markdown()` and the
template `reports/draft_note.html` render it.
"""

from dataclasses import dataclass

from needs.reports.statistics import ArticleStatistics, StatisticsDocument
from needs.reports.tables import Names, Table, numbered_tables, types_table

WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
REGION_PHRASES = {
    "african": "the Group of African States",
    "asia-pacific": "the Group of Asia-Pacific States",
    "eastern-european": "the Group of Eastern European States",
    "latin-american-caribbean": "the Group of Latin American and Caribbean States",
    "western-european-other": "the Group of Western European and other States",
}


@dataclass
class Block:
    kind: str  # "h1", "h2", "h3", "h4", "p" or "table"
    text: str = ""
    table: Table | None = None


def number(value: int, *, capital: bool = False) -> str:
    """Numbers below ten in words, as the note writes them."""
    text = WORDS[value] if 0 <= value < 10 else str(value)
    return text.capitalize() if capital else text


def plural(value: int, singular: str, many: str) -> str:
    return singular if value == 1 else many


def states_subject(states: int) -> str:
    """Sentence opening: "Eight States parties", "A total of 16 States parties"."""
    noun = plural(states, "State party", "States parties")
    if states < 10:
        return f"{number(states, capital=True)} {noun}"
    return f"A total of {states} {noun}"


def article_sentence(entry: ArticleStatistics, table_number: int) -> str:
    needs = entry.needs
    return (
        f"{states_subject(entry.states)} identified {number(needs)} "
        f"{plural(needs, 'need', 'needs')} for technical assistance to support the "
        f"implementation of article {entry.article}. Details of the types of need "
        f"are given in table {table_number}."
    )


def _series(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def regions_sentence(document: StatisticsDocument, chapter: str, *, first: bool) -> str:
    """Paragraph 4: who identified needs under `chapter`, by regional group."""
    data = document.chapters[chapter]
    counts = [(slug, count) for slug, count in data.states_by_region.items() if count]
    parts = [
        f"{number(count)}"
        + (f" {plural(count, 'State party', 'States parties')}" if i == 0 else "")
        + f" from {REGION_PHRASES.get(slug, 'no regional group')}"
        for i, (slug, count) in enumerate(counts)
    ]
    reviewed = document.states_reviewed
    opening = (
        f"Of the {number(reviewed)} States parties included in the review process and "
        f"covered in the present note, {number(data.states)}"
        if first
        else states_subject(data.states)
    )
    sentence = (
        f"{opening} identified technical assistance needs for the implementation of "
        f"chapter {chapter} of the Convention."
    )
    # No breakdown when it is withheld from the reader (StatisticsFilterForm).
    return f"{sentence} These included {_series(parts)}." if parts else sentence


def blocks(document: StatisticsDocument, names: Names | None = None) -> list[Block]:
    names = names or Names()
    tables = {t.slug: t for t in numbered_tables(document, names)}
    chapters = document.chapters_with_needs()
    out = [
        Block(
            "h1",
            "Analysis of technical assistance needs emerging from the country reviews",
        ),
        Block("h2", "I. Introduction"),
        Block(
            "p",
            " ".join(
                regions_sentence(document, c, first=i == 0)
                for i, c in enumerate(chapters)
            )
            or f"No need was identified in the reviews of "
            f"{number(document.states_reviewed)} States parties.",
        ),
    ]
    for index, chapter in enumerate(chapters, start=2):
        out += _chapter_blocks(document, chapter, ROMAN[index - 1], tables)
    out.append(Block("h2", f"{ROMAN[len(chapters) + 1]}. Trends in types of need"))
    for chapter in chapters:
        data = document.chapters[chapter]
        top = next(iter(data.needs_by_type), None)
        out.append(
            Block(
                "p",
                f"Under chapter {chapter}, {data.needs} needs were identified; the "
                f"most frequent type was {names.types[top].lower()} "
                f"({number(data.needs_by_type[top])} needs).",
            )
        )
        out.append(Block("table", table=types_table(document, names, chapter)))
    return out


def _chapter_blocks(document, chapter, roman, tables) -> list[Block]:
    data = document.chapters[chapter]
    chapter_table = tables[f"chapter-{chapter}"]
    out = [
        Block(
            "h2",
            f"{roman}. Technical assistance needs identified for the implementation of "
            f"chapter {chapter}",
        ),
        Block(
            "p",
            f"A total of {data.needs} technical assistance needs were "
            f"identified for "
            f"the implementation of chapter {chapter}. Table {chapter_table.number} "
            f"provides a breakdown of the number of needs and of States parties for "
            f"each article.",
        ),
        Block("table", table=chapter_table),
    ]
    section = subsection = None
    for entry in data.articles:
        if entry.section and entry.section != section:
            section = entry.section
            out.append(Block("h3", section))
        if entry.subsection and entry.subsection != subsection:
            subsection = entry.subsection
            out.append(Block("h4", subsection))
        table = tables[f"article-{entry.article}"]
        out.append(Block("p", article_sentence(entry, table.number)))
        out.append(Block("table", table=table))
    return out


def to_markdown(items: list[Block]) -> str:
    lines: list[str] = []
    marks = {"h1": "#", "h2": "##", "h3": "###", "h4": "####"}
    for block in items:
        if block.kind in marks:
            lines += [f"{marks[block.kind]} {block.text}", ""]
        elif block.kind == "p":
            lines += [block.text, ""]
        else:
            lines += _markdown_table(block.table)
    return "\n".join(lines).rstrip() + "\n"


def _markdown_table(table: Table) -> list[str]:
    lines = [f"{table.heading}  "] if table.heading else []
    lines += [f"**{table.title}**", ""]
    lines.append("| " + " | ".join(table.columns) + " |")
    lines.append("|" + "|".join(["---"] + ["---:"] * (len(table.columns) - 1)) + "|")
    for row in table.rows:
        lines.append("| " + " | ".join(str(cell) for cell in row) + " |")
    if table.total:
        lines.append("| " + " | ".join(f"**{cell}**" for cell in table.total) + " |")
    lines.append("")
    lines += [line for note in table.notes for line in (f"*{note}*", "")]
    return lines
