"""API of the follow-up: donors, assistance, action plans, follow-ups.

Viewsets load through `visible_to(user)` and write through the follow-up services.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from needs.exchange.spreadsheets import csv_response, matrix_rows, need_rows
from needs.filtersets import NeedFilterSet
from needs.followup import selectors, services
from needs.followup.filtersets import (
    ActionPlanFilterSet,
    AssistanceFilterSet,
    ConsentFilterSet,
    DonorFilterSet,
    FollowUpFilterSet,
)
from needs.followup.serializers import (
    ActionPlanSerializer,
    AssistanceSerializer,
    ConsentSerializer,
    DonorSerializer,
    FollowUpSerializer,
    LinkSerializer,
)
from needs.models import (
    ActionPlan,
    ActionPlanItem,
    Assistance,
    Consent,
    Donor,
    FollowUp,
)
from needs.permissions import can_edit_plan, follow_up_filter
from needs.serializers import NeedSerializer
from tatracker.drf import (
    ERROR_RESPONSES,
    CSVListMixin,
    CSVRenderer,
    HasRole,
    OptimisticLockingMixin,
    SecretariatWritesOthersRead,
    ServiceWritesMixin,
)
from tatracker.filters import check_query_parameters


class DonorViewSet(OptimisticLockingMixin, ServiceWritesMixin, viewsets.ModelViewSet):
    """Donors and partners (paragraph 78); the secretariat keeps them."""

    queryset = Donor.objects.select_related("home_country")
    serializer_class = DonorSerializer
    permission_classes = [SecretariatWritesOthersRead]
    filterset_class = DonorFilterSet
    search_fields = ["name"]
    ordering_fields = ["name", "id"]
    ordering = ["name"]

    def save_through(self, donor, *, user):
        return services.donor_save(donor=donor, user=user)

    def delete_through(self, donor, *, user):
        services.donor_delete(donor=donor, user=user)


class AssistanceViewSet(
    OptimisticLockingMixin, ServiceWritesMixin, viewsets.ModelViewSet
):
    """Assistance that serves States you may see, with the needs it addresses."""

    serializer_class = AssistanceSerializer
    permission_classes = [SecretariatWritesOthersRead]
    filterset_class = AssistanceFilterSet
    search_fields = ["title", "implementing_organization"]
    ordering_fields = ["starts_on", "ends_on", "title", "id"]
    ordering = ["id"]

    def get_queryset(self):
        user = self.request.user
        return Assistance.objects.visible_to(user).prefetch_related(
            "donors",
            "beneficiaries",
            Prefetch("links", queryset=selectors.visible_links(user=user)),
        )

    separate_fields = ("donors", "beneficiaries")

    def save_through(self, assistance, *, user, donors, beneficiaries):
        return services.assistance_save(
            assistance=assistance, user=user, donors=donors, beneficiaries=beneficiaries
        )

    def delete_through(self, assistance, *, user):
        services.assistance_delete(assistance=assistance, user=user)

    @extend_schema(request=LinkSerializer, responses={201: LinkSerializer})
    @action(detail=True, methods=["post"], url_path="link")
    def link(self, request, pk=None):
        """Record that this assistance addresses a need (in part or in full)."""
        assistance = self.get_object()
        data = LinkSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        link = services.assistance_link_need(
            assistance=assistance, user=request.user, **data.validated_data
        )
        return Response(LinkSerializer(link).data, status=status.HTTP_201_CREATED)


class ActionPlanViewSet(
    OptimisticLockingMixin, ServiceWritesMixin, viewsets.ModelViewSet
):
    """Prioritized action plans, kept by the secretariat and the focal points."""

    serializer_class = ActionPlanSerializer
    permission_classes = [HasRole]
    filterset_class = ActionPlanFilterSet
    search_fields = ["title"]
    ordering_fields = ["started_on", "title", "id"]
    ordering = ["id"]

    def get_queryset(self):
        return (
            ActionPlan.objects.visible_to(self.request.user)
            .select_related("state")
            .prefetch_related(
                Prefetch(
                    "items", queryset=ActionPlanItem.objects.prefetch_related("needs")
                )
            )
        )

    separate_fields = ("items",)

    def check_write_allowed(self, plan) -> None:
        if not can_edit_plan(self.request.user, plan.state_id):
            raise PermissionDenied(_("You cannot change this State's action plans."))

    def save_through(self, plan, *, user, items):
        return services.action_plan_save(plan=plan, items=items, user=user)

    def delete_through(self, plan, *, user):
        services.action_plan_delete(plan=plan, user=user)


class FollowUpViewSet(
    OptimisticLockingMixin, ServiceWritesMixin, viewsets.ModelViewSet
):
    """The follow-up of concluded reviews: letter, reply, events, next step."""

    serializer_class = FollowUpSerializer
    permission_classes = [SecretariatWritesOthersRead]
    filterset_class = FollowUpFilterSet
    search_fields = ["office", "next_step", "reply"]
    ordering_fields = ["letter_sent_on", "next_step_due", "id"]
    ordering = ["id"]

    def get_queryset(self):
        return (
            FollowUp.objects.visible_to(self.request.user)
            .select_related("review__state", "responsible")
            .prefetch_related("events")
        )

    separate_fields = ("events",)

    def new_instance(self):
        return FollowUp(responsible=self.request.user)

    def save_through(self, follow_up, *, user, events):
        return services.follow_up_save(follow_up=follow_up, events=events, user=user)

    def delete_through(self, follow_up, *, user):
        services.follow_up_delete(follow_up=follow_up, user=user)


class ConsentViewSet(OptimisticLockingMixin, ServiceWritesMixin, viewsets.ModelViewSet):
    """What each State agreed to share from its review, with whom, since when
    (paragraph 79): what viewers see of its needs, descriptions and action plan
    follows these records. The secretariat records and withdraws them (DELETE
    withdraws); a focal point reads its own State's."""

    serializer_class = ConsentSerializer
    permission_classes = [SecretariatWritesOthersRead]
    filterset_class = ConsentFilterSet
    ordering_fields = ["agreed_on", "id"]
    ordering = ["id"]

    def get_queryset(self):
        user = self.request.user
        return (
            Consent.objects.visible_to(user)
            .filter(follow_up_filter(user, prefix="review__"))
            .select_related("review__state")
        )

    def save_through(self, consent, *, user):
        return services.consent_record(
            review=consent.review,
            subject=consent.subject,
            audience=consent.audience,
            agreed_on=consent.agreed_on,
            notes=consent.notes,
            user=user,
        )

    def delete_through(self, consent, *, user):
        services.consent_withdraw(consent=consent, user=user)


