"""FilterSets of the follow-up records, shared by the pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from needs.models import ActionPlan, Assistance, Consent, Donor, FollowUp


class ActionPlanFilterSet(django_filters.FilterSet):
    state = django_filters.CharFilter(
        field_name="state__code", lookup_expr="iexact", label=_("State code")
    )
    regional_group = django_filters.CharFilter(
        field_name="state__regional_group__slug", label=_("State regional group slug")
    )
    started_after = django_filters.DateFilter(
        field_name="started_on",
        lookup_expr="gte",
        label=_("Started on is greater than or equal to"),
    )
    started_before = django_filters.DateFilter(
        field_name="started_on",
        lookup_expr="lte",
        label=_("Started on is less than or equal to"),
    )

    class Meta:
        model = ActionPlan
        fields = ["state", "regional_group", "status"]


class DonorFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("Name contains")
    )

    class Meta:
        model = Donor
        fields = ["kind"]


class AssistanceFilterSet(django_filters.FilterSet):
    donor = django_filters.NumberFilter(field_name="donors", label=_("Donors"))
    state = django_filters.CharFilter(
        field_name="beneficiaries__code",
        lookup_expr="iexact",
        label=_("Beneficiaries code"),
    )
    regional_group = django_filters.CharFilter(
        field_name="beneficiaries__regional_group__slug",
        distinct=True,
        label=_("Beneficiaries regional group slug"),
    )
    starts_after = django_filters.DateFilter(
        field_name="starts_on",
        lookup_expr="gte",
        label=_("Starts on is greater than or equal to"),
    )
    ends_before = django_filters.DateFilter(
        field_name="ends_on",
        lookup_expr="lte",
        label=_("Ends on is less than or equal to"),
    )

    class Meta:
        model = Assistance
        fields = ["donor", "state", "regional_group", "status", "modality", "source"]


class FollowUpFilterSet(django_filters.FilterSet):
    state = django_filters.CharFilter(
        field_name="review__state__code",
        lookup_expr="iexact",
        label=_("Review state code"),
    )
    regional_group = django_filters.CharFilter(
        field_name="review__state__regional_group__slug",
        label=_("Review state regional group slug"),
    )
    cycle = django_filters.NumberFilter(
        field_name="review__cycle__number", label=_("Review cycle number")
    )
    letter_sent_after = django_filters.DateFilter(
        field_name="letter_sent_on",
        lookup_expr="gte",
        label=_("Letter sent on is greater than or equal to"),
    )
    letter_sent_before = django_filters.DateFilter(
        field_name="letter_sent_on",
        lookup_expr="lte",
        label=_("Letter sent on is less than or equal to"),
    )

    class Meta:
        model = FollowUp
        fields = ["state", "regional_group", "cycle", "followed_up_by"]


class ConsentFilterSet(django_filters.FilterSet):
    state = django_filters.CharFilter(
        field_name="review__state__code",
        lookup_expr="iexact",
        label=_("Review state code"),
    )
    cycle = django_filters.NumberFilter(
        field_name="review__cycle__number", label=_("Review cycle number")
    )

    class Meta:
        model = Consent
        fields = ["state", "cycle", "review", "subject", "audience"]
