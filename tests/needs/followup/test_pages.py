"""The pages where the follow-up is recorded (not the admin): each form as each role,
invalid input, `next`, and the focal point's report of assistance that counts only
once the secretariat confirms it."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from needs.followup import services
from needs.models import (
    ActionPlan,
    ActionPlanItem,
    Assistance,
    AssistanceNeed,
    AssistanceReport,
    AssistanceReportNeed,
    Consent,
    Donor,
    FollowUp,
    FollowUpEvent,
    Need,
)
from reviews.models import Account
from tests.factories import AccountFactory, NeedFactory, make_assistance

pytestmark = pytest.mark.django_db

DESK = "/follow-up/"


def rows(prefix: str, values: list[dict], initial: int = 0) -> dict:
    """A formset's POST data: its management form and one dict per row."""
    data = {f"{prefix}-TOTAL_FORMS": len(values), f"{prefix}-INITIAL_FORMS": initial}
    for index, row in enumerate(values):
        data |= {f"{prefix}-{index}-{name}": value for name, value in row.items()}
    return data


def snapshot() -> dict:
    """Every follow-up record and every need's coverage: compared before and after
    a refused or invalid request."""
    models = [
        FollowUp,
        FollowUpEvent,
        ActionPlan,
        ActionPlanItem,
        Donor,
        Assistance,
        AssistanceNeed,
        AssistanceReport,
        AssistanceReportNeed,
        Consent,
    ]
    found = {
        model.__name__: list(model.objects.order_by("pk").values()) for model in models
    }
    found["coverage"] = list(Need.objects.order_by("pk").values_list("pk", "coverage"))
    return found


@pytest.fixture
def other(other_review):
    """Another State's records (not the focal point's): a need, a letter, a plan, an
    assistance record, a donor, a consent, and its focal point's report."""
    state = other_review.state
    need = NeedFactory(review=other_review)
    donor = Donor.objects.create(name="Donor A", kind=Donor.Kind.MULTILATERAL)
    reporter = AccountFactory(
        role=Account.Role.FOCAL_POINT, state=state, user__username="fp-other"
    ).user
    report = services.assistance_report_save(
        report=AssistanceReport(
            state=state, title="Reported project", donor_name="New Donor B"
        ),
        links=[{"need": need, "coverage": AssistanceNeed.Coverage.IN_FULL}],
        user=reporter,
    )
    return SimpleNamespace(
        review=other_review,
        state=state,
        need=need,
        donor=donor,
        reporter=reporter,
        report=report,
        follow_up=FollowUp.objects.create(
            review=other_review, letter_sent_on=datetime.date(2014, 1, 10)
        ),
        plan=ActionPlan.objects.create(
            state=state, title="Plan", started_on=datetime.date(2014, 1, 1)
        ),
        assistance=make_assistance(states=[state], donors=[donor], title="Project"),
        consent=other_review.consents.first(),
    )


def _assistance_values(o, prefix: str = "") -> dict:
    return {
        "title": "Judicial integrity",
        "donors": [o.donor.pk],
        "beneficiaries": [o.state.pk],
        "modality": "national",
        "status": "ongoing",
        "source": "country-visit",
        "starts_on": "2014-01-01",
        **rows("links", [{"need": o.need.pk, "coverage": "in-part"}]),
    }


@dataclass
class Door:
    """A form: its address, valid input, invalid input and the field it faults,
    what a viewer gets, who may use it, and what saving it changed."""

    url: Callable
    valid: Callable
    invalid: Callable | None
    invalid_field: str
    viewer: int
    permitted: str
    saved: Callable


