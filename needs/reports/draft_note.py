"""A draft of the note's analytical sections, written from a statistics document.

Same order of sections and articles as the 2013 note, the same tables, and sentences
in its style computed from the numbers ("Eight States parties identified 14 needs …";
numbers below ten in words). `blocks()` gives the structure; `to_markdown()` and the
template `reports/draft_note.html` render it.

The text is in the active language: each sentence is one translatable string with
named placeholders, numbers below ten are written in that language's words
(`number`), and the English text is the note's own, word for word.
"""

from dataclasses import dataclass

from django.utils.translation import (
    get_language,
    gettext,
    ngettext,
    npgettext,
    pgettext,
    pgettext_lazy,
)
from num2words import num2words

from needs.reports.statistics import ArticleStatistics, StatisticsDocument
from needs.reports.tables import Names, Table, numbered_tables, types_table
from reviews.names import heading_label

WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
# Numbers in words in the other official languages: num2words for these; Chinese is
# not in num2words 0.5.14 (`num2words(8, lang="zh")` raises NotImplementedError), so
# CLDR's Chinese numerals (the "hanidec" numbering system) stand here instead.
NUM2WORDS_LANGUAGES = {"fr", "es", "ru", "ar"}
CHINESE_NUMERALS = "零一二三四五六七八九"
# Languages whose sentences begin with a capital letter (Arabic and Chinese have none).
CAPITALISED = {"en", "fr", "es", "ru"}
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
REGION_PHRASES = {
    "african": pgettext_lazy(
        "regional group in a sentence", "the Group of African States"
    ),
    "asia-pacific": pgettext_lazy(
        "regional group in a sentence", "the Group of Asia-Pacific States"
    ),
    "eastern-european": pgettext_lazy(
        "regional group in a sentence", "the Group of Eastern European States"
    ),
    "latin-american-caribbean": pgettext_lazy(
        "regional group in a sentence",
        "the Group of Latin American and Caribbean States",
    ),
    "western-european-other": pgettext_lazy(
        "regional group in a sentence", "the Group of Western European and other States"
    ),
}
NO_REGION_PHRASE = pgettext_lazy("regional group in a sentence", "no regional group")


@dataclass
class Block:
    kind: str  # "h1", "h2", "h3", "h4", "p" or "table"
    text: str = ""
    table: Table | None = None


def _language() -> str:
    """The active language without its script or region ("zh" for "zh-hans")."""
    return (get_language() or "en").split("-")[0].lower()


# The gender of what is counted, where the word for a number agrees with it:
# Russian "одно государство", "одна потребность"; Spanish "un Estado", "una necesidad"
# (num2words knows Russian genders; for Spanish only "one" changes).
RUSSIAN_GENDER = {"states": "n", "needs": "f"}
SPANISH_ONE = {"states": "un", "needs": "una"}


def number(value: int, *, capital: bool = False, noun: str = "states") -> str:
    """Numbers below ten in words, as the note writes them, in the active language,
    agreeing with `noun` ("states" or "needs") where the language wants it;
    `capital` at the start of a sentence, where the language has capitals."""
    if not 0 <= value < 10:
        return str(value)
    language = _language()
    if language == "ru":
        text = num2words(value, lang="ru", gender=RUSSIAN_GENDER[noun])
    elif language == "es" and value == 1:
        text = SPANISH_ONE[noun]
    elif language in NUM2WORDS_LANGUAGES:
        text = num2words(value, lang=language)
    elif language == "zh":
        text = CHINESE_NUMERALS[value]
    else:
        text = WORDS[value]
    return text.capitalize() if capital and language in CAPITALISED else text


def article_sentence(entry: ArticleStatistics, table_number: int) -> str:
    needs = npgettext(
        "needs identified, in a sentence",
        # Translators: the needs an article's sentence counts: "14 needs", "four needs"
        # (in words below ten).
        "%(needs)s need",
        "%(needs)s needs",
        entry.needs,
    )
    values = {
        "states": entry.states,
        "needs": needs % {"needs": number(entry.needs, noun="needs")},
        "article": entry.article,
        "table": table_number,
    }
    if entry.states < 10:
        values["states"] = number(entry.states, capital=True)
        text = ngettext(
            # Translators: the note's sentence on one article. %(states)s is the number
            # of States in words, as the note writes numbers below ten ("Eight"),
            # capitalised where your language has capitals; %(needs)s is "14 needs" or
            # "four needs", translated on its own; %(table)s is a table's number.
            "%(states)s State party identified %(needs)s for technical assistance to "
            "support the implementation of article %(article)s. Details of the types "
            "of need are given in table %(table)s.",
            "%(states)s States parties identified %(needs)s for technical assistance "
            "to support the implementation of article %(article)s. Details of the "
            "types of need are given in table %(table)s.",
            entry.states,
        )
    else:
        text = ngettext(
            # Translators: the note's sentence on one article, for ten States or more
            # (%(states)s in figures); %(needs)s is "14 needs", translated on its own;
            # %(table)s is a table's number.
            "A total of %(states)s State party identified %(needs)s for technical "
            "assistance to support the implementation of article %(article)s. Details "
            "of the types of need are given in table %(table)s.",
            "A total of %(states)s States parties identified %(needs)s for technical "
            "assistance to support the implementation of article %(article)s. Details "
            "of the types of need are given in table %(table)s.",
            entry.states,
        )
    return text % values


