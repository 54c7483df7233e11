"""What the follow-up's forms share: where a form returns (`next`), and how it
answers (400 with the errors beside the fields after a refused POST, everything
typed kept; a success message and a redirect after saving)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


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


# The button under a form with several rows that adds empty rows without
# JavaScript: the page comes back with everything typed and ROWS_ADDED more rows of
# the formset whose prefix is the button's value; nothing is saved.
MORE_ROWS = "more-rows"
ROWS_ADDED = 3


def bound_data(request):
    """The posted values, with ROWS_ADDED more rows in the formset named by the
    "more rows" button when it was the one pressed."""
    if request.method != "POST":
        return None
    prefix = request.POST.get(MORE_ROWS)
    total = f"{prefix}-TOTAL_FORMS"
    if not prefix or not request.POST.get(total, "").isdigit():
        return request.POST
    data = request.POST.copy()
    data[total] = str(int(data[total]) + ROWS_ADDED)
    return data


def submitted(request) -> bool:
    """A POST meant to be saved (not the "more rows" button)."""
    return request.method == "POST" and MORE_ROWS not in request.POST


def quiet(request, *forms) -> None:
    """After the "more rows" button: the forms show what was typed, without errors
    (nothing was submitted for saving yet)."""
    if submitted(request) or request.method != "POST":
        return
    for form in forms:
        for each in getattr(form, "forms", [form]):
            each._errors = ErrorDict()
        if hasattr(form, "forms"):
            form._errors = [each._errors for each in form.forms]
            form._non_form_errors = form.error_class()


def add_errors(form, error: ValidationError) -> None:
    """A service's errors beside the form's fields (the others above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def form_page(request, template: str, context: dict):
    """The form again: 400 after a refused POST, with everything typed kept."""
    status = 400 if submitted(request) else 200
    return render(request, template, context, status=status)


def done(request, message: str, back: str):
    messages.success(request, message)
    return redirect(back)


def all_valid(*forms) -> bool:
    results = [form.is_valid() for form in forms]  # each shows its own errors
    return all(results)


def beneficiaries(form, states: list) -> list:
    """The States whose needs the links may name: those chosen in the form as
    posted, else those recorded (or named in the address)."""
    if form.is_bound:
        chosen = form.data.getlist(form.add_prefix("beneficiaries"))
        return [pk for pk in chosen if pk.isdigit()]
    return states