DOORS = {
    "follow-up": Door(
        url=lambda o: reverse("followup:follow_up_edit", args=[o.review.pk]),
        valid=lambda o: {
            "letter_sent_on": "2014-01-10",
            "followed_up_by": "field-office",
            "office": "Nairobi",
            **rows("events", [{"date": "2014-03-01", "kind": "workshop"}]),
        },
        invalid=lambda o: {
            "letter_sent_on": "2014-01-10",
            "reply_received_on": "2013-12-01",
            "followed_up_by": "headquarters",
            "office": "Typed office",
            **rows("events", []),
        },
        invalid_field="reply_received_on",
        viewer=404,
        permitted="secretariat",
        saved=lambda o: FollowUp.objects.get(review=o.review).events.count() == 1,
    ),
    "consent": Door(
        url=lambda o: reverse("followup:consent_edit", args=[o.review.pk]),
        valid=lambda o: {
            "subject": "action-plan",
            "audience": "public",
            "agreed_on": "2014-02-01",
        },
        invalid=lambda o: {
            "subject": "action-plan",
            "audience": "public",
            "agreed_on": "not a date",
            "notes": "Typed note",
        },
        invalid_field="agreed_on",
        viewer=404,
        permitted="secretariat",
        saved=lambda o: o.review.consents.filter(subject="action-plan").exists(),
    ),
    "consent-withdraw": Door(
        url=lambda o: reverse("followup:consent_withdraw", args=[o.consent.pk]),
        valid=lambda o: {},
        invalid=None,
        invalid_field="",
        viewer=404,
        permitted="secretariat",
        saved=lambda o: not Consent.objects.filter(pk=o.consent.pk).exists(),
    ),
    "plan-new": Door(
        url=lambda o: reverse("followup:action_plan_create", args=[o.state.code]),
        valid=lambda o: {
            "title": "National plan",
            "status": "drafting",
            "started_on": "2014-01-01",
            **rows(
                "items",
                [
                    {
                        "rank": 1,
                        "needs": [o.need.pk],
                        "responsible_authority": "Ministry of Justice",
                        "integration": "none",
                    }
                ],
            ),
        },
        invalid=lambda o: {
            "title": "Typed title",
            "status": "drafting",
            "started_on": "2014-01-01",
            **rows(
                "items",
                [
                    {"rank": 1, "responsible_authority": "A", "integration": "none"},
                    {"rank": 1, "responsible_authority": "B", "integration": "none"},
                ],
            ),
        },
        invalid_field="items-1-rank",
        viewer=403,
        permitted="secretariat",
        saved=lambda o: (
            ActionPlanItem.objects.filter(plan__title="National plan").count() == 1
        ),
    ),
    "plan-edit": Door(
        url=lambda o: reverse("followup:action_plan_edit", args=[o.plan.pk]),
        valid=lambda o: {
            "title": "Plan, revised",
            "status": "adopted",
            "started_on": "2014-01-01",
            "adopted_on": "2014-06-01",
            **rows("items", []),
        },
        invalid=lambda o: {
            "title": "Typed title",
            "status": "adopted",
            "started_on": "2014-01-01",
            **rows("items", []),
        },
        invalid_field="adopted_on",
        viewer=404,
        permitted="secretariat",
        saved=lambda o: ActionPlan.objects.get(pk=o.plan.pk).title == "Plan, revised",
    ),
    "assistance-new": Door(
        url=lambda o: reverse("followup:assistance_create") + f"?state={o.state.code}",
        valid=_assistance_values,
        invalid=lambda o: _assistance_values(o) | {"budget": "1000", "currency": ""},
        invalid_field="currency",
        viewer=403,
        permitted="secretariat",
        saved=lambda o: Need.objects.get(pk=o.need.pk).coverage == "met-in-part",
    ),
    "assistance-edit": Door(
        url=lambda o: reverse("followup:assistance_edit", args=[o.assistance.pk]),
        valid=_assistance_values,
        invalid=lambda o: _assistance_values(o) | {"ends_on": "2013-01-01"},
        invalid_field="ends_on",
        viewer=403,
        permitted="secretariat",
        saved=lambda o: o.assistance.links.filter(need=o.need).exists(),
    ),
    "report-new": Door(
        url=lambda o: reverse("followup:assistance_report_create", args=[o.state.code]),
        valid=lambda o: {
            "donor": o.donor.pk,
            "title": "Court modernization",
            "status": "completed",
            f"need-{o.need.pk}": "in-part",
        },
        invalid=lambda o: {
            "donor": o.donor.pk,
            "donor_name": "Typed donor",
            "title": "Typed title",
            "status": "ongoing",
            f"need-{o.need.pk}": "in-part",
        },
        invalid_field="donor_name",
        viewer=403,
        permitted="reporter",
        saved=lambda o: AssistanceReport.objects.filter(
            title="Court modernization", reported_by=o.reporter
        ).exists(),
    ),
    "report-confirm": Door(
        url=lambda o: reverse("followup:assistance_report_confirm", args=[o.report.pk]),
        valid=lambda o: (
            _assistance_values(o)
            | {"donor-name": "New Donor B", "donor-kind": "ngo", "comment": "Thanks"}
        ),
        invalid=lambda o: _assistance_values(o) | {"donor-name": "New Donor B"},
        invalid_field="kind",
        viewer=404,
        permitted="secretariat",
        saved=lambda o: (
            AssistanceReport.objects.get(pk=o.report.pk).confirmation == "confirmed"
        ),
    ),
    "report-decline": Door(
        url=lambda o: reverse("followup:assistance_report_decline", args=[o.report.pk]),
        valid=lambda o: {"decline-comment": "Already recorded as Project."},
        invalid=lambda o: {"decline-comment": ""},
        invalid_field="comment",
        viewer=404,
        permitted="secretariat",
        saved=lambda o: (
            AssistanceReport.objects.get(pk=o.report.pk).confirmation == "declined"
        ),
    ),
}


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("name", DOORS)
def test_anonymous_is_sent_to_log_in(other, name):
    door = DOORS[name]
    url = door.url(other)
    before = snapshot()

    responses = [Client().get(url), Client().post(url, door.valid(other))]

    for response in responses:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert snapshot() == before


