"""The record moves only when the secretariat accepts: a focal point's new need,
change, coverage report or withdrawal is a proposal; what counts and what others see
are the accepted values. Each step compares the whole statistics document."""

import pytest
from rest_framework.test import APIClient

from needs import services
from needs.models import Need, NeedProposal
from needs.reports.statistics import compute
from reviews.models import Article
from tests.factories import SHARES_REPORT, NeedFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_review(own_review):
    """The focal point's review, whose State shares its full report and descriptions
    with donors and partners (so that a viewer reads the descriptions)."""
    for subject in SHARES_REPORT:
        own_review.consents.create(
            subject=subject, audience="donors", agreed_on=own_review.completed_on
        )
    return own_review


def viewer_reads(viewer, need) -> dict:
    client = APIClient()
    client.force_authenticate(viewer)
    return client.get(f"/api/v1/needs/{need.pk}/")


def test_a_focal_points_change_is_a_proposal_until_accepted(
    shared_review, focal_point, secretariat, viewer
):
    # given an accepted need that a viewer reads
    need = NeedFactory(review=shared_review, description="Accepted wording")
    before = compute().as_dict()

    # when the focal point changes it
    services.need_update(
        need=need,
        user=focal_point,
        expected_version=need.version,
        description="Proposed wording",
        priority=Need.Priority.HIGH,
    )

    # then nothing that counts or that others see has moved
    need.refresh_from_db()
    assert (need.description, need.priority) == ("Accepted wording", "unset")
    assert need.accepted_at is not None
    assert compute().as_dict() == before
    seen = viewer_reads(viewer, need).json()
    assert seen["description"] == "Accepted wording"
    assert seen["proposal"] is None
    assert need.proposal.description == "Proposed wording"

    # when it is submitted, then accepted
    services.review_submit(review=shared_review, user=focal_point)
    assert compute().as_dict() == before
    services.review_accept(review=shared_review, user=secretariat)

    # then the proposal is the accepted values, and the viewer reads them
    need.refresh_from_db()
    assert (need.description, need.priority) == ("Proposed wording", "high")
    assert not NeedProposal.objects.filter(need=need).exists()
    assert viewer_reads(viewer, need).json()["description"] == "Proposed wording"


def test_a_new_need_counts_and_shows_only_from_its_acceptance(
    shared_review, focal_point, secretariat, viewer
):
    before = compute().as_dict()
    need = services.need_create(
        review=shared_review,
        user=focal_point,
        article=Article.objects.get(number=15),
        need_type_id=1,
        description="New",
    )
    assert need.accepted_at is None
    assert viewer_reads(viewer, need).status_code == 404
    services.review_submit(review=shared_review, user=focal_point)
    assert compute().as_dict() == before

    services.review_accept(review=shared_review, user=secretariat)

    assert compute().needs == before["needs"] + 1
    assert viewer_reads(viewer, need).status_code == 200


def test_a_returned_proposal_stays_with_the_state_and_changes_nothing(
    shared_review, focal_point, secretariat
):
    need = NeedFactory(review=shared_review, description="Accepted")
    services.need_update(
        need=need, user=focal_point, expected_version=1, description="Mine"
    )
    services.review_submit(review=shared_review, user=focal_point)
    before = compute().as_dict()

    services.review_return(review=shared_review, user=secretariat, comment="Be precise")

    need.refresh_from_db()
    assert need.description == "Accepted"
    assert need.status == Need.Status.RETURNED
    assert (need.proposal.status, need.proposal.return_comment) == (
        "returned",
        "Be precise",
    )
    assert compute().as_dict() == before


def test_a_withdrawal_counts_until_the_secretariat_accepts_it(
    shared_review, focal_point, secretariat
):
    need = NeedFactory(review=shared_review)
    before = compute().as_dict()
    services.need_withdraw(need=need, user=focal_point)
    services.review_submit(review=shared_review, user=focal_point)
    assert compute().as_dict() == before

    services.review_accept(review=shared_review, user=secretariat)

    assert not Need.objects.filter(pk=need.pk).exists()
    assert compute().needs == before["needs"] - 1


def test_a_focal_points_coverage_report_is_applied_with_its_reason_on_acceptance(
    shared_review, focal_point, secretariat
):
    need = NeedFactory(review=shared_review)
    services.need_coverage_propose(
        need=need, user=focal_point, coverage="met-fully", reason="Project X"
    )
    need.refresh_from_db()
    assert need.coverage == Need.Coverage.NOT_YET_ADDRESSED
    assert compute().coverage.overall["met-fully"] == 0
    services.review_submit(review=shared_review, user=focal_point)

    services.review_accept(review=shared_review, user=secretariat)

    need.refresh_from_db()
    assert need.coverage == Need.Coverage.MET_FULLY
    assert need.coverage_basis == Need.CoverageBasis.CORRECTED
    assert "Project X" in need.coverage_reason
    assert compute().coverage.overall["met-fully"] == 1


