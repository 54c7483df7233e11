"""The note's sentences, computed from the numbers, in the active language.

Each sentence is one translatable string with named placeholders; the English text
is the note's own, word for word (paragraphs 3, 4, 7-11, 50, 65). States and other
things counted below ten are written in words, needs always in figures.
"""

import datetime

from django.utils.translation import gettext, ngettext, npgettext

from needs.reports.note_words import (
    capitalised,
    long_date,
    number,
    ordinal,
    region_phrase,
    series,
)
from needs.reports.statistics import ArticleStatistics, StatisticsDocument


def needs_count(value: int) -> str:
    """ "14 needs", "1 need": needs are always in figures."""
    return npgettext(
        "needs identified, in a sentence",
        # Translators: the needs an article's sentence counts: "14 needs", "4 needs"
        # (the note writes needs in figures, whatever their number).
        "%(needs)s need",
        "%(needs)s needs",
        value,
    ) % {"needs": value}


# ---------------------------------------------------------------------------
# Section I: the introduction
# ---------------------------------------------------------------------------
def sources_sentence(
    *,
    chapters: list[str],
    years: list[int],
    cycle: int,
    reviewed: int,
    cut_off: datetime.date,
) -> str:
    """Paragraph 3: what the note covers and what it is based on."""
    chapter_part = npgettext(
        "chapters covered by the note",
        # Translators: in paragraph 3 of the note; %(chapters)s lists chapters' Roman
        # numerals ("III and IV").
        "chapter %(chapters)s",
        "chapters %(chapters)s",
        len(chapters),
    ) % {"chapters": series(chapters)}
    values = {"chapters": chapter_part, "cycle": ordinal(cycle)}
    if years:
        values["years"] = npgettext(
            "years of a cycle covered by the note",
            # Translators: in paragraph 3 of the note; %(years)s lists ordinals
            # ("first and second").
            "the %(years)s year",
            "the %(years)s years",
            len(years),
        ) % {"years": series([ordinal(year) for year in years])}
        text = gettext(
            # Translators: paragraph 3 of the note, first sentence. %(chapters)s is
            # "chapters III and IV", %(years)s "the first and second years" (each
            # translated on its own); %(cycle)s is an ordinal ("first").
            "The present note contains information on technical assistance needs "
            "identified in the country reviews for the implementation of "
            "%(chapters)s of the Convention by States parties under review in "
            "%(years)s of the %(cycle)s cycle of the Review Mechanism."
        )
    else:
        text = gettext(
            # Translators: paragraph 3 of the note, first sentence, when no review was
            # completed by the cut-off date. %(chapters)s is "chapters III and IV"
            # (translated on its own); %(cycle)s is an ordinal ("first").
            "The present note contains information on technical assistance needs "
            "identified in the country reviews for the implementation of "
            "%(chapters)s of the Convention in the %(cycle)s cycle of the Review "
            "Mechanism."
        )
    covers = text % values
    based = ngettext(
        # Translators: paragraph 3 of the note, second sentence. %(reviewed)s is a
        # number of States (in words below ten), %(date)s the cut-off date ("1
        # September 2013"). The English text is the same for one State.
        "It is based on information included in the country review reports and the "
        "executive summaries of the reviews of %(reviewed)s States parties that had "
        "been completed, or were close to completion, at the time of drafting "
        "(%(date)s).",
        "It is based on information included in the country review reports and the "
        "executive summaries of the reviews of %(reviewed)s States parties that had "
        "been completed, or were close to completion, at the time of drafting "
        "(%(date)s).",
        reviewed,
    ) % {"reviewed": number(reviewed), "date": long_date(cut_off)}
    return f"{covers} {based}"


def _region_part(slug: str, count: int, *, with_noun: bool) -> str:
    """One item of paragraph 4's list: "eight States parties from the Group of
    African States", then "12 from the Group of …"."""
    values = {"states": number(count), "group": region_phrase(slug)}
    if with_noun:
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
        # Translators: an item of the list of regional groups: "12 from the Group of
        # Asian and Pacific States" (the States parties are named before).
        ngettext("%(states)s from %(group)s", "%(states)s from %(group)s", count)
        % values
    )