@pytest.mark.parametrize("name", DOORS)
def test_focal_point_of_another_state_finds_nothing(other, focal_point, name):
    door = DOORS[name]
    client = _client(focal_point)
    before = snapshot()

    response = client.post(door.url(other), door.valid(other))

    assert response.status_code == 404
    assert client.get(door.url(other)).status_code in {404, 405}
    assert snapshot() == before


@pytest.mark.parametrize("name", DOORS)
def test_viewer_is_refused(other, viewer, name):
    door = DOORS[name]
    before = snapshot()

    response = _client(viewer).post(door.url(other), door.valid(other))

    assert response.status_code == door.viewer
    assert snapshot() == before


@pytest.mark.parametrize("name", DOORS)
def test_permitted_user_saves_and_returns_to_next(other, secretariat, name):
    # given
    door = DOORS[name]
    user = secretariat if door.permitted == "secretariat" else other.reporter
    client = _client(user)
    assert not door.saved(other)

    # when
    response = client.post(door.url(other), door.valid(other) | {"next": DESK})

    # then
    assert response.status_code == 302, _errors(response)
    assert response.url == DESK
    assert door.saved(other)
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]


@pytest.mark.parametrize("name", [n for n, door in DOORS.items() if door.invalid])
def test_invalid_input_answers_400_with_the_fields_error_and_saves_nothing(
    other, secretariat, name
):
    # given
    door = DOORS[name]
    user = secretariat if door.permitted == "secretariat" else other.reporter
    before = snapshot()

    # when
    response = _client(user).post(door.url(other), door.invalid(other))

    # then
    assert response.status_code == 400
    assert door.invalid_field in _errors(response)
    assert snapshot() == before
    typed = [v for v in door.invalid(other).values() if str(v).startswith("Typed")]
    html = response.content.decode()
    assert all(value in html for value in typed)


def _errors(response) -> dict:
    """The field errors of every form and formset row of a page, by field name (a
    row's fields prefixed "items-1-")."""
    found = {}
    context = response.context
    for name in context.keys() if context else []:
        value = context[name]
        forms = getattr(value, "forms", None)
        if forms is not None and hasattr(value, "management_form"):
            for form in forms:
                found |= {form.add_prefix(k): v for k, v in form.errors.items()}
        elif hasattr(value, "errors") and hasattr(value, "fields"):
            found |= dict(value.errors)
    return found


def test_the_secretariat_opens_every_form(other, secretariat):
    client = _client(secretariat)
    for name, door in DOORS.items():
        if name in {"consent-withdraw", "report-decline", "report-new"}:
            continue
        assert client.get(door.url(other)).status_code == 200, name
    for url in [
        reverse("followup:donor_list"),
        reverse("followup:donor_create"),
        reverse("followup:donor_edit", args=[other.donor.pk]),
        reverse("followup:assistance_report_list"),
        reverse("followup:follow_up_delete", args=[other.review.pk]),
        reverse("followup:action_plan_delete", args=[other.plan.pk]),
        reverse("followup:assistance_delete", args=[other.assistance.pk]),
        reverse("followup:donor_delete", args=[other.donor.pk]),
    ]:
        assert client.get(url).status_code == 200, url


