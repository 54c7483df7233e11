"""Passkeys (django-otp-webauthn), the server's side: a second factor beside the
authenticator app, added by a session that gave its second factor, never a way in
on its own. The browser and the authenticator are played by `SoftKey`, an EC P-256
key answering the JSON ceremonies as a browser would ("none" attestation)."""

import hashlib
import json
import os
import struct

import cbor2
import pytest
from axes.models import AccessAttempt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from webauthn.helpers import bytes_to_base64url

from tests.reviews.test_mfa import PASSWORD, SETUP, VERIFY, _code, _enrolled

pytestmark = pytest.mark.django_db

TWO_FACTOR = reverse("reviews:two_factor")
REGISTER_BEGIN = reverse("otp_webauthn:credential-registration-begin")
REGISTER_COMPLETE = reverse("otp_webauthn:credential-registration-complete")
SIGN_IN_BEGIN = reverse("otp_webauthn:credential-authentication-begin")
SIGN_IN_COMPLETE = reverse("otp_webauthn:credential-authentication-complete")
ORIGIN = settings.OTP_WEBAUTHN_ALLOWED_ORIGINS[0]
# Authenticator data flags: user present, user verified, attested credential data.
PRESENT, VERIFIED, ATTESTED = 0x01, 0x04, 0x40


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


def _b64(data: bytes) -> str:
    return bytes_to_base64url(data)