def regions_sentence(document: StatisticsDocument, chapter: str, *, first: bool) -> str:
    """Paragraph 4: who identified needs under `chapter`, by regional group."""
    data = document.chapters[chapter]
    counts = [(slug, count) for slug, count in data.states_by_region.items() if count]
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
    else:
        sentence = chapter_states_sentence(data.states, chapter)
    if not counts:
        # No breakdown when it is withheld from the reader (StatisticsFilterForm).
        return sentence
    # The list names the States parties once: in its first item after "Of the 44
    # States parties …, 29 identified", not after "A total of 26 States parties".
    parts = [
        _region_part(slug, count, with_noun=first and i == 0)
        for i, (slug, count) in enumerate(counts)
    ]
    # Translators: %(groups)s lists the regional groups: "eight States parties from
    # the Group of African States, 12 from the Group of Asian and Pacific States and …".
    included = gettext("These included %(groups)s.") % {"groups": series(parts)}
    return f"{sentence} {included}"


def chapter_states_sentence(states: int, chapter: str) -> str:
    if states < 10:
        return ngettext(
            # Translators: %(states)s is the number of States in words ("Eight"),
            # capitalised where your language has capitals; %(chapter)s is a chapter's
            # Roman numeral.
            "%(states)s State party identified technical assistance needs for the "
            "implementation of chapter %(chapter)s of the Convention.",
            "%(states)s States parties identified technical assistance needs for the "
            "implementation of chapter %(chapter)s of the Convention.",
            states,
        ) % {"states": number(states, capital=True), "chapter": chapter}
    return ngettext(
        # Translators: for ten States or more (%(states)s in figures); %(chapter)s
        # is a chapter's Roman numeral.
        "A total of %(states)s State party identified technical assistance needs "
        "for the implementation of chapter %(chapter)s of the Convention.",
        "A total of %(states)s States parties identified technical assistance "
        "needs for the implementation of chapter %(chapter)s of the Convention.",
        states,
    ) % {"states": states, "chapter": chapter}


def no_needs_sentence(reviewed: int) -> str:
    return ngettext(
        # Translators: %(reviewed)s is in words below ten. The English text is the same
        # for one State; translate each plural form your language has.
        "No need was identified in the reviews of %(reviewed)s States parties.",
        "No need was identified in the reviews of %(reviewed)s States parties.",
        reviewed,
    ) % {"reviewed": number(reviewed)}


def figure_i_sentence(figure: str) -> str:
    return gettext(
        # Translators: paragraph 7 of the note; %(figure)s is a figure's Roman numeral.
        "Figure %(figure)s below provides an overview of the number of different "
        "types of need identified by States parties. Further data are available "
        "under the sections on each chapter of the Convention."
    ) % {"figure": figure}


def figure_ii_sentence(figure: str) -> str:
    return gettext(
        # Translators: paragraph 8 of the note; %(figure)s is a figure's Roman numeral.
        "Figure %(figure)s below provides an overview of the number of different "
        "types of need identified by States parties for all articles of the "
        "chapters under review."
    ) % {"figure": figure}


