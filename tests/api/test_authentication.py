"""Credentials: Bearer or Token; none or wrong ones are 401 with a challenge."""

import pytest
from rest_framework.test import APIClient

from reviews.models import Account
from reviews.services import api_token_create
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(secretariat):
    return api_token_create(user=secretariat)[1]


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer wrong",
        "Token wrong",
        "Bearer",
        "Bearer a b",
        "Bearer \u00e9t\u00e9",
    ],
)
def test_missing_or_bad_credentials_are_401_with_a_challenge(authorization):
    client = APIClient()
    if authorization:
        client.credentials(HTTP_AUTHORIZATION=authorization.encode().decode("latin-1"))
    response = client.get("/api/v1/needs/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Token" in response["WWW-Authenticate"]


@pytest.mark.parametrize("scheme", ["Bearer", "Token", "bearer"])
def test_a_token_is_taken_under_either_scheme(key, scheme):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {key}")
    assert client.get("/api/v1/needs/").status_code == 200


def test_a_token_of_an_account_without_a_role_is_403_not_401():
    user = UserFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user)[1]}")
    response = client.get("/api/v1/needs/")
    assert response.status_code == 403


def test_a_deactivated_accounts_token_is_401(key, secretariat):
    secretariat.is_active = False
    secretariat.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/needs/").status_code == 401


def test_a_signed_in_session_still_reads_the_api(client):
    user = AccountFactory(role=Account.Role.VIEWER).user
    client.force_login(user)
    assert client.get("/api/v1/needs/").status_code == 200


def test_the_schema_documents_the_bearer_scheme_and_401(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"
    assert "401" in schema["paths"]["/api/v1/needs/"]["get"]["responses"]
