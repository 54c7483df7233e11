"""Pages of needs: the home page, States and reviews with their needs, the needs list
and its export, a need, its editing and history, and the entry workflow of a review."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from needs import selectors, services
from needs.exchange.spreadsheets import csv_response, need_rows, xlsx_response
from needs.filtersets import NeedFilterSet, unfiltered_form
from needs.forms import DecisionForm, NeedEntryForm, NeedForm
from needs.models import EntryEvent, Need, NeedType
from needs.permissions import (
    can_decide_any_review,
    can_decide_coverage,
    can_decide_review,
    can_edit_need,
    can_enter_needs,
    can_import_needs,
    can_see_description,
    can_view_history,
)
from needs.reports.statistics import summary
from needs.rows import NEED_PAGE_VALUES, need_page_rows, need_rows_html
from reviews.filtersets import StatePartyListFilterSet
from reviews.models import Article, StateParty
from reviews.permissions import focal_state_id
from tatracker.filters import filter_rows
from tatracker.paging import paginate


@login_not_required
def home(request):
    context = {
        "summary": summary(),
        "states": selectors.registry_counts(),
        "digest": selectors.focal_point_digest(user=request.user),
        "queue": (
            selectors.submissions_queue(user=request.user)
            if can_decide_any_review(request.user)
            else None
        ),
    }
    return render(request, "needs/home.html", context)


# ---------------------------------------------------------------------------
# States and reviews
# ---------------------------------------------------------------------------
def state_list(request):
    queryset = selectors.state_list(user=request.user)
    filterset = StatePartyListFilterSet(request.GET, queryset=queryset)
    rows, valid = filter_rows(filterset)
    context = {
        "filter": filterset,
        "page_obj": paginate(request, rows, per_page=50),
        "counts": selectors.state_counts(user=request.user),
        "query": _query_without(request, "page"),
        "showing_demonstration": filterset.form.data.get("reconstructed") != "false",
    }
    return render(
        request, "needs/state_list.html", context, status=200 if valid else 400
    )


def state_detail(request, code):
    state = selectors.state_get(user=request.user, code=code)
    sections = [
        (review, selectors.needs_by_chapter(review.needs.all()))
        for review in state.reviews.all()
    ]
    return render(
        request, "needs/state_detail.html", {"state": state, "sections": sections}
    )


def review_detail(request, pk):
    review = selectors.review_get(user=request.user, pk=pk)
    needs = selectors.review_needs(user=request.user, review=review)
    context = {
        "review": review,
        "chapters": selectors.needs_by_chapter(needs),
        "consents": review.consents.all(),
        "can_enter": can_enter_needs(request.user, review),
    }
    return render(request, "needs/review_detail.html", context)


# ---------------------------------------------------------------------------
# Needs
# ---------------------------------------------------------------------------
# The needs list's downloads: ?format=csv or ?format=xlsx, of exactly what is filtered.
# The CSV streams any number of rows in constant memory. A workbook is written whole
# (openpyxl's write-only mode: constant memory, a temporary file) before its first
# byte is sent, at about 1 ms a row on the benchmark machine (100 000 needs: 74 s,
# past a worker's timeout), so it is refused above XLSX_MAX_ROWS, pointing to the
# CSV (bench/RESULTS.md).
NEED_EXPORTS = {"csv": csv_response, "xlsx": xlsx_response}
XLSX_MAX_ROWS = 20_000


def need_list(request):
    queryset = selectors.need_list(user=request.user)
    # No filter given: the same rows, and a form laid out once (no FilterSet built).
    filtered = any(name in request.GET for name in NeedFilterSet.base_filters)
    filterset = SimpleLazyObject(
        partial(NeedFilterSet, request.GET, queryset=queryset, request=request)
    )
    valid = True
    if filtered:
        queryset, valid = filter_rows(filterset)
    file_format = request.GET.get("format", "")
    too_many = file_format == "xlsx" and selectors.more_than(queryset, XLSX_MAX_ROWS)
    if file_format in NEED_EXPORTS and valid and not too_many:
        rows = need_rows(queryset)
        return NEED_EXPORTS[file_format](f"needs.{file_format}", rows)
    if too_many:
        messages.error(request, xlsx_refusal())
    page = paginate(
        request, queryset.values(*NEED_PAGE_VALUES), per_page=50, count_from=queryset
    )
    rows = need_page_rows(page, request=request)
    # The column only where the page holds a description the user may read.
    shows_descriptions = any(row.description is not None for row in rows)
    context = {
        "filter": filterset,  # built only where it is read (a filter is given)
        "filter_form": (
            _filter_form(request, filterset)
            if filtered
            else unfiltered_form(request, partial(_filter_form, request))
        ),
        "page_obj": page,
        "rows": rows,
        "rows_html": need_rows_html(rows, descriptions=shows_descriptions),
        "query": _query_without(request, "page", "format"),
        "shows_descriptions": shows_descriptions,
        "can_import": can_import_needs(request.user),
        "xlsx_max_rows": XLSX_MAX_ROWS,
    }
    status = 400 if too_many or not valid else 200
    return render(request, "needs/need_list.html", context, status=status)


def _filter_form(request, filterset) -> str:
    context = {"filter": filterset, "request": request}
    return render_to_string("includes/_filter_form.html", context)


def xlsx_refusal() -> str:
    return _(
        # Translators: %(rows)s is the most rows a workbook download holds, e.g.
        # "20,000".
        "A workbook holds at most %(rows)s needs, and these filters select more. "
        "Download the CSV (any number of needs), or narrow the filters."
    ) % {"rows": intcomma(XLSX_MAX_ROWS)}


def _query_without(request, *names) -> str:
    """The page's query string without `names` (for links that add their own)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def need_detail(request, pk):
    need = selectors.need_get(user=request.user, pk=pk)
    proposal = need.pending_proposal
    changed_at, version = need.last_changed(workflow_shown=need.workflow_shown)
    context = {
        "need": need,
        # Those who see the accepted values only see them recorded at the acceptance
        # (a need of the 2013 data set was accepted years before it was loaded).
        "recorded_at": (
            need.created_at
            if need.workflow_shown
            else min(need.accepted_at or need.created_at, need.created_at)
        ),
        "changed_at": changed_at,
        "version": version,
        "proposal_changes": (
            selectors.labelled_changes(Need, proposal.changes()) if proposal else []
        ),
        "links": need.assistance_links.select_related("assistance"),
        "coverage_choices": need.Coverage.choices,
        "show_description": can_see_description(request.user, need),
        "can_edit": can_edit_need(request.user, need),
        "can_decide_coverage": can_decide_coverage(request.user, need),
        "can_view_history": can_view_history(request.user),
    }
    return render(request, "needs/need_detail.html", context)


