"""Editions of the annual note on technical assistance needs (the draft note)."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from needs.permissions import note_edition_filter
from reviews.models import Chapter, ReviewCycle

NUMBERS = re.compile(r"\d+")
SEPARATORS = re.compile(r"[\s,;]+")
BLANK_LINES = re.compile(r"\n\s*\n")


class NoteEditionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The editions `user` may see: the secretariat's working documents."""
        return self.filter(note_edition_filter(user))


class NoteEdition(models.Model):
    """One edition of the secretariat's note "Analysis of technical assistance needs
    emerging from the country reviews": what it covers (cycle, chapters, the cut-off
    date whose accepted values it counts), its title block, and the text blocks that
    people write (the mandate, the commentary, the considerations for the
    Conference). Everything else in the draft is generated from the records as they
    stood at the cut-off date, so that an edition regenerates identically later.

    Text blocks hold paragraphs separated by blank lines; each becomes a numbered
    paragraph of the note. The editor's note is kept with the edition and never
    printed in the document (remarks such as Figure XXX's 623 against 616)."""

    cycle = models.ForeignKey(
        ReviewCycle,
        on_delete=models.PROTECT,
        related_name="note_editions",
        verbose_name=_("cycle"),
    )
    chapters = models.ManyToManyField(
        Chapter,
        blank=True,
        related_name="note_editions",
        verbose_name=_("chapters"),
        help_text=_("None chosen: every chapter the cycle reviews."),
    )
    cut_off = models.DateField(
        _("cut-off date"),
        help_text=_(
            "The note counts the reviews completed and the values accepted by the "
            "end of this day (the date of drafting)."
        ),
    )
    # The title block
    symbol = models.CharField(_("symbol"), max_length=60, blank=True)
    issued_on = models.DateField(_("date of the document"), null=True, blank=True)
    distribution = models.CharField(_("distribution"), max_length=60, blank=True)
    original_language = models.CharField(
        _("original language"), max_length=60, blank=True
    )
    body = models.CharField(_("body"), max_length=300, blank=True)
    session = models.CharField(_("session"), max_length=200, blank=True)
    venue = models.CharField(_("place and dates"), max_length=200, blank=True)
    agenda_item = models.CharField(_("agenda item"), max_length=200, blank=True)
    agenda_symbol = models.CharField(
        _("symbol of the provisional agenda"), max_length=60, blank=True
    )
    agenda_title = models.CharField(_("title of the item"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    # The text blocks
    mandate = models.TextField(
        _("mandate"),
        blank=True,
        help_text=_("The introduction's first paragraphs, before the sources."),
    )
    scope = models.TextField(
        _("scope of the analysis"),
        blank=True,
        help_text=_("The introduction's paragraphs after the regional groups."),
    )
    trends = models.TextField(
        _("trends in types of need"),
        blank=True,
        help_text=_("Section IV, before the figures of needs by type."),
    )
    other_needs = models.TextField(
        _("needs beyond the provisions under review"),
        blank=True,
        help_text=_("Section IV, after the figures of needs by type."),
    )
    follow_up = models.TextField(
        _("follow-up commentary"),
        blank=True,
        help_text=_("Before the paragraphs written from the follow-up records."),
    )
    considerations = models.TextField(
        _("considerations for the Conference"),
        blank=True,
        help_text=_("The areas for further consideration; never generated."),
    )
    editor_note = models.TextField(
        _("editor's note"),
        blank=True,
        help_text=_("Kept with the edition, never printed in the document."),
    )
    figure_articles = models.CharField(
        _("articles with a figure"),
        max_length=300,
        blank=True,
        help_text=_(
            "Article numbers, separated by spaces or commas; empty: every article."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = NoteEditionQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[chapters])

    class Meta:
        ordering = ["-cut_off", "-pk"]
        verbose_name = _("edition of the note")
        verbose_name_plural = _("editions of the note")
        constraints = [
            models.UniqueConstraint(
                fields=["symbol"],
                condition=~models.Q(symbol=""),
                name="one_note_edition_per_symbol",
                violation_error_message=_("Another edition has this symbol."),
            )
        ]

    def __str__(self) -> str:
        # Translators: an edition of the note: its symbol (or title) and cut-off
        # date, e.g. "CAC/COSP/2013/14 (as of 2013-09-01)".
        return gettext("%(name)s (as of %(date)s)") % {
            "name": self.symbol or self.title,
            "date": self.cut_off.isoformat() if self.cut_off else "",
        }

    def get_absolute_url(self) -> str:
        return reverse("reports:edition_detail", kwargs={"pk": self.pk})

    @property
    def figure_article_numbers(self) -> set[int] | None:
        """The articles given a figure; None for every article."""
        numbers = {int(n) for n in NUMBERS.findall(self.figure_articles)}
        return numbers or None

    def clean(self) -> None:
        super().clean()
        parts = [p for p in SEPARATORS.split(self.figure_articles.strip()) if p]
        if any(not part.isdigit() for part in parts):
            raise ValidationError(
                {
                    "figure_articles": gettext(
                        "Give article numbers only, separated by spaces or commas."
                    )
                }
            )


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a text block: separated by blank lines, each on one line."""
    return [" ".join(part.split()) for part in BLANK_LINES.split(text) if part.strip()]
