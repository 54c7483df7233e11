"""Pages of needs and the home page."""

from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from needs.filtersets import NeedFilterSet
from needs.models import Need
from reviews.models import CountryReview, StateParty
from tatracker.paging import paginate


@login_not_required
def home(request):
    needs = Need.objects.aggregate(
        total=Count("pk"),
        states=Count("review__state", distinct=True),
        unaddressed=Count("pk", filter=Q(coverage=Need.Coverage.NOT_YET_ADDRESSED)),
        met_in_part=Count("pk", filter=Q(coverage=Need.Coverage.MET_IN_PART)),
        met_fully=Count("pk", filter=Q(coverage=Need.Coverage.MET_FULLY)),
    )
    reviews = CountryReview.objects.aggregate(
        total=Count("pk"),
        completed=Count("pk", filter=Q(status=CountryReview.Status.COMPLETED)),
        states=Count("state", distinct=True),
    )
    context = {
        "needs": needs,
        "reviews": reviews,
        "parties": StateParty.objects.parties().count(),
    }
    return render(request, "needs/home.html", context)


def need_list(request):
    filterset = NeedFilterSet(request.GET, queryset=Need.objects.with_related())
    page = paginate(request, filterset.qs.in_note_order(), per_page=50)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "needs/need_list.html",
        {"filter": filterset, "page_obj": page, "query": query.urlencode()},
    )


def need_detail(request, pk):
    need = get_object_or_404(Need.objects.with_related(), pk=pk)
    return render(request, "needs/need_detail.html", {"need": need})
