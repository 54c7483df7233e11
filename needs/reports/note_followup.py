"""Section IV's paragraphs on follow-up, written from the records (paragraphs 72-78
and 84 of the 2013 note): letters, events, action plans and their integration into
programming, assistance by status and kind of donor, coverage of the needs, and the
needs that one regional group's States leave unaddressed.

Numbers come from `followup_summary.follow_up_summary` (the records as of the cut-off
day) and, for coverage, from the statistics document; the tables continue the note's
numbering.
"""

from django.utils.translation import gettext, ngettext, npgettext

from needs.models import ActionPlanItem, Assistance, Donor, FollowUpEvent, Need
from needs.reports.followup_summary import CLUSTER_THRESHOLD, FollowUpSummary
from needs.reports.note_blocks import Block
from needs.reports.note_words import (
    capitalised,
    long_date,
    number,
    region_name,
    series,
)
from needs.reports.statistics import StatisticsDocument
from needs.reports.tables import Names, Table

UNADDRESSED = Need.Coverage.NOT_YET_ADDRESSED.value


class _Tables:
    """Numbers the tables of this part after the note's other tables."""

    def __init__(self, start: int):
        self.next = start

    def make(self, slug: str, title: str, columns: list[str], rows, total=None):
        table = Table(slug, title, columns, rows, number=self.next, total=total)
        self.next += 1
        return table


def follow_up_blocks(
    summary: FollowUpSummary,
    document: StatisticsDocument,
    names: Names,
    *,
    first_table: int,
) -> list[Block]:
    """The paragraphs and tables, in the note's order."""
    tables = _Tables(first_table)
    out = [Block("p", _letters(summary)), Block("p", _events(summary))]
    out += _plans(summary, tables)
    out += _assistance(summary, tables)
    out += _coverage(summary, document, names, tables)
    out += _clusters(summary, names, tables)
    return out


def _letters(summary: FollowUpSummary) -> str:
    expected = summary.reviews_expected
    opening = ngettext(
        # Translators: paragraph 72 of the note. %(date)s is the cut-off date ("1
        # September 2013"); %(expected)s a number of States, in words below ten.
        "By %(date)s, the review of %(expected)s State party had been completed with "
        "technical assistance needs identified.",
        "By %(date)s, the reviews of %(expected)s States parties had been completed "
        "with technical assistance needs identified.",
        expected,
    ) % {"date": long_date(summary.day), "expected": number(expected)}
    if not expected:
        return opening
    values = {
        "sent": number(summary.letters_sent),
        "pending": number(summary.letters_pending, noun="letters"),
    }
    if summary.letters_sent:
        letters = ngettext(
            # Translators: paragraph 72 of the note. %(sent)s and %(pending)s are
            # numbers of States and of letters, in words below ten.
            "The secretariat had sent %(sent)s of them the letter offering to take "
            "forward the outcome of the review; %(pending)s letter was pending.",
            "The secretariat had sent %(sent)s of them the letter offering to take "
            "forward the outcome of the review; %(pending)s letters were pending.",
            summary.letters_pending,
        )
    else:
        letters = ngettext(
            # Translators: paragraph 72 of the note. %(pending)s is a number of
            # letters, in words below ten.
            "The secretariat had not yet sent the letter offering to take forward "
            "the outcome of the review; %(pending)s letter was pending.",
            "The secretariat had not yet sent the letter offering to take forward "
            "the outcome of the review; %(pending)s letters were pending.",
            summary.letters_pending,
        )
    letters %= values
    if not summary.letters_sent:
        return f"{opening} {letters}"
    replies = ngettext(
        # Translators: %(replies)s is a number of States, in words below ten,
        # capitalised where your language has capitals.
        "%(replies)s State party had replied.",
        "%(replies)s States parties had replied.",
        summary.replies,
    ) % {"replies": number(summary.replies, capital=True)}
    return f"{opening} {letters} {replies}"


