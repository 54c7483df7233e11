"""Pages of the follow-up: the secretariat's desk, a State's follow-up, donor mapping,
unmet needs, regional clusters, and confirming or correcting a need's coverage."""

import csv

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from needs import followup
from needs.filtersets import NeedFilterSet
from needs.models import (
    ActionPlan,
    Assistance,
    AssistanceNeed,
    Consent,
    FollowUp,
    Need,
)
from needs.permissions import can_edit_need
from reviews.models import StateParty
from reviews.permissions import is_secretariat, role_of
from tatracker.paging import paginate


def _today():
    return timezone.localdate()


def _secretariat_only(request):
    if not is_secretariat(request.user):
        raise Http404


class DeskForm(forms.Form):
    days = forms.IntegerField(
        min_value=1,
        max_value=3650,
        initial=90,
        required=False,
        label="Days after the letter without an action plan",
    )


def desk(request):
    _secretariat_only(request)
    form = DeskForm(request.GET or None)
    days = (form.cleaned_data.get("days") or 90) if form.is_valid() else 90
    sections = followup.desk(today=_today(), days_without_plan=days)
    return render(
        request,
        "needs/followup_desk.html",
        {
            "sections": sections,
            "form": form,
            "days": days,
            "limit": followup.DESK_LIMIT,
        },
    )


def state_follow_up(request, code):
    state = get_object_or_404(StateParty.objects.visible_to(request.user), code=code)
    reviews = state.reviews.visible_to(request.user).select_related("cycle")
    follow_ups = FollowUp.objects.filter(review__in=reviews).prefetch_related("events")
    plans = ActionPlan.objects.filter(state=state).prefetch_related("items__needs")
    assistance = (
        Assistance.objects.filter(beneficiaries=state)
        .prefetch_related("donors", "links__need__article", "links__need__need_type")
        .distinct()
    )
    needs = (
        Need.objects.visible_to(request.user)
        .filter(review__state=state)
        .with_related()
        .prefetch_related("assistance_links__assistance")
        .in_note_order()
    )
    context = {
        "state": state,
        "follow_ups": follow_ups,
        "plans": plans,
        "assistance": assistance,
        "needs": needs,
        "timeline": _timeline(follow_ups, plans, assistance),
        "consents": Consent.objects.filter(review__in=reviews).select_related(
            "review__cycle"
        ),
        "completeness": followup.state_completeness(state=state, today=_today()),
    }
    return render(request, "needs/followup_state.html", context)


def _timeline(follow_ups, plans, assistance):
    """(date, what, detail) in date order: letter, reply, events, plans, assistance."""
    entries = []
    for follow_up in follow_ups:
        if follow_up.letter_sent_on:
            entries.append((follow_up.letter_sent_on, "Letter sent", follow_up.office))
        if follow_up.reply_received_on:
            entries.append(
                (follow_up.reply_received_on, "Reply received", follow_up.reply)
            )
        for event in follow_up.events.all():
            entries.append((event.date, event.get_kind_display(), event.outcome))
    for plan in plans:
        entries.append((plan.started_on, f"Action plan started: {plan.title}", ""))
        if plan.adopted_on:
            entries.append((plan.adopted_on, f"Action plan adopted: {plan.title}", ""))
    for item in assistance:
        if item.starts_on:
            entries.append((item.starts_on, f"Assistance starts: {item.title}", ""))
        if item.ends_on:
            entries.append(
                (
                    item.ends_on,
                    f"Assistance ends: {item.title}",
                    item.get_status_display(),
                )
            )
    return sorted(entries, key=lambda entry: entry[0])


def _mapping_allowed(request):
    if role_of(request.user) is None:
        raise Http404


def donor_mapping(request):
    _mapping_allowed(request)
    links = AssistanceNeed.objects.filter(
        need__in=Need.objects.visible_to(request.user)
    )
    dimension = request.GET.get("by", "type")
    if dimension not in followup.MAPPING_DIMENSIONS:
        dimension = "type"
    matrix = followup.donor_matrix(dimension=dimension, links=links)
    if request.GET.get("format") == "csv":
        return _matrix_csv(matrix)
    return render(
        request,
        "needs/followup_mapping.html",
        {"matrix": matrix, "dimensions": list(followup.MAPPING_DIMENSIONS)},
    )


def _matrix_csv(matrix) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="donors-by-{matrix.dimension}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [
            "donor",
            matrix.dimension,
            "needs addressed in part",
            "needs addressed in full",
        ]
    )
    for row in matrix.rows:
        for key, label in matrix.columns:
            cell = row["cells"].get(key)
            if cell:
                writer.writerow(
                    [
                        row["donor"],
                        label,
                        cell.get("in-part", 0),
                        cell.get("in-full", 0),
                    ]
                )
    return response


def unmet_needs(request):
    _mapping_allowed(request)
    queryset = followup.unmet_needs().filter(
        pk__in=Need.objects.visible_to(request.user).values("pk")
    )
    filterset = NeedFilterSet(request.GET, queryset=queryset, request=request)
    if request.GET.get("format") == "csv":
        from needs.views import needs_csv

        return needs_csv(request, filterset.qs, filename="unmet-needs.csv")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "needs/followup_unmet.html",
        {
            "filter": filterset,
            "page_obj": paginate(request, filterset.qs, 50),
            "query": query.urlencode(),
        },
    )


class ClusterForm(forms.Form):
    threshold = forms.IntegerField(min_value=2, max_value=50, initial=3, required=False)


def clusters(request):
    _secretariat_only(request)
    form = ClusterForm(request.GET or None)
    threshold = (form.cleaned_data.get("threshold") or 3) if form.is_valid() else 3
    return render(
        request,
        "needs/followup_clusters.html",
        {
            "clusters": followup.regional_clusters(threshold=threshold),
            "form": form,
            "threshold": threshold,
        },
    )


class CoverageForm(forms.Form):
    coverage = forms.ChoiceField(choices=Need.Coverage.choices)
    remaining = forms.CharField(
        label="What still remains to be addressed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


@require_POST
def need_coverage(request, pk):
    need = get_object_or_404(Need.objects.visible_to(request.user), pk=pk)
    if not can_edit_need(request.user, need):
        raise PermissionDenied("You cannot change this need's coverage.")
    if request.POST.get("clear"):
        followup.need_clear_coverage(need=need, user=request.user)
        messages.success(request, "The coverage follows the assistance recorded again.")
        return redirect(need)
    form = CoverageForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {' '.join(errors)}")
        return redirect(need)
    try:
        followup.need_set_coverage(need=need, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Coverage {need.get_coverage_basis_display().lower()}."
        )
    return redirect(need)


def assistance_detail(request, pk):
    assistance = get_object_or_404(
        Assistance.objects.visible_to(request.user).prefetch_related(
            "donors", "beneficiaries"
        ),
        pk=pk,
    )
    links = assistance.links.filter(
        need__in=Need.objects.visible_to(request.user)
    ).select_related("need__review__state", "need__article", "need__need_type")
    return render(
        request,
        "needs/assistance_detail.html",
        {"assistance": assistance, "links": links},
    )
