"""The follow-up API: assistance."""

import datetime

import pytest
from rest_framework.test import APIClient

from needs.models import (
    Assistance,
)
from tests.factories import (
    StatePartyFactory,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2014, 6, 1)


def test_national_assistance_serves_one_state_in_the_api(secretariat):

    api = APIClient()
    api.force_authenticate(secretariat)
    states = [StatePartyFactory().code, StatePartyFactory().code]
    response = api.post(
        "/api/v1/assistance/",
        {
            "title": "Judicial reform",
            "beneficiaries": states,
            "modality": "national",
            "status": "ongoing",
        },
        format="json",
    )
    assert response.status_code == 400
    assert (
        "National assistance serves one State"
        in response.json()["fields"]["modality"][0]
    )
    budget = api.post(
        "/api/v1/assistance/",
        {"title": "x", "beneficiaries": states[:1], "budget": "1000.00"},
        format="json",
    )
    assert budget.status_code == 400
    assert "A budget needs its currency." in str(budget.json())
    assert not Assistance.objects.exists()