def _series(parts: list[str]) -> str:
    """The parts as a list in the active language: "a, b and c"."""
    if len(parts) == 1:
        return parts[0]
    # Translators: between the items of a list but the last two ("a, b and c").
    separator = pgettext("list", ", ")
    # Translators: the end of a list: %(items)s are the items but the last, joined
    # by the separator above; %(last)s is the last ("a, b and c").
    return gettext("%(items)s and %(last)s") % {
        "items": separator.join(parts[:-1]),
        "last": parts[-1],
    }


def _region_part(index: int, slug: str, count: int) -> str:
    """One item of paragraph 4's list: "eight States parties from the Group of
    African States", then "12 from the Group of …"."""
    values = {
        "states": number(count),
        "group": REGION_PHRASES.get(slug, NO_REGION_PHRASE),
    }
    if index == 0:
        return (
            ngettext(
                # Translators: the first item of a list of regional groups: "eight
                # States parties from the Group of African States". %(states)s is in
                # words below ten; %(group)s is a regional group as written in a
                # sentence.
                "%(states)s State party from %(group)s",
                "%(states)s States parties from %(group)s",
                count,
            )
            % values
        )
    return (
        # Translators: a further item of the list of regional groups: "12 from the Group
        # of Asia-Pacific States" (the States parties are named in the first item).
        ngettext("%(states)s from %(group)s", "%(states)s from %(group)s", count)
        % values
    )


def regions_sentence(document: StatisticsDocument, chapter: str, *, first: bool) -> str:
    """Paragraph 4: who identified needs under `chapter`, by regional group."""
    data = document.chapters[chapter]
    counts = [(slug, count) for slug, count in data.states_by_region.items() if count]
    parts = [_region_part(i, slug, count) for i, (slug, count) in enumerate(counts)]
    if first:
        reviewed = document.states_reviewed
        sentence = ngettext(
            # Translators: paragraph 4 of the note opens with this sentence.
            # %(reviewed)s and %(states)s are in words below ten ("Of the 44 States
            # parties …, nine identified …"); %(chapter)s is a chapter's Roman numeral.
            # The English text is the same for one State; translate each plural form
            # your language has.
            "Of the %(reviewed)s States parties included in the review process and "
            "covered in the present note, %(states)s identified technical assistance "
            "needs for the implementation of chapter %(chapter)s of the Convention.",
            "Of the %(reviewed)s States parties included in the review process and "
            "covered in the present note, %(states)s identified technical assistance "
            "needs for the implementation of chapter %(chapter)s of the Convention.",
            reviewed,
        ) % {
            "reviewed": number(reviewed),
            "states": number(data.states),
            "chapter": chapter,
        }
    elif data.states < 10:
        sentence = ngettext(
            # Translators: %(states)s is the number of States in words ("Eight"),
            # capitalised where your language has capitals; %(chapter)s is a chapter's
            # Roman numeral.
            "%(states)s State party identified technical assistance needs for the "
            "implementation of chapter %(chapter)s of the Convention.",
            "%(states)s States parties identified technical assistance needs for the "
            "implementation of chapter %(chapter)s of the Convention.",
            data.states,
        ) % {"states": number(data.states, capital=True), "chapter": chapter}
    else:
        sentence = ngettext(
            # Translators: for ten States or more (%(states)s in figures); %(chapter)s
            # is a chapter's Roman numeral.
            "A total of %(states)s State party identified technical assistance needs "
            "for the implementation of chapter %(chapter)s of the Convention.",
            "A total of %(states)s States parties identified technical assistance "
            "needs for the implementation of chapter %(chapter)s of the Convention.",
            data.states,
        ) % {"states": data.states, "chapter": chapter}
    if not parts:
        # No breakdown when it is withheld from the reader (StatisticsFilterForm).
        return sentence
    # Translators: %(groups)s lists the regional groups: "eight States parties from
    # the Group of African States, 12 from the Group of Asia-Pacific States and …".
    included = gettext("These included %(groups)s.") % {"groups": _series(parts)}
    return f"{sentence} {included}"


