"""Bad input answers 400 (or 404), never 500: NUL and other control characters in
every route's parameters, in the query string of every route, and in the codes of
JSON bodies.

PostgreSQL refuses NUL in text, so there a NUL that reaches a lookup is a 500; SQLite
stores it. CI runs these on PostgreSQL, where they mean most, and on SQLite, where
every request also asserts that no query reaches the database with a NUL in its
parameters, so that the SQLite run is as strict.
The routes come from the URL resolver, so a new route is covered without anyone
remembering it.
"""

import json
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.urls import URLResolver, get_resolver
from django.utils.regex_helper import normalize
from rest_framework.test import APIClient

from needs.models import ActionPlan, Assistance, Donor, Need
from reviews.models import CountryReview, StateParty
from reviews.services import secretariat_group_load
from tests.factories import NeedFactory

pytestmark = pytest.mark.django_db

BAD_VALUES = {"nul": "AF%00", "control": "AF%01"}
BAD_QUERY = "q=a%00b&search=a%00b&state=a%00b"


def _route_regexes(resolver, prefix=""):
    """The regex of every route, its includes' prefixes joined (namespaces too)."""
    for entry in resolver.url_patterns:
        regex = prefix + entry.pattern.regex.pattern.removeprefix("^")
        if isinstance(entry, URLResolver):
            yield from _route_regexes(entry, regex)
        else:
            yield regex


def _routes() -> list[tuple[str, list[str]]]:
    """Every route as a %-format path and the names of its parameters (as reverse()
    sees them, through the resolver's own regex normaliser)."""
    found = {}
    for regex in _route_regexes(get_resolver()):
        template, params = normalize(regex)[0]
        found.setdefault("/" + template, params)
    return sorted(found.items())


ROUTES = _routes()
WITH_PARAMETERS = [(template, params) for template, params in ROUTES if params]
WITHOUT_PARAMETERS = [template for template, params in ROUTES if not params]


def test_the_walk_finds_the_project_routes():
    """Guard the walker: a change in Django's internals must not empty the tests."""
    templates = dict(ROUTES)
    assert templates["/states/%(code)s/"] == ["code"]
    assert templates["/api/v1/action-plans/%(pk)s/"] == ["pk"]
    assert templates["/admin/needs/need/%(object_id)s/change/"] == ["object_id"]
    assert "/follow-up/unmet/" in WITHOUT_PARAMETERS
    assert len(ROUTES) > 200


@pytest.fixture
def nul_never_reaches_the_database():
    """Fail when a query is sent with a NUL in its parameters (PostgreSQL's 500)."""
    sent = []

    def record(execute, sql, params, many, context):
        if _holds_nul(params):
            sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield
    assert sent == []


def _holds_nul(params) -> bool:
    if isinstance(params, (list, tuple)):
        return any(_holds_nul(value) for value in params)
    if isinstance(params, dict):
        return any(_holds_nul(value) for value in params.values())
    return isinstance(params, str) and "\x00" in params


@pytest.fixture
def browser(client, secretariat, nul_never_reaches_the_database):
    """The secretariat, logged in and staff as `add_user` makes them (so that the
    admin's routes are reached too); a server error is an answer, not a raise."""
    secretariat.is_staff = True
    secretariat.save()
    secretariat.groups.add(secretariat_group_load())
    client.force_login(secretariat)
    client.raise_request_exception = False
    return client


@pytest.fixture
def api(secretariat, nul_never_reaches_the_database):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(secretariat)
    return client


def _assert_refused(response):
    path = response.request["PATH_INFO"]
    assert response.status_code == 400, (path, response.status_code)
    if path.startswith("/api/v1/"):
        assert response.json()["status"] == 400  # the API's one error shape
        assert response.json().keys() >= {"status", "code", "detail"}
    else:
        assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("value", BAD_VALUES.values(), ids=BAD_VALUES.keys())
@pytest.mark.parametrize(
    ("template", "params"), WITH_PARAMETERS, ids=[t for t, _ in WITH_PARAMETERS]
)
def test_a_control_character_in_a_route_parameter_is_not_a_server_error(
    browser, template, params, value
):
    path = template % dict.fromkeys(params, value)
    response = browser.get(path)
    assert response.status_code in {400, 404}, (path, response.status_code)


