"""FilterSets of the needs app, shared by the pages and the API."""

import django_filters
from django.db.models import Q

from needs.models import ActionPlan, Assistance, Donor, FollowUp, Need, NeedType
from reviews.models import Article, Chapter, RegionalGroup, ReviewCycle, StateParty


class NeedFilterSet(django_filters.FilterSet):
    regional_group = django_filters.ModelChoiceFilter(
        field_name="review__state__regional_group",
        queryset=RegionalGroup.objects.all(),
        to_field_name="slug",
        empty_label="All regional groups",
    )
    state = django_filters.ModelChoiceFilter(
        field_name="review__state",
        queryset=lambda request: (
            StateParty.objects.visible_to(request.user)
            if request
            else StateParty.objects.all()
        ),
        to_field_name="code",
        empty_label="All States",
    )
    cycle = django_filters.ModelChoiceFilter(
        field_name="review__cycle",
        queryset=ReviewCycle.objects.all(),
        to_field_name="number",
        empty_label="All cycles",
    )
    review_year = django_filters.NumberFilter(
        field_name="review__cycle_year", label="Year of the cycle"
    )
    chapter = django_filters.ModelChoiceFilter(
        field_name="article__chapter",
        queryset=Chapter.objects.all(),
        to_field_name="number",
        empty_label="All chapters",
    )
    article = django_filters.ModelChoiceFilter(
        queryset=Article.objects.all(),
        to_field_name="number",
        empty_label="All articles",
    )
    need_type = django_filters.ModelChoiceFilter(
        queryset=NeedType.objects.all(),
        to_field_name="slug",
        empty_label="All types",
        label="Type of need",
    )
    coverage = django_filters.ChoiceFilter(choices=Need.Coverage.choices)
    priority = django_filters.ChoiceFilter(choices=Need.Priority.choices)
    source = django_filters.ChoiceFilter(choices=Need.Source.choices)
    donor = django_filters.NumberFilter(
        field_name="assistance_links__assistance__donors",
        distinct=True,
        label="Addressed by donor (id)",
    )
    status = django_filters.ChoiceFilter(choices=Need.Status.choices)
    updated_after = django_filters.DateFilter(
        field_name="updated_at", lookup_expr="date__gte"
    )
    updated_before = django_filters.DateFilter(
        field_name="updated_at", lookup_expr="date__lte"
    )
    q = django_filters.CharFilter(method="search", label="Search descriptions")

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


class ActionPlanFilterSet(django_filters.FilterSet):
    state = django_filters.CharFilter(field_name="state__code", lookup_expr="iexact")
    regional_group = django_filters.CharFilter(field_name="state__regional_group__slug")
    started_after = django_filters.DateFilter(
        field_name="started_on", lookup_expr="gte"
    )
    started_before = django_filters.DateFilter(
        field_name="started_on", lookup_expr="lte"
    )

    class Meta:
        model = ActionPlan
        fields = ["state", "regional_group", "status"]


class DonorFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Donor
        fields = ["kind"]


class AssistanceFilterSet(django_filters.FilterSet):
    donor = django_filters.NumberFilter(field_name="donors")
    state = django_filters.CharFilter(
        field_name="beneficiaries__code", lookup_expr="iexact"
    )
    regional_group = django_filters.CharFilter(
        field_name="beneficiaries__regional_group__slug", distinct=True
    )
    starts_after = django_filters.DateFilter(field_name="starts_on", lookup_expr="gte")
    ends_before = django_filters.DateFilter(field_name="ends_on", lookup_expr="lte")

    class Meta:
        model = Assistance
        fields = ["donor", "state", "regional_group", "status", "modality", "source"]


class FollowUpFilterSet(django_filters.FilterSet):
    state = django_filters.CharFilter(
        field_name="review__state__code", lookup_expr="iexact"
    )
    regional_group = django_filters.CharFilter(
        field_name="review__state__regional_group__slug"
    )
    cycle = django_filters.NumberFilter(field_name="review__cycle__number")
    letter_sent_after = django_filters.DateFilter(
        field_name="letter_sent_on", lookup_expr="gte"
    )
    letter_sent_before = django_filters.DateFilter(
        field_name="letter_sent_on", lookup_expr="lte"
    )

    class Meta:
        model = FollowUp
        fields = ["state", "regional_group", "cycle", "followed_up_by"]
