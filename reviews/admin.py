from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django_otp_webauthn.admin import WebAuthnCredentialAdmin
from django_otp_webauthn.models import WebAuthnCredential

from reviews.models import (
    Account,
    ApiToken,
    Article,
    Chapter,
    Handover,
    RegionalGroup,
    ReviewCycle,
    StateParty,
)
from reviews.services import focal_point_handover
from tatracker.data_version import data_changed


class ScopedAdminMixin:
    """The admin lists and opens only what the user may see (reviews/permissions.py)."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


class CountedDataAdminMixin:
    """Reference rows the statistics count by (a State's group, an article's chapter,
    the cycles' chapters, titles and order): every save or deletion in the admin
    raises the data version, so no cached statistics outlive it."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # after many-to-many
        data_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        data_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        data_changed()


@admin.register(RegionalGroup)
class RegionalGroupAdmin(CountedDataAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "display_order", "state_count"]
    search_fields = ["name", "slug"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(state_count=Count("states"))

    @admin.display(description=_("States"), ordering="state_count")
    def state_count(self, obj):
        return obj.state_count


@admin.register(StateParty)
class StatePartyAdmin(CountedDataAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "regional_group",
        "party_status",
        "reconstructed",
        "secretariat_officer",
    ]
    list_filter = ["regional_group", "party_status", "reconstructed"]
    search_fields = ["name", "code"]
    list_select_related = ["regional_group", "secretariat_officer"]
    autocomplete_fields = ["secretariat_officer"]


@admin.register(Chapter)
class ChapterAdmin(CountedDataAdminMixin, admin.ModelAdmin):
    list_display = ["number", "title", "ordinal"]


@admin.register(Article)
class ArticleAdmin(CountedDataAdminMixin, admin.ModelAdmin):
    list_display = ["number", "title", "chapter", "section"]
    list_filter = ["chapter"]
    search_fields = ["number", "title", "section"]
    list_select_related = ["chapter"]


@admin.register(ReviewCycle)
class ReviewCycleAdmin(CountedDataAdminMixin, admin.ModelAdmin):
    list_display = ["number", "start_year", "end_year", "chapter_list"]
    filter_horizontal = ["chapters"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("chapters")

    @admin.display(description=_("Chapters"))
    def chapter_list(self, obj):
        return ", ".join(chapter.number for chapter in obj.chapters.all())


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "state"]
    list_filter = ["role", "state__regional_group"]
    search_fields = ["user__username", "user__email", "state__name", "state__code"]
    autocomplete_fields = ["user", "state"]
    list_select_related = ["user", "state"]


@admin.register(Handover)
class HandoverAdmin(admin.ModelAdmin):
    """Hand a State to a successor: the departing focal point is deactivated, the
    successor becomes focal point and sees a digest of open items."""

    list_display = [
        "state",
        "previous",
        "successor",
        "handed_over_at",
        "handed_over_by",
    ]
    autocomplete_fields = ["state", "previous", "successor"]
    fields = ["state", "previous", "successor", "note"]
    list_select_related = ["state", "previous", "successor", "handed_over_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        handover = focal_point_handover(
            state=obj.state,
            previous=obj.previous,
            successor=obj.successor,
            by=request.user,
            note=obj.note,
        )
        obj.pk = handover.pk


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made through the API (their key is shown once, to their user);
    here an administrator sees them and revokes one by deleting it."""

    list_display = [
        "user",
        "name",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
    ]
    list_filter = ["expires_at"]
    search_fields = ["user__username", "name", "prefix"]
    list_select_related = ["user"]
    readonly_fields = [
        "user",
        "name",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
    ]
    exclude = ["digest"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Passkeys: django-otp-webauthn ships this admin and leaves registering it to the
# project. An administrator deletes a lost passkey here.
admin.site.register(WebAuthnCredential, WebAuthnCredentialAdmin)