def _event_part(kind: str, count: int) -> str:
    """One item of the list of events: "two country visits" (in words below ten)."""
    noun = EVENT_NOUNS.get(kind, "events")
    if kind == FollowUpEvent.Kind.COUNTRY_VISIT:
        text = npgettext(
            "follow-up events",
            # Translators: in a list of follow-up events; %(count)s in words below ten.
            "%(count)s country visit",
            "%(count)s country visits",
            count,
        )
    elif kind == FollowUpEvent.Kind.WORKSHOP:
        text = npgettext(
            "follow-up events",
            # Translators: in a list of follow-up events; %(count)s in words below ten.
            "%(count)s workshop led by the focal point",
            "%(count)s workshops led by the focal point",
            count,
        )
    elif kind == FollowUpEvent.Kind.DONOR_MEETING:
        text = npgettext(
            "follow-up events",
            # Translators: in a list of follow-up events; %(count)s in words below ten.
            "%(count)s meeting with donors and partners",
            "%(count)s meetings with donors and partners",
            count,
        )
    else:
        text = npgettext(
            "follow-up events",
            # Translators: in a list of follow-up events; %(count)s in words below ten.
            "%(count)s other follow-up event",
            "%(count)s other follow-up events",
            count,
        )
    return text % {"count": number(count, noun=noun)}


# What each kind of event is counted as (the number word agrees with it).
EVENT_NOUNS = {
    FollowUpEvent.Kind.COUNTRY_VISIT: "visits",
    FollowUpEvent.Kind.WORKSHOP: "workshops",
    FollowUpEvent.Kind.DONOR_MEETING: "meetings",
}


def _events(summary: FollowUpSummary) -> str:
    if not summary.events:
        return gettext(
            "No country visit, workshop or meeting with donors and partners had been "
            "recorded as part of the follow-up."
        )
    parts = [_event_part(kind, count) for kind, count in summary.events.items()]
    # Translators: paragraphs 74 and 76 of the note; %(events)s lists the events
    # ("two country visits and one workshop led by the focal point").
    return gettext("The follow-up recorded comprised %(events)s.") % {
        "events": series(parts)
    }


def _plans(summary: FollowUpSummary, tables: _Tables) -> list[Block]:
    if not summary.plans_current:
        return [Block("p", gettext("No prioritized action plan had been recorded."))]
    adopted, current = summary.plans_adopted, summary.plans_current
    sentences = [
        ngettext(
            # Translators: paragraphs 72-74 of the note. %(current)s and %(adopted)s
            # are numbers of plans, in words below ten.
            "%(current)s prioritized action plan had been drawn up or was being "
            "prepared, and %(adopted)s had been adopted.",
            "%(current)s prioritized action plans had been drawn up or were being "
            "prepared, and %(adopted)s had been adopted.",
            current,
        )
        % {
            "current": number(current, capital=True, noun="plans"),
            "adopted": number(adopted, noun="plans"),
        }
    ]
    out = []
    if summary.items_integrated:
        table = tables.make(
            "follow-up-integration",
            gettext("Action plan items integrated into programming, by framework"),
            [gettext("Programming"), gettext("Number of items")],
            [
                [str(ActionPlanItem.Integration(value).label), count]
                for value, count in summary.items_integrated.items()
            ],
        )
        sentences.append(
            ngettext(
                # Translators: paragraph 72 of the note. %(integrated)s is a number of
                # plans in words below ten; %(table)s a table's number.
                "Items of %(integrated)s plan had been included in country, regional "
                "or wider programming (table %(table)s).",
                "Items of %(integrated)s plans had been included in country, regional "
                "or wider programming (table %(table)s).",
                summary.plans_integrated,
            )
            % {
                "integrated": number(summary.plans_integrated, noun="plans"),
                "table": table.number,
            }
        )
        out.append(Block("table", table=table))
    if summary.plans_not_integrated:
        sentences.append(
            ngettext(
                # Translators: %(count)s is a number of plans in words below ten,
                # capitalised where your language has capitals.
                "%(count)s plan had not yet been integrated into programming.",
                "%(count)s plans had not yet been integrated into programming.",
                summary.plans_not_integrated,
            )
            % {
                "count": number(
                    summary.plans_not_integrated, capital=True, noun="plans"
                )
            }
        )
    return [Block("p", " ".join(sentences)), *out]


