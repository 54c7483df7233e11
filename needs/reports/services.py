"""Writes of the reports: the editions of the note."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from needs.models import NoteEdition
from needs.permissions import can_edit_note_edition


@transaction.atomic
def note_edition_save(*, edition: NoteEdition, chapters=None, user) -> NoteEdition:
    """Create or change an edition of the note (its parameters and text blocks) and,
    when given, the chapters it covers (among those its cycle reviews)."""
    if not can_edit_note_edition(user, edition):
        raise PermissionDenied(gettext("Only the secretariat edits the note."))
    edition.full_clean()
    if chapters is not None:
        allowed = set(edition.cycle.chapters.values_list("pk", flat=True))
        outside = sorted(c.number for c in chapters if c.pk not in allowed)
        if outside:
            message = gettext(
                # Translators: %(chapters)s lists chapters' Roman numerals ("II, V").
                "The cycle does not review chapters %(chapters)s."
            ) % {"chapters": ", ".join(outside)}
            raise ValidationError({"chapters": message})
    if edition.pk is None:
        edition.created_by = user
    edition._history_user = user
    edition.save()
    if chapters is not None:
        edition.chapters.set(chapters)
    return edition
