"""The needs' FilterSet, shared by the pages, the exports and the API.

Every label is given, lazily (`reviews.filtersets.field_label`): django-filter would
otherwise make one from the lookup ("Review state regional group") and cache it in
the language of the first request. The choice lists hold what the user may find: the
States whose reviews they see, the donors that address needs they see. The State is
typed (its code), with the first STATE_SUGGESTIONS States suggested: their number
grows with the data, and a page must not load every one of them.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from needs.models import Donor, Need, NeedType
from needs.permissions import description_shared_filter, sees_entry_workflow
from reviews.filtersets import field_label
from reviews.models import (
    Article,
    Chapter,
    CountryReview,
    RegionalGroup,
    ReviewCycle,
    StateParty,
)


def _user(request):
    return getattr(request, "user", None)


def states_with_reviews(request):
    """States with at least one review the user sees, by name."""
    if request is None:
        return StateParty.objects.all()
    reviews = CountryReview.objects.visible_to(_user(request)).filter(
        state=OuterRef("pk")
    )
    return StateParty.objects.filter(Exists(reviews)).order_by("sort_name")


def donors_addressing_needs(request):
    """Donors of assistance linked to at least one need the user sees, by name."""
    if request is None:
        return Donor.objects.all()
    needs = Need.objects.visible_to(_user(request))
    return Donor.objects.filter(
        pk__in=Donor.objects.filter(assistance__links__need__in=needs).values("pk")
    ).order_by("name")


DATE_INPUT = forms.DateInput(attrs={"type": "date"})
# States suggested under the State field; about 190 States are parties.
STATE_SUGGESTIONS = 300


class SuggestingInput(forms.TextInput):
    """A text input for the key of a long list of choices (a State's code), with
    its first `limit` choices suggested as the person types (a datalist, the label
    beside the key): one bounded query, whatever the number of choices."""

    def __init__(self, *args, limit: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit = limit

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["list"] = f"{widget_attrs.get('id', name)}-suggestions"
        widget_attrs["autocomplete"] = "off"
        return context

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        field, key = self.choices.field, self.choices.field.to_field_name
        options = format_html_join(
            "",
            '<option value="{}">{}</option>',
            (
                (getattr(choice, key), field.label_from_instance(choice))
                for choice in self.choices.queryset[: self.limit]
            ),
        )
        list_id = f"{(attrs or {}).get('id', name)}-suggestions"
        return format_html('{}<datalist id="{}">{}</datalist>', html, list_id, options)


class NeedFilterSet(django_filters.FilterSet):
    regional_group = django_filters.ModelChoiceFilter(
        field_name="review__state__regional_group",
        queryset=RegionalGroup.objects.all(),
        to_field_name="slug",
        empty_label=_("All regional groups"),
        label=field_label(StateParty, "regional_group"),
    )
    state = django_filters.ModelChoiceFilter(
        field_name="review__state",
        queryset=states_with_reviews,
        to_field_name="code",
        empty_label=_("All States"),
        label=pgettext_lazy("a State party", "State"),
        widget=SuggestingInput(limit=STATE_SUGGESTIONS),
    )
    cycle = django_filters.ModelChoiceFilter(
        field_name="review__cycle",
        queryset=ReviewCycle.objects.all(),
        to_field_name="number",
        empty_label=_("All cycles"),
        label=field_label(CountryReview, "cycle"),
    )
    review_year = django_filters.NumberFilter(
        field_name="review__cycle_year", label=_("Year of the cycle")
    )
    chapter = django_filters.ModelChoiceFilter(
        field_name="article__chapter",
        queryset=Chapter.objects.all(),
        to_field_name="number",
        empty_label=_("All chapters"),
        label=field_label(Article, "chapter"),
    )
    article = django_filters.ModelChoiceFilter(
        queryset=Article.objects.all(),
        to_field_name="number",
        empty_label=_("All articles"),
        label=field_label(Need, "article"),
    )
    need_type = django_filters.ModelChoiceFilter(
        queryset=NeedType.objects.all(),
        to_field_name="slug",
        empty_label=_("All types"),
        label=_("Type of need"),
    )
    coverage = django_filters.ChoiceFilter(
        choices=Need.Coverage.choices,
        empty_label=_("Any coverage"),
        label=field_label(Need, "coverage"),
    )
    priority = django_filters.ChoiceFilter(
        choices=Need.Priority.choices,
        empty_label=_("Any priority"),
        label=field_label(Need, "priority"),
    )
    source = django_filters.ChoiceFilter(
        choices=Need.Source.choices,
        empty_label=_("Any source"),
        label=field_label(Need, "source"),
    )
    # The donor's id in the query (?donor=3), its name in the list.
    donor = django_filters.ModelChoiceFilter(
        field_name="assistance_links__assistance__donors",
        queryset=donors_addressing_needs,
        distinct=True,
        empty_label=_("Any donor or none"),
        label=_("Addressed by donor"),
    )
    status = django_filters.ChoiceFilter(
        choices=Need.Status.choices,
        empty_label=_("Any status"),
        label=field_label(Need, "status"),
        method="filter_status",
    )
    updated_after = django_filters.DateFilter(
        field_name="updated_at",
        lookup_expr="date__gte",
        method="filter_changed_after",
        widget=DATE_INPUT,
        label=_("Changed on or after"),
    )
    updated_before = django_filters.DateFilter(
        field_name="updated_at",
        lookup_expr="date__lte",
        method="filter_changed_before",
        widget=DATE_INPUT,
        label=_("Changed on or before"),
    )
    q = django_filters.CharFilter(method="search", label=_("Search descriptions"))

    def filter_status(self, queryset, name, value):
        """A viewer sees every need as accepted (`sees_entry_workflow`): the filter
        may not tell which ones the State is changing."""
        if sees_entry_workflow(getattr(self.request, "user", None)):
            return queryset.filter(status=value)
        return queryset if value == Need.Status.ACCEPTED else queryset.none()

    def filter_changed_after(self, queryset, name, value):
        return queryset.filter(**{f"{self._changed_field()}__date__gte": value})

    def filter_changed_before(self, queryset, name, value):
        return queryset.filter(**{f"{self._changed_field()}__date__lte": value})

    def _changed_field(self) -> str:
        """A viewer's time of change is the accepted values' (`published_workflow`):
        the filters may not tell which needs the State saved a proposal of."""
        if sees_entry_workflow(_user(self.request)):
            return "updated_at"
        return "accepted_changed_at"

    class Meta:
        model = Need
        fields = [
            "regional_group",
            "state",
            "cycle",
            "review_year",
            "chapter",
            "article",
            "need_type",
            "coverage",
            "priority",
            "source",
        ]

    def search(self, queryset, name, value):
        """Only the descriptions the user may read: a search must not tell which
        withheld description holds a word."""
        return queryset.filter(
            description_shared_filter(_user(self.request)),
            Q(description__icontains=value) | Q(remaining__icontains=value),
        )
