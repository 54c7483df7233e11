"""The admin of needs: need types, needs, entry events, and the country reviews with
their needs inline. Saves go through the services; service-owned fields are read-only.
The follow-up admin lives in `needs.followup.admin` (imported below to register it).
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from needs import services
from needs.followup import admin as followup_admin  # noqa: F401  (registers it)
from needs.followup.services import need_coverage_set
from needs.models import (
    EntryDecision,
    EntryEvent,
    Need,
    NeedProposal,
    NeedType,
    NeedTypeAlias,
)
from reviews.admin import CountedDataAdminMixin, ScopedAdminMixin
from reviews.models import CountryReview
from reviews.services import review_save


class NeedTypeAliasInline(admin.TabularInline):
    model = NeedTypeAlias
    extra = 0


@admin.register(NeedType)
class NeedTypeAdmin(CountedDataAdminMixin, admin.ModelAdmin):
    list_display = ["display_order", "name", "slug", "short_name"]
    list_display_links = ["name"]
    search_fields = ["name", "slug", "aliases__label"]
    inlines = [NeedTypeAliasInline]


class NeedInline(admin.TabularInline):
    """The review's needs, read-only: they change through the need's own page."""

    model = Need
    extra = 0
    fields = ["article", "need_type", "description", "priority", "source", "coverage"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


# The review admin lives here so that it can carry the needs inline:
# reviews never imports from needs.
@admin.register(CountryReview)
class CountryReviewAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "state",
        "cycle",
        "cycle_year",
        "status",
        "completed_on",
        "has_executive_summary",
        "has_full_report",
        "need_count",
    ]
    list_filter = [
        "cycle",
        "cycle_year",
        "status",
        "state__regional_group",
    ]
    search_fields = ["state__name", "state__code"]
    autocomplete_fields = ["state"]
    list_select_related = ["state", "cycle"]
    date_hierarchy = "completed_on"
    inlines = [NeedInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(need_count=Count("needs"))

    @admin.display(description=gettext_lazy("Needs"), ordering="need_count")
    def need_count(self, obj):
        return obj.need_count

    def save_model(self, request, obj, form, change):
        review_save(review=obj, user=request.user)


# What each admin action is called, per coverage it marks.
MARK_DESCRIPTIONS = {
    Need.Coverage.MET_IN_PART: gettext_lazy("Mark selected needs met in part"),
    Need.Coverage.MET_FULLY: gettext_lazy("Mark selected needs met fully"),
}


def _mark(coverage):
    def action(modeladmin, request, queryset):
        count = 0
        for need in queryset:  # one service call each: versions and audit follow
            need_coverage_set(
                need=need,
                user=request.user,
                coverage=coverage,
                reason="Marked in the admin.",  # stored: the audit trail's words
            )
            count += 1
        message = ngettext(
            # Translators: coverage is what the needs are now, e.g. "Met in part".
            "%(count)s need marked “%(coverage)s”.",
            "%(count)s needs marked “%(coverage)s”.",
            count,
        ) % {"count": count, "coverage": coverage.label}
        modeladmin.message_user(request, message, messages.SUCCESS)

    action.__name__ = f"mark_{coverage.name.lower()}"
    return admin.action(description=MARK_DESCRIPTIONS[coverage])(action)


@admin.register(Need)
class NeedAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "state",
        "article_number",
        "need_type",
        "priority",
        "coverage",
        "source",
        "cycle",
        "status",
        "updated_at",
    ]
    list_filter = [
        "status",
        "review__state__regional_group",
        "review__cycle",
        "article__chapter",
        "need_type",
        "coverage",
        "priority",
        "source",
        ("article", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = [
        "review__state__name",
        "review__state__code",
        "description",
        "remaining",
    ]
    autocomplete_fields = ["review", "article"]
    list_select_related = ["review__state", "review__cycle", "article", "need_type"]
    readonly_fields = [*Need.SERVICE_OWNED_FIELDS, "created_at", "updated_at"]
    actions = [_mark(Need.Coverage.MET_IN_PART), _mark(Need.Coverage.MET_FULLY)]

    def get_readonly_fields(self, request, obj=None):
        """A need's review, article and type are its identity: fixed once created."""
        identity = ["review", "article", "need_type"] if obj else []
        return [*identity, *self.readonly_fields]

    @admin.display(
        description=pgettext_lazy("a State party", "State"),
        ordering="review__state__sort_name",
    )
    def state(self, obj):
        return obj.review.state

    @admin.display(description=gettext_lazy("Article"), ordering="article__number")
    def article_number(self, obj):
        return obj.article.number

    @admin.display(description=gettext_lazy("Cycle"), ordering="review__cycle__number")
    def cycle(self, obj):
        return obj.review.cycle.number

    def save_model(self, request, obj, form, change):
        values = {field: form.cleaned_data[field] for field in form.changed_data}
        if not change:
            saved = services.need_create(user=request.user, **form.cleaned_data)
            obj.pk = saved.pk
            return
        current = Need.objects.get(pk=obj.pk)
        try:
            services.need_update(
                need=current,
                user=request.user,
                expected_version=obj.version,
                **values,
            )
        except services.StaleEdit as error:
            raise ValidationError(str(error)) from error

    def delete_model(self, request, obj):
        services.need_withdraw(need=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for need in queryset:
            services.need_withdraw(need=need, user=request.user)


@admin.register(NeedProposal)
class NeedProposalAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """States' proposals, read-only: the secretariat decides on the entry page."""

    list_display = ["need", "kind", "status", "proposed_by", "updated_at"]
    list_filter = ["kind", "status"]
    search_fields = ["need__review__state__name", "description"]
    list_select_related = ["need__review__state", "need__article", "need__need_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EntryDecisionInline(admin.TabularInline):
    model = EntryDecision
    fields = ["article", "need_type", "kind", "outcome", "comment"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(EntryEvent)
class EntryEventAdmin(admin.ModelAdmin):
    inlines = [EntryDecisionInline]
    list_display = ["review", "action", "user", "at", "need_count"]
    list_filter = ["action"]
    search_fields = ["review__state__name", "comment"]
    list_select_related = ["review__state", "review__cycle", "user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
