"""Input shapes of the reports: the statistics filters, and who may use which; an
edition of the note."""

import dataclasses

from django import forms
from django.utils.translation import gettext_lazy as _

from needs.models import Need, NeedType, NoteEdition
from needs.reports.statistics import StatisticsDocument, StatisticsFilter, compute
from reviews.models import Article, Chapter, RegionalGroup, ReviewCycle
from reviews.permissions import is_secretariat

# What a need IS: the note's own dimensions. Every State stays in the population.
PUBLIC_FILTERS = ("cycle", "chapter", "article", "need_type", "coverage")
# Which States, by who or when, and the message refusing each to other roles.
SECRETARIAT_FILTERS = {
    "regional_group": _(
        "The regional group filter is for the secretariat. Statistics are published "
        "for every State; filter them by cycle, chapter, article, type of need or "
        "coverage."
    ),
    "review_year": _(
        "The year of the cycle filter is for the secretariat. Statistics are "
        "published for every State; filter them by cycle, chapter, article, type of "
        "need or coverage."
    ),
    "as_of": _(
        "The date (as_of) filter is for the secretariat. Statistics are published for "
        "every State; filter them by cycle, chapter, article, type of need or "
        "coverage."
    ),
}
# Filters that narrow the needs below a chapter-wide, all-States view.
FINER_THAN_THE_NOTE = ("chapter", "article", "need_type", "coverage")


class _Operator:
    """The operator at the command line (`manage.py statistics`): holds the database."""

    def __repr__(self) -> str:
        return "OPERATOR"


OPERATOR = _Operator()


def filters_for(user) -> set[str]:
    """The statistics filters `user` may use; the one place that decides it.

    Everyone (anonymous, no role, focal points, viewers and donors) may filter by what
    a need IS: cycle, chapter, article, type of need, coverage, the note's own
    dimensions. Such a filter keeps every State in the population, so two documents
    differ by kinds of need, never by one State.

    Filters that select States by who or when (regional group, year of the cycle,
    the as-of date) are for the secretariat and administrators, who see every State
    anyway: the African reviews completed by D minus those completed by the day
    before is one State's needs, article by article. The operator of the `statistics`
    command (OPERATOR) has every filter.

    A role without the regional-group filter does not get regional breakdowns of
    needs finer than the note's either (see `StatisticsFilterForm.regions_withheld`).
    """
    if user is OPERATOR or is_secretariat(user):
        return set(PUBLIC_FILTERS) | set(SECRETARIAT_FILTERS)
    return set(PUBLIC_FILTERS)


def refusal(name: str) -> str:
    """The message for a filter the user may not use."""
    return str(SECRETARIAT_FILTERS[name])


