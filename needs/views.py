"""Pages of needs: the list and its export, a need, its editing and history, the entry
workflow of a review, and the home page."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from needs import history, services
from needs.filtersets import NeedFilterSet
from needs.forms import NeedEntryForm, NeedForm, ReturnForm
from needs.models import Need, NeedType
from needs.permissions import (
    can_decide_review,
    can_edit_need,
    can_enter_needs,
    can_see_description,
    can_view_history,
)
from reviews.models import Article, CountryReview, StateParty
from reviews.permissions import focal_state_id
from tatracker.paging import paginate


@login_not_required
def home(request):
    needs = Need.objects.counted().aggregate(
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
        "digest": services.focal_point_digest(request.user),
    }
    return render(request, "needs/home.html", context)


def _visible_need(request, pk) -> Need:
    return get_object_or_404(
        Need.objects.visible_to(request.user).with_related(), pk=pk
    )


def need_list(request):
    queryset = Need.objects.visible_to(request.user).with_related().in_note_order()
    filterset = NeedFilterSet(request.GET, queryset=queryset, request=request)
    if request.GET.get("format") == "csv":
        return needs_csv(request, filterset.qs)
    page = paginate(request, filterset.qs, per_page=50)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "needs/need_list.html",
        {"filter": filterset, "page_obj": page, "query": query.urlencode()},
    )


def needs_csv(request, needs, filename="needs.csv") -> HttpResponse:
    """The needs as CSV; descriptions the user may not see read [withheld]."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "id",
            "state",
            "state_code",
            "regional_group",
            "cycle",
            "review_year",
            "chapter",
            "article",
            "type",
            "description",
            "priority",
            "source",
            "coverage",
            "remaining",
            "status",
            "updated_at",
        ]
    )
    for need in needs:
        shown = can_see_description(request.user, need)
        writer.writerow(
            [
                need.pk,
                need.review.state.name,
                need.review.state.code,
                need.review.state.regional_group.slug
                if need.review.state.regional_group
                else "",
                need.review.cycle.number,
                need.review.cycle_year,
                need.article.chapter.number,
                need.article.number,
                need.need_type.slug,
                need.description if shown else "[withheld]",
                need.priority,
                need.source,
                need.coverage,
                need.remaining if shown else "[withheld]",
                need.status,
                need.updated_at.isoformat(),
            ]
        )
    return response


def need_detail(request, pk):
    need = _visible_need(request, pk)
    context = {
        "need": need,
        "links": need.assistance_links.select_related("assistance"),
        "coverage_choices": Need.Coverage.choices,
        "show_description": can_see_description(request.user, need),
        "can_edit": can_edit_need(request.user, need),
        "can_view_history": can_view_history(request.user),
    }
    return render(request, "needs/need_detail.html", context)


def need_edit(request, pk):
    need = _visible_need(request, pk)
    if not can_edit_need(request.user, need):
        raise PermissionDenied("You cannot change this need now.")
    form = NeedForm(
        request.POST or None, instance=need, initial={"version": need.version}
    )
    stale = None
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in NeedForm.Meta.fields}
        try:
            services.need_update(
                need=Need.objects.get(pk=need.pk),
                user=request.user,
                expected_version=form.cleaned_data["version"],
                **values,
            )
        except services.StaleEdit as error:
            stale = error
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The need was saved.")
            return redirect(need)
    status = 409 if stale else (400 if request.method == "POST" else 200)
    return render(
        request,
        "needs/need_form.html",
        {"need": need, "form": form, "stale": stale},
        status=status,
    )


@require_POST
def need_withdraw(request, pk):
    need = _visible_need(request, pk)
    if not can_edit_need(request.user, need):
        raise PermissionDenied("You cannot withdraw this need now.")
    review = need.review
    result = services.need_withdraw(need=need, user=request.user)
    messages.success(
        request,
        "The need was withdrawn."
        if result is None
        else "Withdrawal recorded; it takes effect when the secretariat accepts it.",
    )
    return redirect("needs:review_entry", pk=review.pk)


