"""The needs' FilterSet, shared by the pages, the exports and the API.

Every label is given, lazily (`reviews.filtersets.field_label`): django-filter would
otherwise make one from the lookup ("Review state regional group") and cache it in
the language of the first request. The choice lists hold what the user may find: the
States whose reviews they see, the donors that address needs they see. The State is
typed (its code), with the first STATE_SUGGESTIONS States suggested: their number
grows with the data, and a page must not load every one of them.

The page lays its choice lists out once (`ChoiceLists`: the options as HTML, kept by
`tatracker.fragments` per data version and language, and the States suggested per
statement that reads them, which holds the reader's scope), then marks the chosen
option in a copy. Choice lists are read in one query each, not through a
server-side cursor.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField as FilterModelChoiceField
from django_filters.fields import ModelChoiceIterator as FilterModelChoiceIterator

from needs.models import Donor, Need, NeedType
from needs.permissions import (
    description_shared_filter,
    need_filter,
    sees_entry_workflow,
)
from reviews.filtersets import field_label
from reviews.models import (
    Article,
    Chapter,
    CountryReview,
    RegionalGroup,
    ReviewCycle,
    StateParty,
)
from tatracker import fragments


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
    scope = need_filter(_user(request))
    if not scope:  # every need (the secretariat): no need to name them
        linked = Donor.objects.filter(assistance__links__isnull=False)
    else:
        linked = Donor.objects.filter(
            assistance__links__need__in=Need.objects.filter(scope)
        )
    return Donor.objects.filter(pk__in=linked.values("pk")).order_by("name")


def unfiltered_form(request, lay_out) -> str:
    """The filter form as a page shows it when no filter is given (`lay_out(filterset)`
    writes it), laid out once per data version and language (`tatracker.fragments`)
    for each set of what it shows that depends on the reader: the statement of the
    States suggested (it holds their scope) and the donors listed (read each time:
    donors and their links are not data that raise the version)."""
    states = states_with_reviews(request)[:STATE_SUGGESTIONS]
    sql, params = states.query.sql_with_params()
    donors = tuple((donor.pk, str(donor)) for donor in donors_addressing_needs(request))
    key = (request.path, sql, tuple(map(repr, params)), donors)
    kept = fragments.kept(("unfiltered-form", get_language()), request)
    if key not in kept:
        kept[key] = lay_out(NeedFilterSet(QueryDict(), request=request))
    return kept[key]


DATE_INPUT = forms.DateInput(attrs={"type": "date"})
# States suggested under the State field; about 190 States are parties.
STATE_SUGGESTIONS = 300


class ChoiceLists:
    """A form's choice lists laid out as HTML options, kept per data version and
    language (`tatracker.fragments`). A list read by a statement that depends on the
    reader (the States they see) is kept per statement: its SQL and parameters."""

    def __init__(self, request=None):
        self.request = request
        self._kept = None

    def get(self, name: str, lay_out, *, queryset=None) -> str:
        """The options of field `name`, laid out by `lay_out()` the first time."""
        if self._kept is None:
            key = ("choice-lists", get_language())
            self._kept = fragments.kept(key, self.request)
        key = name
        if queryset is not None:
            sql, params = queryset.query.sql_with_params()
            key = (name, sql, tuple(map(repr, params)))
        if key not in self._kept:
            self._kept[key] = lay_out()
        return self._kept[key]


def _mark_safe(html: str) -> str:
    """Options laid out by format_html or format_html_join (escaped), kept as text."""
    return mark_safe(html)  # noqa: S308


class QuickSelect(forms.Select):
    """Django's select, its options written by format_html rather than through a
    template each (the same markup)."""

    def render(self, name, value, attrs=None, renderer=None):
        return self.select_html(name, value, attrs, self.options_html())

    def select_html(self, name, value, attrs, options: str) -> str:
        for chosen in self.format_value(value):
            tag = format_html('<option value="{}">', chosen)
            options = options.replace(tag, f"{tag[:-1]} selected>", 1)
        final_attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html(
            '<select name="{}"{}>{}</select>', name, final_attrs, _mark_safe(options)
        )

    def options_html(self) -> str:
        return "".join(
            format_html('<option value="{}">{}</option>', value, label)
            for value, label in self.choices
        )


class ListedSelect(QuickSelect):
    """A select whose options are laid out once (`ChoiceLists`, given per form as
    `choice_lists`) and reused, the chosen one marked in the copy. Its list is kept
    by field name: only for choices that are the same for every reader (reference
    data, fixed choices)."""

    choice_lists: ChoiceLists | None = None

    def render(self, name, value, attrs=None, renderer=None):
        if self.choice_lists is None:
            return super().render(name, value, attrs, renderer)
        options = self.choice_lists.get(name, self.options_html)
        return self.select_html(name, value, attrs, options)


class _ChoicesInOneQuery(forms.models.ModelChoiceIterator):
    """Choices read as one list: Django's iterator reads them with `.iterator()`,
    which on PostgreSQL declares a server-side cursor (three statements a list)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class ChoicesInOneQuery(FilterModelChoiceIterator, _ChoicesInOneQuery):
    """django-filter's iterator (its "null" choice) over `_ChoicesInOneQuery`."""


