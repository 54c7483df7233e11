"""Serializers of the reviews app."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reviews.models import (
    ApiToken,
    Article,
    Chapter,
    CountryReview,
    RegionalGroup,
    ReviewCycle,
    StateParty,
)


class FullCleanMixin:
    """Validate with the model's own rules (constraints and clean()), so the API says
    exactly what the pages say."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        # A copy: validation must not change the record the service will write.
        instance = copy.copy(self.instance) if self.instance else self.Meta.model()
        model_fields = {f.name: f for f in instance._meta.get_fields()}
        for field, value in attrs.items():
            if field in model_fields and not model_fields[field].many_to_many:
                setattr(instance, field, value)
        try:
            instance.full_clean(exclude=self.full_clean_exclude())
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        return attrs

    def full_clean_exclude(self) -> list[str]:
        """Fields the model cannot check on an unsaved instance (many-to-many)."""
        return [f.name for f in self.Meta.model._meta.many_to_many]


class RegionalGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = RegionalGroup
        fields = ["slug", "name", "display_order"]


class StatePartySerializer(serializers.ModelSerializer):
    regional_group = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = StateParty
        fields = [
            "code",
            "name",
            "regional_group",
            "party_status",
            "reconstructed",
            "notes",
        ]


class ChapterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Chapter
        fields = ["number", "title"]


class ReviewCycleSerializer(serializers.ModelSerializer):
    chapters = serializers.SlugRelatedField(
        slug_field="number", many=True, read_only=True
    )

    class Meta:
        model = ReviewCycle
        fields = ["number", "start_year", "end_year", "chapters"]


class ArticleSerializer(serializers.ModelSerializer):
    chapter = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = Article
        fields = ["number", "title", "chapter", "section", "subsection"]


class CountryReviewSerializer(FullCleanMixin, serializers.ModelSerializer):
    """A State's review in one cycle of the Review Mechanism."""

    state = serializers.SlugRelatedField(
        slug_field="code", queryset=StateParty.objects.all()
    )
    cycle = serializers.SlugRelatedField(
        slug_field="number", queryset=ReviewCycle.objects.all()
    )

    class Meta:
        model = CountryReview
        fields = [
            "id",
            "state",
            "cycle",
            "cycle_year",
            "status",
            "completed_on",
            "has_executive_summary",
            "has_full_report",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators = []  # the model's constraints, with their own messages


class ApiTokenRequestSerializer(serializers.Serializer):
    """A user's credentials, and a name for the token (the integration using it)."""

    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, write_only=True
    )
    name = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("What will use the token, to tell your tokens apart."),
    )
    code = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        help_text=_(
            "The code your authenticator shows now, or one of your recovery codes: "
            "required of secretariat and administrator accounts and of anyone who "
            "enrolled an authenticator (two-factor sign-in)."
        ),
    )


class ApiTokenSerializer(serializers.ModelSerializer):
    """One of your tokens; its key is never shown again after it is made."""

    current = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "created_at",
            "expires_at",
            "last_used_at",
            "current",
        ]
        read_only_fields = fields

    def get_current(self, token) -> bool:
        """Whether this request was made with this token."""
        request = self.context.get("request")
        return getattr(request, "auth", None) == token


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    """A new token with its key: send it as `Authorization: Bearer <token>`. The key
    is shown only here; keep it secret. It expires at `expires_at`, when it is
    revoked, and when the password of its user changes."""

    token = serializers.CharField(source="key", read_only=True)

    class Meta(ApiTokenSerializer.Meta):
        fields = ["token", *ApiTokenSerializer.Meta.fields]
        read_only_fields = fields
