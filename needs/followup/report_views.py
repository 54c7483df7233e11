"""Assistance a focal point reports for its State's needs (paragraphs 75-76), and
the secretariat's confirmation (possibly correcting it) or refusal. A report counts
nowhere until confirmed: confirming records it as assistance, through the services.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from needs.followup import selectors, services
from needs.followup.forms import (
    AssistanceForm,
    AssistanceReportForm,
    DecisionForm,
    DeclineForm,
    LinksFormSet,
    NewDonorForm,
)
from needs.followup.pages import (
    add_errors,
    all_valid,
    back_to,
    beneficiaries,
    bound_data,
    done,
    form_page,
    quiet,
    state_page,
    submitted,
)
from needs.models import Assistance, AssistanceReport
from needs.permissions import (
    can_change_assistance_report,
    can_confirm_assistance_report,
    can_record_assistance,
    can_report_assistance,
)


def assistance_report_create(request, code):
    state = selectors.state_get(user=request.user, code=code)
    return _report_page(request, AssistanceReport(state=state))


def assistance_report_edit(request, pk):
    report = selectors.assistance_report_get(user=request.user, pk=pk)
    if not can_change_assistance_report(request.user, report):
        raise PermissionDenied(gettext("This report can no longer be changed."))
    return _report_page(request, report)


def _report_page(request, report: AssistanceReport):
    if not can_report_assistance(request.user, report.state_id):
        raise PermissionDenied(gettext("You cannot report assistance for this State."))
    keep = report.links.values_list("need", flat=True) if report.pk else []
    needs = selectors.needs_to_choose(
        user=request.user, states=[report.state], keep=keep
    )
    form = AssistanceReportForm(bound_data(request), instance=report, needs=needs)
    back = back_to(request, state_page(report.state))
    if request.method == "POST" and form.is_valid():
        try:
            services.assistance_report_save(
                report=form.instance, links=form.links(), user=request.user
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            message = gettext(
                "Reported: the secretariat will confirm it; until then it does not "
                "count in your needs' coverage."
            )
            return done(request, message, back)
    context = {"report": report, "form": form, "back": back}
    return form_page(request, "followup/assistance_report_form.html", context)


def assistance_report_list(request):
    """The reports awaiting the secretariat's confirmation, oldest first."""
    if not can_record_assistance(request.user):
        raise Http404
    reports = selectors.assistance_reports(user=request.user).awaiting()
    return render(request, "followup/assistance_report_list.html", {"reports": reports})


def assistance_report_confirm(request, pk):
    """The report beside the assistance it becomes, with the reported values to
    confirm or correct."""
    report = _report_to_decide(request, pk)
    page = _confirm_forms(request, report, bound_data(request))
    forms = [page[name] for name in ("form", "links", "new_donor", "decision")]
    if submitted(request) and all_valid(*forms):
        form, links, new_donor, decision = forms
        try:
            services.assistance_report_confirm(
                report=report,
                assistance=form.instance,
                donors=form.cleaned_data["donors"],
                beneficiaries=form.cleaned_data["beneficiaries"],
                links=links.rows(),
                new_donor=new_donor.donor(),
                comment=decision.cleaned_data["comment"],
                user=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            message = gettext("Confirmed: the assistance is recorded and counts.")
            return done(request, message, page["back"])
    quiet(request, *forms)
    return form_page(request, "followup/assistance_report_confirm.html", page)


@require_POST
def assistance_report_decline(request, pk):
    report = _report_to_decide(request, pk)
    decline = DeclineForm(request.POST, prefix="decline")
    if decline.is_valid():
        services.assistance_report_decline(
            report=report, user=request.user, comment=decline.cleaned_data["comment"]
        )
        message = gettext("The report was not confirmed; the State sees why.")
        return done(request, message, back_to(request, state_page(report.state)))
    page = _confirm_forms(request, report, None) | {"decline": decline}
    return form_page(request, "followup/assistance_report_confirm.html", page)


def _report_to_decide(request, pk) -> AssistanceReport:
    report = selectors.assistance_report_get(user=request.user, pk=pk)
    if not can_confirm_assistance_report(request.user, report):
        raise PermissionDenied(gettext("Only the secretariat confirms reports."))
    return report


def _confirm_forms(request, report: AssistanceReport, bound) -> dict:
    """The confirmation page's forms, filled with what the State reported."""
    assistance = Assistance(source=Assistance.Source.STATE_REPORT)
    form = AssistanceForm(bound, instance=assistance, initial=_reported(report))
    reported = [
        {"need": link.need, "coverage": link.coverage} for link in report.links.all()
    ]
    links = LinksFormSet(
        bound,
        initial=reported,
        prefix="links",
        needs=selectors.needs_to_choose(
            user=request.user,
            states=beneficiaries(form, [report.state]),
            keep=[link["need"].pk for link in reported],
        ),
    )
    return {
        "report": report,
        "form": form,
        "links": links,
        "new_donor": NewDonorForm(
            bound, prefix="donor", initial={"name": report.donor_name}
        ),
        "decision": DecisionForm(bound),
        "decline": DeclineForm(prefix="decline"),
        "back": back_to(request, state_page(report.state)),
    }


def _reported(report: AssistanceReport) -> dict:
    values = {
        "title": report.title,
        "beneficiaries": [report.state],
        "starts_on": report.starts_on,
        "ends_on": report.ends_on,
        "status": report.status,
        "notes": report.notes,
        "source": Assistance.Source.STATE_REPORT,
    }
    return values | {"donors": [report.donor] if report.donor_id else []}
