"""The needs' FilterSet, shared by the pages, the exports and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from needs.models import Need, NeedType
from reviews.filtersets import field_label
from reviews.models import Article, Chapter, RegionalGroup, ReviewCycle, StateParty


class NeedFilterSet(django_filters.FilterSet):
    regional_group = django_filters.ModelChoiceFilter(
        field_name="review__state__regional_group",
        queryset=RegionalGroup.objects.all(),
        to_field_name="slug",
        empty_label=_("All regional groups"),
    )
    state = django_filters.ModelChoiceFilter(
        field_name="review__state",
        queryset=lambda request: (
            StateParty.objects.visible_to(request.user)
            if request
            else StateParty.objects.all()
        ),
        to_field_name="code",
        empty_label=_("All States"),
    )
    cycle = django_filters.ModelChoiceFilter(
        field_name="review__cycle",
        queryset=ReviewCycle.objects.all(),
        to_field_name="number",
        empty_label=_("All cycles"),
    )
    review_year = django_filters.NumberFilter(
        field_name="review__cycle_year", label=_("Year of the cycle")
    )
    chapter = django_filters.ModelChoiceFilter(
        field_name="article__chapter",
        queryset=Chapter.objects.all(),
        to_field_name="number",
        empty_label=_("All chapters"),
    )
    article = django_filters.ModelChoiceFilter(
        queryset=Article.objects.all(),
        to_field_name="number",
        empty_label=_("All articles"),
    )
    need_type = django_filters.ModelChoiceFilter(
        queryset=NeedType.objects.all(),
        to_field_name="slug",
        empty_label=_("All types"),
        label=_("Type of need"),
    )
    # Labels given lazily: django-filter would cache its own, in the language of the
    # first request that renders them.
    coverage = django_filters.ChoiceFilter(
        choices=Need.Coverage.choices, label=field_label(Need, "coverage")
    )
    priority = django_filters.ChoiceFilter(
        choices=Need.Priority.choices, label=field_label(Need, "priority")
    )
    source = django_filters.ChoiceFilter(
        choices=Need.Source.choices, label=field_label(Need, "source")
    )
    donor = django_filters.NumberFilter(
        field_name="assistance_links__assistance__donors",
        distinct=True,
        label=_("Addressed by donor (id)"),
    )
    status = django_filters.ChoiceFilter(
        choices=Need.Status.choices, label=field_label(Need, "status")
    )
    updated_after = django_filters.DateFilter(
        field_name="updated_at", lookup_expr="date__gte"
    )
    updated_before = django_filters.DateFilter(
        field_name="updated_at", lookup_expr="date__lte"
    )
    q = django_filters.CharFilter(method="search", label=_("Search descriptions"))

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
        return queryset.filter(
            Q(description__icontains=value) | Q(remaining__icontains=value)
        )