def need_edit(request, pk):
    need = selectors.need_get(user=request.user, pk=pk)
    if not can_edit_need(request.user, need):
        raise PermissionDenied(_("You cannot change this need now."))
    initial = {field: need.proposed(field) for field in NeedForm.Meta.fields}
    form = NeedForm(
        request.POST or None,
        instance=need,
        initial=initial | {"expected_version": need.version},
    )
    stale = None
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in NeedForm.Meta.fields}
        try:
            saved = services.need_update(
                need=selectors.need_get(user=request.user, pk=pk),
                user=request.user,
                expected_version=form.cleaned_data["expected_version"],
                **values,
            )
        except services.StaleEdit as error:
            stale = error
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _saved_message(saved))
            return redirect(need)
    status = 409 if stale else (400 if request.method == "POST" else 200)
    return render(
        request,
        "needs/need_form.html",
        {
            "need": need,
            "form": form,
            "stale": stale,
            "stale_changes": _stale_changes(stale),
            "proposes": not can_decide_review(request.user, need.review),
        },
        status=status,
    )


def _saved_message(need) -> str:
    if need.pending_proposal is None:
        return _("The need was saved.")
    return _(
        "Your change is proposed: others see the accepted values until the "
        "secretariat accepts it. Submit it from the review's entry page."
    )


def _stale_changes(stale) -> list[tuple[str, object, object]]:
    """A StaleEdit's changes as a person reads them: (field, what the editor saw,
    what is recorded now)."""
    if stale is None:
        return []
    changes = [(field, old, new) for field, (old, new) in stale.changes.items()]
    return selectors.labelled_changes(Need, changes)


@require_POST
def need_withdraw(request, pk):
    need = selectors.need_get(user=request.user, pk=pk)
    if not can_edit_need(request.user, need):
        raise PermissionDenied(_("You cannot withdraw this need now."))
    review = need.review
    result = services.need_withdraw(need=need, user=request.user)
    messages.success(
        request,
        _("The need was withdrawn.")
        if result is None
        else _("Withdrawal recorded; it takes effect when the secretariat accepts it."),
    )
    return redirect("needs:review_entry", pk=review.pk)


# ---------------------------------------------------------------------------
# The audit trail (the secretariat)
# ---------------------------------------------------------------------------
def need_history(request, pk):
    return record_history(request, "need", pk)


def record_history(request, model, pk):
    """Every version of an audited record (survives its deletion)."""
    audited = selectors.audited_model(model)
    if audited is None:
        raise Http404
    entries = selectors.record_history(user=request.user, model=audited, pk=pk)
    if not entries:
        raise Http404(_("No history for this record."))
    newest = next(e for e in entries if e.model is audited)
    context = {
        "entries": entries,
        "pk": pk,
        "record": newest.label,
        "deleted": newest.record.history_type == "-",
        "model_name": audited._meta.model_name,
    }
    return render(request, "needs/need_history.html", context)


