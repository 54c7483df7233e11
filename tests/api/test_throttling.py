"""Rate limits: failed log-ins at the token endpoint (per account at an address,
per address, per account) and the API's request rates, all 429 with Retry-After."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from reviews.models import ApiToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _counting_cache(settings):
    """The counts live in the default cache, which the suite otherwise turns off
    (tests/settings.py): a cache of this process's memory here, emptied."""
    settings.CACHES = settings.CACHES | {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    cache.clear()


@pytest.fixture
def accounts(db):
    return {name: UserFactory(username=name) for name in ("alice", "bob", "carol")}


def ask(username, password=PASSWORD, address="10.0.0.1", **headers):
    client = APIClient(REMOTE_ADDR=address, **headers)
    return client.post(
        "/api/v1/token/", {"username": username, "password": password}, format="json"
    )


def fail(times, username, address="10.0.0.1"):
    for _ in range(times):
        assert ask(username, "wrong", address).status_code == 400


def test_five_failures_stop_that_account_at_that_address_only(accounts):
    # Given five failed log-ins for alice from one office address
    fail(5, "alice")
    # When alice tries again there, even with her password
    locked = ask("alice")
    # Then she is told to wait, and no token is made
    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= 15 * 60
    assert "detail" in locked.json()
    assert not ApiToken.objects.filter(user=accounts["alice"]).exists()
    # But bob behind the same address, and alice from elsewhere, get their tokens
    assert ask("bob").status_code == 201
    assert ask("alice", address="10.9.9.9").status_code == 201


def test_the_lock_lifts_after_the_window(accounts):
    fail(5, "alice")
    assert ask("alice").status_code == 429
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        assert ask("alice").status_code == 201


def test_guessing_across_accounts_stops_the_address(accounts, settings):
    settings.API_TOKEN_FAILURE_LIMITS = {
        "account_address": 5,
        "address": 4,
        "account": 20,
    }
    for name in ("alice", "bob"):
        fail(2, name)
    assert ask("carol").status_code == 429
    assert ask("carol", address="10.9.9.9").status_code == 201


def test_guessing_from_many_addresses_stops_the_account(accounts, settings):
    settings.API_TOKEN_FAILURE_LIMITS = {
        "account_address": 5,
        "address": 20,
        "account": 3,
    }
    for number in range(3):
        fail(1, "alice", address=f"10.0.1.{number}")
    assert ask("alice", address="10.0.2.1").status_code == 429
    assert ask("bob", address="10.0.2.1").status_code == 201


def test_behind_a_trusted_proxy_the_forwarded_address_counts(accounts, settings):
    settings.TRUSTED_PROXIES = 1
    proxy = "192.0.2.1"
    for _ in range(5):
        # The client's own X-Forwarded-For (a forged first entry) is ignored: the
        # proxy appended the address it saw.
        response = ask(
            "alice",
            "wrong",
            address=proxy,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{_}, 203.0.113.7",
        )
        assert response.status_code == 400
    locked = ask("alice", address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert locked.status_code == 429
    other = ask("alice", address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other.status_code == 201


def test_api_failures_do_not_lock_the_pages_log_in(accounts, client):
    fail(5, "alice", address="127.0.0.1")
    assert ask("alice", address="127.0.0.1").status_code == 429
    response = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(accounts["alice"].pk)


def test_anonymous_requests_are_limited_per_address(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": None},
    }
    first = APIClient(REMOTE_ADDR="10.0.0.1")
    assert first.get("/api/v1/statistics/").status_code == 200
    assert first.get("/api/v1/statistics/").status_code == 200
    refused = first.get("/api/v1/statistics/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert (
        APIClient(REMOTE_ADDR="10.0.0.2").get("/api/v1/statistics/").status_code == 200
    )


def test_requests_with_credentials_are_limited_per_user(settings, secretariat, viewer):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": "2/hour"},
    }
    client = APIClient()
    client.force_authenticate(secretariat)
    for _ in range(2):
        assert client.get("/api/v1/needs/").status_code == 200
    refused = client.get("/api/v1/needs/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 60
    other = APIClient()
    other.force_authenticate(viewer)
    assert other.get("/api/v1/needs/").status_code == 200
