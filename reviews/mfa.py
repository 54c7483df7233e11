"""Two-factor sign-in (django-otp): which session still owes its second factor,
and the enrolment page's QR code, drawn here (no image leaves the server).

A session owes its second factor when its user must have one (the secretariat and
administrators, `second_factor_required`) or has an authenticator; until it gives
one, `tatracker.middleware.SecondFactorMiddleware` opens no other page.
"""

import base64
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.http import HttpRequest
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from django_otp_webauthn.models import WebAuthnCredential

from reviews.permissions import has_verified_second_factor, second_factor_required

# Set at log-in for a user with an authenticator: read from the session on every
# request, so that other users cost no query.
PENDING = "tatracker_second_factor_pending"
# The secret an enrolment page showed, until the person confirms it with a code.
ENROLMENT_KEY = "tatracker_second_factor_key"


def login_received(sender, request, user, **kwargs) -> None:
    """`user_logged_in`: whoever has an authenticator owes a code from now on (the
    log-in page, the admin's and a test's `force_login` alike)."""
    if request is not None and user_has_device(user, confirmed=True):
        request.session[PENDING] = True


def second_factor_owed(request: HttpRequest) -> bool:
    """Whether the logged-in user of `request` must still give a second factor."""
    user = request.user
    if not user.is_authenticated:
        return False
    owed = request.session.get(PENDING) or second_factor_required(user)
    return bool(owed) and not has_verified_second_factor(user)


def second_factor_given(request: HttpRequest) -> None:
    """The session gave its second factor (django_otp.login has recorded which)."""
    request.session.pop(PENDING, None)
    request.session.pop(ENROLMENT_KEY, None)
    request.session.cycle_key()


def enrolment_key(request: HttpRequest) -> str:
    """The secret (hex) this session's enrolment page shows, kept until confirmed."""
    key = request.session.get(ENROLMENT_KEY)
    if not key:
        key = request.session[ENROLMENT_KEY] = random_hex(20)
    return key


def enrolment_details(user, key: str) -> dict:
    """What the enrolment page shows: the QR code (an SVG data: URI, which the
    Content-Security-Policy allows as an image) and the key to type by hand."""
    device = TOTPDevice(user=user, key=key)
    image = qrcode.make(
        device.config_url,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=8,
        border=2,
    )
    svg = base64.b64encode(image.to_string()).decode()
    manual = b32encode(device.bin_key).decode()
    return {
        "qr_code": f"data:image/svg+xml;base64,{svg}",
        "manual_key": " ".join(manual[i : i + 4] for i in range(0, len(manual), 4)),
    }


def has_authenticator(user) -> bool:
    """Whether `user` has enrolled an authenticator app (recovery codes alone are
    not one: they come with it)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    """How many of `user`'s recovery codes are still unused."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def passkey_count(user) -> int:
    """How many passkeys `user` has added (a second factor like the app's code)."""
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).count()
