"""Pages of the follow-up: the secretariat's desk, a State's follow-up, donor mapping,
unmet needs, regional clusters, an assistance record, and confirming or correcting a
need's coverage."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from needs import selectors as need_selectors
from needs.exchange.spreadsheets import (
    csv_response,
    matrix_rows,
    need_rows,
    xlsx_response,
)
from needs.filtersets import NeedFilterSet
from needs.followup import selectors, services
from needs.followup.forms import ClusterForm, CoverageForm, DeskForm, MappingForm
from needs.models import Assistance, Need
from needs.permissions import (
    can_decide_coverage,
    can_edit_need,
    can_edit_plan,
    can_record_assistance,
    can_record_consent,
    can_record_follow_up,
    can_report_assistance,
    can_see_internal_notes,
    can_view_desk,
    can_view_donor_mapping,
)
from needs.services import need_coverage_propose
from tatracker.filters import filter_rows
from tatracker.paging import paginate

# Donor mapping: the matrix's caption for each dimension.
CAPTIONS = {
    "type": _("Donors by type: projects, and the needs they address"),
    "article": _("Donors by article: projects, and the needs they address"),
    "region": _("Donors by region: projects, and the needs they address"),
    "state": _("Donors by state: projects, and the needs they address"),
}
# What the secretariat's decision on a need's coverage made of it.
DECIDED = {
    Need.CoverageBasis.CONFIRMED: _("Coverage confirmed."),
    Need.CoverageBasis.CORRECTED: _("Coverage corrected."),
}


def desk(request):
    if not can_view_desk(request.user):
        raise Http404
    form = DeskForm(request.GET or None)
    days = (form.cleaned_data.get("days") or 90) if form.is_valid() else 90
    sections = selectors.desk(
        user=request.user, today=timezone.localdate(), days_without_plan=days
    )
    context = {
        "sections": sections,
        "form": form,
        "days": days,
        "queue": need_selectors.submissions_queue(user=request.user),
        "reports_awaiting": (
            selectors.assistance_reports(user=request.user).awaiting().count()
        ),
    }
    return render(
        request, "followup/desk.html", context | {"limit": selectors.DESK_LIMIT}
    )


def state_follow_up(request, code):
    page = selectors.state_follow_up(
        user=request.user, code=code, today=timezone.localdate()
    )
    user, state = request.user, page.state
    context = {
        "page": page,
        "state": state,
        "can_see_notes": can_see_internal_notes(user),
        # What the page offers to record, and to whom.
        "can_record_follow_up": can_record_follow_up(user),
        "can_record_consent": can_record_consent(user),
        "can_edit_plan": can_edit_plan(user, state.pk),
        "can_record_assistance": can_record_assistance(user),
        "can_report_assistance": can_report_assistance(user, state.pk),
        # The IATI file of the projects listed: every status.
        "assistance_statuses": Assistance.Status.values,
    }
    return render(request, "followup/state.html", context)


# The downloads of the mapping pages: ?format=csv or ?format=xlsx.
SPREADSHEETS = {"csv": csv_response, "xlsx": xlsx_response}


def donor_mapping(request):
    if not can_view_donor_mapping(request.user):
        raise Http404
    form = MappingForm(request.GET)
    form.is_valid()  # a value out of its choices falls back to the default
    dimension = form.cleaned_data.get("by") or "type"
    chosen = form.cleaned_data.get("status") or []
    statuses = tuple(chosen) or selectors.MAPPING_STATUSES
    matrix = selectors.donor_matrix(
        user=request.user, dimension=dimension, statuses=statuses
    )
    file_format = request.GET.get("format")
    if file_format in SPREADSHEETS:
        filename = f"donors-by-{dimension}.{file_format}"
        return SPREADSHEETS[file_format](filename, matrix_rows(matrix))
    projects = selectors.mapping_projects(user=request.user, statuses=statuses)
    context = {
        "matrix": matrix,
        "caption": CAPTIONS[dimension],
        "dimensions": form.fields["by"].choices,
        "status_choices": Assistance.Status.choices,
        "chosen": chosen,
        # The filter, carried by the tabs, the download and the pages.
        "status_query": urlencode([("status", status) for status in chosen]),
        "query": urlencode([("by", dimension)] + [("status", s) for s in chosen]),
        "page_obj": paginate(request, projects, 50),
    }
    return render(request, "followup/mapping.html", context)


def unmet_needs(request):
    if not can_view_donor_mapping(request.user):
        raise Http404
    queryset = selectors.unmet_needs(user=request.user)
    filterset = NeedFilterSet(request.GET, queryset=queryset, request=request)
    needs, valid = filter_rows(filterset)
    file_format = request.GET.get("format")
    if file_format in SPREADSHEETS and valid:
        rows = need_rows(needs)
        return SPREADSHEETS[file_format](f"unmet-needs.{file_format}", rows)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "query": query.urlencode()}
    context["page_obj"] = paginate(request, needs, 50)
    status = 200 if valid else 400
    return render(request, "followup/unmet.html", context, status=status)


def clusters(request):
    if not can_view_desk(request.user):
        raise Http404
    form = ClusterForm(request.GET or None)
    threshold = (form.cleaned_data.get("threshold") or 3) if form.is_valid() else 3
    found = selectors.regional_clusters(user=request.user, threshold=threshold)
    return render(
        request,
        "followup/clusters.html",
        {"clusters": found, "form": form, "threshold": threshold},
    )


@require_POST
def need_coverage(request, pk):
    need = need_selectors.need_get(user=request.user, pk=pk)
    if not can_edit_need(request.user, need):
        raise PermissionDenied(gettext("You cannot change this need's coverage."))
    decides = can_decide_coverage(request.user, need)
    if request.POST.get("clear") and decides:
        services.need_coverage_clear(need=need, user=request.user)
        messages.success(
            request, gettext("The coverage follows the assistance recorded again.")
        )
        return redirect(need)
    form = CoverageForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {' '.join(errors)}")
        return redirect(need)
    # The secretariat decides at once; a focal point's report is a proposal.
    service = services.need_coverage_set if decides else need_coverage_propose
    try:
        service(need=need, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            DECIDED[need.coverage_basis]
            if decides
            else gettext(
                "Coverage reported: the secretariat will see it when you submit."
            ),
        )
    return redirect(need)


def assistance_detail(request, pk):
    assistance = selectors.assistance_get(user=request.user, pk=pk)
    links = selectors.assistance_links(user=request.user, assistance=assistance)
    return render(
        request,
        "followup/assistance_detail.html",
        {
            "assistance": assistance,
            "links": links,
            "can_record_assistance": can_record_assistance(request.user),
        },
    )