class StatisticsFilterForm(forms.Form):
    """The statistics filters, shared by the report pages, the API and the CLI.

    `user` decides which fields the form has (`filters_for`). A filter the user may
    not use is refused with a field-level message, never ignored: numbers that look
    filtered and are not would mislead.
    """

    cycle = forms.ModelChoiceField(
        ReviewCycle.objects.all(),
        to_field_name="number",
        required=False,
        empty_label=_("All cycles"),
        label=_("Cycle"),
    )
    review_year = forms.IntegerField(
        label=_("Year of the cycle"), min_value=1, max_value=10, required=False
    )
    regional_group = forms.ModelChoiceField(
        RegionalGroup.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All regional groups"),
        label=_("Regional group"),
    )
    chapter = forms.ModelChoiceField(
        Chapter.objects.all(),
        to_field_name="number",
        required=False,
        empty_label=_("All chapters"),
        label=_("Chapter"),
    )
    article = forms.ModelChoiceField(
        Article.objects.all(),
        to_field_name="number",
        required=False,
        empty_label=_("All articles"),
        label=_("Article"),
    )
    need_type = forms.ModelChoiceField(
        NeedType.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All types"),
        label=_("Type of need"),
    )
    coverage = forms.ChoiceField(
        choices=[("", _("Any coverage")), *Need.Coverage.choices],
        required=False,
        label=_("Coverage"),
    )
    as_of = forms.DateField(
        label=_("Reviews completed by"),
        required=False,
        help_text="YYYY-MM-DD",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.allowed = filters_for(user)
        for name in set(self.fields) - self.allowed:
            del self.fields[name]
        self.refused = [
            name
            for name in SECRETARIAT_FILTERS
            if name not in self.allowed and self._uses(name)
        ]

    @property
    def secretariat_filters_hidden(self) -> bool:
        return not set(SECRETARIAT_FILTERS) <= self.allowed

    @property
    def refused_errors(self) -> list[str]:
        """Messages of the refused filters (they have no field to show them under)."""
        return [message for name in self.refused for message in self.errors[name]]

    def _uses(self, name: str) -> bool:
        if not self.is_bound:
            return False
        data = self.data
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return any(str(value).strip() for value in values if value is not None)

    def clean(self):
        cleaned = super().clean()
        for name in self.refused:
            # add_error() knows only the form's own fields, and this one was dropped.
            self._errors[name] = self.error_class(
                [refusal(name)], renderer=self.renderer
            )
        return cleaned

    def to_filter(self) -> StatisticsFilter:
        """The validated filters (call after is_valid())."""
        data = self.cleaned_data
        return StatisticsFilter(
            cycle=data["cycle"].number if data.get("cycle") else None,
            review_year=data.get("review_year"),
            regional_group=data["regional_group"].slug
            if data.get("regional_group")
            else None,
            chapter=data["chapter"].number if data.get("chapter") else None,
            article=data["article"].number if data.get("article") else None,
            need_type=data["need_type"].slug if data.get("need_type") else None,
            coverage=data.get("coverage") or None,
            as_of=data.get("as_of"),
        )

    @property
    def regions_withheld(self) -> bool:
        """Regional breakdowns of needs are left out of this user's document.

        The note publishes States by regional group per chapter (paragraph 4), for
        every State. Per article or type they would give away the one State of a
        group that identified needs, article by article. So a user who may not
        filter by regional group gets them only in documents that are not narrowed
        by chapter, article, type or coverage (call after is_valid()).
        """
        return "regional_group" not in self.allowed and any(
            self.cleaned_data.get(name) for name in FINER_THAN_THE_NOTE
        )

    def document(self) -> StatisticsDocument:
        """The statistics document for these filters, as the user may have it."""
        document = compute(self.to_filter())
        if not self.regions_withheld:
            return document
        return dataclasses.replace(
            document,
            states_by_region={},
            chapters={
                number: dataclasses.replace(data, states_by_region={})
                for number, data in document.chapters.items()
            },
            coverage=dataclasses.replace(document.coverage, by_region={}),
        )


# ---------------------------------------------------------------------------
# An edition of the note
# ---------------------------------------------------------------------------
DATE_INPUT = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}
FIELDSETS = [
    (_("What the note covers"), ["cycle", "chapters", "cut_off", "figure_articles"]),
    (
        _("Title block"),
        [
            "title",
            "symbol",
            "issued_on",
            "distribution",
            "original_language",
            "body",
            "session",
            "venue",
            "agenda_item",
            "agenda_symbol",
            "agenda_title",
            "summary",
        ],
    ),
    (
        _("Text blocks"),
        [
            "mandate",
            "scope",
            "trends",
            "other_needs",
            "follow_up",
            "considerations",
        ],
    ),
    (_("Not printed"), ["editor_note"]),
]


TEXT_BLOCKS = [
    "summary",
    "mandate",
    "scope",
    "trends",
    "other_needs",
    "follow_up",
    "considerations",
    "editor_note",
]


class NoteEditionForm(forms.ModelForm):
    """An edition's parameters and text blocks (saved by `note_edition_save`)."""

    class Meta:
        model = NoteEdition
        fields = [name for _legend, names in FIELDSETS for name in names]
        # Narrow text areas: a fieldset is as wide as its widest field (390 px
        # screens), and the stylesheet widens them where there is room.
        widgets = {
            "chapters": forms.CheckboxSelectMultiple,
            "cut_off": forms.DateInput(**DATE_INPUT),
            "issued_on": forms.DateInput(**DATE_INPUT),
        } | {
            name: forms.Textarea(attrs={"rows": 8, "cols": 28}) for name in TEXT_BLOCKS
        }

    @property
    def fieldsets(self) -> list[tuple]:
        return [(legend, [self[name] for name in names]) for legend, names in FIELDSETS]

    def clean(self):
        cleaned = super().clean()
        cycle, chapters = cleaned.get("cycle"), cleaned.get("chapters")
        if cycle and chapters:
            allowed = set(cycle.chapters.all())
            outside = [c.number for c in chapters if c not in allowed]
            if outside:
                message = _(
                    # Translators: %(chapters)s lists chapters' Roman numerals.
                    "The cycle does not review chapters %(chapters)s."
                )
                self.add_error("chapters", message % {"chapters": ", ".join(outside)})
        return cleaned
