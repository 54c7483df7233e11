"""FilterSets of the reviews app, shared by the pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from reviews.models import CountryReview, RegionalGroup, StateParty


def field_label(model, name: str):
    """The field's verbose name, capitalised and still lazy (translated when shown).
    django-filter caches the labels it makes itself in the language of the first
    request that renders them; labels given this way follow every request's."""
    return capfirst(model._meta.get_field(name).verbose_name)


class StatePartyFilterSet(django_filters.FilterSet):
    regional_group = django_filters.ModelChoiceFilter(
        queryset=RegionalGroup.objects.all(),
        to_field_name="slug",
        empty_label=_("All regional groups"),
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
        return queryset.filter(Q(name__icontains=value) | Q(code__iexact=value))


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
