"""Pages where the follow-up is recorded (the Django admin stays for curation): a
review's letter and events, a State's action plans, donors, assistance with the
needs it addresses, consent, and the assistance a focal point reports, which the
secretariat confirms or declines.

Every write goes through `needs.followup.services`; each form returns to where it
was opened (`next`: the desk or the State's follow-up page, by default the latter).
An invalid form answers 400 with its errors beside the fields and keeps the input.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from needs.followup import selectors, services
from needs.followup.forms import (
    ActionPlanForm,
    AssistanceForm,
    AssistanceReportForm,
    ConsentForm,
    DecisionForm,
    DeclineForm,
    DonorForm,
    EventFormSet,
    FollowUpForm,
    ItemFormSet,
    LinksFormSet,
    NewDonorForm,
)
from needs.models import ActionPlan, Assistance, AssistanceReport, Donor
from needs.permissions import (
    can_change_assistance_report,
    can_confirm_assistance_report,
    can_edit_plan,
    can_record_assistance,
    can_record_consent,
    can_record_follow_up,
    can_report_assistance,
)


# ---------------------------------------------------------------------------
# Where a form returns, and how it answers
# ---------------------------------------------------------------------------
def back_to(request, default: str) -> str:
    """The `next` address the form was opened with, if it is one of this site's;
    else `default`."""
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def state_page(state) -> str:
    return reverse("followup:state_follow_up", kwargs={"code": state.code})


def _bound(request):
    return request.POST if request.method == "POST" else None


def _add_errors(form, error: ValidationError) -> None:
    """A service's errors beside the form's fields (the others above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _page(request, template: str, context: dict):
    """The form again: 400 after a refused POST, with everything typed kept."""
    status = 400 if request.method == "POST" else 200
    return render(request, template, context, status=status)


def _done(request, message: str, back: str):
    messages.success(request, message)
    return redirect(back)


def _confirm_delete(request, what, back: str, service, message: str):
    """GET: ask; POST: delete through `service` and return."""
    if request.method != "POST":
        context = {"what": what, "back": back}
        return render(request, "followup/confirm_delete.html", context)
    service()
    return _done(request, message, back)


# ---------------------------------------------------------------------------
# A review's follow-up: the letter, the reply, the next step, the events
# ---------------------------------------------------------------------------
def follow_up_edit(request, pk):
    review = selectors.follow_up_review_get(user=request.user, pk=pk)
    if not can_record_follow_up(request.user):
        raise PermissionDenied(gettext("Only the secretariat records the follow-up."))
    follow_up = selectors.follow_up_of(review)
    initial = [
        {f: getattr(e, f) for f in ("date", "kind", "participants", "outcome")}
        for e in (follow_up.events.all() if follow_up.pk else [])
    ]
    form = FollowUpForm(_bound(request), instance=follow_up)
    events = EventFormSet(_bound(request), initial=initial, prefix="events")
    back = back_to(request, state_page(review.state))
    if request.method == "POST" and form.is_valid() and events.is_valid():
        try:
            services.follow_up_save(
                follow_up=form.instance, events=events.rows(), user=request.user
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _done(request, gettext("The follow-up was saved."), back)
    context = {"review": review, "form": form, "events": events, "back": back}
    context["follow_up"] = follow_up
    return _page(request, "followup/follow_up_form.html", context)


def follow_up_delete(request, pk):
    review = selectors.follow_up_review_get(user=request.user, pk=pk)
    if not can_record_follow_up(request.user):
        raise PermissionDenied(gettext("Only the secretariat records the follow-up."))
    follow_up = selectors.follow_up_of(review)
    if follow_up.pk is None:
        raise Http404
    return _confirm_delete(
        request,
        follow_up,
        back_to(request, state_page(review.state)),
        lambda: services.follow_up_delete(follow_up=follow_up, user=request.user),
        gettext("The follow-up was deleted."),
    )


# ---------------------------------------------------------------------------
# Consent (paragraph 79)
# ---------------------------------------------------------------------------
def consent_edit(request, pk):
    """What the review's State agreed to share: record a subject, or withdraw one."""
    review = selectors.follow_up_review_get(user=request.user, pk=pk)
    if not can_record_consent(request.user):
        raise PermissionDenied(gettext("Only the secretariat records consent."))
    form = ConsentForm(_bound(request))
    back = back_to(request, state_page(review.state))
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(
                review=review, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _done(request, gettext("The consent was recorded."), back)
    context = {"review": review, "form": form, "back": back}
    context["consents"] = review.consents.all()
    return _page(request, "followup/consent_form.html", context)


@require_POST
def consent_withdraw(request, pk):
    consent = selectors.consent_get(user=request.user, pk=pk)
    if not can_record_consent(request.user):
        raise PermissionDenied(gettext("Only the secretariat records consent."))
    back = back_to(request, state_page(consent.review.state))
    services.consent_withdraw(consent=consent, user=request.user)
    return _done(request, gettext("The consent was withdrawn."), back)


# ---------------------------------------------------------------------------
# Action plans and their ranked items
# ---------------------------------------------------------------------------
def action_plan_create(request, code):
    state = selectors.state_get(user=request.user, code=code)
    return _action_plan_page(request, ActionPlan(state=state))


def action_plan_edit(request, pk):
    return _action_plan_page(
        request, selectors.action_plan_get(user=request.user, pk=pk)
    )


def _action_plan_page(request, plan: ActionPlan):
    if not can_edit_plan(request.user, plan.state_id):
        raise PermissionDenied(gettext("You cannot change this State's action plans."))
    items = list(plan.items.all()) if plan.pk else []
    needs = selectors.needs_to_choose(
        user=request.user,
        states=[plan.state],
        keep=[n.pk for item in items for n in item.needs.all()],
    )
    initial = [_item_values(item) for item in items]
    form = ActionPlanForm(_bound(request), instance=plan)
    formset = ItemFormSet(_bound(request), initial=initial, prefix="items", needs=needs)
    back = back_to(request, state_page(plan.state))
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.action_plan_save(
                plan=form.instance, items=formset.rows(), user=request.user
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _done(request, gettext("The action plan was saved."), back)
    context = {"plan": plan, "form": form, "items": formset, "back": back}
    return _page(request, "followup/action_plan_form.html", context)


def _item_values(item) -> dict:
    names = ["rank", "group", "responsible_authority", "due_on", "expected_result"]
    names += ["integration", "integration_reference", "completed"]
    values = {name: getattr(item, name) for name in names}
    return values | {"needs": [need.pk for need in item.needs.all()]}


def action_plan_delete(request, pk):
    plan = selectors.action_plan_get(user=request.user, pk=pk)
    if not can_edit_plan(request.user, plan.state_id):
        raise PermissionDenied(gettext("You cannot delete this State's action plans."))
    return _confirm_delete(
        request,
        plan,
        back_to(request, state_page(plan.state)),
        lambda: services.action_plan_delete(plan=plan, user=request.user),
        gettext("The action plan was deleted."),
    )


# ---------------------------------------------------------------------------
# Donors (reference data of the secretariat)
# ---------------------------------------------------------------------------
def _secretariat_only(request) -> None:
    """Donor and assistance records are the secretariat's to keep."""
    if not can_record_assistance(request.user):
        raise PermissionDenied(gettext("Only the secretariat records assistance."))


def donor_list(request):
    if not can_record_assistance(request.user):
        raise Http404
    return render(
        request, "followup/donor_list.html", {"donors": selectors.donor_list()}
    )


def donor_create(request):
    _secretariat_only(request)
    return _donor_page(request, Donor())


def donor_edit(request, pk):
    _secretariat_only(request)
    return _donor_page(request, _donor(pk))


def _donor(pk) -> Donor:
    donor = selectors.donor_list().filter(pk=pk).first()
    if donor is None:
        raise Http404
    return donor


def _donor_page(request, donor: Donor):
    form = DonorForm(_bound(request), instance=donor)
    back = back_to(request, reverse("followup:donor_list"))
    if request.method == "POST" and form.is_valid():
        try:
            services.donor_save(donor=form.instance, user=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _done(request, gettext("The donor was saved."), back)
    context = {"donor": donor, "form": form, "back": back}
    return _page(request, "followup/donor_form.html", context)


def donor_delete(request, pk):
    _secretariat_only(request)
    donor = _donor(pk)
    return _confirm_delete(
        request,
        donor,
        back_to(request, reverse("followup:donor_list")),
        lambda: services.donor_delete(donor=donor, user=request.user),
        gettext("The donor was deleted."),
    )


# ---------------------------------------------------------------------------
# Assistance and the needs it addresses
# ---------------------------------------------------------------------------
def assistance_create(request):
    """New assistance; `?state=<code>` names its beneficiary (and offers its needs)."""
    code = request.GET.get("state") or request.POST.get("state")
    state = selectors.state_get(user=request.user, code=code) if code else None
    _secretariat_only(request)
    default = state_page(state) if state else reverse("followup:desk")
    return _assistance_page(
        request, Assistance(), [state] if state else [], back_to(request, default)
    )


def assistance_edit(request, pk):
    assistance = selectors.assistance_get(user=request.user, pk=pk)
    _secretariat_only(request)
    states = list(assistance.beneficiaries.all())
    default = state_page(states[0]) if states else assistance.get_absolute_url()
    return _assistance_page(request, assistance, states, back_to(request, default))


def _assistance_page(request, assistance: Assistance, states: list, back: str):
    links = list(assistance.links.select_related("need")) if assistance.pk else []
    initial = {"beneficiaries": states} if not assistance.pk else {}
    form = AssistanceForm(_bound(request), instance=assistance, initial=initial)
    formset = LinksFormSet(
        _bound(request),
        initial=[
            {"need": link.need, "coverage": link.coverage, "note": link.note}
            for link in links
        ],
        prefix="links",
        needs=selectors.needs_to_choose(
            user=request.user,
            states=_beneficiaries(form, states),
            keep=[link.need_id for link in links],
        ),
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.assistance_save(
                assistance=form.instance,
                donors=form.cleaned_data["donors"],
                beneficiaries=form.cleaned_data["beneficiaries"],
                links=formset.rows(),
                user=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _done(request, gettext("The assistance was saved."), back)
    context = {"assistance": assistance, "form": form, "links": formset, "back": back}
    return _page(request, "followup/assistance_form.html", context)


def _beneficiaries(form, states: list) -> list:
    """The States whose needs the links may name: those chosen in the form as
    posted, else those recorded (or named in the address)."""
    if form.is_bound:
        chosen = form.data.getlist(form.add_prefix("beneficiaries"))
        return [pk for pk in chosen if pk.isdigit()]
    return states


def assistance_delete(request, pk):
    assistance = selectors.assistance_get(user=request.user, pk=pk)
    _secretariat_only(request)
    states = list(assistance.beneficiaries.all())
    return _confirm_delete(
        request,
        assistance,
        back_to(request, state_page(states[0]) if states else reverse("followup:desk")),
        lambda: services.assistance_delete(assistance=assistance, user=request.user),
        gettext("The assistance was deleted."),
    )


# ---------------------------------------------------------------------------
# Assistance a focal point reports (paragraphs 75-76)
# ---------------------------------------------------------------------------
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
    form = AssistanceReportForm(_bound(request), instance=report, needs=needs)
    back = back_to(request, state_page(report.state))
    if request.method == "POST" and form.is_valid():
        try:
            services.assistance_report_save(
                report=form.instance, links=form.links(), user=request.user
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            message = gettext(
                "Reported: the secretariat will confirm it; until then it does not "
                "count in your needs' coverage."
            )
            return _done(request, message, back)
    context = {"report": report, "form": form, "back": back}
    return _page(request, "followup/assistance_report_form.html", context)


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
    page = _confirm_forms(request, report, _bound(request))
    forms = [page[name] for name in ("form", "links", "new_donor", "decision")]
    if request.method == "POST" and _all_valid(*forms):
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
            _add_errors(form, error)
        else:
            message = gettext("Confirmed: the assistance is recorded and counts.")
            return _done(request, message, page["back"])
    return _page(request, "followup/assistance_report_confirm.html", page)


@require_POST
def assistance_report_decline(request, pk):
    report = _report_to_decide(request, pk)
    decline = DeclineForm(request.POST, prefix="decline")
    if decline.is_valid():
        services.assistance_report_decline(
            report=report, user=request.user, comment=decline.cleaned_data["comment"]
        )
        message = gettext("The report was not confirmed; the State sees why.")
        return _done(request, message, back_to(request, state_page(report.state)))
    page = _confirm_forms(request, report, None) | {"decline": decline}
    return _page(request, "followup/assistance_report_confirm.html", page)


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
            states=_beneficiaries(form, [report.state]),
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


def _all_valid(*forms) -> bool:
    results = [form.is_valid() for form in forms]  # each shows its own errors
    return all(results)


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
