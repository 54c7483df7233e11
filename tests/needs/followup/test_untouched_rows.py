"""Forms with several rows, submitted as a browser submits them: the empty rows a
person did not touch are left out, never refused (a select with no empty choice
sends its first option, which must count as untouched)."""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from needs.models import ActionPlan, Assistance, FollowUp
from tests.factories import make_assistance

pytestmark = pytest.mark.django_db


class _FormValues(HTMLParser):
    """What a browser sends for the page's form (the first of class "stacked"),
    untouched: text as rendered, ticked boxes, each select's selected option or
    else its first."""

    def __init__(self):
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self._in_form = False
        self._select: dict | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "stacked" in attrs.get("class", "") and not self.values:
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.values.append((name, attrs.get("value", "on")))
            else:
                self.values.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self._select = {"name": name, "first": None, "selected": None}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["selected"] = value
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form" and self._in_form:
            self._in_form = False
        elif tag == "select" and self._select is not None:
            chosen = self._select["selected"]
            if chosen is None:
                chosen = self._select["first"]
            if chosen is not None:
                self.values.append((self._select["name"], chosen))
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.values.append((self._textarea, self._text.lstrip("\n")))
            self._textarea = None


def submit_untouched(client: Client, url: str, **typed) -> object:
    """GET the form, then POST what a browser would, with `typed` filled in."""
    parser = _FormValues()
    parser.feed(client.get(url).content.decode())
    data: dict[str, list[str]] = {}
    for name, value in parser.values:
        data.setdefault(name, []).append(value)
    data.update({name: [value] for name, value in typed.items()})
    return client.post(url, data)


@pytest.fixture
def browser(secretariat):
    client = Client()
    client.force_login(secretariat)
    return client


def test_a_new_assistance_record_saves_with_its_empty_need_rows_untouched(
    browser, own_review
):
    response = submit_untouched(
        browser,
        reverse("followup:assistance_create"),
        title="Training of investigators",
        beneficiaries=str(own_review.state.pk),
    )
    assert response.status_code == 302, response.context["links"].errors
    assistance = Assistance.objects.get(title="Training of investigators")
    assert not assistance.links.exists()


def test_changing_only_the_notes_of_assistance_saves(browser, own_review):
    assistance = make_assistance(states=[own_review.state], title="Project")
    url = reverse("followup:assistance_edit", args=[assistance.pk])
    response = submit_untouched(browser, url, notes="Second phase agreed")
    assert response.status_code == 302, response.context["links"].errors
    assistance.refresh_from_db()
    assert assistance.notes == "Second phase agreed"


def test_a_new_action_plan_saves_with_its_empty_item_rows_untouched(
    browser, own_review
):
    url = reverse("followup:action_plan_create", args=[own_review.state.code])
    response = submit_untouched(browser, url, title="National plan")
    assert response.status_code == 302, response.context["items"].errors
    assert not ActionPlan.objects.get(title="National plan").items.exists()


def test_the_letter_saves_with_its_empty_event_rows_untouched(browser, own_review):
    url = reverse("followup:follow_up_edit", args=[own_review.pk])
    response = submit_untouched(browser, url, letter_sent_on="2014-01-10")
    assert response.status_code == 302, response.context["events"].errors
    assert not FollowUp.objects.get(review=own_review).events.exists()
