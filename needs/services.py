"""Writes of the needs app that touch several rows."""

from django.db import transaction

from needs.models import NeedType, NeedTypeAlias
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