def _introduction(document: StatisticsDocument, chapters: list[str]) -> str:
    if chapters:
        return " ".join(
            regions_sentence(document, c, first=i == 0) for i, c in enumerate(chapters)
        )
    reviewed = document.states_reviewed
    return ngettext(
        # Translators: %(reviewed)s is in words below ten. The English text is the same
        # for one State; translate each plural form your language has.
        "No need was identified in the reviews of %(reviewed)s States parties.",
        "No need was identified in the reviews of %(reviewed)s States parties.",
        reviewed,
    ) % {"reviewed": number(reviewed)}


def _trend_sentence(chapter: str, data, names: Names) -> str:
    top = next(iter(data.needs_by_type), None)
    top_needs = npgettext(
        "needs of the most frequent type",
        # Translators: in brackets after the most frequent type of need: "(four needs)",
        # in words below ten. The English text is the same for one need.
        "%(needs)s needs",
        "%(needs)s needs",
        data.needs_by_type[top],
    ) % {"needs": number(data.needs_by_type[top], noun="needs")}
    return ngettext(
        # Translators: %(chapter)s is a chapter's Roman numeral, %(needs)s a number in
        # figures, %(type)s a type of need in lower case ("legislative assistance"),
        # %(top_needs)s "four needs" (translated on its own). The English text is the
        # same for one need.
        "Under chapter %(chapter)s, %(needs)s needs were identified; the most "
        "frequent type was %(type)s (%(top_needs)s).",
        "Under chapter %(chapter)s, %(needs)s needs were identified; the most "
        "frequent type was %(type)s (%(top_needs)s).",
        data.needs,
    ) % {
        "chapter": chapter,
        "needs": data.needs,
        "type": names.types[top].lower(),
        "top_needs": top_needs,
    }


def blocks(document: StatisticsDocument, names: Names | None = None) -> list[Block]:
    names = names or Names()
    tables = {t.slug: t for t in numbered_tables(document, names)}
    chapters = document.chapters_with_needs()
    out = [
        Block(
            "h1",
            gettext(
                "Analysis of technical assistance needs emerging from the country "
                "reviews"
            ),
        ),
        # Translators: the first section of the note.
        Block("h2", gettext("I. Introduction")),
        Block("p", _introduction(document, chapters)),
    ]
    for index, chapter in enumerate(chapters, start=2):
        out += _chapter_blocks(document, chapter, ROMAN[index - 1], tables)
    # Translators: a section heading of the note; %(number)s is its Roman numeral.
    trends = gettext("%(number)s. Trends in types of need")
    out.append(Block("h2", trends % {"number": ROMAN[len(chapters) + 1]}))
    for chapter in chapters:
        data = document.chapters[chapter]
        out.append(Block("p", _trend_sentence(chapter, data, names)))
        out.append(Block("table", table=types_table(document, names, chapter)))
    return out


def _chapter_blocks(document, chapter, roman, tables) -> list[Block]:
    data = document.chapters[chapter]
    chapter_table = tables[f"chapter-{chapter}"]
    heading = gettext(
        # Translators: a section heading of the note; %(number)s is the section's Roman
        # numeral, %(chapter)s the chapter's.
        "%(number)s. Technical assistance needs identified for the implementation of "
        "chapter %(chapter)s"
    ) % {"number": roman, "chapter": chapter}
    paragraph = ngettext(
        # Translators: %(needs)s is in figures, %(chapter)s a chapter's Roman numeral,
        # %(table)s a table's number. The English text is the same for one need.
        "A total of %(needs)s technical assistance needs were identified for the "
        "implementation of chapter %(chapter)s. Table %(table)s provides a breakdown "
        "of the number of needs and of States parties for each article.",
        "A total of %(needs)s technical assistance needs were identified for the "
        "implementation of chapter %(chapter)s. Table %(table)s provides a breakdown "
        "of the number of needs and of States parties for each article.",
        data.needs,
    ) % {"needs": data.needs, "chapter": chapter, "table": chapter_table.number}
    out = [
        Block("h2", heading),
        Block("p", paragraph),
        Block("table", table=chapter_table),
    ]
    section = subsection = None
    for entry in data.articles:
        if entry.section and entry.section != section:
            section = entry.section
            out.append(Block("h3", heading_label(section)))
        if entry.subsection and entry.subsection != subsection:
            subsection = entry.subsection
            out.append(Block("h4", heading_label(subsection)))
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
