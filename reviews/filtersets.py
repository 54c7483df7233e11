"""FilterSets of the reviews app, shared by the pages and the API."""

import django_filters
from django.db.models import Q
from django.http import QueryDict
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from reviews.models import CountryReview, RegionalGroup, StateParty, sort_key


def field_label(model, name: str):
    """The field's verbose name, capitalised and still lazy (translated when shown).
    django-filter caches the labels it makes itself in the language of the first
    request that renders them; labels given this way follow every request's."""
    return capfirst(model._meta.get_field(name).verbose_name)


class StatePartyFilterSet(django_filters.FilterSet):
    """The API's filters of States (each filter applies only when given)."""

    regional_group = django_filters.ModelChoiceFilter(
        queryset=RegionalGroup.objects.all(),
        to_field_name="slug",
        empty_label=_("All regional groups"),
        label=field_label(StateParty, "regional_group"),
    )
    party_status = django_filters.ChoiceFilter(
        choices=StateParty.PartyStatus.choices,
        label=field_label(StateParty, "party_status"),
    )
    reconstructed = django_filters.BooleanFilter(
        label=field_label(StateParty, "reconstructed")
    )
    q = django_filters.CharFilter(method="search", label=_("Name or code"))

    class Meta:
        model = StateParty
        fields = ["regional_group", "party_status", "reconstructed"]

    def search(self, queryset, name, value):
        """By name, accents and case aside ("cote" finds Côte d'Ivoire), or code."""
        return queryset.filter(
            Q(name__icontains=value)
            | Q(sort_name__contains=sort_key(value))
            | Q(code__iexact=value)
        )


# The value of a page filter that selects every row (no filter).
ALL = "all"


class StatePartyListFilterSet(StatePartyFilterSet):
    """The States page: States parties of the world unless asked otherwise; the
    anonymised States of the 2013 reconstruction (a demonstration data set) only
    when asked for. Each filter has an explicit choice for "all"."""

    DEFAULTS = {"party_status": StateParty.PartyStatus.YES, "reconstructed": "false"}

    q = django_filters.CharFilter(method="search", label=_("Name or code"))
    party_status = django_filters.ChoiceFilter(
        choices=[
            (StateParty.PartyStatus.YES, _("Parties to the Convention")),
            (StateParty.PartyStatus.NO, _("Not parties")),
            (StateParty.PartyStatus.UNKNOWN, _("Status unconfirmed")),
            (ALL, _("All States")),
        ],
        empty_label=None,
        method="choose",
        label=_("Party to the Convention"),
    )
    reconstructed = django_filters.ChoiceFilter(
        choices=[
            ("false", _("Real States")),
            ("true", _("Demonstration data (2013 reconstruction)")),
            (ALL, _("Real States and demonstration data")),
        ],
        empty_label=None,
        method="choose",
        label=_("Data set"),
    )

    class Meta(StatePartyFilterSet.Meta):
        fields = ["q", "party_status", "regional_group", "reconstructed"]

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        for name, value in self.DEFAULTS.items():
            if not data.get(name):
                data[name] = value
        super().__init__(data, *args, **kwargs)

    def choose(self, queryset, name, value):
        if value == ALL:
            return queryset
        if name == "reconstructed":
            return queryset.filter(reconstructed=value == "true")
        return queryset.filter(**{name: value})


class CountryReviewFilterSet(django_filters.FilterSet):
    state = django_filters.CharFilter(field_name="state__code", lookup_expr="iexact")
    regional_group = django_filters.CharFilter(field_name="state__regional_group__slug")
    cycle = django_filters.NumberFilter(field_name="cycle__number")
    cycle_year = django_filters.NumberFilter()
    completed_after = django_filters.DateFilter(
        field_name="completed_on", lookup_expr="gte"
    )
    completed_before = django_filters.DateFilter(
        field_name="completed_on", lookup_expr="lte"
    )

    class Meta:
        model = CountryReview
        fields = ["state", "regional_group", "cycle", "cycle_year", "status"]