@extend_schema_view(
    list=extend_schema(
        responses={
            (200, "application/json"): NeedSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            **ERROR_RESPONSES,
        },
    )
)
class UnmetNeedViewSet(CSVListMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Needs that no assistance addresses yet, among those you may see: the list for
    donors and partners, with the needs' filters (any role)."""

    serializer_class = NeedSerializer
    permission_classes = [HasRole]
    filterset_class = NeedFilterSet
    ordering = None  # the note's order (selectors.unmet_needs)

    def get_queryset(self):
        return selectors.unmet_needs(user=self.request.user).select_related("proposal")

    def csv(self, queryset):
        return csv_response("unmet-needs.csv", need_rows(queryset))


class DonorMappingCellSerializer(serializers.Serializer):
    projects = serializers.IntegerField(help_text=_("The donor's projects here."))
    in_full = serializers.IntegerField(help_text=_("Needs addressed in full."))
    in_part = serializers.IntegerField(
        help_text=_("Needs addressed only in part (none of the projects in full).")
    )


class DonorMappingColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class DonorMappingRowSerializer(serializers.Serializer):
    donor = serializers.CharField(
        help_text=_("The donor's name, or what says no donor is recorded.")
    )
    recorded = serializers.BooleanField(help_text=_("Whether the donor is recorded."))
    cells = serializers.DictField(
        child=DonorMappingCellSerializer(), help_text=_("Column key -> cell.")
    )
    total = DonorMappingCellSerializer(help_text=_("Over every column."))


class DonorMappingSerializer(serializers.Serializer):
    """Donors against one dimension of the needs (`by`): how many distinct needs you
    may see each addresses, in part and in full."""

    dimension = serializers.ChoiceField(choices=list(selectors.MAPPING_DIMENSIONS))
    statuses = serializers.ListField(
        child=serializers.ChoiceField(choices=Assistance.Status.choices),
        help_text=_("The assistance statuses counted."),
    )
    columns = DonorMappingColumnSerializer(many=True)
    rows = DonorMappingRowSerializer(many=True)


class DonorMappingView(APIView):
    """Donor mapping: donors against need types, articles, regional groups or
    States (`by`), as JSON or CSV (`Accept: text/csv` or `format=csv`)."""

    permission_classes = [HasRole]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]

    @extend_schema(
        operation_id="donor_mapping",
        parameters=[
            OpenApiParameter(
                "by",
                OpenApiTypes.STR,
                enum=list(selectors.MAPPING_DIMENSIONS),
                description=_("The dimension (default: type)."),
            ),
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                many=True,
                enum=Assistance.Status.values,
                description=_(
                    "Assistance statuses counted (repeat the parameter; default: "
                    "every status but planned)."
                ),
            ),
        ],
        responses={
            (200, "application/json"): DonorMappingSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            **ERROR_RESPONSES,
        },
    )
    def get(self, request):
        check_query_parameters(request, {"by", "status"})
        dimension = request.query_params.get("by", "type")
        if dimension not in selectors.MAPPING_DIMENSIONS:
            raise ValidationError(
                {
                    "by": [
                        # Translators: %(choices)s lists values, e.g. "type, article".
                        _("One of: %(choices)s.")
                        % {"choices": ", ".join(selectors.MAPPING_DIMENSIONS)}
                    ]
                }
            )
        statuses = tuple(request.query_params.getlist("status"))
        unknown = set(statuses) - set(Assistance.Status.values)
        if unknown:
            raise ValidationError(
                {
                    "status": [
                        # Translators: %(choices)s lists values, e.g. "type, article".
                        _("One of: %(choices)s.")
                        % {"choices": ", ".join(Assistance.Status.values)}
                    ]
                }
            )
        matrix = selectors.donor_matrix(
            user=request.user,
            dimension=dimension,
            statuses=statuses or selectors.MAPPING_STATUSES,
        )
        if request.accepted_renderer.format == CSVRenderer.format:
            return csv_response(f"donors-by-{dimension}.csv", matrix_rows(matrix))
        data = {
            "dimension": matrix.dimension,
            "statuses": list(matrix.statuses),
            "columns": [{"key": k, "label": label} for k, label in matrix.columns],
            "rows": matrix.rows,
        }
        return Response(DonorMappingSerializer(data).data)
