"""Two-factor sign-in: required of the secretariat and administrators, optional for
everybody else; a wrong code counts for the lockout; recovery codes work once."""

import re

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from reviews import mfa
from reviews.models import ApiToken
from reviews.permissions import can_issue_api_token
from reviews.services import second_factor_enrol
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
SETUP = reverse("reviews:two_factor_setup")
VERIFY = reverse("reviews:two_factor_verify")


@pytest.fixture
def secretariat(secretariat):
    """Secretariat staff who keep records in the admin too."""
    secretariat.is_staff = True
    secretariat.save()
    return secretariat


@pytest.fixture(autouse=True)
def _required(settings):
    settings.TATRACKER_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def _code(key: str, offset: int = 0) -> str:
    totp = TOTP(bytes.fromhex(key), digits=6)
    totp.time += offset
    return f"{totp.token():06d}"


def _enrolled(user) -> tuple[str, list[str]]:
    key = "3132333435363738393031323334353637383930"
    return key, second_factor_enrol(user=user, key=key, code=_code(key))


def _login(client, user):
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content
    return response


def _secretariat_pages():
    return [
        reverse("home"),
        reverse("needs:submission_list"),
        reverse("followup:desk"),
        reverse("needs:recent_changes"),
        "/admin/",
        "/admin/needs/need/",
    ]


@pytest.mark.django_db
def test_secretariat_without_second_factor_reaches_no_page_until_enrolled(
    client, secretariat
):
    # given: logged in with the password alone, no authenticator
    client.force_login(secretariat)

    # when / then: every page sends to the enrolment, the API refuses
    for url in _secretariat_pages():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(SETUP + "?next="), url
    assert client.get("/api/v1/needs/").status_code == 403
    assert not TOTPDevice.objects.filter(user=secretariat).exists()


@pytest.mark.django_db
def test_administrator_is_sent_to_enrolment_from_the_admin(client, admin_user):
    client.force_login(admin_user)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == SETUP + "?next=%2Fadmin%2F"


@pytest.mark.django_db
def test_enrolment_shows_a_local_qr_code_then_every_page_opens(client, secretariat):
    # given
    client.force_login(secretariat)
    page = client.get(SETUP + "?next=/admin/")
    assert page.status_code == 200
    assert b'src="data:image/svg+xml;base64,' in page.content
    assert b"http" not in re.search(rb'src="(data:[^"]*)"', page.content)[1]
    key = client.session[mfa.ENROLMENT_KEY]

    # when
    done = client.post(SETUP, {"code": _code(key), "next": "/admin/"})

    # then: the recovery codes once, and the pages open
    assert done.status_code == 200
    codes = StaticToken.objects.filter(device__user=secretariat)
    assert codes.count() == 10
    for token in codes:
        assert token.token.encode() in done.content
    assert TOTPDevice.objects.get(user=secretariat).confirmed
    for url in _secretariat_pages()[:-1]:  # the models' pages need permissions
        assert client.get(url).status_code == 200, url
    again = client.get(SETUP)
    assert all(t.token.encode() not in again.content for t in codes)


@pytest.mark.django_db
def test_enrolment_refuses_a_wrong_code(client, secretariat):
    client.force_login(secretariat)
    client.get(SETUP)
    key = client.session[mfa.ENROLMENT_KEY]

    response = client.post(SETUP, {"code": _code(key, offset=3600)})

    assert response.status_code == 200
    assert b"not the one your authenticator shows" in response.content
    assert not TOTPDevice.objects.filter(user=secretariat).exists()
    assert not StaticDevice.objects.filter(user=secretariat).exists()
    assert client.get(reverse("home"))["Location"].startswith(SETUP)


@pytest.mark.django_db
def test_with_an_authenticator_the_code_follows_the_password(client, secretariat):
    # given
    key, _codes = _enrolled(secretariat)
    _login(client, secretariat)
    response = client.get(reverse("followup:desk"))
    assert response["Location"].startswith(VERIFY + "?next=")
    # a session that owes its code cannot replace the authenticator either
    assert client.get(SETUP)["Location"] == VERIFY

    # when
    TOTPDevice.objects.filter(user=secretariat).update(last_t=-1)
    verified = client.post(
        VERIFY, {"code": _code(key), "next": reverse("followup:desk")}
    )

    # then
    assert verified.status_code == 302
    assert verified["Location"] == reverse("followup:desk")
    assert client.get(reverse("followup:desk")).status_code == 200
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_wrong_code_is_refused_and_counted_by_the_lockout(client, secretariat):
    # given
    _enrolled(secretariat)
    _login(client, secretariat)

    # when
    wrong = client.post(VERIFY, {"code": "000000"})

    # then: refused, counted as a failed log-in of that account
    assert wrong.status_code == 200
    assert b"That code is not valid" in wrong.content
    assert client.get(reverse("home"))["Location"].startswith(VERIFY)
    attempt = AccessAttempt.objects.get(username=secretariat.username)
    assert attempt.failures_since_start == 1

    # when: up to the limit
    for _ in range(3):
        client.post(VERIFY, {"code": "000000"})
    locked = client.post(VERIFY, {"code": "000000"})

    # then: locked out, the session ended, the password no longer opens
    assert locked.status_code == 429
    assert b"Too many failed log-in attempts" in locked.content
    assert client.get(reverse("home")).wsgi_request.user.is_anonymous
    again = client.post(
        reverse("login"), {"username": secretariat.username, "password": PASSWORD}
    )
    assert again.status_code == 429


