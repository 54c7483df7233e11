"""FilterSets of the follow-up records, shared by the pages and the API."""

import django_filters

from needs.models import ActionPlan, Assistance, Donor, FollowUp


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
