"""Data sets that come from outside the records: the reconstructed 2013 data set;
the demo follow-up records (`demo.py`). Idempotent loaders, called by
`load_note_2013`, `load_demo` and `make run`."""

from django.db import transaction

from needs.exchange import note_2013
from needs.models import Need, NeedType
from reviews.models import (
    Article,
    CountryReview,
    RegionalGroup,
    ReviewCycle,
    StateParty,
)
from reviews.services import LoadResult


class ReferenceDataMissing(Exception):
    """The reference data must be loaded first (python manage.py load_reference)."""


@transaction.atomic
def note_2013_load() -> LoadResult:
    """Load the reconstructed 44-State data set of the 2013 note; idempotent.

    States, their first-cycle reviews and their needs are created or updated; needs
    of those reviews that the plan no longer holds are removed, so that the data set
    is always exactly the plan.
    """
    states, planned = note_2013.plan()
    groups = {group.slug: group for group in RegionalGroup.objects.all()}
    cycle = ReviewCycle.objects.filter(number=1).first()
    if len(groups) < len(note_2013.REGION_PREFIX) or cycle is None:
        raise ReferenceDataMissing(
            "Reference data missing: run `python manage.py load_reference` first."
        )
    reviews = {}
    for state in states:
        party, _ = StateParty.objects.update_or_create(
            code=state.code,
            defaults={
                "name": state.name,
                "regional_group": groups[state.region],
                "reconstructed": True,
                "notes": "Anonymized State of the reconstructed data set of the 2013 "
                "note on technical assistance needs (first 44 country reviews).",
            },
        )
        reviews[state.code], _ = CountryReview.objects.update_or_create(
            state=party,
            cycle=cycle,
            defaults={
                "cycle_year": state.cycle_year,
                "status": CountryReview.Status.COMPLETED,
                "completed_on": state.completed_on,
                "has_executive_summary": True,
                "has_full_report": True,
                "full_report_consent": state.full_report_consent,
            },
        )
    articles = {
        a.number: a for a in Article.objects.filter(chapter__number__in=["III", "IV"])
    }
    types = {}
    rows = []
    for need in planned:
        if need.type_label not in types:
            types[need.type_label] = NeedType.objects.resolve(need.type_label)
        rows.append(
            Need(
                review=reviews[need.state_code],
                article=articles[need.article],
                need_type=types[need.type_label],
                description=need.description,
                source=Need.Source.EXECUTIVE_SUMMARY,
            )
        )
    planned_keys = {(n.review_id, n.article_id, n.need_type_id) for n in rows}
    existing = {
        (review, article, need_type): pk
        for pk, review, article, need_type in Need.objects.filter(
            review__in=reviews.values()
        ).values_list("pk", "review", "article", "need_type")
    }
    Need.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["review", "article", "need_type"],
        update_fields=["description"],
    )
    stale = [pk for key, pk in existing.items() if key not in planned_keys]
    Need.objects.filter(pk__in=stale).delete()
    created = len(planned_keys - existing.keys())
    return LoadResult(created=created, updated=len(planned_keys) - created)
