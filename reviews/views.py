"""Pages of States parties and their reviews."""

from itertools import groupby

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.views.generic import DetailView

from reviews.filtersets import StatePartyFilterSet
from reviews.models import CountryReview, StateParty
from reviews.permissions import can_enter_needs, review_filter
from tatracker.paging import paginate


def state_list(request):
    visible = review_filter(request.user, "reviews__")
    queryset = (
        StateParty.objects.visible_to(request.user)
        .select_related("regional_group")
        .order_by("name")
        .annotate(
            review_count=Count("reviews", filter=visible, distinct=True),
            need_count=Count(
                "reviews__needs",
                filter=visible & Q(reviews__needs__accepted_at__isnull=False),
                distinct=True,
            ),
        )
    )
    filterset = StatePartyFilterSet(request.GET, queryset=queryset)
    page = paginate(request, filterset.qs, per_page=50)
    return render(
        request, "reviews/state_list.html", {"filter": filterset, "page_obj": page}
    )


def group_needs(needs):
    """[(chapter, [(article, [need, …]), …]), …] in the note's order."""
    ordered = sorted(
        needs,
        key=lambda n: (
            n.article.chapter.ordinal,
            n.article.section,
            n.article.number,
            n.need_type.display_order,
        ),
    )
    return [
        (
            chapter,
            [
                (article, list(items))
                for article, items in groupby(chapter_needs, key=lambda n: n.article)
            ],
        )
        for chapter, chapter_needs in groupby(ordered, key=lambda n: n.article.chapter)
    ]


def state_detail(request, code):
    reviews = (
        CountryReview.objects.visible_to(request.user)
        .select_related("cycle")
        .prefetch_related("needs__article__chapter", "needs__need_type")
    )
    state = get_object_or_404(
        StateParty.objects.visible_to(request.user)
        .select_related("regional_group")
        .prefetch_related(Prefetch("reviews", queryset=reviews)),
        code=code,
    )
    sections = [
        (review, group_needs(review.needs.all())) for review in state.reviews.all()
    ]
    return render(
        request, "reviews/state_detail.html", {"state": state, "sections": sections}
    )


class ReviewDetailView(DetailView):
    template_name = "reviews/review_detail.html"
    context_object_name = "review"

    def get_queryset(self):
        return CountryReview.objects.visible_to(self.request.user).select_related(
            "state", "cycle"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        needs = self.object.needs.select_related("article__chapter", "need_type")
        context["chapters"] = group_needs(needs)
        context["can_enter"] = can_enter_needs(self.request.user, self.object)
        return context