def _assistance(summary: FollowUpSummary, tables: _Tables) -> list[Block]:
    total, reviewed = summary.assistance_total, summary.states_reviewed
    values = {
        "states": number(summary.states_with_ongoing_assistance, capital=True),
        "reviewed": number(reviewed),
    }
    if summary.states_with_ongoing_assistance:
        served = ngettext(
            # Translators: paragraph 78 of the note. %(states)s and %(reviewed)s are
            # numbers of States, in words below ten; %(states)s is capitalised
            # where your language has capitals.
            "%(states)s of the %(reviewed)s States parties covered in the present "
            "note was receiving ongoing assistance recorded by the secretariat.",
            "%(states)s of the %(reviewed)s States parties covered in the present "
            "note were receiving ongoing assistance recorded by the secretariat.",
            summary.states_with_ongoing_assistance,
        )
    else:
        served = ngettext(
            # Translators: paragraph 78 of the note. %(reviewed)s is a number of
            # States, in words below ten.
            "The State party covered in the present note was receiving no ongoing "
            "assistance recorded by the secretariat.",
            "None of the %(reviewed)s States parties covered in the present note "
            "was receiving ongoing assistance recorded by the secretariat.",
            reviewed,
        )
    served %= values
    if not total:
        none = gettext(
            "No technical assistance project or activity had been recorded by the "
            "secretariat."
        )
        return [Block("p", f"{none} {served}")]
    by_status = tables.make(
        "follow-up-assistance-status",
        gettext("Technical assistance recorded, by status"),
        [gettext("Status"), gettext("Number of projects or activities")],
        [
            [str(Assistance.Status(value).label), count]
            for value, count in summary.assistance.items()
        ],
        total=[gettext("Total"), total],
    )
    rows = [
        [str(Donor.Kind(value).label), count]
        for value, count in summary.assistance_by_donor_kind.items()
    ]
    if summary.assistance_without_donor:
        rows.append([gettext("No donor recorded"), summary.assistance_without_donor])
    by_donor = tables.make(
        "follow-up-assistance-donors",
        gettext("Technical assistance recorded, by kind of donor"),
        [gettext("Kind of donor"), gettext("Number of projects or activities")],
        rows,
    )
    recorded = ngettext(
        # Translators: paragraphs 76-78 of the note. %(total)s is a number of
        # projects, in words below ten and capitalised where your language has
        # capitals; %(status)s and %(donors)s are tables' numbers.
        "%(total)s technical assistance project or activity had been recorded, by "
        "status in table %(status)s and by kind of donor in table %(donors)s "
        "(a project with several donors is counted under each).",
        "%(total)s technical assistance projects or activities had been recorded, "
        "by status in table %(status)s and by kind of donor in table %(donors)s "
        "(a project with several donors is counted under each).",
        total,
    ) % {
        "total": number(total, capital=True, noun="projects"),
        "status": by_status.number,
        "donors": by_donor.number,
    }
    return [
        Block("p", f"{recorded} {served}"),
        Block("table", table=by_status),
        Block("table", table=by_donor),
    ]


