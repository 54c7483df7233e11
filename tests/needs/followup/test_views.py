"""Follow-up pages: the desk, coverage on a need's page, mapping and unmet needs, a
State's follow-up."""

import datetime

import pytest
from django.urls import reverse

from needs.models import (
    FollowUp,
)
from tests.factories import (
    CountryReviewFactory,
    NeedFactory,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2014, 6, 1)


def test_desk_page_is_for_the_secretariat(client, secretariat, focal_point, viewer):
    client.force_login(secretariat)
    response = client.get(reverse("followup:desk"), {"days": 30})
    assert response.status_code == 200
    assert response.context["days"] == 30
    for user in (focal_point, viewer):
        client.force_login(user)
        assert client.get(reverse("followup:desk")).status_code == 404


def test_page_shows_which_basis(client, secretariat):
    need = NeedFactory()
    client.force_login(secretariat)
    client.post(
        reverse("followup:need_coverage", args=[need.pk]),
        {"coverage": "met-fully", "reason": "Reported at the IRG", "remaining": ""},
    )
    content = client.get(need.get_absolute_url()).getvalue().decode()
    assert "corrected by sec" in content
    assert "Reported at the IRG" in content


def test_mapping_and_unmet_pages_with_csv(client, secretariat):
    need = NeedFactory()
    client.force_login(secretariat)
    for dimension in ["type", "article", "region", "state"]:
        assert (
            client.get(reverse("followup:donor_mapping"), {"by": dimension}).status_code
            == 200
        )
    csv_text = (
        client.get(reverse("followup:unmet_needs"), {"format": "csv"})
        .getvalue()
        .decode()
    )
    assert str(need.pk) in csv_text
    filtered = client.get(reverse("followup:unmet_needs"), {"article": 16})
    assert filtered.context["page_obj"].paginator.count == 0


def test_state_follow_up_page_for_the_state_and_the_secretariat(
    client, focal_point, own_review, other_review, secretariat
):
    FollowUp.objects.create(review=own_review, letter_sent_on=datetime.date(2013, 2, 1))
    NeedFactory(review=own_review)
    client.force_login(focal_point)
    page = client.get(reverse("followup:state_follow_up", args=[own_review.state.code]))
    assert page.status_code == 200
    assert [w for _, w, _ in page.context["page"].timeline] == ["Letter sent"]
    other = reverse("followup:state_follow_up", args=[other_review.state.code])
    assert client.get(other).status_code == 404
    client.force_login(secretariat)
    assert client.get(other).status_code == 200
    assert client.get(reverse("followup:clusters"), {"threshold": 2}).status_code == 200


def test_unmet_needs_csv_costs_the_same_queries_for_2_or_10_needs(
    client, viewer, django_assert_max_num_queries
):
    review = CountryReviewFactory(shares=["need-descriptions"])
    for need_type in range(1, 3):
        NeedFactory(review=review, need_type_id=need_type)
    client.force_login(viewer)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("followup:unmet_needs") + "?format=csv").getvalue()
    for need_type in range(3, 10):
        NeedFactory(review=review, need_type_id=need_type)
    NeedFactory(review=CountryReviewFactory(shares=["need-descriptions"]))
    with django_assert_max_num_queries(len(few)) as many:
        body = client.get(reverse("followup:unmet_needs") + "?format=csv").getvalue()
    assert body.decode().count("\n") == 11  # the header and ten needs
    assert len(many) == len(few)
