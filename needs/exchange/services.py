"""Data that comes from outside the records: the reconstructed 2013 data set; the
demo follow-up records (`demo.py`), idempotent loaders called by `load_note_2013`,
`load_demo` and `make run`; and donors' IATI activity files (`iati_import`, which the
upload page and `import_iati` both call).

A data set is the record of reviews long concluded: its needs were accepted when their
review was completed, and the audit trail says so (their historical rows carry that
date), so that the statistics "as of" a date read them as they stood then. What each
State agreed to share is written as Consent records, the one source of truth.
"""

import datetime
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from needs.exchange import note_2013
from needs.exchange.iati import (
    ActivityOutcome,
    Donors,
    IatiRefused,
    IatiResult,
    Organisation,
    activities_plan,
    imported_values,
)
from needs.followup.services import assistance_save, donor_save
from needs.models import Assistance, Consent, Donor, Need, NeedType
from needs.permissions import can_import_assistance
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
        need._history_date = need.accepted_changed_at = need.accepted_at
    Need.history.bulk_history_create(Need.objects.bulk_create(new))
    Need.objects.bulk_update(changed, ["description"])
    Need.history.bulk_history_create(changed)
    for key, need in existing.items():
        if key not in planned:
            need.delete()
    return LoadResult(created=len(new), updated=len(planned) - len(new))


# ---------------------------------------------------------------------------
# Donors' IATI activity files
# ---------------------------------------------------------------------------
# The refused activities a refusal names, at most.
NAMED_REFUSALS = 5


def _refusal(refused: list[ActivityOutcome]) -> IatiRefused:
    reasons = " ".join(item.reason for item in refused[:NAMED_REFUSALS])
    if len(refused) > NAMED_REFUSALS:
        # Translators: count of further refused activities, not named.
        reasons += " " + gettext("(and %(count)s more)") % {
            "count": len(refused) - NAMED_REFUSALS
        }
    # Translators: reasons lists why activities of the file are refused.
    return IatiRefused(
        gettext("%(reasons)s Nothing was imported.") % {"reasons": reasons}
    )


def _donor(organisation: Organisation, user, donors: Donors, states) -> Donor:
    """The donor an organisation names, recorded if it is new."""
    found = donors.find(organisation)
    if found is not None:
        return found
    home = states.get(organisation.ref[:2]) if organisation.type == "10" else None
    kind = Donor.Kind.BILATERAL if home else Donor.Kind.MULTILATERAL
    if organisation.type in {"21", "22", "23", "24"}:
        kind = Donor.Kind.NGO
    donor = Donor(
        name=donors.name_of(organisation),
        kind=kind,
        home_country=home,
        iati_ref=organisation.ref,
    )
    donor = donor_save(donor=donor, user=user)
    donors.add(donor)
    return donor


def _activity_write(item: ActivityOutcome, user, donors: Donors, states) -> None:
    activity = item.activity
    assistance = item.assistance or Assistance(iati_identifier=activity.identifier)
    for name, value in imported_values(activity).items():
        setattr(assistance, name, value)
    try:
        assistance_save(
            assistance=assistance,
            user=user,
            donors=[_donor(org, user, donors, states) for org in activity.donors],
            beneficiaries=[states[c] for c in activity.countries if c in states],
        )
    except ValidationError as error:
        raise IatiRefused(
            # Translators: line is an activity's line; reason why it is refused.
            gettext("The activity of line %(line)s: %(reason)s Nothing was imported.")
            % {"line": item.line, "reason": " ".join(error.messages)}
        ) from error


@transaction.atomic
def iati_import(handle: BinaryIO, *, user, governance_only: bool = False) -> IatiResult:
    """Create or update (keyed by iati-identifier) one assistance record per
    activity of an IATI 2.0x file; all or nothing: IatiRefused when the file or any
    activity is refused (or fails when written), and then nothing is written.
    Unchanged activities are left alone (no new history). `governance_only`: only
    the activities of anti-corruption and justice sectors."""
    if not can_import_assistance(user):
        raise PermissionDenied(gettext("Only the secretariat imports assistance."))
    preview = activities_plan(handle, governance_only=governance_only)
    if preview.refused:
        raise _refusal(preview.refused)
    states = {s.alpha_2: s for s in StateParty.objects.exclude(alpha_2="")}
    donors = Donors()
    unknown = set()
    for item in preview.activities:
        unknown |= set(item.unknown_countries)
        if item.outcome in {ActivityOutcome.NEW, ActivityOutcome.UPDATED}:
            _activity_write(item, user, donors, states)
    return IatiResult(
        created=preview.count(ActivityOutcome.NEW),
        updated=preview.count(ActivityOutcome.UPDATED),
        unchanged=preview.count(ActivityOutcome.UNCHANGED),
        skipped=preview.count(ActivityOutcome.SKIPPED),
        unknown_countries=sorted(unknown),
    )
