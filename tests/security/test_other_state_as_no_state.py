"""Creating a record for another State answers exactly as for a State that does not
exist: the answer tells a focal point nothing about which codes and ids are taken.

Each create endpoint that names a State (or a State's review or need) is posted by a
focal point twice, once with another State's record and once with one that does not
exist; status, error keys and messages (the submitted value aside) are the same.
"""

import pytest
from rest_framework.test import APIClient

from needs.models import ActionPlan, Assistance, FollowUp, Need
from needs.permissions import can_edit_plan, plan_state_filter
from reviews.models import CountryReview, StateParty
from tests.factories import NeedFactory

pytestmark = pytest.mark.django_db

MISSING = 987_654


def _item(need_id):
    return {"rank": 1, "responsible_authority": "Ministry", "needs": [need_id]}


# (endpoint, body for a value, the other State's value and a missing one)
CASES = {
    "action plan for a State": (
        "/api/v1/action-plans/",
        lambda value: {"state": value, "title": "Plan"},
        lambda records: ("OTH", "ZZZ"),
    ),
    "action plan ranking a need": (
        "/api/v1/action-plans/",
        lambda value: {"state": "OWN", "title": "Plan", "items": [_item(value)]},
        lambda records: (records["need"], MISSING),
    ),
    "need of a review": (
        "/api/v1/needs/",
        lambda value: {"review": value, "article": 15, "need_type": "other"},
        lambda records: (records["review"], MISSING),
    ),
    "follow-up of a review": (
        "/api/v1/follow-ups/",
        lambda value: {"review": value},
        lambda records: (records["review"], MISSING),
    ),
    "assistance to a State": (
        "/api/v1/assistance/",
        lambda value: {"title": "Project", "beneficiaries": [value]},
        lambda records: ("OTH", "ZZZ"),
    ),
}


@pytest.fixture
def records(other_review):
    return {"review": other_review.pk, "need": NeedFactory(review=other_review).pk}


def _counts() -> list[int]:
    models = [ActionPlan, Assistance, CountryReview, FollowUp, Need]
    return [model.objects.count() for model in models]


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_another_states_record_answers_as_no_record(focal_point, records, case):
    # given a focal point, another State's record and a value that names nothing
    url, body, values = case
    theirs, missing = values(records)
    client = APIClient()
    client.force_authenticate(focal_point)
    before = _counts()
    # when the focal point creates a record naming each
    answers = [client.post(url, body(v), format="json") for v in (theirs, missing)]
    # then the two answers are the same, the value aside, and nothing was created
    assert answers[0].status_code == answers[1].status_code
    assert answers[0].status_code in {400, 403}
    first, second = (answer.json() for answer in answers)
    assert first.keys() == second.keys()
    assert str(first).replace(str(theirs), "<value>") == str(second).replace(
        str(missing), "<value>"
    )
    assert _counts() == before


@pytest.mark.parametrize("role", ["secretariat", "focal_point", "viewer"])
def test_the_states_offered_for_plans_are_those_whose_plans_the_user_keeps(
    request, other_review, role
):
    user = request.getfixturevalue(role)
    offered = set(
        StateParty.objects.filter(plan_state_filter(user)).values_list("pk", flat=True)
    )
    allowed = {
        pk
        for pk in StateParty.objects.values_list("pk", flat=True)
        if can_edit_plan(user, pk)
    }
    assert offered == allowed