# ---------------------------------------------------------------------------
# Sections II and III: each chapter and each article
# ---------------------------------------------------------------------------
def chapter_distribution_sentence(
    document: StatisticsDocument, chapter: str, figure: str
) -> str:
    """Paragraph 50: how many States identified needs, how many only a few."""
    data = document.chapters[chapter]
    few = sum(
        count
        for needs, count in document.states_by_needs_count.get(chapter, {}).items()
        if int(needs) <= 3
    )
    opening = ngettext(
        # Translators: paragraph 50 of the note. %(reviewed)s and %(states)s are in
        # words below ten; %(chapter)s is a chapter's Roman numeral.
        "Of the %(reviewed)s States parties included in the review process and "
        "covered in the present note, %(states)s has identified technical assistance "
        "needs for the implementation of chapter %(chapter)s of the Convention.",
        "Of the %(reviewed)s States parties included in the review process and "
        "covered in the present note, %(states)s have identified technical assistance "
        "needs for the implementation of chapter %(chapter)s of the Convention.",
        data.states,
    ) % {
        "reviewed": number(document.states_reviewed),
        "states": number(data.states),
        "chapter": chapter,
    }
    bulk = ""
    if few:
        bulk = ngettext(
            # Translators: paragraph 50 of the note. %(states)s and %(few)s are numbers
            # of States, in words below ten ("Out of those 26 States, 10 indicated
            # three needs or less").
            "Out of those %(states)s States, %(few)s indicated three needs or less.",
            "Out of those %(states)s States, %(few)s indicated three needs or less.",
            few,
        ) % {"states": number(data.states), "few": number(few)}
    pointer = gettext(
        # Translators: paragraph 50 of the note; %(figure)s is a figure's Roman numeral.
        "Figure %(figure)s below contains the number of States parties identifying "
        "technical assistance needs by article."
    ) % {"figure": figure}
    return " ".join(part for part in (opening, bulk, pointer) if part)


def chapter_total_sentence(needs: int, chapter: str, table: int, figure: str) -> str:
    """Paragraphs 9 and 52: the chapter's needs, its table and figure."""
    return ngettext(
        # Translators: paragraph 9 of the note. %(needs)s is in figures, %(chapter)s
        # a chapter's Roman numeral, %(table)s a table's number, %(figure)s a figure's
        # Roman numeral. The English text is the same for one need.
        "A total of %(needs)s technical assistance needs were identified for the "
        "implementation of chapter %(chapter)s. Table %(table)s and figure "
        "%(figure)s provide a breakdown of the number of needs by type and number of "
        "States parties for each article.",
        "A total of %(needs)s technical assistance needs were identified for the "
        "implementation of chapter %(chapter)s. Table %(table)s and figure "
        "%(figure)s provide a breakdown of the number of needs by type and number of "
        "States parties for each article.",
        needs,
    ) % {"needs": needs, "chapter": chapter, "table": table, "figure": figure}


def chapter_types_sentence(chapter: str, figure: str) -> str:
    return gettext(
        # Translators: paragraph 10 of the note; %(figure)s is a figure's Roman numeral,
        # %(chapter)s a chapter's.
        "Figure %(figure)s below provides an overview of the total number of "
        "technical assistance needs broken down by article and by type of need, for "
        "the implementation of chapter %(chapter)s."
    ) % {"figure": figure, "chapter": chapter}


def articles_heading(numbers: list[int]) -> str:
    """ "Technical assistance needs related to articles 15 and 16"."""
    return ngettext(
        # Translators: a heading of the note; %(articles)s lists articles' numbers
        # ("15 and 16").
        "Technical assistance needs related to article %(articles)s",
        "Technical assistance needs related to articles %(articles)s",
        len(numbers),
    ) % {"articles": series([str(n) for n in numbers])}


