"""Input shapes of the reports: the statistics filters."""

from django import forms

from needs.models import Need, NeedType
from needs.reports.statistics import StatisticsFilter
from reviews.models import Article, Chapter, RegionalGroup, ReviewCycle


class StatisticsFilterForm(forms.Form):
    """The statistics filters, shared by the report pages, the API and the CLI."""

    cycle = forms.ModelChoiceField(
        ReviewCycle.objects.all(),
        to_field_name="number",
        required=False,
        empty_label="All cycles",
    )
    review_year = forms.IntegerField(
        label="Year of the cycle", min_value=1, max_value=10, required=False
    )
    regional_group = forms.ModelChoiceField(
        RegionalGroup.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="All regional groups",
    )
    chapter = forms.ModelChoiceField(
        Chapter.objects.all(),
        to_field_name="number",
        required=False,
        empty_label="All chapters",
    )
    article = forms.ModelChoiceField(
        Article.objects.all(),
        to_field_name="number",
        required=False,
        empty_label="All articles",
    )
    need_type = forms.ModelChoiceField(
        NeedType.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="All types",
        label="Type of need",
    )
    coverage = forms.ChoiceField(
        choices=[("", "Any coverage"), *Need.Coverage.choices], required=False
    )
    as_of = forms.DateField(
        label="Reviews completed by",
        required=False,
        help_text="YYYY-MM-DD",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

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
