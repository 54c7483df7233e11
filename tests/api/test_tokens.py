"""Tokens: made from a password, stored hashed, named, listed, revoked, expiring,
and revoked by a password change or a departure."""

import datetime

import pytest
import time_machine
from django.contrib.auth.forms import SetPasswordForm
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from reviews.models import Account, ApiToken
from reviews.services import api_token_create, api_token_digest, focal_point_handover
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def person(db):
    user = UserFactory(username="integrator")
    AccountFactory(user=user, role=Account.Role.SECRETARIAT)
    return user


def obtain(name="", password=PASSWORD, username="integrator"):
    return APIClient().post(
        "/api/v1/token/",
        {"username": username, "password": password, "name": name},
        format="json",
    )


def with_key(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_a_token_is_made_from_a_password_and_stored_only_as_a_digest(person):
    response = obtain(name="Data warehouse")
    assert response.status_code == 201, response.json()
    body = response.json()
    key = body["token"]
    token = ApiToken.objects.get(pk=body["id"])
    assert token.user == person
    assert token.name == body["name"] == "Data warehouse"
    assert token.digest == api_token_digest(key)
    assert key not in str(ApiToken.objects.values_list().get(pk=token.pk))
    assert body["prefix"] == key[:8]
    expires = datetime.datetime.fromisoformat(body["expires_at"])
    assert expires - token.created_at == datetime.timedelta(days=30)
    assert with_key(key).get("/api/v1/needs/").status_code == 200


def test_wrong_credentials_make_no_token(person):
    response = obtain(password="wrong")
    assert response.status_code == 400
    assert "token" not in response.json()
    assert not ApiToken.objects.exists()


def test_a_user_holds_several_named_tokens_and_lists_only_their_own(person):
    first = obtain(name="warehouse").json()
    second = obtain(name="dashboard").json()
    api_token_create(user=UserFactory(), name="someone else's")
    listed = with_key(first["token"]).get("/api/v1/tokens/").json()["results"]
    assert [(t["name"], t["current"]) for t in listed] == [
        ("dashboard", False),
        ("warehouse", True),
    ]
    assert all("token" not in t for t in listed)
    assert (
        with_key(second["token"]).get("/api/v1/tokens/current/").json()["id"]
        == (second["id"])
    )


def test_revoking_the_current_token_ends_it_and_spares_the_others(person):
    first = obtain(name="warehouse").json()["token"]
    second = obtain(name="dashboard").json()["token"]
    assert with_key(first).delete("/api/v1/tokens/current/").status_code == 204
    assert with_key(first).get("/api/v1/needs/").status_code == 401
    assert with_key(second).get("/api/v1/needs/").status_code == 200


def test_revoking_one_token_by_id_and_never_anothers(person):
    mine = obtain(name="warehouse").json()
    other, _ = api_token_create(user=UserFactory(), name="theirs")
    client = with_key(mine["token"])
    assert client.delete(f"/api/v1/tokens/{other.pk}/").status_code == 404
    assert ApiToken.objects.filter(pk=other.pk).exists()
    assert client.delete(f"/api/v1/tokens/{mine['id']}/").status_code == 204
    assert not ApiToken.objects.filter(pk=mine["id"]).exists()


def test_the_current_token_of_a_session_is_not_found(person):
    client = APIClient()
    client.force_login(person)
    assert client.get("/api/v1/tokens/current/").status_code == 404
    assert client.delete("/api/v1/tokens/current/").status_code == 404


def test_the_browsable_api_links_the_current_token_only_where_there_is_one(person):
    # given a person browsing the API in a session (no token)
    session = APIClient()
    session.force_login(person)
    tokens = session.get("/api/v1/tokens/", HTTP_ACCEPT="text/html")
    # then the tokens' page does not link to a current token it would not find
    assert tokens.status_code == 200
    assert "/api/v1/tokens/current/" not in tokens.content.decode()

    # given a request made with a token, then the link is there and answers with
    # the token's metadata, never its key
    key = obtain(name="warehouse").json()["token"]
    client = with_key(key)
    page = client.get("/api/v1/tokens/", HTTP_ACCEPT="text/html").content.decode()
    assert "/api/v1/tokens/current/" in page
    current = client.get("/api/v1/tokens/current/")
    assert current.status_code == 200
    assert (current.json()["name"], current.json()["current"]) == ("warehouse", True)
    assert key not in current.content.decode()


def test_a_token_expires_after_the_configured_days(person, settings):
    settings.API_TOKEN_TTL = datetime.timedelta(days=2)
    key = obtain().json()["token"]
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, hours=23)):
        assert with_key(key).get("/api/v1/needs/").status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2, seconds=1)):
        response = with_key(key).get("/api/v1/needs/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_password_change_revokes_every_token(person):
    keys = [obtain().json()["token"], obtain().json()["token"]]
    form = SetPasswordForm(
        person,
        {
            "new_password1": "a new long passphrase",
            "new_password2": "a new long passphrase",
        },
    )
    assert form.is_valid(), form.errors
    form.save()
    for key in keys:
        assert with_key(key).get("/api/v1/needs/").status_code == 401
    assert not ApiToken.objects.filter(user=person).exists()


def test_a_password_hash_upgrade_at_login_keeps_the_tokens(person, settings):
    key = obtain().json()["token"]
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert obtain().status_code == 201  # the login rehashes the password
    person.refresh_from_db()
    assert person.password.startswith("pbkdf2_")
    assert with_key(key).get("/api/v1/needs/").status_code == 200


def test_changepassword_command_revokes_tokens_too(person, monkeypatch):
    key = obtain().json()["token"]
    monkeypatch.setattr("getpass.getpass", lambda *a, **k: "another long passphrase")
    call_command("changepassword", "integrator", stdout=None)
    assert with_key(key).get("/api/v1/needs/").status_code == 401


def test_a_departing_focal_point_loses_their_tokens(own_review):
    departing = AccountFactory(
        role=Account.Role.FOCAL_POINT, state=own_review.state
    ).user
    _, key = api_token_create(user=departing)
    assert with_key(key).get("/api/v1/needs/").status_code == 200
    focal_point_handover(
        state=own_review.state, previous=departing, successor=UserFactory()
    )
    assert not ApiToken.objects.filter(user=departing).exists()
    assert with_key(key).get("/api/v1/needs/").status_code == 401


def test_the_schema_documents_the_token_endpoints(client):
    paths = client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    assert set(paths["/api/v1/token/"]) == {"post"}
    # No credentials needed to make one.
    assert paths["/api/v1/token/"]["post"].get("security", []) in ([], [{}])
    assert {"get", "delete"} <= set(paths["/api/v1/tokens/current/"])
    assert "delete" in paths["/api/v1/tokens/{id}/"]