def test_changing_back_to_the_accepted_values_drops_the_proposal(
    shared_review, focal_point
):
    need = NeedFactory(review=shared_review, description="Same")
    services.need_update(
        need=need, user=focal_point, expected_version=1, description="X"
    )
    need.refresh_from_db()
    services.need_update(
        need=need, user=focal_point, expected_version=need.version, description="Same"
    )
    need.refresh_from_db()
    assert need.status == Need.Status.ACCEPTED
    assert not NeedProposal.objects.filter(need=need).exists()


def test_the_secretariats_change_is_accepted_at_once(shared_review, secretariat):
    need = NeedFactory(review=shared_review, description="Old")
    services.need_update(
        need=need, user=secretariat, expected_version=1, description="New"
    )
    need.refresh_from_db()
    assert (need.description, need.status) == ("New", Need.Status.ACCEPTED)
    assert not NeedProposal.objects.exists()


def test_an_api_patch_by_the_focal_point_answers_the_accepted_values_and_the_proposal(
    shared_review, focal_point
):
    need = NeedFactory(review=shared_review, description="Accepted")
    client = APIClient()
    client.force_authenticate(focal_point)

    response = client.patch(
        f"/api/v1/needs/{need.pk}/",
        {"description": "Proposed", "version": 1},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["description"] == "Accepted"
    assert body["proposal"]["description"] == "Proposed"
    assert body["proposal"]["changes"] == {
        "description": {"accepted": "Accepted", "proposed": "Proposed"}
    }


def test_the_viewer_never_lists_drafts(shared_review, focal_point, viewer):
    services.need_create(
        review=shared_review,
        user=focal_point,
        article=Article.objects.get(number=15),
        need_type_id=1,
        description="Draft text",
    )
    client = APIClient()
    client.force_authenticate(viewer)
    listed = client.get("/api/v1/needs/", {"status": "draft"}).json()
    assert listed["count"] == 0
    assert "Draft text" not in client.get("/api/v1/needs/").content.decode()


def test_a_viewer_sees_a_changed_need_as_accepted_at_every_door(
    shared_review, focal_point, viewer, client
):
    # given an accepted need that the focal point is changing and asks to withdraw
    changed = NeedFactory(review=shared_review, description="Accepted wording")
    services.need_update(
        need=changed,
        user=focal_point,
        expected_version=changed.version,
        description="Proposed wording",
    )
    withdrawn = NeedFactory(
        review=shared_review, article=Article.objects.get(number=16)
    )
    services.need_withdraw(need=withdrawn, user=focal_point)
    changed.refresh_from_db()
    withdrawn.refresh_from_db()
    assert changed.status == "draft"
    assert withdrawn.withdrawal_requested

    api = APIClient()
    api.force_authenticate(viewer)
    # then the API's list and record say "accepted", no withdrawal asked
    listed = {n["id"]: n for n in api.get("/api/v1/needs/").json()["results"]}
    for need in (changed, withdrawn):
        assert listed[need.pk]["status"] == "accepted"
        assert listed[need.pk]["withdrawal_requested"] is False
        record = api.get(f"/api/v1/needs/{need.pk}/").json()
        assert (record["status"], record["withdrawal_requested"]) == ("accepted", False)
    # the status filter does not tell which needs are being changed
    assert api.get("/api/v1/needs/", {"status": "draft"}).json()["count"] == 0
    assert api.get("/api/v1/needs/", {"status": "accepted"}).json()["count"] == 2
    # and the CSV downloads say "accepted" too
    client.force_login(viewer)
    for url in ("/needs/?format=csv", "/api/v1/needs/?format=csv"):
        text = client.get(url).getvalue().decode()
        assert ",draft," not in text, url
        assert text.count(",accepted,") == 2, url


def test_the_focal_point_still_sees_where_its_need_stands(shared_review, focal_point):
    need = NeedFactory(review=shared_review)
    services.need_update(
        need=need,
        user=focal_point,
        expected_version=need.version,
        description="Proposed wording",
    )
    api = APIClient()
    api.force_authenticate(focal_point)
    assert api.get(f"/api/v1/needs/{need.pk}/").json()["status"] == "draft"
    assert api.get("/api/v1/needs/", {"status": "draft"}).json()["count"] == 1