def test_a_next_address_elsewhere_is_ignored(other, secretariat):
    response = _client(secretariat).post(
        reverse("followup:consent_edit", args=[other.review.pk]),
        DOORS["consent"].valid(other) | {"next": "https://elsewhere.example/"},
    )

    assert response.status_code == 302
    assert response.url == reverse("followup:state_follow_up", args=["OTH"])


def test_the_focal_point_keeps_its_own_action_plans(focal_point, own_review):
    need = NeedFactory(review=own_review)
    url = reverse("followup:action_plan_create", args=[own_review.state.code])
    data = {
        "title": "Our plan",
        "status": "drafting",
        "started_on": "2014-01-01",
        **rows(
            "items",
            [
                {"rank": 1, "needs": [need.pk], "responsible_authority": "Ministry"},
                {"rank": 2, "responsible_authority": "Police", "integration": "none"},
            ],
        ),
    }
    data["items-0-integration"] = "none"

    response = _client(focal_point).post(url, data)

    assert response.status_code == 302
    assert response.url == reverse("followup:state_follow_up", args=["OWN"])
    plan = ActionPlan.objects.get(title="Our plan")
    assert [(i.rank, list(i.needs.all())) for i in plan.items.all()] == [
        (1, [need]),
        (2, []),
    ]


def test_the_focal_point_may_not_record_the_letter_of_its_own_review(
    focal_point, own_review
):
    url = reverse("followup:follow_up_edit", args=[own_review.pk])

    response = _client(focal_point).post(url, {"letter_sent_on": "2014-01-01"})

    assert response.status_code == 403
    assert not FollowUp.objects.exists()


def test_editing_a_plan_keeps_its_items_and_removes_the_ones_ticked(other, secretariat):
    # given
    services.action_plan_save(
        plan=other.plan,
        items=[
            {"rank": 1, "responsible_authority": "A", "needs": [other.need]},
            {"rank": 2, "responsible_authority": "B"},
        ],
        user=secretariat,
    )
    client = _client(secretariat)
    page = client.get(reverse("followup:action_plan_edit", args=[other.plan.pk]))
    items = page.context["items"]
    assert [form.initial["rank"] for form in items.initial_forms] == [1, 2]

    # when
    data = {
        "title": "Plan",
        "status": "drafting",
        "started_on": "2014-01-01",
        **rows(
            "items",
            [
                {"rank": 1, "responsible_authority": "A", "needs": [other.need.pk]},
                {"rank": 2, "responsible_authority": "B", "DELETE": "on"},
            ],
            initial=2,
        ),
    }
    data |= {"items-0-integration": "none", "items-1-integration": "none"}
    response = client.post(
        reverse("followup:action_plan_edit", args=[other.plan.pk]), data
    )

    # then
    assert response.status_code == 302, _errors(response)
    items = list(other.plan.items.all())
    assert [(i.rank, list(i.needs.all())) for i in items] == [(1, [other.need])]


def test_donors_are_the_secretariats_to_record(secretariat, focal_point, viewer):
    data = {"name": "Agency C", "kind": "bilateral"}
    for user in (focal_point, viewer):
        response = _client(user).post(reverse("followup:donor_create"), data)
        assert response.status_code == 403
        assert _client(user).get(reverse("followup:donor_list")).status_code == 404
    assert not Donor.objects.exists()

    client = _client(secretariat)
    refused = client.post(reverse("followup:donor_create"), data)
    assert refused.status_code == 400
    assert "home_country" in refused.context["form"].errors

    saved = client.post(reverse("followup:donor_create"), data | {"kind": "ngo"})
    assert saved.status_code == 302
    assert saved.url == reverse("followup:donor_list")
    assert Donor.objects.get().name == "Agency C"


