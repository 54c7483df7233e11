from django.contrib import admin
from django.db.models import Count

from reviews.models import (
    Article,
    Chapter,
    RegionalGroup,
    ReviewCycle,
    StateParty,
)


@admin.register(RegionalGroup)
class RegionalGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "display_order", "state_count"]
    search_fields = ["name", "slug"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(state_count=Count("states"))

    @admin.display(description="States", ordering="state_count")
    def state_count(self, obj):
        return obj.state_count


@admin.register(StateParty)
class StatePartyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "regional_group", "party_status", "reconstructed"]
    list_filter = ["regional_group", "party_status", "reconstructed"]
    search_fields = ["name", "code"]
    list_select_related = ["regional_group"]


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "ordinal"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "chapter", "section"]
    list_filter = ["chapter"]
    search_fields = ["number", "title", "section"]
    list_select_related = ["chapter"]


@admin.register(ReviewCycle)
class ReviewCycleAdmin(admin.ModelAdmin):
    list_display = ["number", "start_year", "end_year", "chapter_list"]
    filter_horizontal = ["chapters"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("chapters")

    @admin.display(description="Chapters")
    def chapter_list(self, obj):
        return ", ".join(chapter.number for chapter in obj.chapters.all())
