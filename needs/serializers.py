"""Serializers of needs: input shapes only (no saves, no permission logic), and the
list's rows written as NeedSerializer writes them, from values (`need_list_data`)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from needs.models import EntryEvent, Need, NeedProposal, NeedType
from needs.permissions import (
    can_see_description,
    can_see_proposals,
    sees_entry_workflow,
)
from reviews.models import Article, CountryReview
from reviews.serializers import FullCleanMixin


class NeedTypeSerializer(serializers.ModelSerializer):
    aliases = serializers.SlugRelatedField(
        slug_field="label", many=True, read_only=True
    )

    class Meta:
        model = NeedType
        fields = ["slug", "name", "short_name", "display_order", "aliases"]


class VisibleReviewField(serializers.PrimaryKeyRelatedField):
    """A review the user may record needs for; any other id is refused alike."""

    default_error_messages = {
        "does_not_exist": _(
            # Translators: keep {pk_value} as it is: the review's id.
            "Review {pk_value} is not one of the reviews you may record needs for "
            "(a focal point records needs of their own State only)."
        ),
    }

    def get_queryset(self):
        return CountryReview.objects.visible_to(self.context["request"].user)


class NeedProposalSerializer(serializers.ModelSerializer):
    """The State's proposal under way: what the secretariat has not yet accepted."""

    changes = serializers.SerializerMethodField()

    class Meta:
        model = NeedProposal
        fields = [
            "kind",
            "status",
            "description",
            "priority",
            "source",
            "remaining",
            "coverage",
            "coverage_reason",
            "return_comment",
            "updated_at",
            "changes",
        ]
        read_only_fields = fields

    def get_changes(self, proposal) -> dict[str, dict]:
        """{field: {"accepted": value, "proposed": value}} for each field it changes."""
        return {
            field: {"accepted": accepted, "proposed": proposed}
            for field, accepted, proposed in proposal.changes()
        }


class NeedSerializer(FullCleanMixin, serializers.ModelSerializer):
    """A technical assistance need: its accepted values (what counts and what others
    see). Description and remaining are null when withheld from you. `proposal` is
    the State's change under way, shown to the State and the secretariat only (null
    otherwise, and when there is none). `version` and `updated_at` move with every
    save for the State and the secretariat; for anybody else, only when the
    accepted values change."""

    review = VisibleReviewField()
    article = serializers.SlugRelatedField(
        slug_field="number", queryset=Article.objects.all()
    )
    need_type = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=NeedType.objects.all(),
        # Translators: keep {value} as it is: the type sent.
        error_messages={"does_not_exist": _("Unknown type of need: {value}.")},
    )
    state = serializers.CharField(source="review.state.code", read_only=True)
    chapter = serializers.CharField(source="article.chapter.number", read_only=True)
    accepted = serializers.SerializerMethodField()
    proposal = serializers.SerializerMethodField()

    class Meta:
        model = Need
        fields = [
            "id",
            "state",
            "review",
            "chapter",
            "article",
            "need_type",
            "description",
            "priority",
            "source",
            "coverage",
            "remaining",
            "status",
            "withdrawal_requested",
            "accepted",
            "proposal",
            "version",
            "created_at",
            "updated_at",
        ]
        # Service-owned (Need.SERVICE_OWNED_FIELDS) and automatic fields.
        read_only_fields = [
            "coverage",
            "status",
            "withdrawal_requested",
            "version",
            "created_at",
            "updated_at",
        ]
        validators = []  # the model's constraint says it better
        # Null when withheld from you; null on input means empty.
        extra_kwargs = {
            "description": {"allow_null": True},
            "remaining": {"allow_null": True},
        }

    def validate(self, attrs):
        for field in ("description", "remaining"):
            if field in attrs and attrs[field] is None:
                attrs[field] = ""
        return super().validate(attrs)

    def get_accepted(self, need) -> bool:
        """Whether the secretariat has accepted the need (it counts from then)."""
        return need.accepted_at is not None

    @extend_schema_field(NeedProposalSerializer(allow_null=True))
    def get_proposal(self, need):
        user = self.context["request"].user
        proposal = need.pending_proposal
        if proposal is None or not can_see_proposals(user, need):
            return None
        return NeedProposalSerializer(proposal).data

    def to_representation(self, need):
        """Descriptions a State has not agreed to share with you read as null; a
        viewer sees the need as accepted (`published_workflow`)."""
        user = self.context["request"].user
        data = super().to_representation(need)
        if not can_see_description(user, need):
            data["description"] = data["remaining"] = None
        if not sees_entry_workflow(user):
            published_workflow(
                data, version=need.accepted_version, changed_at=need.accepted_changed_at
            )
        return data