# ---------------------------------------------------------------------------
# The focal point's report counts only once the secretariat confirms it
# ---------------------------------------------------------------------------
def _report(client, review, need, **values):
    url = reverse("followup:assistance_report_create", args=[review.state.code])
    data = {
        "donor_name": "Regional Bank",
        "title": "Prosecutors' training",
        "status": "ongoing",
        "starts_on": "2013-01-01",
        f"need-{need.pk}": "in-full",
    }
    return client.post(url, data | values)


def test_a_reported_assistance_does_not_count_until_confirmed(
    focal_point, own_review, secretariat
):
    # given
    need = NeedFactory(review=own_review)

    # when
    response = _report(_client(focal_point), own_review, need)

    # then
    assert response.status_code == 302
    report = AssistanceReport.objects.get()
    assert report.confirmation == "awaiting"
    assert report.reported_by == focal_point
    assert Need.objects.get(pk=need.pk).coverage == "not-yet-addressed"
    assert not Assistance.objects.exists()
    assert services.derived_coverage(need) == "not-yet-addressed"


def test_confirming_a_report_records_the_assistance_and_its_coverage(
    focal_point, own_review, secretariat
):
    # given
    need = NeedFactory(review=own_review)
    _report(_client(focal_point), own_review, need)
    report = AssistanceReport.objects.get()
    url = reverse("followup:assistance_report_confirm", args=[report.pk])
    client = _client(secretariat)
    page = client.get(url)
    assert page.context["form"].initial["title"] == "Prosecutors' training"
    assert page.context["new_donor"].initial["name"] == "Regional Bank"

    # when: the secretariat corrects the title and records the new donor
    data = {
        "title": "Training of prosecutors",
        "beneficiaries": [own_review.state.pk],
        "modality": "national",
        "status": "ongoing",
        "source": "state-report",
        "starts_on": "2013-01-01",
        "donor-name": "Regional Bank",
        "donor-kind": "regional",
        **rows("links", [{"need": need.pk, "coverage": "in-full"}], initial=1),
    }
    response = client.post(url, data)

    # then
    assert response.status_code == 302, _errors(response)
    report.refresh_from_db()
    assert report.confirmation == "confirmed"
    assert report.decided_by == secretariat
    assistance = report.assistance
    assert assistance.title == "Training of prosecutors"
    assert [d.name for d in assistance.donors.all()] == ["Regional Bank"]
    assert Need.objects.get(pk=need.pk).coverage == "met-fully"


def test_a_declined_report_never_counts_and_the_state_reads_why(
    focal_point, own_review, secretariat
):
    need = NeedFactory(review=own_review)
    _report(_client(focal_point), own_review, need)
    report = AssistanceReport.objects.get()

    _client(secretariat).post(
        reverse("followup:assistance_report_decline", args=[report.pk]),
        {"decline-comment": "Recorded already as the EU programme."},
    )

    report.refresh_from_db()
    assert report.confirmation == "declined"
    assert Need.objects.get(pk=need.pk).coverage == "not-yet-addressed"
    page = _client(focal_point).get(reverse("followup:state_follow_up", args=["OWN"]))
    assert "Recorded already as the EU programme." in page.content.decode()
    edit = reverse("followup:assistance_report_edit", args=[report.pk])
    assert _client(focal_point).get(edit).status_code == 403


def test_who_sees_a_report_awaiting_confirmation(
    focal_point, own_review, secretariat, viewer
):
    # given
    need = NeedFactory(review=own_review)
    _report(_client(focal_point), own_review, need)
    page = reverse("followup:state_follow_up", args=["OWN"])

    # then: the focal point sees it marked, and may change it
    own = _client(focal_point).get(page).content.decode()
    assert "Prosecutors&#x27; training" in own
    assert "Reported, awaiting confirmation" in own
    report = AssistanceReport.objects.get()
    edit = reverse("followup:assistance_report_edit", args=[report.pk])
    assert _client(focal_point).get(edit).status_code == 200
    # the secretariat sees it on the State's page and counted on the desk
    staff = _client(secretariat)
    assert "Prosecutors&#x27; training" in staff.get(page).content.decode()
    assert staff.get(DESK).context["reports_awaiting"] == 1
    listed = staff.get(reverse("followup:assistance_report_list"))
    assert list(listed.context["reports"]) == [report]
    # a donor sees nothing of it, anywhere
    donor = _client(viewer)
    for url in [page, reverse("followup:donor_mapping"), edit]:
        assert "Prosecutors" not in donor.get(url).content.decode()
    assert donor.get(edit).status_code == 404