class SoftKey:
    """A passkey in software: what a browser sends for it, and what it signs."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.sign_count = 0

    def _client_data(self, kind: str, challenge: str, origin: str) -> bytes:
        data = {"type": kind, "challenge": challenge, "origin": origin}
        return json.dumps(data | {"crossOrigin": False}).encode()

    def _authenticator_data(self, flags: int, attested: bytes = b"") -> bytes:
        self.sign_count += 1
        rp_id_hash = hashlib.sha256(settings.OTP_WEBAUTHN_RP_ID.encode()).digest()
        return (
            rp_id_hash + bytes([flags]) + struct.pack(">I", self.sign_count) + attested
        )

    def _public_key(self) -> bytes:
        point = self.private_key.public_key().public_numbers()
        cose = {1: 2, 3: -7, -1: 1, -2: point.x.to_bytes(32), -3: point.y.to_bytes(32)}
        return cbor2.dumps(cose)

    def register(self, options: dict, origin: str = ORIGIN) -> dict:
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        attested = bytes(16) + struct.pack(">H", len(self.credential_id))
        attested += self.credential_id + self._public_key()
        flags = PRESENT | VERIFIED | ATTESTED
        authenticator_data = self._authenticator_data(flags, attested)
        attestation = {"fmt": "none", "attStmt": {}, "authData": authenticator_data}
        response = {
            "clientDataJSON": _b64(client_data),
            "attestationObject": _b64(cbor2.dumps(attestation)),
            "transports": ["internal"],
        }
        return self._credential(response) | {
            "clientExtensionResults": {"credProps": {"rk": True}}
        }

    def sign_in(self, options: dict, origin: str = ORIGIN) -> dict:
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        authenticator_data = self._authenticator_data(PRESENT | VERIFIED)
        signed = authenticator_data + hashlib.sha256(client_data).digest()
        signature = self.private_key.sign(signed, ec.ECDSA(hashes.SHA256()))
        response = {
            "clientDataJSON": _b64(client_data),
            "authenticatorData": _b64(authenticator_data),
            "signature": _b64(signature),
        }
        return self._credential(response) | {"clientExtensionResults": {}}

    def _credential(self, response: dict) -> dict:
        key_id = _b64(self.credential_id)
        return {
            "id": key_id,
            "rawId": key_id,
            "type": "public-key",
            "response": response,
        }


def _post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def _verified(client, user) -> str:
    """An enrolled user whose session gave its second factor; returns the key."""
    key, codes = _enrolled(user)
    client.force_login(user)
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 302
    return key


def _add_passkey(client) -> SoftKey:
    passkey = SoftKey()
    options = _post(client, REGISTER_BEGIN)
    assert options.status_code == 200, options.content
    added = _post(client, REGISTER_COMPLETE, passkey.register(options.json()))
    assert added.status_code == 200, added.content
    return passkey


def _log_in_with_password(client, user):
    client.logout()
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302


def test_a_verified_session_adds_a_passkey(client, secretariat, caplog):
    # given
    _verified(client, secretariat)

    # when
    with caplog.at_level("INFO", logger="tatracker.security"):
        options = _post(client, REGISTER_BEGIN).json()
        passkey = SoftKey()
        added = _post(client, REGISTER_COMPLETE, passkey.register(options))

    # then: the passkey is the user's, for this site, and the page counts it
    assert added.status_code == 200
    assert options["rp"]["id"] == settings.OTP_WEBAUTHN_RP_ID
    credential = WebAuthnCredential.objects.get(user=secretariat)
    assert credential.confirmed
    assert bytes(credential.credential_id) == passkey.credential_id
    assert b"1 passkey added." in client.get(TWO_FACTOR).content
    logged = [r for r in caplog.records if r.name == "tatracker.security"]
    assert [(r.getMessage(), r.user_id) for r in logged] == [
        ("passkey added", secretariat.pk)
    ]


def test_a_passkey_gives_the_second_factor_after_the_password(client, secretariat):
    # given: an account with an authenticator app and a passkey, password given
    _verified(client, secretariat)
    passkey = _add_passkey(client)
    _log_in_with_password(client, secretariat)
    assert client.get(reverse("home"))["Location"].startswith(VERIFY)
    page = client.get(VERIFY)
    assert b'id="passkey-verification-button"' in page.content
    assert b"otp_webauthn_auth.js" in page.content
    session_before = client.session.session_key

    # when: the browser asks the passkey instead of the app's code
    options = _post(client, SIGN_IN_BEGIN).json()
    signed = _post(client, SIGN_IN_COMPLETE + "?next=/admin/", passkey.sign_in(options))

    # then: the session gave its second factor (under a new key) and pages open
    assert signed.status_code == 200, signed.content
    assert signed.json()["redirect_url"] == "/admin/"
    allowed = [c["id"] for c in options["allowCredentials"]]
    assert allowed == [_b64(passkey.credential_id)]
    assert client.session.session_key != session_before
    assert client.get(reverse("followup:desk")).status_code == 200
    assert client.get("/admin/").status_code == 200


def test_a_passkey_of_another_account_is_refused(client, secretariat, admin_user):
    # given: the administrator's passkey, and the secretariat's password given
    _verified(client, admin_user)
    admins_passkey = _add_passkey(client)
    _enrolled(secretariat)
    _log_in_with_password(client, secretariat)

    # when
    options = _post(client, SIGN_IN_BEGIN).json()
    refused = _post(client, SIGN_IN_COMPLETE, admins_passkey.sign_in(options))

    # then
    assert refused.status_code >= 400
    assert client.get(reverse("home"))["Location"].startswith(VERIFY)


def test_a_passkey_signed_for_another_site_is_refused(client, secretariat):
    _verified(client, secretariat)
    passkey = _add_passkey(client)
    _log_in_with_password(client, secretariat)

    options = _post(client, SIGN_IN_BEGIN).json()
    phished = passkey.sign_in(options, origin="https://tatracker.example.net")
    refused = _post(client, SIGN_IN_COMPLETE, phished)

    assert refused.status_code >= 400
    assert client.get(reverse("home"))["Location"].startswith(VERIFY)


def test_a_passkey_is_no_way_in_without_the_password(client, secretariat):
    # given: a passkey, and a browser that has not logged in
    _verified(client, secretariat)
    passkey = _add_passkey(client)
    client.logout()

    # when
    begin = _post(client, SIGN_IN_BEGIN)
    complete = _post(client, SIGN_IN_COMPLETE, passkey.sign_in({"challenge": "x"}))

    # then: neither step answers, and nobody is logged in
    assert begin.status_code != 200
    assert complete.status_code != 200
    assert client.get(reverse("home")).wsgi_request.user.is_anonymous


def test_a_locked_out_account_cannot_use_its_passkey(client, secretariat):
    # given: a passkey, the password given, then the account locked out
    _verified(client, secretariat)
    _add_passkey(client)
    _log_in_with_password(client, secretariat)
    AccessAttempt.objects.create(
        username=secretariat.username,
        ip_address="127.0.0.1",
        user_agent="",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
    )

    # when
    refused = _post(client, SIGN_IN_BEGIN)

    # then
    assert refused.status_code == 429
    assert refused.json()["code"] == "locked_out"


def test_a_session_that_owes_its_code_cannot_add_a_passkey(client, secretariat):
    # given: the password given, not the code
    _enrolled(secretariat)
    _log_in_with_password(client, secretariat)

    # when
    response = _post(client, REGISTER_BEGIN)

    # then: sent to give the code first; nothing added
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert not WebAuthnCredential.objects.filter(user=secretariat).exists()


def test_a_passkey_comes_after_an_authenticator_app(client, focal_point):
    # given: a focal point (not required to have a second factor) without one
    client.force_login(focal_point)

    # when
    refused = _post(client, REGISTER_BEGIN)

    # then
    assert refused.status_code == 403
    assert refused.json()["code"] == "authenticator_first"
    assert not WebAuthnCredential.objects.filter(user=focal_point).exists()
    assert SETUP.encode() in client.get(TWO_FACTOR).content


def test_with_a_passkey_the_authenticator_code_still_works(client, secretariat):
    # given
    key = _verified(client, secretariat)
    _add_passkey(client)
    _log_in_with_password(client, secretariat)
    TOTPDevice.objects.filter(user=secretariat).update(last_t=-1)

    # when
    verified = client.post(VERIFY, {"code": _code(key)})

    # then
    assert verified.status_code == 302
    assert client.get(reverse("followup:desk")).status_code == 200