@pytest.mark.django_db
def test_a_recovery_code_works_once(client, secretariat):
    # given
    _key, codes = _enrolled(secretariat)
    client.force_login(secretariat)

    # when
    first = client.post(VERIFY, {"code": codes[0].upper(), "next": "/admin/"})

    # then
    assert first["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert StaticToken.objects.filter(device__user=secretariat).count() == 9

    # when: the same code again, in a new session
    client.logout()
    client.force_login(secretariat)
    second = client.post(VERIFY, {"code": codes[0]})

    # then
    assert second.status_code == 200
    assert b"That code is not valid" in second.content
    assert client.get("/admin/")["Location"].startswith(VERIFY)


@pytest.mark.django_db
def test_a_focal_point_without_authenticator_is_not_forced(client, focal_point):
    client.force_login(focal_point)

    own_state = client.get(reverse("needs:focal_state"), follow=True)
    assert own_state.status_code == 200
    assert own_state.redirect_chain == [("/states/OWN/", 302)]
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_a_focal_point_may_enrol_and_then_gives_the_code(client, focal_point):
    # given
    key, _codes = _enrolled(focal_point)

    # when
    _login(client, focal_point)

    # then
    assert client.get(reverse("needs:focal_state"))["Location"].startswith(VERIFY)
    TOTPDevice.objects.filter(user=focal_point).update(last_t=-1)
    client.post(VERIFY, {"code": _code(key)})
    assert client.get(reverse("needs:focal_state"))["Location"] == "/states/OWN/"


@pytest.mark.django_db
def test_without_the_requirement_the_secretariat_is_not_forced(
    client, secretariat, settings
):
    settings.TATRACKER_REQUIRE_2FA = False
    client.force_login(secretariat)

    assert client.get(reverse("needs:submission_list")).status_code == 200


@pytest.mark.django_db
def test_api_tokens_only_after_the_second_factor(client, secretariat, focal_point):
    # the secretariat: never on a password alone
    assert not can_issue_api_token(secretariat)
    # a focal point without an authenticator: the password suffices
    assert can_issue_api_token(focal_point)
    # with one, not before the code
    _enrolled(focal_point)
    assert not can_issue_api_token(focal_point)
    other = UserFactory(username="no-role")
    assert can_issue_api_token(other)


def test_the_token_endpoint_asks_the_secretariat_for_its_code(secretariat):
    # given an enrolled secretariat account
    key, recovery = _enrolled(secretariat)
    TOTPDevice.objects.filter(user=secretariat).update(last_t=-1)
    api = APIClient()
    credentials = {"username": secretariat.username, "password": PASSWORD}

    # a password alone gets no token, and the field says why
    refused = api.post("/api/v1/token/", credentials, format="json")
    assert refused.status_code == 400
    assert "code" in refused.json()["fields"]
    wrong = api.post("/api/v1/token/", credentials | {"code": "000000"}, format="json")
    assert wrong.status_code == 400
    assert not ApiToken.objects.filter(user=secretariat).exists()

    # the authenticator's code, or a recovery code, gets one
    issued = api.post(
        "/api/v1/token/", credentials | {"code": _code(key)}, format="json"
    )
    assert issued.status_code == 201
    again = api.post(
        "/api/v1/token/", credentials | {"code": recovery[0]}, format="json"
    )
    assert again.status_code == 201
    assert ApiToken.objects.filter(user=secretariat).count() == 2


# ---------------------------------------------------------------------------
# Recovery codes: how many are left, and new ones for the old
# ---------------------------------------------------------------------------
TWO_FACTOR = reverse("reviews:two_factor")


def _verified_with_recovery_code(client, user) -> tuple[str, list[str]]:
    """An enrolled user whose session gave its second factor (a recovery code);
    the authenticator's current code may be used once more."""
    key, codes = _enrolled(user)
    client.force_login(user)
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 302
    TOTPDevice.objects.filter(user=user).update(last_t=-1)
    return key, codes


def _codes_of(user) -> set[str]:
    return set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    )