def test_a_confirmed_report_is_assistance_a_donor_sees(
    focal_point, own_review, secretariat, viewer
):
    # given
    need = NeedFactory(review=own_review)
    donor = Donor.objects.create(name="Known donor", kind=Donor.Kind.MULTILATERAL)
    _report(_client(focal_point), own_review, need, donor_name="", donor=donor.pk)
    report = AssistanceReport.objects.get(donor=donor)
    page = reverse("followup:state_follow_up", args=["OWN"])
    assert "Prosecutors" not in _client(viewer).get(page).content.decode()

    # when
    services.assistance_report_confirm(
        report=report,
        assistance=Assistance(title=report.title, status="ongoing"),
        donors=[donor],
        beneficiaries=[own_review.state],
        links=[{"need": need, "coverage": "in-part"}],
        user=secretariat,
    )

    # then
    assert "Prosecutors&#x27; training" in _client(viewer).get(page).content.decode()
    assert Need.objects.get(pk=need.pk).coverage == "met-in-part"


def test_a_typed_donor_name_that_is_recorded_becomes_that_donor(
    focal_point, own_review
):
    need = NeedFactory(review=own_review)
    donor = Donor.objects.create(name="Regional Bank", kind=Donor.Kind.REGIONAL)

    _report(_client(focal_point), own_review, need, donor_name="regional bank")

    report = AssistanceReport.objects.get()
    assert (report.donor, report.donor_name) == (donor, "")


def test_a_report_names_at_least_one_need(focal_point, own_review):
    need = NeedFactory(review=own_review)

    response = _report(
        _client(focal_point), own_review, need, **{f"need-{need.pk}": ""}
    )

    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert not AssistanceReport.objects.exists()


def test_the_desk_and_the_state_page_link_to_the_pages_not_the_admin(
    other, secretariat
):
    client = _client(secretariat)
    for url in [DESK, reverse("followup:state_follow_up", args=["OTH"])]:
        assert "/admin/" not in client.get(url).content.decode()
    state = client.get(reverse("followup:state_follow_up", args=["OTH"]))
    html = state.content.decode()
    for name, args in [
        ("followup:follow_up_edit", [other.review.pk]),
        ("followup:consent_edit", [other.review.pk]),
        ("followup:action_plan_edit", [other.plan.pk]),
        ("followup:action_plan_create", ["OTH"]),
        ("followup:assistance_edit", [other.assistance.pk]),
        ("followup:assistance_report_confirm", [other.report.pk]),
    ]:
        assert reverse(name, args=args) in html, name


def test_more_rows_brings_the_form_back_with_empty_rows_and_saves_nothing(
    focal_point, own_review
):
    # Given a plan being typed with its three offered rows filled
    url = reverse("followup:action_plan_create", args=[own_review.state.code])
    items = [
        {"rank": rank, "responsible_authority": f"Office {rank}", "integration": "none"}
        for rank in (1, 2, 3)
    ]
    data = {"title": "", "status": "drafting", **rows("items", items)}

    # When the focal point asks for more rows (the title is still empty)
    response = _client(focal_point).post(url, data | {"more-rows": "items"})

    # Then the page comes back with what was typed, three more rows, no error
    # shown, and nothing saved
    assert response.status_code == 200
    formset = response.context["items"]
    assert formset.total_form_count() == 6
    assert [form["responsible_authority"].value() for form in formset][:3] == [
        "Office 1",
        "Office 2",
        "Office 3",
    ]
    assert b"This field is required" not in response.content
    assert b'name="more-rows" value="items"' in response.content
    assert not ActionPlan.objects.exists()


def test_enter_in_a_field_saves_rather_than_adds_rows(focal_point, own_review):
    # The form's first submit button (the one Enter presses) has no "more-rows" name
    url = reverse("followup:action_plan_create", args=[own_review.state.code])
    page = _client(focal_point).get(url).content.decode()
    form = page[page.index('<form method="post" class="stacked"') :]
    first_button = form[form.index("<button") : form.index(">", form.index("<button"))]
    assert "more-rows" not in first_button
    assert 'type="submit"' in first_button
