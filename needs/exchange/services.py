"""Data sets that come from outside the records: the reconstructed 2013 data set; the
demo follow-up records (`demo.py`). Idempotent loaders, called by `load_note_2013`,
`load_demo` and `make run`.

A data set is the record of reviews long concluded: its needs were accepted when their
review was completed, and the audit trail says so (their historical rows carry that
date), so that the statistics "as of" a date read them as they stood then. What each
State agreed to share is written as Consent records, the one source of truth.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from needs.exchange import note_2013
from needs.models import Consent, Need, NeedType
from needs.reports.cache import statistics_changed
from reviews.models import (
    Article,
    CountryReview,
    RegionalGroup,
    ReviewCycle,
    StateParty,
)
from reviews.services import LoadResult

# What the reconstructed States that "agreed to the use of their full report" share.
SHARED_SUBJECTS = [Consent.Subject.FULL_REPORT, Consent.Subject.NEED_DESCRIPTIONS]


class ReferenceDataMissing(Exception):
    """The reference data must be loaded first (python manage.py load_reference)."""


def _accepted_at(day: datetime.date) -> datetime.datetime:
    """Noon of the day a review was completed: when its needs were accepted."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@transaction.atomic
def note_2013_load() -> LoadResult:
    """Load the reconstructed 44-State data set of the 2013 note; idempotent.

    States, their first-cycle reviews, their consent and their needs are created or
    updated; needs of those reviews that the plan no longer holds are removed, so that
    the data set is always exactly the plan.
    """
    states, planned = note_2013.plan()
    groups = {group.slug: group for group in RegionalGroup.objects.all()}
    cycle = ReviewCycle.objects.filter(number=1).first()
    if len(groups) < len(note_2013.REGION_PREFIX) or cycle is None:
        raise ReferenceDataMissing(
            gettext(
                "Reference data missing: run `python manage.py load_reference` first."
            )
        )
    reviews = {state.code: _review(state, groups, cycle) for state in states}
    articles = {
        a.number: a for a in Article.objects.filter(chapter__number__in=["III", "IV"])
    }
    types: dict[str, NeedType] = {}
    rows = []
    for need in planned:
        if need.type_label not in types:
            types[need.type_label] = NeedType.objects.resolve(need.type_label)
        review = reviews[need.state_code]
        rows.append(
            Need(
                review=review,
                article=articles[need.article],
                need_type=types[need.type_label],
                description=need.description,
                source=Need.Source.EXECUTIVE_SUMMARY,
                accepted_at=_accepted_at(review.completed_on),
            )
        )
    statistics_changed()
    return _write_needs(rows, list(reviews.values()))


def _anonymised_names(code: str) -> dict[str, str]:
    """The name "State AF-01" in each official language (from the catalogs)."""
    names = {}
    for language, _ in settings.LANGUAGES:
        with translation.override(language):
            # Translators: an anonymised State of the reconstructed 2013 data set.
            names[language] = gettext("State %(code)s") % {"code": code}
    return names


def _review(state, groups, cycle) -> CountryReview:
    party, _ = StateParty.objects.update_or_create(
        code=state.code,
        defaults={
            "name": state.name,
            "names": _anonymised_names(state.code),
            "regional_group": groups[state.region],
            "reconstructed": True,
            "notes": "Anonymized State of the reconstructed data set of the 2013 "
            "note on technical assistance needs (first 44 country reviews).",
        },
    )
    review, _ = CountryReview.objects.update_or_create(
        state=party,
        cycle=cycle,
        defaults={
            "cycle_year": state.cycle_year,
            "status": CountryReview.Status.COMPLETED,
            "completed_on": state.completed_on,
            "has_executive_summary": True,
            "has_full_report": True,
        },
    )
    if state.full_report_consent:
        for subject in SHARED_SUBJECTS:
            Consent.objects.update_or_create(
                review=review,
                subject=subject,
                defaults={
                    "audience": Consent.Audience.DONORS,
                    "agreed_on": state.completed_on,
                },
            )
    else:
        review.consents.filter(subject__in=SHARED_SUBJECTS).delete()
    return review


def _write_needs(rows: list[Need], reviews: list[CountryReview]) -> LoadResult:
    """Create, update and remove needs so that the reviews hold exactly `rows`, each
    change with its historical row (new needs dated at their acceptance)."""
    existing = {
        (need.review_id, need.article_id, need.need_type_id): need
        for need in Need.objects.filter(review__in=reviews)
    }
    planned = {(n.review_id, n.article_id, n.need_type_id): n for n in rows}
    new = [need for key, need in planned.items() if key not in existing]
    changed = []
    for key, need in planned.items():
        current = existing.get(key)
        if current is not None and current.description != need.description:
            current.description = need.description
            changed.append(current)
    for need in new:
        need._history_date = need.accepted_at
    Need.history.bulk_history_create(Need.objects.bulk_create(new))
    Need.objects.bulk_update(changed, ["description"])
    Need.history.bulk_history_create(changed)
    for key, need in existing.items():
        if key not in planned:
            need.delete()
    return LoadResult(created=len(new), updated=len(planned) - len(new))
