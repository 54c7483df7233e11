"""API of the follow-up: donors, assistance, action plans, follow-ups."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from needs import followup
from needs.filtersets import (
    ActionPlanFilterSet,
    AssistanceFilterSet,
    DonorFilterSet,
    FollowUpFilterSet,
)
from needs.models import (
    ActionPlan,
    ActionPlanItem,
    Assistance,
    AssistanceNeed,
    Donor,
    FollowUp,
    FollowUpEvent,
    Need,
)
from reviews.api.permissions import HasRole, SecretariatWritesOthersRead
from reviews.api.serializers import FullCleanMixin
from reviews.models import CountryReview, StateParty


class VisibleNeeds(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Need.objects.visible_to(self.context["request"].user).select_related(
            "review"
        )


class DonorSerializer(FullCleanMixin, serializers.ModelSerializer):
    """A donor or partner; a bilateral one has a home country."""

    home_country = serializers.SlugRelatedField(
        slug_field="code",
        queryset=StateParty.objects.all(),
        allow_null=True,
        required=False,
    )

    class Meta:
        model = Donor
        fields = ["id", "name", "kind", "home_country", "notes"]
        validators = []


class LinkSerializer(serializers.ModelSerializer):
    need = VisibleNeeds()

    class Meta:
        model = AssistanceNeed
        fields = ["need", "coverage", "note"]


class AssistanceSerializer(FullCleanMixin, serializers.ModelSerializer):
    """A technical assistance project or activity; `needs` lists the needs it addresses
    that you may see."""

    donors = serializers.PrimaryKeyRelatedField(
        queryset=Donor.objects.all(), many=True, required=False
    )
    beneficiaries = serializers.SlugRelatedField(
        slug_field="code", queryset=StateParty.objects.all(), many=True
    )
    needs = serializers.SerializerMethodField()

    class Meta:
        model = Assistance
        fields = [
            "id",
            "title",
            "donors",
            "implementing_organization",
            "beneficiaries",
            "starts_on",
            "ends_on",
            "status",
            "modality",
            "budget",
            "currency",
            "source",
            "notes",
            "needs",
        ]
        validators = []

    def validate(self, attrs):
        attrs = super().validate(attrs)
        beneficiaries = attrs.get("beneficiaries")
        modality = attrs.get("modality", getattr(self.instance, "modality", None))
        if beneficiaries is not None and not beneficiaries:
            raise serializers.ValidationError(
                {"beneficiaries": "Name at least one State."}
            )
        if (
            modality == Assistance.Modality.NATIONAL
            and beneficiaries
            and len(beneficiaries) > 1
        ):
            raise serializers.ValidationError(
                {"modality": "National assistance serves one State; use regional."}
            )
        return attrs

    def get_needs(self, assistance) -> list[dict]:
        """The needs it addresses, among those you may see."""
        visible = self.context["visible_needs"]
        return [
            {"need": link.need_id, "coverage": link.coverage, "note": link.note}
            for link in assistance.links.all()
            if link.need_id in visible
        ]


class ActionPlanItemSerializer(serializers.ModelSerializer):
    needs = VisibleNeeds(many=True, required=False)

    class Meta:
        model = ActionPlanItem
        fields = [
            "rank",
            "group",
            "needs",
            "responsible_authority",
            "due_on",
            "expected_result",
            "integration",
            "integration_reference",
            "completed",
        ]
        validators = []


class ActionPlanSerializer(FullCleanMixin, serializers.ModelSerializer):
    """A State's prioritized action plan; `items` replaces its items when given."""

    state = serializers.SlugRelatedField(
        slug_field="code", queryset=StateParty.objects.all()
    )
    items = ActionPlanItemSerializer(many=True, required=False)

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "state",
            "title",
            "status",
            "started_on",
            "adopted_on",
            "superseded_on",
            "notes",
            "items",
        ]
        validators = []

    def validate(self, attrs):
        items = attrs.pop("items", None)
        attrs = super().validate(attrs)
        if items is not None:
            attrs["items"] = items
        return attrs


class FollowUpEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUpEvent
        fields = ["date", "kind", "participants", "outcome"]


class VisibleReviews(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return CountryReview.objects.visible_to(self.context["request"].user)


class FollowUpSerializer(FullCleanMixin, serializers.ModelSerializer):
    """The follow-up of a concluded review; `events` replaces its events when given."""

    review = VisibleReviews()
    state = serializers.CharField(source="review.state.code", read_only=True)
    responsible = serializers.SlugRelatedField(slug_field="username", read_only=True)
    events = FollowUpEventSerializer(many=True, required=False)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "review",
            "state",
            "letter_sent_on",
            "reply",
            "reply_received_on",
            "followed_up_by",
            "office",
            "responsible",
            "next_step",
            "next_step_due",
            "events",
        ]
        validators = []

    def validate(self, attrs):
        events = attrs.pop("events", None)
        attrs = super().validate(attrs)
        if events is not None:
            attrs["events"] = events
        return attrs


class DonorViewSet(viewsets.ModelViewSet):
    """Donors and partners (paragraph 78); the secretariat keeps them."""

    queryset = Donor.objects.select_related("home_country")
    serializer_class = DonorSerializer
    permission_classes = [SecretariatWritesOthersRead]
    filterset_class = DonorFilterSet
    search_fields = ["name"]
    ordering_fields = ["name", "id"]
    ordering = ["name"]


class AssistanceViewSet(viewsets.ModelViewSet):
    """Assistance that serves States you may see, with the needs it addresses."""

    serializer_class = AssistanceSerializer
    permission_classes = [SecretariatWritesOthersRead]
    filterset_class = AssistanceFilterSet
    search_fields = ["title", "implementing_organization"]
    ordering_fields = ["starts_on", "ends_on", "title", "id"]
    ordering = ["id"]

    def get_queryset(self):
        return Assistance.objects.visible_to(self.request.user).prefetch_related(
            "donors", "beneficiaries", "links"
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["visible_needs"] = set(
            Need.objects.visible_to(self.request.user).values_list("pk", flat=True)
        )
        return context

    def perform_create(self, serializer):
        serializer.save()

    def perform_update(self, serializer):
        serializer.instance._history_user = self.request.user
        assistance = serializer.save()
        followup.assistance_refresh_needs(assistance=assistance, user=self.request.user)

    @extend_schema(request=LinkSerializer, responses={201: LinkSerializer})
    @action(detail=True, methods=["post"], url_path="link")
    def link(self, request, pk=None):
        """Record that this assistance addresses a need (in part or in full)."""
        assistance = self.get_object()
        data = LinkSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        try:
            link = followup.assistance_link_need(
                assistance=assistance, user=request.user, **data.validated_data
            )
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        return Response(LinkSerializer(link).data, status=status.HTTP_201_CREATED)


class ActionPlanViewSet(viewsets.ModelViewSet):
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

    def perform_create(self, serializer):
        self._save(serializer, ActionPlan())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    def _save(self, serializer, plan):
        values = dict(serializer.validated_data)
        items = values.pop("items", None)
        for field, value in values.items():
            setattr(plan, field, value)
        try:
            serializer.instance = followup.action_plan_save(
                plan=plan, items=items, user=self.request.user
            )
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error

    def perform_destroy(self, instance):
        if not followup.can_edit_plan(self.request.user, instance.state_id):
            raise PermissionDenied("You cannot delete this State's action plans.")
        instance._history_user = self.request.user
        instance.delete()


class FollowUpViewSet(viewsets.ModelViewSet):
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

    def perform_create(self, serializer):
        self._save(serializer, FollowUp(responsible=self.request.user))

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    def _save(self, serializer, follow_up):
        values = dict(serializer.validated_data)
        events = values.pop("events", None)
        for field, value in values.items():
            setattr(follow_up, field, value)
        serializer.instance = followup.follow_up_save(
            follow_up=follow_up, events=events, user=self.request.user
        )