class NeedUpdateSerializer(NeedSerializer):
    """On update the review, article and type of a need stay (they are its identity).
    `version` is the version you edit, the alternative to If-Match: a stale one is
    refused with 412 and what changed since."""

    review = serializers.PrimaryKeyRelatedField(read_only=True)
    article = serializers.SlugRelatedField(slug_field="number", read_only=True)
    need_type = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    # The version edited: a precondition (needs.services.need_update), never written.
    version = serializers.IntegerField(
        source="expected_version",
        write_only=True,
        min_value=1,
        required=False,
        help_text=_(
            "The version you edit (from your last read), if you do not send "
            "If-Match; a stale one is refused with 412."
        ),
    )


class SubmitSerializer(serializers.Serializer):
    """A submission of the review's draft and returned needs."""

    resubmit_unchanged = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Submit too the needs the secretariat returned that have not changed "
            "since; without it such a submission is refused (400), naming them."
        ),
    )


class EntryDecisionSerializer(serializers.Serializer):
    """The secretariat's acceptance, with a comment if it has one."""

    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnDecisionSerializer(serializers.Serializer):
    """Needs returned for revision: the comment says what to revise (required)."""

    comment = serializers.CharField(
        help_text=_("What the State should revise; required to return needs.")
    )


class EntryStepSerializer(serializers.Serializer):
    """A step of the entry workflow, as recorded."""

    action = serializers.ChoiceField(choices=EntryEvent.Action.choices)
    needs = serializers.IntegerField(
        help_text=_("How many needs the step submitted, accepted or returned.")
    )
    at = serializers.DateTimeField()
    comment = serializers.CharField(allow_blank=True)


# ---------------------------------------------------------------------------
# The list: NeedSerializer's representation, from `.values()` rows
# ---------------------------------------------------------------------------
# Each field of NeedSerializer, and the value it is written from (one query, joins
# included, and no model instance per row: per-object serializers cost ten times
# the query at a hundred rows a page). `description_shared` is the annotation of
# NeedQuerySet.with_sharing.
NEED_LIST_VALUES = {
    "id": "id",
    "state": "review__state__code",
    "review": "review_id",
    "chapter": "article__chapter__number",
    "article": "article__number",
    "need_type": "need_type__slug",
    "description": "description",
    "priority": "priority",
    "source": "source",
    "coverage": "coverage",
    "remaining": "remaining",
    "status": "status",
    "withdrawal_requested": "withdrawal_requested",
    "accepted": "accepted_at",
    "proposal": "proposal__id",
    "version": "version",
    "created_at": "created_at",
    "updated_at": "updated_at",
}
NEED_LIST_FIELDS = [
    *NEED_LIST_VALUES.values(),
    "accepted_version",
    "accepted_changed_at",
    "description_shared",
    "workflow_shown",
]
_DATE_TIME = serializers.DateTimeField()


def need_list_data(rows, *, user) -> list[dict]:
    """The needs of `rows` (`.values(*NEED_LIST_FIELDS)`) as NeedSerializer writes
    them; the proposals under way, where there are any that `user` may see, in one
    more query."""
    proposals = _proposals_by_id(
        [row["proposal__id"] for row in rows if row["proposal__id"] is not None],
        user,
    )
    zone = timezone.get_current_timezone()  # once, not twice a row
    return [_need_data(row, proposals, zone) for row in rows]


def _proposals_by_id(ids: list[int], user) -> dict[int, dict]:
    if not ids:
        return {}
    # visible_to: none for a viewer (no query at all), else the State's own.
    proposals = NeedProposal.objects.visible_to(user).filter(pk__in=ids)
    return {
        proposal.pk: NeedProposalSerializer(proposal).data
        for proposal in proposals.select_related("need")
    }


def _need_data(row: dict, proposals: dict[int, dict], zone) -> dict:
    data = {field: row[source] for field, source in NEED_LIST_VALUES.items()}
    data["accepted"] = data["accepted"] is not None
    data["proposal"] = proposals.get(data["proposal"])
    data["created_at"] = _date_time(data["created_at"], zone)
    data["updated_at"] = _date_time(data["updated_at"], zone)
    if not row["description_shared"]:
        data["description"] = data["remaining"] = None
    if not row["workflow_shown"]:
        published_workflow(
            data,
            version=row["accepted_version"],
            changed_at=row["accepted_changed_at"],
        )
    return data


def _date_time(value, zone) -> str | None:
    """`value` as REST framework's DateTimeField writes it: ISO 8601 in the current
    time zone, "Z" for UTC."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def published_workflow(data: dict, *, version: int, changed_at) -> dict:
    """A need as a viewer sees it: accepted (viewers see accepted needs only), with
    no withdrawal asked, its version and time of change those of its accepted
    values (`Need.accepted_values_changed`); what the State proposes since is not
    theirs to see."""
    data["status"] = Need.Status.ACCEPTED
    data["withdrawal_requested"] = False
    data["version"] = version
    data["updated_at"] = _DATE_TIME.to_representation(changed_at)
    return data