@pytest.mark.django_db
def test_the_page_says_how_many_recovery_codes_are_left(client, secretariat):
    _verified_with_recovery_code(client, secretariat)

    page = client.get(TWO_FACTOR)

    assert page.status_code == 200
    assert b"9 recovery codes left unused." in page.content
    assert b'name="code"' in page.content


@pytest.mark.django_db
def test_new_recovery_codes_replace_the_old_ones_which_stop_working(
    client, secretariat, caplog
):
    # given: a verified session, and the codes the person has kept
    key, old = _verified_with_recovery_code(client, secretariat)

    # when: they ask for new codes with their authenticator's code
    with caplog.at_level("INFO", logger="tatracker.security"):
        renewed = client.post(TWO_FACTOR, {"code": _code(key)})

    # then: ten new codes, shown once, none of the old ones
    assert renewed.status_code == 200
    assert b"the ones you had before no longer work" in renewed.content
    new = _codes_of(secretariat)
    assert len(new) == 10
    assert new.isdisjoint(old)
    for token in new:
        assert token.encode() in renewed.content
    again = client.get(TWO_FACTOR)
    assert b"10 recovery codes left unused." in again.content
    assert all(token.encode() not in again.content for token in new)
    # and it is logged, with the user and without any code
    [record] = [r for r in caplog.records if r.name == "tatracker.security"]
    assert record.getMessage() == "recovery codes renewed"
    assert record.user_id == secretariat.pk
    assert not any(token in record.getMessage() for token in new | set(old))

    # when: an old code, then a new one twice, each in a new session
    client.logout()
    client.force_login(secretariat)
    refused = client.post(VERIFY, {"code": old[1]})
    accepted = client.post(VERIFY, {"code": sorted(new)[0], "next": "/admin/"})
    client.logout()
    client.force_login(secretariat)
    reused = client.post(VERIFY, {"code": sorted(new)[0]})

    # then: the old code is refused, the new one works once
    assert b"That code is not valid" in refused.content
    assert accepted["Location"] == "/admin/"
    assert b"That code is not valid" in reused.content
    assert len(_codes_of(secretariat)) == 9


@pytest.mark.django_db
def test_new_recovery_codes_need_the_authenticators_code(client, secretariat, caplog):
    # given
    key, old = _verified_with_recovery_code(client, secretariat)
    before = _codes_of(secretariat)

    # when: a wrong code, then a recovery code
    with caplog.at_level("INFO", logger="tatracker.security"):
        wrong = client.post(TWO_FACTOR, {"code": _code(key, offset=3600)})
        recovery = client.post(TWO_FACTOR, {"code": old[1]})

    # then: both refused, the wrong code logged, and nothing changed
    assert wrong.status_code == recovery.status_code == 200
    assert b"not the one your authenticator shows" in wrong.content
    assert b'class="error"' in recovery.content
    assert _codes_of(secretariat) == before
    logged = [r.getMessage() for r in caplog.records if r.name == "tatracker.security"]
    assert logged == ["recovery codes not renewed: wrong authenticator code"]


@pytest.mark.django_db
def test_a_wrong_code_is_counted_by_the_authenticators_throttle(
    client, secretariat, settings
):
    # given: django-otp's throttle on, as in production
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    key, _old = _verified_with_recovery_code(client, secretariat)
    before = _codes_of(secretariat)

    # when: a wrong code, then at once the right one
    client.post(TWO_FACTOR, {"code": _code(key, offset=3600)})
    client.post(TWO_FACTOR, {"code": _code(key)})

    # then: the failure was kept (not rolled back with the refusal), and the right
    # code waits for the throttle
    device = TOTPDevice.objects.get(user=secretariat)
    assert device.throttling_failure_count >= 1
    assert _codes_of(secretariat) == before


@pytest.mark.django_db
def test_without_an_authenticator_the_page_offers_to_set_one_up(client, focal_point):
    client.force_login(focal_point)

    page = client.get(TWO_FACTOR)
    refused = client.post(TWO_FACTOR, {"code": "123456"})

    assert page.status_code == 200
    assert b"no authenticator app yet" in page.content
    assert SETUP.encode() in page.content
    assert refused.status_code == 200
    assert not StaticDevice.objects.filter(user=focal_point).exists()


@pytest.mark.django_db
def test_a_session_that_owes_its_code_gives_it_before_new_recovery_codes(
    client, secretariat
):
    key, _codes = _enrolled(secretariat)
    before = _codes_of(secretariat)
    _login(client, secretariat)
    TOTPDevice.objects.filter(user=secretariat).update(last_t=-1)

    response = client.post(TWO_FACTOR, {"code": _code(key)})

    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY + "?next=")
    assert _codes_of(secretariat) == before