def recent_changes(request):
    if not can_view_history(request.user):
        raise Http404
    entries = selectors.recent_changes(user=request.user)
    return render(request, "needs/recent_changes.html", {"entries": entries})


# ---------------------------------------------------------------------------
# The entry workflow of a review
# ---------------------------------------------------------------------------
def review_entry(request, pk):
    review = selectors.review_get(user=request.user, pk=pk)
    if not can_enter_needs(request.user, review):
        raise PermissionDenied(_("You cannot enter needs for this review."))
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
        needs=list(
            review.needs.filter(article__chapter=chapter).select_related("proposal")
        ),
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
            messages.success(request, _entries_saved_message(result))
            return redirect(f"{request.path}?chapter={chapter.number}")
    entry_status = selectors.review_entry_status(review)
    if stale:
        status = 409
    elif request.method == "POST":
        status = 400
    else:
        status = 200
    context = {
        "review": review,
        "form": form,
        "chapter": chapter,
        "chapters": chapters,
        "stale": stale,
        "stale_changes": _stale_changes(stale),
        "completeness": selectors.review_completeness(review),
        "entry_status": entry_status,
        "entry_status_label": selectors.ENTRY_STATUS_LABELS[entry_status],
        "returned_unchanged": selectors.returned_unchanged(
            user=request.user, review=review
        ),
        "events": selectors.review_decisions(
            user=request.user, review=review, limit=10
        ),
        "can_decide": can_decide_review(request.user, review),
    }
    return render(request, "needs/review_entry.html", context, status=status)


def _entries_saved_message(result) -> str:
    return _(
        # Translators: counts of needs added, changed and withdrawn on the entry
        # page, e.g. "Saved: 2 added, 0 changed, 1 withdrawn."
        "Saved: %(created)s added, %(changed)s changed, %(withdrawn)s withdrawn."
    ) % {
        "created": result.created,
        "changed": result.changed,
        "withdrawn": result.withdrawn,
    }


@require_POST
def review_submit(request, pk):
    review = selectors.review_get(user=request.user, pk=pk)
    return _workflow_step(
        request,
        review,
        services.review_submit,
        _("Submitted to the secretariat."),
        resubmit_unchanged=request.POST.get("resubmit_unchanged") == "1",
    )


def review_decide(request, pk):
    """The secretariat's decision page of a submission: only the proposals, each
    with its difference from the accepted values; accept or return each need, or all
    at once, with comments."""
    review = selectors.review_get(user=request.user, pk=pk)
    if not can_decide_review(request.user, review):
        raise PermissionDenied(_("Only the secretariat decides on submitted needs."))
    pending = selectors.pending_decisions(user=request.user, review=review)
    form = DecisionForm(request.POST or None, pending=pending)
    if request.method == "POST" and form.is_valid():
        try:
            events = services.review_decide(
                review=review,
                user=request.user,
                decisions=form.decisions(request.POST.get("action", "")),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _decided_message(events))
            return redirect("needs:review_decide", pk=review.pk)
    context = {
        "review": review,
        "form": form,
        "events": selectors.review_decisions(user=request.user, review=review),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "needs/review_decide.html", context, status=status)


def _decided_message(events) -> str:
    counts = {event.action: event.need_count for event in events}
    return _(
        # Translators: counts of needs the secretariat accepted and returned.
        "Recorded: %(accepted)s accepted, %(returned)s returned for revision. "
        "The State's focal points were told by e-mail."
    ) % {
        "accepted": counts.get(EntryEvent.Action.ACCEPTED, 0),
        "returned": counts.get(EntryEvent.Action.RETURNED, 0),
    }


def submission_list(request):
    """The secretariat's queue: reviews with needs awaiting a decision, oldest first."""
    if not can_decide_any_review(request.user):
        raise PermissionDenied(_("Only the secretariat decides on submitted needs."))
    queue = selectors.submissions_queue(user=request.user)
    return render(request, "needs/submission_list.html", {"queue": queue})


def _workflow_step(request, review, service, done, **extra):
    try:
        service(review=review, user=request.user, **extra)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("needs:review_entry", pk=review.pk)


# ---------------------------------------------------------------------------
# A focal point's shortcuts
# ---------------------------------------------------------------------------
def focal_state(request):
    """A focal point's own State page."""
    state_id = focal_state_id(request.user)
    if state_id is None:
        raise Http404
    return redirect(StateParty.objects.get(pk=state_id))


def focal_follow_up(request):
    """A focal point's own State's follow-up page."""
    state_id = focal_state_id(request.user)
    if state_id is None:
        raise Http404
    code = StateParty.objects.values_list("code", flat=True).get(pk=state_id)
    return redirect("followup:state_follow_up", code=code)