def article_sentence(
    entry: ArticleStatistics, table_number: int, figure: str = ""
) -> str:
    """Paragraphs 11-62: "Eight States parties identified 14 needs for technical
    assistance to support the implementation of article 15. Details of the types of
    need are given in table 2 and figure V."."""
    values = {
        "states": entry.states,
        "needs": needs_count(entry.needs),
        "article": entry.article,
        "table": table_number,
        "figure": figure,
    }
    if entry.states < 10:
        values["states"] = number(entry.states, capital=True)
    if entry.states < 10 and figure:
        text = ngettext(
            # Translators: the note's sentence on one article. %(states)s is the
            # number of States in words ("Eight"), capitalised where your language
            # has capitals; %(needs)s is "14 needs", translated on its own;
            # %(table)s is a table's number, %(figure)s a figure's Roman numeral.
            "%(states)s State party identified %(needs)s for technical "
            "assistance to support the implementation of article %(article)s. "
            "Details of the types of need are given in table %(table)s and "
            "figure %(figure)s.",
            "%(states)s States parties identified %(needs)s for technical "
            "assistance to support the implementation of article %(article)s. "
            "Details of the types of need are given in table %(table)s and "
            "figure %(figure)s.",
            entry.states,
        )
    elif entry.states < 10:
        text = ngettext(
            # Translators: the note's sentence on one article. %(states)s is the
            # number of States in words, as the note writes numbers below ten
            # ("Eight"), capitalised where your language has capitals; %(needs)s is
            # "14 needs" or "4 needs", translated on its own; %(table)s is a table's
            # number.
            "%(states)s State party identified %(needs)s for technical assistance to "
            "support the implementation of article %(article)s. Details of the types "
            "of need are given in table %(table)s.",
            "%(states)s States parties identified %(needs)s for technical assistance "
            "to support the implementation of article %(article)s. Details of the "
            "types of need are given in table %(table)s.",
            entry.states,
        )
    elif figure:
        text = ngettext(
            # Translators: the note's sentence on one article, for ten States or
            # more (%(states)s in figures); %(needs)s is "14 needs", translated on
            # its own; %(table)s is a table's number, %(figure)s a figure's Roman
            # numeral.
            "A total of %(states)s State party identified %(needs)s for technical "
            "assistance to support the implementation of article %(article)s. "
            "Details of the types of need are given in table %(table)s and figure "
            "%(figure)s.",
            "A total of %(states)s States parties identified %(needs)s for technical "
            "assistance to support the implementation of article %(article)s. "
            "Details of the types of need are given in table %(table)s and figure "
            "%(figure)s.",
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


def example_sentence(states: int, type_label: str, description: str) -> str:
    """What the records describe, anonymised as the note does: "One State sought
    capacity-building programmes: “Training for staff of judicial agencies”."."""
    return ngettext(
        # Translators: an example quoted from the descriptions of needs, anonymised
        # as the note does. %(states)s is a number of States in words ("One"),
        # capitalised where your language has capitals; %(type)s a type of need in
        # lower case; %(description)s the description as recorded (quote it with your
        # language's quotation marks).
        "%(states)s State sought %(type)s: “%(description)s”.",
        "%(states)s States sought %(type)s: “%(description)s”.",
        states,
    ) % {
        "states": number(states, capital=True),
        "type": type_label,
        "description": description,
    }


# ---------------------------------------------------------------------------
# Section IV: trends
# ---------------------------------------------------------------------------
def types_figures_sentence(figures: list[str], chapters: list[str]) -> str:
    """Paragraph 65: the figures of needs by type, one per chapter."""
    values = {"figures": series(figures), "chapters": series(chapters)}
    if len(chapters) == 1:
        text = gettext(
            # Translators: paragraph 65 of the note, for one chapter; %(figures)s is a
            # figure's Roman numeral, %(chapters)s a chapter's.
            "Figure %(figures)s below reflects the total number of needs "
            "identified for chapter %(chapters)s, by the types of need as contained "
            "in the comprehensive self-assessment checklist."
        )
    else:
        text = gettext(
            # Translators: paragraph 65 of the note; %(figures)s lists figures' Roman
            # numerals ("XXX and XXXI"), %(chapters)s chapters' ("III and IV"), in the
            # same order.
            "Figures %(figures)s below reflect the total number of needs identified "
            "for chapters %(chapters)s respectively, by the types of need as "
            "contained in the comprehensive self-assessment checklist."
        )
    return text % values


def types_figure_title(chapter: str, total: int) -> str:
    return gettext(
        # Translators: the title of a figure of the note (Figure XXX); %(chapter)s is a
        # chapter's Roman numeral, %(total)s the number of needs.
        "Technical assistance requests related to chapter %(chapter)s of the "
        "Convention, by type (total %(total)s)"
    ) % {"chapter": chapter, "total": total}


def sentence_start(text: str) -> str:
    return capitalised(text)
