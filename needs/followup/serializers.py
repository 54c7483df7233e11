"""Serializers of the follow-up: donors, assistance, action plans, follow-ups.

Input shapes only: no saves and no permission logic (the services do both)."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from needs.models import (
    ActionPlan,
    ActionPlanItem,
    Assistance,
    AssistanceNeed,
    Consent,
    Donor,
    FollowUp,
    FollowUpEvent,
    Need,
)
from needs.permissions import can_see_internal_notes, plan_state_filter
from reviews.models import CountryReview, StateParty
from reviews.serializers import FullCleanMixin


class VisibleNeeds(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Need.objects.visible_to(self.context["request"].user).select_related(
            "review"
        )


class DonorSerializer(FullCleanMixin, serializers.ModelSerializer):
    """A donor or partner (paragraph 78); the secretariat keeps them. Names are
    unique. A bilateral donor has a home country (400 without one)."""

    home_country = serializers.SlugRelatedField(
        slug_field="code",
        queryset=StateParty.objects.all(),
        allow_null=True,
        required=False,
        help_text=_("The donor's State, by code; required when `kind` is bilateral."),
    )

    class Meta:
        model = Donor
        fields = ["id", "name", "kind", "home_country", "notes"]
        validators = []


class LinkSerializer(serializers.ModelSerializer):
    """That the assistance addresses a need, in part or in full; the need's coverage
    follows from its links unless the secretariat has decided it."""

    need = VisibleNeeds()

    class Meta:
        model = AssistanceNeed
        fields = ["need", "coverage", "note"]


class AddressedNeedSerializer(serializers.Serializer):
    """A need the assistance addresses; `note` is null where its description is
    withheld from you."""

    need = serializers.IntegerField()
    coverage = serializers.ChoiceField(choices=AssistanceNeed.Coverage.choices)
    note = serializers.CharField(allow_null=True, allow_blank=True)


class AssistanceSerializer(FullCleanMixin, serializers.ModelSerializer):
    """A technical assistance project or activity; `needs` lists the needs it addresses
    that you may see. It serves at least one State (`beneficiaries`); national
    assistance serves exactly one. `notes` are the secretariat's: null for roles
    that may not read them."""

    donors = serializers.PrimaryKeyRelatedField(
        queryset=Donor.objects.all(), many=True, required=False
    )
    beneficiaries = serializers.SlugRelatedField(
        slug_field="code", queryset=StateParty.objects.all(), many=True
    )
    needs = serializers.SerializerMethodField()
    # Null for whoever may not read the secretariat's notes; null on input is empty.
    notes = serializers.CharField(required=False, allow_blank=True, allow_null=True)

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
        if "notes" in attrs and attrs["notes"] is None:
            attrs["notes"] = ""
        attrs = super().validate(attrs)
        beneficiaries = attrs.get("beneficiaries")
        modality = attrs.get("modality", getattr(self.instance, "modality", None))
        if beneficiaries is not None and not beneficiaries:
            raise serializers.ValidationError(
                {"beneficiaries": gettext("Name at least one State.")}
            )
        if (
            modality == Assistance.Modality.NATIONAL
            and beneficiaries
            and len(beneficiaries) > 1
        ):
            raise serializers.ValidationError(
                {
                    "modality": gettext(
                        "National assistance serves one State; use regional."
                    )
                }
            )
        return attrs

    @extend_schema_field(AddressedNeedSerializer(many=True))
    def get_needs(self, assistance):
        """The needs it addresses, among those you may see (the viewset prefetches
        them); a link's note is null where the need's description is withheld."""
        return [
            {
                "need": link.need_id,
                "coverage": link.coverage,
                "note": link.note if link.note_shared else None,
            }
            for link in assistance.links.all()
        ]

    def to_representation(self, assistance):
        """The secretariat's notes are for the secretariat and the States served."""
        data = super().to_representation(assistance)
        if not can_see_internal_notes(self.context["request"].user):
            data["notes"] = None
        return data


class ActionPlanItemSerializer(serializers.ModelSerializer):
    """One ranked entry of a plan: needs of the plan's State, who acts, by when, to
    what end. An item integrated into programming (`integration` other than
    `none`) needs `integration_reference` (400 without)."""

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


class PlanStateField(serializers.SlugRelatedField):
    """A State whose action plans you keep, by code; another State's code is refused
    exactly as a code that no State has."""

    default_error_messages = {
        "does_not_exist": _(
            # Translators: {value} is the State code given.
            "{value} is not the code of a State whose action plans you keep "
            "(a focal point keeps their own State's)."
        ),
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)

    def get_queryset(self):
        user = self.context["request"].user
        return StateParty.objects.filter(plan_state_filter(user))


class ActionPlanSerializer(FullCleanMixin, serializers.ModelSerializer):
    """A State's prioritized action plan; `items` replaces its items when given. An
    adopted plan has `adopted_on`, which cannot precede `started_on`. A focal point
    keeps their own State's plans; the secretariat every State's."""

    state = PlanStateField()
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
    """The follow-up of a concluded review; `events` replaces its events when given.
    A reply needs the letter first and cannot precede it; a `next_step_due` needs a
    `next_step`. `responsible` is who made the record (null once that account is
    gone)."""

    review = VisibleReviews()
    state = serializers.CharField(source="review.state.code", read_only=True)
    responsible = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
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


class ConsentSerializer(FullCleanMixin, serializers.ModelSerializer):
    """What a State agreed to share from its review, with whom, since when
    (paragraph 79). The review and the subject name the record: they are set when
    it is created and never change (record another subject instead); deleting the
    record withdraws the consent."""

    review = VisibleReviews()
    state = serializers.CharField(source="review.state.code", read_only=True)

    class Meta:
        model = Consent
        fields = ["id", "review", "state", "subject", "audience", "agreed_on", "notes"]
        validators = []

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("review", "subject"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError(
                        {
                            name: gettext(
                                "A consent's review and subject do not change; "
                                "withdraw it and record another."
                            )
                        }
                    )
        return super().validate(attrs)
