"""Production settings, login throttling, user administration."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from reviews.models import Account, Handover
from reviews.services import focal_point_handover
from tests.factories import AccountFactory, NeedFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent.parent


# Several servers: PostgreSQL, Redis, a proxy in front, a metrics scraper.
SCALED_OUT = {
    "DATABASE_URL": "postgres://tatracker@db.example.org:5432/tatracker",
    "REDIS_URL": "redis://cache.example.org:6379/0",
    "TRUSTED_PROXIES": "1",
    "METRICS_TOKEN": "a-metrics-token-" + "m" * 32,
    "CSRF_TRUSTED_ORIGINS": "https://tatracker.example.org",
}


@pytest.mark.parametrize("extra", [{}, SCALED_OUT], ids=["one-server", "scaled-out"])
def test_check_deploy_is_clean_with_production_settings(extra):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "tatracker.settings",
        "SECRET_KEY": "a-production-secret-" + "k3y" * 20,
        "ALLOWED_HOSTS": "tatracker.example.org",
        "DEBUG": "0",
        **extra,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_production_responses_carry_security_headers(client):
    response = client.get(reverse("home"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_repeated_login_failures_are_throttled_and_logged(client, caplog):
    UserFactory(username="alice")
    for _ in range(5):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    locked = client.post(
        reverse("login"),
        {"username": "alice", "password": "correct horse battery staple"},
    )
    assert locked.status_code == 429
    assert b"Too many failed log-in attempts" in locked.content
    assert "_auth_user_id" not in client.session
    assert any("Locking out" in record.getMessage() for record in caplog.records)
    attempt = AccessAttempt.objects.get(username="alice")
    assert attempt.failures_since_start >= 5


@pytest.mark.django_db
def test_failures_from_one_address_are_throttled_across_accounts(client):
    for index in range(5):
        client.post(reverse("login"), {"username": f"guess{index}", "password": "x"})
    UserFactory(username="bob")
    response = client.post(
        reverse("login"),
        {"username": "bob", "password": "correct horse battery staple"},
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_add_user_creates_a_focal_point_and_prints_a_password_link(own_review):
    out = io.StringIO()
    call_command(
        "add_user",
        "carla",
        "--role",
        "focal-point",
        "--state",
        "own",
        "--email",
        "c@example.org",
        stdout=out,
    )
    user = get_user_model().objects.get(username="carla")
    assert user.account.role == Account.Role.FOCAL_POINT
    assert user.account.state == own_review.state
    assert not user.has_usable_password()
    assert "/accounts/reset/" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "focal-point"], "acts for exactly one State"),
        (["--role", "viewer", "--state", "ZZZ"], "No State party"),
    ],
)
def test_add_user_refuses_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("add_user", "dora", *args, stdout=io.StringIO())
    assert not get_user_model().objects.filter(username="dora").exists()


@pytest.mark.django_db
def test_handover_gives_the_successor_the_state_and_a_digest(
    client, focal_point, own_review, admin_user
):
    NeedFactory(review=own_review, description="")
    successor = UserFactory(username="successor")
    focal_point_handover(
        state=own_review.state,
        previous=focal_point,
        successor=successor,
        by=admin_user,
        note="Workshop planned",
    )
    focal_point.refresh_from_db()
    assert not focal_point.is_active
    assert Handover.objects.get().successor == successor
    client.force_login(successor)
    digest = client.get(reverse("home")).context["digest"]
    assert digest.state == own_review.state
    assert digest.unaddressed == 1
    assert digest.handover.previous == focal_point
    assert client.get(own_review.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_a_departed_focal_point_sees_nothing(client, focal_point, own_review):
    successor = AccountFactory(role=Account.Role.VIEWER).user
    focal_point_handover(
        state=own_review.state, previous=focal_point, successor=successor
    )
    client.force_login(focal_point)  # a stale session
    response = client.get(own_review.get_absolute_url())
    assert response.status_code in {302, 404}


@pytest.mark.django_db
def test_secretariat_keeps_the_follow_up_in_the_admin(client):
    call_command("add_user", "sam", "--role", "secretariat", stdout=io.StringIO())
    sam = get_user_model().objects.get(username="sam")
    assert sam.is_staff
    assert not sam.is_superuser
    client.force_login(sam)
    for name in [
        "needs_followup_add",
        "needs_assistance_add",
        "needs_actionplan_add",
        "needs_consent_add",
        "needs_need_changelist",
    ]:
        assert client.get(reverse(f"admin:{name}")).status_code == 200, name
    assert client.get(reverse("admin:reviews_regionalgroup_add")).status_code == 403
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
