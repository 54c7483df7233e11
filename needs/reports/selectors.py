"""Reads of the editions of the note: the editions a user sees, what a new edition
starts from, and what an edition's draft is written from (its statistics, the years
it covers, the descriptions it may quote, its follow-up numbers)."""

import datetime
import json
from collections import defaultdict
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext

from needs.models import Consent, NeedType, NoteEdition
from needs.permissions import (
    PUBLISHED_SOURCE,
    SUBJECT_OF_SOURCE,
    can_view_note_editions,
)
from needs.reports.draft_note import Example, Sources
from needs.reports.followup_summary import follow_up_summary
from needs.reports.statistics import (
    StatisticsDocument,
    StatisticsFilter,
    compute,
    scoped_needs,
    scoped_reviews,
)
from reviews.models import Chapter, ReviewCycle

EDITION_2013 = Path(__file__).resolve().parent / "data" / "edition_2013.json"
TEXT_FIELDS = (
    "body",
    "distribution",
    "original_language",
    "session",
    "venue",
    "agenda_item",
    "agenda_symbol",
    "agenda_title",
    "title",
    "summary",
    "mandate",
    "scope",
    "trends",
    "other_needs",
    "follow_up",
    "considerations",
    "editor_note",
    "figure_articles",
)


def note_editions(*, user):
    return (
        NoteEdition.objects.visible_to(user)
        .select_related("cycle")
        .prefetch_related("chapters")
    )


def note_edition_get(*, user, pk: int) -> NoteEdition:
    return get_object_or_404(note_editions(user=user), pk=pk)


def edition_2013() -> dict:
    """The 2013 note's title block and text blocks, as transcribed (English: the
    note's own words), with its cycle, chapters and cut-off date."""
    return json.loads(EDITION_2013.read_text(encoding="utf-8"))


def note_edition_initial(*, user) -> dict:
    """What a new edition starts from: the latest edition the user sees (its title
    block and text blocks; a new date), else the 2013 note's."""
    latest = note_editions(user=user).first()
    if latest is None:
        data = edition_2013()
        values = {name: data[name] for name in TEXT_FIELDS}
        cycle = ReviewCycle.objects.filter(number=data["cycle"]).first()
        return values | {
            "symbol": data["symbol"],
            "cycle": cycle,
            "chapters": list(Chapter.objects.filter(number__in=data["chapters"])),
            "cut_off": datetime.date.fromisoformat(data["cut_off"]),
            "issued_on": datetime.date.fromisoformat(data["issued_on"]),
        }
    return {name: getattr(latest, name) for name in TEXT_FIELDS} | {
        "cycle": latest.cycle,
        "chapters": list(latest.chapters.all()),
    }


def edition_chapters(edition: NoteEdition) -> list[str]:
    """The chapters the edition covers, in the Convention's order: those chosen, or
    every chapter its cycle reviews."""
    chosen = edition.chapters.all() or edition.cycle.chapters.all()
    return [c.number for c in sorted(chosen, key=lambda chapter: chapter.ordinal)]


def edition_filter(edition: NoteEdition) -> StatisticsFilter:
    """The statistics of the edition: its cycle, as of its cut-off date."""
    chapters = edition_chapters(edition)
    return StatisticsFilter(
        cycle=edition.cycle.number,
        as_of=edition.cut_off,
        chapter=chapters[0] if len(chapters) == 1 else None,
    )


def edition_sources(
    *, user, edition: NoteEdition
) -> tuple[StatisticsDocument, Sources]:
    """The statistics document of `edition` and what else its draft is written from
    (the follow-up of every State: the secretariat's)."""
    if not can_view_note_editions(user):
        raise PermissionDenied(gettext("Editions of the note are the secretariat's."))
    filters = edition_filter(edition)
    years = scoped_reviews(filters).values_list("cycle_year", flat=True)
    sources = Sources(
        edition=edition,
        chapters=tuple(edition_chapters(edition)),
        cycle_years=tuple(sorted(set(years))),
        examples=quotable_examples(filters),
        follow_up=follow_up_summary(filters=filters),
    )
    return compute(filters), sources


def quotable_examples(filters: StatisticsFilter) -> dict[int, list[Example]]:
    """The descriptions the note may quote, by article: needs accepted by the
    cut-off date (their accepted description then) of States that share their
    descriptions with the public, and whose source is published or shared with the
    public too (as a viewer would need, `needs.permissions.need_filter`). The same
    description from several States is one example naming how many."""
    day = filters.as_of
    public = Consent.objects.filter(
        review=OuterRef("review"), audience=Consent.Audience.PUBLIC
    )
    if day is not None:
        public = public.filter(agreed_on__lte=day)
    published = Q(source=PUBLISHED_SOURCE)
    for source, subject in SUBJECT_OF_SOURCE.items():
        published |= Q(source=source) & Q(Exists(public.filter(subject=subject)))
    rows = (
        scoped_needs(filters)
        .exclude(description="")
        .filter(Exists(public.filter(subject=Consent.Subject.NEED_DESCRIPTIONS)))
        .filter(published)
        .values_list(
            "article__number", "need_type__slug", "description", "review__state_id"
        )
    )
    states = defaultdict(set)
    for article, need_type, description, state in rows:
        text = " ".join(description.split()).rstrip(".")
        if text:
            states[article, need_type, text].add(state)
    order = {
        slug: i
        for i, slug in enumerate(NeedType.objects.values_list("slug", flat=True))
    }
    examples = defaultdict(list)
    for (article, need_type, text), found in sorted(
        states.items(),
        key=lambda item: (order.get(item[0][1], 0), -len(item[1]), item[0][2]),
    ):
        examples[article].append(Example(need_type, text, len(found)))
    return dict(examples)
