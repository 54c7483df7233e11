"""Pages where the secretariat records the follow-up (the Django admin stays for
curation): a review's letter and events, consent, a State's action plans (which its
focal points keep too), donors, and assistance with the needs it addresses.

Every write goes through `needs.followup.services`; each form returns to where it
was opened (`needs.followup.pages`).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from needs.followup import selectors, services
from needs.followup.forms import (
    ActionPlanForm,
    AssistanceForm,
    ConsentForm,
    DonorForm,
    EventFormSet,
    FollowUpForm,
    ItemFormSet,
    LinksFormSet,
)
from needs.followup.pages import (
    add_errors,
    back_to,
    beneficiaries,
    bound_data,
    done,
    form_page,
    quiet,
    state_page,
    submitted,
)
from needs.models import ActionPlan, Assistance, Donor
from needs.permissions import (
    can_edit_plan,
    can_record_assistance,
    can_record_consent,
    can_record_follow_up,
)


def _confirm_delete(request, what, back: str, service, message: str):
    """GET: ask; POST: delete through `service` and return."""
    if request.method != "POST":
        context = {"what": what, "back": back}
        return render(request, "followup/confirm_delete.html", context)
    service()
    return done(request, message, back)


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
    form = FollowUpForm(bound_data(request), instance=follow_up)
    events = EventFormSet(bound_data(request), initial=initial, prefix="events")
    back = back_to(request, state_page(review.state))
    if submitted(request) and form.is_valid() and events.is_valid():
        try:
            services.follow_up_save(
                follow_up=form.instance, events=events.rows(), user=request.user
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return done(request, gettext("The follow-up was saved."), back)
    quiet(request, form, events)
    context = {"review": review, "form": form, "events": events, "back": back}
    context["follow_up"] = follow_up
    return form_page(request, "followup/follow_up_form.html", context)


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
    form = ConsentForm(bound_data(request))
    back = back_to(request, state_page(review.state))
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(
                review=review, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return done(request, gettext("The consent was recorded."), back)
    context = {"review": review, "form": form, "back": back}
    context["consents"] = review.consents.all()
    return form_page(request, "followup/consent_form.html", context)


@require_POST
def consent_withdraw(request, pk):
    consent = selectors.consent_get(user=request.user, pk=pk)
    if not can_record_consent(request.user):
        raise PermissionDenied(gettext("Only the secretariat records consent."))
    back = back_to(request, state_page(consent.review.state))
    services.consent_withdraw(consent=consent, user=request.user)
    return done(request, gettext("The consent was withdrawn."), back)


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
    form = ActionPlanForm(bound_data(request), instance=plan)
    formset = ItemFormSet(
        bound_data(request), initial=initial, prefix="items", needs=needs
    )
    back = back_to(request, state_page(plan.state))
    if submitted(request) and form.is_valid() and formset.is_valid():
        try:
            services.action_plan_save(
                plan=form.instance, items=formset.rows(), user=request.user
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return done(request, gettext("The action plan was saved."), back)
    quiet(request, form, formset)
    context = {"plan": plan, "form": form, "items": formset, "back": back}
    return form_page(request, "followup/action_plan_form.html", context)


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
    form = DonorForm(bound_data(request), instance=donor)
    back = back_to(request, reverse("followup:donor_list"))
    if request.method == "POST" and form.is_valid():
        try:
            services.donor_save(donor=form.instance, user=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            return done(request, gettext("The donor was saved."), back)
    context = {"donor": donor, "form": form, "back": back}
    return form_page(request, "followup/donor_form.html", context)


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
    form = AssistanceForm(bound_data(request), instance=assistance, initial=initial)
    formset = LinksFormSet(
        bound_data(request),
        initial=[
            {"need": link.need, "coverage": link.coverage, "note": link.note}
            for link in links
        ],
        prefix="links",
        needs=selectors.needs_to_choose(
            user=request.user,
            states=beneficiaries(form, states),
            keep=[link.need_id for link in links],
        ),
    )
    if submitted(request) and form.is_valid() and formset.is_valid():
        try:
            services.assistance_save(
                assistance=form.instance,
                donors=form.cleaned_data["donors"],
                beneficiaries=form.cleaned_data["beneficiaries"],
                links=formset.rows(),
                user=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return done(request, gettext("The assistance was saved."), back)
    quiet(request, form, formset)
    context = {"assistance": assistance, "form": form, "links": formset, "back": back}
    return form_page(request, "followup/assistance_form.html", context)


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
