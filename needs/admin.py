from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from needs.followup import assistance_refresh_needs
from needs.models import (
    ActionPlan,
    ActionPlanItem,
    Assistance,
    AssistanceNeed,
    Consent,
    Donor,
    EntryEvent,
    FollowUp,
    FollowUpEvent,
    Need,
    NeedType,
    NeedTypeAlias,
    Reminder,
)
from reviews.admin import ScopedAdminMixin
from reviews.models import CountryReview


class NeedTypeAliasInline(admin.TabularInline):
    model = NeedTypeAlias
    extra = 0


@admin.register(NeedType)
class NeedTypeAdmin(admin.ModelAdmin):
    list_display = ["display_order", "name", "slug", "short_name"]
    list_display_links = ["name"]
    search_fields = ["name", "slug", "aliases__label"]
    inlines = [NeedTypeAliasInline]


class NeedInline(admin.TabularInline):
    model = Need
    extra = 0
    fields = ["article", "need_type", "description", "priority", "source", "coverage"]
    autocomplete_fields = ["article"]
    show_change_link = True


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
        "full_report_consent",
        "need_count",
    ]
    list_filter = [
        "cycle",
        "cycle_year",
        "status",
        "state__regional_group",
        "full_report_consent",
    ]
    search_fields = ["state__name", "state__code"]
    autocomplete_fields = ["state"]
    list_select_related = ["state", "cycle"]
    date_hierarchy = "completed_on"
    inlines = [NeedInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(need_count=Count("needs"))

    @admin.display(description="Needs", ordering="need_count")
    def need_count(self, obj):
        return obj.need_count


def _mark(coverage):
    def action(modeladmin, request, queryset):
        count = 0
        for need in queryset:  # one save each: versions and the audit trail follow
            need.coverage = coverage
            need.coverage_basis = Need.CoverageBasis.CORRECTED
            need.coverage_reason = "Marked in the admin."
            need.coverage_set_by = request.user
            need.coverage_set_at = timezone.now()
            need._history_user = request.user
            need.save()
            count += 1
        modeladmin.message_user(
            request, f"{count} need(s) marked “{coverage.label}”.", messages.SUCCESS
        )

    action.__name__ = f"mark_{coverage.name.lower()}"
    return admin.action(description=f"Mark selected needs {coverage.label.lower()}")(
        action
    )


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
    readonly_fields = [
        "version",
        "accepted_at",
        "created_at",
        "updated_at",
        "coverage_set_by",
        "coverage_set_at",
    ]
    actions = [_mark(Need.Coverage.MET_IN_PART), _mark(Need.Coverage.MET_FULLY)]

    @admin.display(description="State", ordering="review__state__name")
    def state(self, obj):
        return obj.review.state

    @admin.display(description="Article", ordering="article__number")
    def article_number(self, obj):
        return obj.article.number

    @admin.display(description="Cycle", ordering="review__cycle__number")
    def cycle(self, obj):
        return obj.review.cycle.number


@admin.register(EntryEvent)
class EntryEventAdmin(admin.ModelAdmin):
    list_display = ["review", "action", "user", "at", "need_count"]
    list_filter = ["action"]
    search_fields = ["review__state__name", "comment"]
    list_select_related = ["review__state", "review__cycle", "user"]


# ---------------------------------------------------------------------------
# Follow-up
# ---------------------------------------------------------------------------
class FollowUpEventInline(admin.TabularInline):
    model = FollowUpEvent
    extra = 0


@admin.register(FollowUp)
class FollowUpAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "review",
        "letter_sent_on",
        "reply_received_on",
        "followed_up_by",
        "responsible",
        "next_step_due",
    ]
    list_filter = ["followed_up_by", "review__state__regional_group", "review__cycle"]
    search_fields = ["review__state__name", "office", "next_step", "reply"]
    autocomplete_fields = ["review", "responsible"]
    list_select_related = ["review__state", "review__cycle", "responsible"]
    date_hierarchy = "letter_sent_on"
    inlines = [FollowUpEventInline]


class ActionPlanItemInline(admin.StackedInline):
    model = ActionPlanItem
    extra = 0
    autocomplete_fields = ["needs"]


@admin.register(ActionPlan)
class ActionPlanAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "state", "status", "started_on", "adopted_on"]
    list_filter = ["status", "state__regional_group"]
    search_fields = ["title", "state__name", "state__code"]
    autocomplete_fields = ["state"]
    list_select_related = ["state"]
    inlines = [ActionPlanItemInline]


@admin.register(Donor)
class DonorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "home_country"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["home_country"]
    list_select_related = ["home_country"]


class AssistanceNeedInline(admin.TabularInline):
    model = AssistanceNeed
    extra = 0
    autocomplete_fields = ["need"]


@admin.register(Assistance)
class AssistanceAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "status", "modality", "starts_on", "ends_on", "source"]
    list_filter = ["status", "modality", "source", "donors"]
    search_fields = ["title", "implementing_organization", "donors__name"]
    autocomplete_fields = ["donors", "beneficiaries"]
    inlines = [AssistanceNeedInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The needs' coverage follows their assistance (unless a person set it).
        assistance_refresh_needs(assistance=form.instance, user=request.user)


@admin.register(Consent)
class ConsentAdmin(SimpleHistoryAdmin):
    list_display = ["review", "subject", "audience", "agreed_on"]
    list_filter = ["subject", "audience"]
    search_fields = ["review__state__name"]
    autocomplete_fields = ["review"]
    list_select_related = ["review__state", "review__cycle"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["key", "subject", "sent_at"]
    search_fields = ["key", "recipients"]
    readonly_fields = ["key", "subject", "recipients", "sent_at"]