def need_history(request, pk):
    return record_history(request, "need", pk)


def record_history(request, model, pk):
    """Every version of an audited record (survives its deletion): the secretariat."""
    audited = history.audited_model(model)
    if not can_view_history(request.user) or audited is None:
        raise Http404
    entries = history.object_history(audited, pk)
    if not entries:
        raise Http404("No history for this record.")
    context = {"entries": entries, "pk": pk, "label": audited._meta.verbose_name}
    return render(request, "needs/need_history.html", context)


def recent_changes(request):
    if not can_view_history(request.user):
        raise Http404
    return render(
        request, "needs/recent_changes.html", {"entries": history.recent(100)}
    )


# ---------------------------------------------------------------------------
# The entry workflow of a review
# ---------------------------------------------------------------------------
def _visible_review(request, pk) -> CountryReview:
    reviews = CountryReview.objects.visible_to(request.user).select_related(
        "state", "cycle"
    )
    return get_object_or_404(reviews, pk=pk)


def review_entry(request, pk):
    review = _visible_review(request, pk)
    if not can_enter_needs(request.user, review):
        raise PermissionDenied("You cannot enter needs for this review.")
    chapters = list(review.cycle.chapters.order_by("ordinal"))
    chapter = next(
        (c for c in chapters if c.number == request.GET.get("chapter")), chapters[0]
    )
    form = NeedEntryForm(
        request.POST or None,
        review=review,
        chapter=chapter,
        articles=list(Article.objects.filter(chapter=chapter).in_note_order()),
        types=list(NeedType.objects.all()),
        needs=list(review.needs.filter(article__chapter=chapter)),
    )
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.review_save_entries(
                review=review, entries=form.entries(), user=request.user
            )
        except services.StaleEdit as error:
            stale = error
        else:
            messages.success(
                request,
                f"Saved: {result.created} added, {result.changed} changed, "
                f"{result.withdrawn} withdrawn.",
            )
            return redirect(f"{request.path}?chapter={chapter.number}")
    context = {
        "review": review,
        "form": form,
        "chapter": chapter,
        "chapters": chapters,
        "stale": stale,
        "completeness": services.review_completeness(review),
        "entry_status": services.review_entry_status(review),
        "events": review.entry_events.select_related("user")[:10],
        "can_decide": can_decide_review(request.user, review),
        "return_form": ReturnForm(),
    }
    return render(
        request, "needs/review_entry.html", context, status=409 if stale else 200
    )


@require_POST
def review_submit(request, pk):
    review = _visible_review(request, pk)
    return _workflow_step(
        request, review, services.review_submit, "Submitted to the secretariat."
    )


@require_POST
def review_accept(request, pk):
    review = _visible_review(request, pk)
    return _workflow_step(request, review, services.review_accept, "Needs accepted.")


@require_POST
def review_return(request, pk):
    review = _visible_review(request, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Returning needs requires a comment.")
        return redirect("needs:review_entry", pk=review.pk)
    return _workflow_step(
        request,
        review,
        services.review_return,
        "Needs returned for revision.",
        comment=form.cleaned_data["comment"],
    )


def _workflow_step(request, review, service, done, **extra):
    try:
        service(review=review, user=request.user, **extra)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("needs:review_entry", pk=review.pk)


def focal_state(request):
    """Shortcut for a focal point: their State's page."""
    state_id = focal_state_id(request.user)
    if state_id is None:
        raise Http404
    return redirect(StateParty.objects.get(pk=state_id))


def focal_follow_up(request):
    """Shortcut for a focal point: their State's follow-up page."""
    state_id = focal_state_id(request.user)
    if state_id is None:
        raise Http404
    code = StateParty.objects.values_list("code", flat=True).get(pk=state_id)
    return redirect("needs:state_follow_up", code=code)
