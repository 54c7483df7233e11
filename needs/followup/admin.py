"""The admin of the follow-up records. Saves and deletions go through the follow-up
services, so that coverage, consent and the audit trail follow as on the pages."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from needs.followup import services
from needs.models import (
    ActionPlan,
    ActionPlanItem,
    Assistance,
    AssistanceNeed,
    AssistanceReport,
    Consent,
    Donor,
    FollowUp,
    FollowUpEvent,
    Reminder,
)
from reviews.admin import ScopedAdminMixin


class DeleteThroughServiceMixin:
    """Bulk deletion deletes one record at a time through `delete_model` (a service)."""

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class FollowUpEventInline(admin.TabularInline):
    model = FollowUpEvent
    extra = 0


@admin.register(FollowUp)
class FollowUpAdmin(DeleteThroughServiceMixin, ScopedAdminMixin, SimpleHistoryAdmin):
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

    def save_model(self, request, obj, form, change):
        services.follow_up_save(follow_up=obj, events=None, user=request.user)

    def delete_model(self, request, obj):
        services.follow_up_delete(follow_up=obj, user=request.user)


class ActionPlanItemInline(admin.StackedInline):
    model = ActionPlanItem
    extra = 0
    autocomplete_fields = ["needs"]


@admin.register(ActionPlan)
class ActionPlanAdmin(DeleteThroughServiceMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "state", "status", "started_on", "adopted_on"]
    list_filter = ["status", "state__regional_group"]
    search_fields = ["title", "state__name", "state__code"]
    autocomplete_fields = ["state"]
    list_select_related = ["state"]
    inlines = [ActionPlanItemInline]

    def save_model(self, request, obj, form, change):
        services.action_plan_save(plan=obj, items=None, user=request.user)

    def delete_model(self, request, obj):
        services.action_plan_delete(plan=obj, user=request.user)


@admin.register(Donor)
class DonorAdmin(DeleteThroughServiceMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "home_country"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["home_country"]
    list_select_related = ["home_country"]

    def save_model(self, request, obj, form, change):
        services.donor_save(donor=obj, user=request.user)

    def delete_model(self, request, obj):
        services.donor_delete(donor=obj, user=request.user)


class AssistanceNeedInline(admin.TabularInline):
    """Links are recorded through `assistance_link_need` (see save_formset)."""

    model = AssistanceNeed
    extra = 0
    autocomplete_fields = ["need"]


@admin.register(Assistance)
class AssistanceAdmin(DeleteThroughServiceMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "status", "modality", "starts_on", "ends_on", "source"]
    list_filter = ["status", "modality", "source", "donors"]
    search_fields = ["title", "implementing_organization", "donors__name"]
    autocomplete_fields = ["donors", "beneficiaries"]
    inlines = [AssistanceNeedInline]

    def save_model(self, request, obj, form, change):
        # The coverage of the needs it addresses follows the assistance's status.
        services.assistance_save(assistance=obj, user=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not AssistanceNeed:
            return super().save_formset(request, form, formset, change)
        links = formset.save(commit=False)
        for link in formset.deleted_objects:
            services.assistance_unlink_need(
                assistance=form.instance, need=link.need, user=request.user
            )
        for link in links:
            services.assistance_link_need(
                assistance=form.instance,
                need=link.need,
                coverage=link.coverage,
                note=link.note,
                user=request.user,
            )
        return None

    def delete_model(self, request, obj):
        services.assistance_delete(assistance=obj, user=request.user)


@admin.register(Consent)
class ConsentAdmin(DeleteThroughServiceMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """Consent is recorded through `consent_record`, which keeps the review's flag."""

    list_display = ["review", "subject", "audience", "agreed_on"]
    list_filter = ["subject", "audience"]
    search_fields = ["review__state__name"]
    autocomplete_fields = ["review"]
    list_select_related = ["review__state", "review__cycle"]

    def save_model(self, request, obj, form, change):
        saved = services.consent_record(
            review=obj.review,
            subject=obj.subject,
            audience=obj.audience,
            agreed_on=obj.agreed_on,
            notes=obj.notes,
            user=request.user,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.consent_withdraw(consent=obj, user=request.user)


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["key", "subject", "sent_at"]
    search_fields = ["key", "recipients"]
    readonly_fields = ["key", "subject", "recipients", "sent_at"]


@admin.register(AssistanceReport)
class AssistanceReportAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """States' reports of the assistance they receive, read-only: the secretariat
    confirms or declines each on the State's follow-up page (one service), and only a
    confirmed report becomes assistance that counts."""

    list_display = ["title", "state", "confirmation", "reported_by", "reported_at"]
    list_filter = ["confirmation", "status", "state__regional_group"]
    search_fields = ["title", "donor_name", "state__name"]
    list_select_related = ["state", "reported_by"]
    date_hierarchy = "reported_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