class ListedModelChoiceField(FilterModelChoiceField):
    iterator = ChoicesInOneQuery


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A model's choices, read in one query."""

    field_class = ListedModelChoiceField


class SuggestingInput(forms.TextInput):
    """A text input for the key of a long list of choices (a State's code), with
    its first `limit` choices suggested as the person types (a datalist, the label
    beside the key): one bounded query, whatever the number of choices; laid out
    once per statement where the form gives `choice_lists`."""

    choice_lists: ChoiceLists | None = None

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
        suggested = self.choices.queryset[: self.limit]
        if self.choice_lists is None:
            options = self.options_html(suggested)
        else:
            options = self.choice_lists.get(
                name, lambda: self.options_html(suggested), queryset=suggested
            )
        list_id = f"{(attrs or {}).get('id', name)}-suggestions"
        return format_html(
            '{}<datalist id="{}">{}</datalist>', html, list_id, _mark_safe(options)
        )

    def options_html(self, suggested) -> str:
        field, key = self.choices.field, self.choices.field.to_field_name
        return format_html_join(
            "",
            '<option value="{}">{}</option>',
            (
                (getattr(choice, key), field.label_from_instance(choice))
                for choice in suggested
            ),
        )


class NeedFilterSet(django_filters.FilterSet):
    regional_group = ModelChoiceFilter(
        field_name="review__state__regional_group",
        queryset=RegionalGroup.objects.all(),
        to_field_name="slug",
        empty_label=_("All regional groups"),
        label=field_label(StateParty, "regional_group"),
        widget=ListedSelect,
    )
    state = ModelChoiceFilter(
        field_name="review__state",
        queryset=states_with_reviews,
        to_field_name="code",
        empty_label=_("All States"),
        label=pgettext_lazy("a State party", "State"),
        widget=SuggestingInput(limit=STATE_SUGGESTIONS),
        error_messages={
            "invalid_choice": _(
                "No State with this code among those whose needs you may see: "
                "choose one of the States suggested."
            )
        },
    )
    cycle = ModelChoiceFilter(
        field_name="review__cycle",
        queryset=ReviewCycle.objects.all(),
        to_field_name="number",
        empty_label=_("All cycles"),
        label=field_label(CountryReview, "cycle"),
        widget=ListedSelect,
    )
    review_year = django_filters.NumberFilter(
        field_name="review__cycle_year", label=_("Year of the cycle")
    )
    chapter = ModelChoiceFilter(
        field_name="article__chapter",
        queryset=Chapter.objects.all(),
        to_field_name="number",
        empty_label=_("All chapters"),
        label=field_label(Article, "chapter"),
        widget=ListedSelect,
    )
    article = ModelChoiceFilter(
        queryset=Article.objects.all(),
        to_field_name="number",
        empty_label=_("All articles"),
        label=field_label(Need, "article"),
        widget=ListedSelect,
    )
    need_type = ModelChoiceFilter(
        queryset=NeedType.objects.all(),
        to_field_name="slug",
        empty_label=_("All types"),
        label=_("Type of need"),
        widget=ListedSelect,
    )
    coverage = django_filters.ChoiceFilter(
        choices=Need.Coverage.choices,
        widget=ListedSelect,
        empty_label=_("Any coverage"),
        label=field_label(Need, "coverage"),
    )
    priority = django_filters.ChoiceFilter(
        choices=Need.Priority.choices,
        widget=ListedSelect,
        empty_label=_("Any priority"),
        label=field_label(Need, "priority"),
    )
    source = django_filters.ChoiceFilter(
        choices=Need.Source.choices,
        widget=ListedSelect,
        empty_label=_("Any source"),
        label=field_label(Need, "source"),
    )
    # The donor's id in the query (?donor=3), its name in the list.
    donor = ModelChoiceFilter(
        field_name="assistance_links__assistance__donors",
        queryset=donors_addressing_needs,
        distinct=True,
        empty_label=_("Any donor or none"),
        label=_("Addressed by donor"),
        widget=QuickSelect,
    )
    status = django_filters.ChoiceFilter(
        choices=Need.Status.choices,
        widget=ListedSelect,
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

    @property
    def form(self):
        """The form; its lists laid out once (`ChoiceLists`) when it is shown."""
        if not hasattr(self, "_form"):
            lists = ChoiceLists(self.request)
            for field in super().form.fields.values():
                if hasattr(field.widget, "choice_lists"):
                    field.widget.choice_lists = lists
        return self._form

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
