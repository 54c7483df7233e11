from django.contrib import admin, messages
from django.db.models import Count
from simple_history.admin import SimpleHistoryAdmin

from needs.models import EntryEvent, Need, NeedType, NeedTypeAlias
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
    readonly_fields = ["version", "accepted_at", "created_at", "updated_at"]
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