def _coverage(summary, document: StatisticsDocument, names: Names, tables: _Tables):
    coverage = document.coverage.overall
    unaddressed = coverage.get(UNADDRESSED, 0)
    text = ngettext(
        # Translators: paragraph 75 of the note. Every number is a number of needs,
        # in figures. The English text is the same for one need.
        "Of the %(needs)s needs identified, %(fully)s had been met fully and "
        "%(part)s in part; %(unaddressed)s had not yet been addressed, %(without)s "
        "of them with no assistance recorded.",
        "Of the %(needs)s needs identified, %(fully)s had been met fully and "
        "%(part)s in part; %(unaddressed)s had not yet been addressed, %(without)s "
        "of them with no assistance recorded.",
        document.needs,
    ) % {
        "needs": document.needs,
        "fully": coverage.get(Need.Coverage.MET_FULLY.value, 0),
        "part": coverage.get(Need.Coverage.MET_IN_PART.value, 0),
        "unaddressed": unaddressed,
        "without": summary.unaddressed_without_assistance,
    }
    if not unaddressed:
        return [Block("p", text)]
    by_type = tables.make(
        "follow-up-unaddressed-types",
        gettext("Technical assistance needs not yet addressed, by type"),
        [gettext("Type of need"), gettext("Number of needs")],
        [
            [names.types[slug], counts[UNADDRESSED]]
            for slug, counts in document.coverage.by_type.items()
            if counts.get(UNADDRESSED)
        ],
        total=[gettext("Total"), unaddressed],
    )
    articles = sorted(
        (entry.article, entry.coverage.get(UNADDRESSED, 0))
        for chapter in document.chapters.values()
        for entry in chapter.articles
    )
    by_article = tables.make(
        "follow-up-unaddressed-articles",
        gettext("Technical assistance needs not yet addressed, by article"),
        [gettext("Article"), gettext("Number of needs")],
        [[article, count] for article, count in articles if count],
        total=[gettext("Total"), unaddressed],
    )
    pointer = gettext(
        # Translators: paragraph 75 of the note; %(types)s and %(articles)s are tables'
        # numbers.
        "Tables %(types)s and %(articles)s give the needs not yet addressed by type "
        "and by article."
    ) % {"types": by_type.number, "articles": by_article.number}
    return [
        Block("p", f"{text} {pointer}"),
        Block("table", table=by_type),
        Block("table", table=by_article),
    ]


def _clusters(summary: FollowUpSummary, names: Names, tables: _Tables):
    threshold = number(CLUSTER_THRESHOLD)
    if not summary.clusters:
        text = gettext(
            # Translators: paragraph 84 of the note; %(threshold)s is a number of States
            # in words ("three").
            "No need had been left unaddressed by %(threshold)s or more States "
            "parties of the same regional group."
        ) % {"threshold": threshold}
        return [Block("p", text)]
    table = tables.make(
        "follow-up-clusters",
        gettext(
            # Translators: a table's title; %(threshold)s is a number in words
            # ("three").
            "Needs left unaddressed by %(threshold)s or more States parties of one "
            "regional group"
        )
        % {"threshold": threshold},
        [
            gettext("Regional group"),
            gettext("Article"),
            gettext("Type of need"),
            gettext("Number of States parties"),
        ],
        [
            [
                region_name(c.region, names.regions[c.region]),
                c.article,
                names.types[c.need_type],
                c.states,
            ]
            for c in summary.clusters
        ],
    )
    count = len(summary.clusters)
    text = ngettext(
        # Translators: paragraph 84 of the note. %(count)s is a number of cases in
        # words below ten; %(threshold)s a number of States in words ("three");
        # %(table)s a table's number.
        "In %(count)s case, the same need had been left unaddressed by %(threshold)s "
        "or more States parties of one regional group, which could be addressed on "
        "a regional basis (table %(table)s).",
        "In %(count)s cases, the same need had been left unaddressed by "
        "%(threshold)s or more States parties of one regional group, which could be "
        "addressed on a regional basis (table %(table)s).",
        count,
    ) % {
        "count": number(count, noun="cases"),
        "threshold": threshold,
        "table": table.number,
    }
    return [Block("p", capitalised(text)), Block("table", table=table)]