@pytest.mark.parametrize("template", WITHOUT_PARAMETERS)
def test_a_nul_in_the_query_string_is_refused_on_every_route(browser, template):
    _assert_refused(browser.get(f"{template}?{BAD_QUERY}"))


@pytest.fixture
def need(own_review):
    return NeedFactory(review=own_review)


def _writes(need):
    """(method, path, JSON body with a NUL in a code or lookup field)."""
    review = need.review.pk
    donor = Donor.objects.create(name="Donor").pk
    project = Assistance.objects.create(title="Project").pk
    plan = ActionPlan.objects.create(state=need.review.state, title="Plan").pk
    return [
        ("post", "/api/v1/action-plans/", {"state": "AF\x00", "title": "Plan"}),
        ("patch", f"/api/v1/action-plans/{plan}/", {"state": "OWN\x00"}),
        (
            "post",
            "/api/v1/needs/",
            {"review": review, "article": 15, "need_type": "x\x00"},
        ),
        (
            "post",
            "/api/v1/needs/",
            {"review": review, "article": "15\x00", "need_type": "other"},
        ),
        ("post", "/api/v1/donors/", {"name": "D", "home_country": "AF\x00"}),
        ("patch", f"/api/v1/donors/{donor}/", {"home_country": "\x00"}),
        ("post", "/api/v1/assistance/", {"title": "P", "beneficiaries": ["A\x00"]}),
        ("post", f"/api/v1/assistance/{project}/link/", {"need": "1\x00"}),
        ("post", "/api/v1/reviews/", {"state": "OWN\x00", "cycle": 1}),
        ("post", "/api/v1/token/", {"username": "sec\x00", "password": "x"}),
    ]


def test_a_nul_in_a_json_code_field_is_refused(api, need):
    # given records to write to, and bodies with a NUL in a code field
    writes = _writes(need)
    before = _counts()
    # when each is sent
    answers = [
        api.generic(method.upper(), path, json.dumps(body), "application/json")
        for method, path, body in writes
    ]
    # then every one is refused with the API's error shape, and nothing changed
    for response in answers:
        _assert_refused(response)
    assert _counts() == before


def _counts() -> list[int]:
    models = [ActionPlan, Assistance, CountryReview, Donor, Need, StateParty]
    return [model.objects.count() for model in models]


def _post_edit_form(browser, need, *, description):
    """The need's edit form as a browser posts it: urlencoded, not multipart."""
    body = {
        "description": description,
        "priority": need.priority,
        "source": need.source,
        "remaining": "",
        "expected_version": need.version,
    }
    return browser.post(
        f"/needs/{need.pk}/edit/",
        urlencode(body),
        "application/x-www-form-urlencoded",
    )


def test_a_nul_in_a_page_form_is_refused_and_nothing_changes(browser, need):
    # given the edit form of a need, as a browser sends it (urlencoded)
    # when it is posted with a NUL in the description
    response = _post_edit_form(browser, need, description="Changed\x00")
    # then a plain 400, and the need is as it was
    _assert_refused(response)
    need.refresh_from_db()
    assert need.version == 1


# A need's description in each of the six official languages of the United Nations.
UN_TEXT = {
    "arabic": "صياغة تشريعات بشأن حماية المبلغين",
    "chinese": "起草关于保护举报人的立法",
    "english": "Drafting of whistle-blower protection legislation",
    "french": "Rédaction d'une loi sur la protection des lanceurs d'alerte",
    "russian": "Разработка законодательства о защите заявителей",
    "spanish": "Redacción de una ley de protección de denunciantes",
}


@pytest.mark.parametrize("text", UN_TEXT.values(), ids=UN_TEXT.keys())
@pytest.mark.parametrize("ensure_ascii", [True, False], ids=["escaped", "utf-8"])
def test_a_description_in_any_un_language_saves_through_the_api(
    api, own_review, text, ensure_ascii
):
    body = {"review": own_review.pk, "article": 15, "need_type": "other"}
    response = api.generic(
        "POST",
        "/api/v1/needs/",
        json.dumps(body | {"description": text}, ensure_ascii=ensure_ascii),
        "application/json",
    )
    assert response.status_code == 201, response.json()
    assert Need.objects.get().description == text


@pytest.mark.parametrize("text", UN_TEXT.values(), ids=UN_TEXT.keys())
def test_a_description_in_any_un_language_saves_through_the_page(browser, need, text):
    response = _post_edit_form(browser, need, description=text)
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.description == text
