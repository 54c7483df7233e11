"""Middlewares: the user's language, the second factor before any page, and 400 for
characters no record holds.

Refuse, with 400, characters that no record holds and no lookup can take.

PostgreSQL refuses NUL in text: a NUL that reaches a query (a State code in the
address, `?search=`, a code in a JSON body) is a 500 there, from whichever view
happened to look it up. Refusing it before any view covers every route at once,
the ones not written yet included. Other C0 control characters are refused in the
address and the query string too (no code, slug or filter value holds one); tab,
line feed and carriage return stay allowed.

Bodies are checked for NUL only, and only JSON and form-urlencoded ones: text typed
into a form may hold other control characters harmlessly, and multipart bodies pass
untouched because uploaded files (an XLSX is a zip) hold NUL bytes legitimately.
"""

import re
from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device

from reviews.mfa import second_factor_owed
from reviews.permissions import language_of

API_PREFIX = "/api/v1/"

# C0 control characters but tab (\x09), line feed (\x0a) and carriage return (\x0d).
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A `\u0000` escape in JSON text, unless its backslash is itself escaped (`\\u0000`
# is a backslash followed by "u0000"): an even run of backslashes may precede it.
JSON_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")

IN_ADDRESS = _("The address contains a control character (such as NUL).")
IN_QUERY = _("A query parameter contains a control character (such as NUL).")
IN_BODY = _("The request body contains a NUL character, which no field can hold.")


class ControlCharacterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = bad_input(request)
        if problem is None:
            return self.get_response(request)
        # This runs before LocaleMiddleware: answer in the language the request asks
        # for (the language menu's cookie or the browser's Accept-Language).
        with translation.override(translation.get_language_from_request(request)):
            problem = str(problem)
        if request.path_info.startswith(API_PREFIX):
            # The API's one error shape (tatracker.drf.ErrorSerializer).
            body = {"status": 400, "code": "invalid", "detail": problem}
            return JsonResponse(body, status=400)
        return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")


def bad_input(request: HttpRequest) -> Promise | None:
    """What is wrong with the request's characters (a lazy translation), or None."""
    if CONTROL_CHARACTER.search(request.path_info):
        return IN_ADDRESS
    for key, values in request.GET.lists():
        if any(CONTROL_CHARACTER.search(text) for text in (key, *values)):
            return IN_QUERY
    if _body_has_nul(request):
        return IN_BODY
    return None


def _body_has_nul(request: HttpRequest) -> bool:
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        return b"\x00" in request.body or bool(JSON_NUL_ESCAPE.search(request.body))
    if content_type == "application/x-www-form-urlencoded":
        # A literal % is always sent as %25, so %00 is always an encoded NUL.
        return b"\x00" in request.body or b"%00" in request.body
    return False


class UserLanguageMiddleware:
    """A logged-in user reads tatracker in the language of their profile (chosen in
    the language menu); LocaleMiddleware has already taken the cookie or the
    browser's Accept-Language for everybody else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_of(getattr(request, "user", None))
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


# What a session that owes its second factor may still open (URL names).
SECOND_FACTOR_OPEN = frozenset(
    {
        "reviews:two_factor_setup",
        "reviews:two_factor_verify",
        "otp_webauthn:credential-authentication-begin",
        "otp_webauthn:credential-authentication-complete",
        "otp_webauthn:js-i18n-catalog",
        "reviews:language_set",
        "logout",
        "admin:logout",
        "login",
        "health",
        "ready",
        "metrics",
    }
)
SECOND_FACTOR_OWED = _(
    "Give your second factor (or enrol an authenticator) in the pages first."
)


class SecondFactorMiddleware:
    """A logged-in user who owes a second factor (reviews/mfa.py: the secretariat
    and administrators, and whoever has an authenticator) reaches no page, the
    admin and the API included, but the code's or the enrolment's: redirected
    there, or 403 in the API. Requests with an API token carry no session: the
    token view issues tokens only to verified sessions (`can_issue_api_token`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.view_name in SECOND_FACTOR_OPEN:
            return None
        if not second_factor_owed(request):
            return None
        if request.path_info.startswith(API_PREFIX):
            return JsonResponse({"detail": str(SECOND_FACTOR_OWED)}, status=403)
        step = (
            "reviews:two_factor_verify"
            if user_has_device(request.user, confirmed=True)
            else "reviews:two_factor_setup"
        )
        response = redirect(step)
        response["Location"] += "?" + urlencode({"next": request.get_full_path()})
        return response
