"""Consent is enforced at every door: for each subject the State may share, each
audience and each kind of viewer, the pages, the API, the CSV exports and the reports
show exactly what the consent reaches. The counts stay public."""

import datetime

import pytest
from django.test import Client
from rest_framework.test import APIClient

from needs.followup import services
from needs.models import ActionPlan, Consent, Need
from needs.reports.statistics import compute
from reviews.models import Account
from tests.factories import AccountFactory, CountryReviewFactory, NeedFactory

pytestmark = pytest.mark.django_db

SECRET = "Marker of a description"
REACHES = {  # audience -> the viewer organisations it reaches
    "public": {"donor-partner", "un-entity"},
    "donors": {"donor-partner", "un-entity"},
    "un-only": {"un-entity"},
}
SOURCE_OF_SUBJECT = {"self-assessment": "checklist", "full-report": "country-report"}


def viewer_of(organisation):
    account = AccountFactory(role=Account.Role.VIEWER, organisation=organisation)
    return account.user


def doors(user):
    page, api = Client(), APIClient()
    page.force_login(user)
    api.force_authenticate(user)
    return page, api


def text(response) -> str:
    return response.getvalue().decode()


@pytest.fixture
def review(secretariat):
    return CountryReviewFactory(state__code="CNS", state__name="Consenting State")


def consent(review, subject, audience, secretariat):
    return services.consent_record(
        review=review,
        subject=subject,
        audience=audience,
        agreed_on=datetime.date(2013, 6, 1),
        user=secretariat,
    )


@pytest.mark.parametrize("organisation", ["donor-partner", "un-entity"])
@pytest.mark.parametrize("audience", list(REACHES))
def test_descriptions_reach_exactly_the_audience(
    review, secretariat, organisation, audience
):
    need = NeedFactory(review=review, description=SECRET, remaining=SECRET)
    consent(review, "need-descriptions", audience, secretariat)
    page, api = doors(viewer_of(organisation))
    reached = organisation in REACHES[audience]

    shown = {
        "page": SECRET in text(page.get(need.get_absolute_url())),
        "state page": SECRET in text(page.get(review.state.get_absolute_url())),
        "csv": SECRET in text(page.get("/needs/?format=csv")),
        "api": api.get(f"/api/v1/needs/{need.pk}/").json()["description"] == SECRET,
        "api list": SECRET in text(api.get("/api/v1/needs/")),
    }

    assert shown == dict.fromkeys(shown, reached)


@pytest.mark.parametrize("organisation", ["donor-partner", "un-entity"])
@pytest.mark.parametrize("audience", list(REACHES))
@pytest.mark.parametrize("subject", list(SOURCE_OF_SUBJECT))
def test_needs_from_the_checklist_or_full_report_follow_their_consent(
    review, secretariat, organisation, audience, subject
):
    need = NeedFactory(review=review, source=SOURCE_OF_SUBJECT[subject])
    published = NeedFactory(review=review, need_type_id=6)  # executive summary
    consent(review, subject, audience, secretariat)
    page, api = doors(viewer_of(organisation))
    reached = organisation in REACHES[audience]

    assert (page.get(need.get_absolute_url()).status_code == 200) is reached
    assert (api.get(f"/api/v1/needs/{need.pk}/").status_code == 200) is reached
    listed = {row["id"] for row in api.get("/api/v1/needs/").json()["results"]}
    assert listed == ({need.pk, published.pk} if reached else {published.pk})
    assert compute().needs == 2  # the counts are public whatever is shared


@pytest.mark.parametrize("organisation", ["donor-partner", "un-entity"])
@pytest.mark.parametrize("audience", list(REACHES))
def test_the_action_plan_reaches_exactly_the_audience(
    review, secretariat, organisation, audience
):
    plan = ActionPlan.objects.create(
        state=review.state, title="Plan of the consenting State"
    )
    consent(review, "action-plan", audience, secretariat)
    page, api = doors(viewer_of(organisation))
    reached = organisation in REACHES[audience]

    assert (api.get(f"/api/v1/action-plans/{plan.pk}/").status_code == 200) is reached
    follow_up_page = text(page.get(f"/follow-up/states/{review.state.code}/"))
    assert (plan.title in follow_up_page) is reached


def test_without_consent_a_viewer_sees_the_published_need_but_not_its_words(
    review, viewer
):
    need = NeedFactory(review=review, description=SECRET)
    page, api = doors(viewer)
    assert page.get(need.get_absolute_url()).status_code == 200
    assert SECRET not in text(page.get(need.get_absolute_url()))
    assert api.get(f"/api/v1/needs/{need.pk}/").json()["description"] is None
    assert compute().needs == 1


def test_withdrawing_consent_hides_again(review, secretariat, viewer):
    need = NeedFactory(review=review, description=SECRET)
    given = consent(review, "need-descriptions", "donors", secretariat)
    page, _ = doors(viewer)
    assert SECRET in text(page.get(need.get_absolute_url()))
    services.consent_withdraw(consent=given, user=secretariat)
    assert SECRET not in text(page.get(need.get_absolute_url()))


def test_consent_notes_are_not_for_viewers(review, secretariat, viewer):
    given = consent(review, "need-descriptions", "donors", secretariat)
    given.notes = "Letter of the minister, internal reference"
    given.save()
    page, _ = doors(viewer)
    follow_up = text(page.get(f"/follow-up/states/{review.state.code}/"))
    assert "Descriptions of its needs" in follow_up
    assert given.notes not in follow_up


def test_a_review_under_way_is_not_shown_to_viewers(viewer):
    review = CountryReviewFactory(status="under-way", completed_on=None)
    need = NeedFactory(review=review)
    page, _ = doors(viewer)
    assert page.get(review.get_absolute_url()).status_code == 404
    assert page.get(need.get_absolute_url()).status_code == 404
    assert Need.objects.count() == 1
    assert Consent.objects.count() == 0
