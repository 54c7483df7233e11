"""/health/ and /ready/ for load balancers, /metrics for Prometheus."""

import pytest
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from tatracker import health


@pytest.fixture(autouse=True)
def _working_cache(settings):
    """A cache that keeps what it is given (the suite's default keeps nothing)."""
    settings.CACHES = settings.CACHES | {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }


pytestmark = pytest.mark.django_db


def test_health_answers_ok_without_logging_in(client):
    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_answers_ok_without_details_to_anybody(client, focal_point):
    anonymous = client.get(reverse("ready"))
    client.force_login(focal_point)
    focal = client.get(reverse("ready"))

    assert anonymous.status_code == focal.status_code == 200
    assert anonymous.json() == focal.json() == {"status": "ok"}
    assert "no-store" in anonymous["Cache-Control"]


def test_ready_shows_the_secretariat_each_check(user_client):
    response = user_client.get(reverse("ready"))

    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "cache": "ok"},
    }


def test_ready_is_503_when_the_cache_does_not_answer(user_client, monkeypatch):
    # given: a cache that fails
    class Broken:
        def set(self, *args, **kwargs):
            raise ConnectionError("cache down")

        get = set

    monkeypatch.setattr(health, "cache", Broken())

    # when
    anonymous = Client().get(reverse("ready"))

    # then: not ready, and only the word says so
    assert anonymous.status_code == 503
    assert anonymous.json() == {"status": "not ok"}
    details = user_client.get(reverse("ready")).json()["checks"]
    assert details["cache"] == "not ok: ConnectionError"


def test_ready_is_503_while_migrations_are_pending(client, monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)
    monkeypatch.setattr(
        health.MigrationExecutor, "migration_plan", lambda self, targets: ["one"]
    )

    response = client.get(reverse("ready"))

    assert response.status_code == 503
    assert response.json() == {"status": "not ok"}


def test_ready_is_503_when_the_database_does_not_answer(client, monkeypatch):
    monkeypatch.setattr(
        health, "_check_database", lambda: "not ok: " + DatabaseError.__name__
    )

    response = client.get(reverse("ready"))

    assert response.status_code == 503
    assert response.json() == {"status": "not ok"}


def test_metrics_are_refused_without_the_token(client, focal_point, settings):
    settings.METRICS_TOKEN = "scrape-" + "s" * 30

    assert client.get("/metrics").status_code == 403
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    client.force_login(focal_point)
    assert client.get("/metrics").status_code == 403


def test_metrics_with_the_token_show_latency_and_queries_by_view(client, settings):
    # given
    settings.METRICS_TOKEN = "scrape-" + "s" * 30
    client.get(reverse("reports:overview"))

    # when
    response = client.get(
        "/metrics", headers={"Authorization": f"Bearer {settings.METRICS_TOKEN}"}
    )

    # then
    assert response.status_code == 200
    text = response.content.decode()
    assert (
        'tatracker_request_duration_seconds_count{method="GET",view="reports:overview"}'
        in text
    )
    assert 'tatracker_database_queries_total{view="reports:overview"}' in text
    assert (
        "tatracker_statistics_cache_total" in text
        or "tatracker_statistics_cache" in text
    )


def test_the_secretariat_reads_the_metrics_in_the_browser(user_client, settings):
    settings.METRICS_TOKEN = ""

    assert user_client.get("/metrics").status_code == 200


def test_an_unverified_secretariat_session_sees_no_details(
    client, secretariat, settings
):
    settings.TATRACKER_REQUIRE_2FA = True
    client.force_login(secretariat)

    assert client.get(reverse("ready")).json() == {"status": "ok"}
    assert client.get("/metrics").status_code == 403
