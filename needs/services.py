"""Writes of the needs app that touch several rows."""

from django.db import transaction

from needs import note_2013
from needs.models import Need, NeedType, NeedTypeAlias
from reviews.models import (
    Article,
    CountryReview,
    RegionalGroup,
    ReviewCycle,
    StateParty,
)
from reviews.services import LoadResult

# slug, name (as the note's tables print it), short name, aliases
NEED_TYPES = [
    (
        "legislative-drafting",
        "Legislative drafting and legal advice",
        "Legislative drafting",
        [],
    ),
    ("model-legislation", "Model legislation", "Model legislation", []),
    (
        "action-plan",
        "Development of an implementation action plan",
        "Action plan",
        ["Implementation action plan"],
    ),
    (
        "good-practices",
        "Summary of good practices/lessons learned",
        "Good practices",
        ["Summary of good practices or lessons learned"],
    ),
    (
        "model-treaties",
        "Model treaties/agreements",
        "Model treaties",
        [
            "Model treaties/programmes",
            "Model treaties and agreement",
            "Model treaties or agreements",
        ],
    ),
    ("capacity-building", "Capacity-building programmes", "Capacity-building", []),
    (
        "on-site-expert",
        "On-site expert",
        "On-site expert",
        ["Assistance by an on-site expert"],
    ),
    (
        "technological-assistance",
        "Technological assistance",
        "Technological assistance",
        [],
    ),
    ("other", "Other assistance", "Other", []),
]


@transaction.atomic
def need_types_load() -> LoadResult:
    """Load the nine checklist categories and their label variants; idempotent."""
    created = updated = 0
    for order, (slug, name, short_name, aliases) in enumerate(NEED_TYPES, start=1):
        need_type, was_created = NeedType.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "short_name": short_name, "display_order": order},
        )
        created, updated = created + was_created, updated + (not was_created)
        for label in aliases:
            _, was_created = NeedTypeAlias.objects.update_or_create(
                label=label, defaults={"need_type": need_type}
            )
            created, updated = created + was_created, updated + (not was_created)
    return LoadResult(created=created, updated=updated)


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
