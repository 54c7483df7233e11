"""A need the secretariat returned, resubmitted with nothing changed since: the
submission says so and waits for the focal point to confirm (on the entry page and
in the API alike); a revised need is submitted as before."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from needs import services
from needs.models import EntryEvent, Need, NeedProposal
from reviews.models import Article
from tests.factories import NeedFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(own_review, focal_point, secretariat) -> Need:
    """An accepted need whose change the secretariat returned with a comment."""
    need = NeedFactory(review=own_review, description="Accepted")
    services.need_update(
        need=need, user=focal_point, expected_version=1, description="Mine"
    )
    services.review_submit(review=own_review, user=focal_point)
    services.review_return(review=own_review, user=secretariat, comment="Be precise")
    need.refresh_from_db()
    return need


def submitted_events(review) -> int:
    return EntryEvent.objects.filter(
        review=review, action=EntryEvent.Action.SUBMITTED
    ).count()


def test_resubmitting_a_returned_need_unchanged_is_refused_until_confirmed(
    own_review, focal_point, returned
):
    # given a returned need that nothing has changed since
    before = submitted_events(own_review)

    # when the focal point submits again, then the submission names the need
    with pytest.raises(ValidationError) as refused:
        services.review_submit(review=own_review, user=focal_point)
    assert "resubmit_unchanged" in refused.value.message_dict
    assert str(returned) in refused.value.message_dict["resubmit_unchanged"][0]
    # and nothing moved
    assert submitted_events(own_review) == before
    assert NeedProposal.objects.get(need=returned).status == "returned"

    # when the focal point confirms, then it is submitted as it is
    services.review_submit(review=own_review, user=focal_point, resubmit_unchanged=True)
    assert NeedProposal.objects.get(need=returned).status == "submitted"
    assert submitted_events(own_review) == before + 1


def test_a_revised_returned_need_is_submitted_without_a_question(
    own_review, focal_point, returned
):
    services.need_update(
        need=returned,
        user=focal_point,
        expected_version=returned.version,
        description="Mine, made precise",
    )

    services.review_submit(review=own_review, user=focal_point)

    assert NeedProposal.objects.get(need=returned).status == "submitted"


def test_a_change_undone_since_the_return_counts_as_unchanged(
    own_review, focal_point, returned
):
    # given a returned need edited, then edited back to what was returned
    for text in ("Something else", "Mine"):
        need = Need.objects.get(pk=returned.pk)
        services.need_update(
            need=need, user=focal_point, expected_version=need.version, description=text
        )
    assert NeedProposal.objects.get(need=returned).status == "draft"

    # then the submission still asks for confirmation
    with pytest.raises(ValidationError, match="not changed since"):
        services.review_submit(review=own_review, user=focal_point)


def test_only_the_unchanged_needs_are_named_and_new_ones_go_with_them(
    own_review, focal_point, returned
):
    # given the returned need and a new draft need
    fresh = services.need_create(
        review=own_review,
        user=focal_point,
        article=Article.objects.get(number=16),
        need_type_id=1,
        description="New",
    )

    # when submitted without confirmation, then neither goes
    with pytest.raises(ValidationError) as refused:
        services.review_submit(review=own_review, user=focal_point)
    message = refused.value.message_dict["resubmit_unchanged"][0]
    assert str(returned) in message
    assert str(fresh) not in message
    assert NeedProposal.objects.get(need=fresh).status == "draft"

    # but a submission of the new need alone goes without a question
    services.review_submit(review=own_review, user=focal_point, only=[fresh.pk])
    assert NeedProposal.objects.get(need=fresh).status == "submitted"


def test_the_entry_page_warns_before_and_asks_to_confirm(
    client, own_review, focal_point, returned
):
    client.force_login(focal_point)
    entry = reverse("needs:review_entry", args=[own_review.pk])
    submit = reverse("needs:review_submit", args=[own_review.pk])

    # the page says which returned needs have not changed, with the comment
    page = client.get(entry).content.decode()
    assert "not changed since" in page
    assert "Be precise" in page
    assert 'name="resubmit_unchanged"' in page

    # a submission without the confirmation is refused with the reason
    refused = client.post(submit, follow=True).content.decode()
    assert "not changed since" in refused
    assert NeedProposal.objects.get(need=returned).status == "returned"

    # with it, the need goes to the secretariat
    client.post(submit, {"resubmit_unchanged": "1"})
    assert NeedProposal.objects.get(need=returned).status == "submitted"


def test_the_api_refuses_an_unchanged_resubmission_naming_the_flag(
    own_review, focal_point, returned
):
    api = APIClient()
    api.force_authenticate(focal_point)
    url = f"/api/v1/reviews/{own_review.pk}/submit/"

    refused = api.post(url, {}, format="json")

    assert refused.status_code == 400
    assert "not changed since" in refused.json()["fields"]["resubmit_unchanged"][0]
    assert NeedProposal.objects.get(need=returned).status == "returned"
    confirmed = api.post(url, {"resubmit_unchanged": True}, format="json")
    assert confirmed.status_code == 201
    assert NeedProposal.objects.get(need=returned).status == "submitted"
