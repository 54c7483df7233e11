"""Writes of the reviews app: reference data."""

import csv
import hashlib
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from axes.utils import reset as axes_reset
from babel import Locale
from babel.core import get_global
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext
from django_otp import devices_for_user
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from reviews.models import (
    Account,
    ApiToken,
    Article,
    Chapter,
    CountryReview,
    Handover,
    RegionalGroup,
    ReviewCycle,
    StateParty,
)
from reviews.names import NAMES_DIR, translated_names
from reviews.permissions import can_change_reviews, can_revoke_api_token
from tatracker.data_version import data_changed

DATA_DIR = Path(__file__).resolve().parent / "data"
# Security events (JSON lines in production): never a password, token or code.
security_log = logging.getLogger("tatracker.security")
# CLDR knows the European Union by its alpha-2 code only.
CLDR_TERRITORY = {"EUU": "EU"}

REGIONAL_GROUPS = [
    ("african", "Group of African States"),
    ("asia-pacific", "Group of Asia-Pacific States"),
    ("eastern-european", "Group of Eastern European States"),
    ("latin-american-caribbean", "Group of Latin American and Caribbean States"),
    ("western-european-other", "Group of Western European and other States"),
]

CHAPTERS = [
    ("II", 2, "Preventive measures"),
    ("III", 3, "Criminalization and law enforcement"),
    ("IV", 4, "International cooperation"),
    ("V", 5, "Asset recovery"),
]

# number, start year, end year, chapters under review
CYCLES = [(1, 2010, 2015, ["III", "IV"]), (2, 2015, 2026, ["II", "V"])]


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int


def _read_tsv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _upsert(model, lookup: dict, values: dict) -> bool:
    """Create or update one row; return True when it was created."""
    _, created = model.objects.update_or_create(**lookup, defaults=values)
    return created


@transaction.atomic
def reference_load() -> LoadResult:
    """Load regional groups, chapters, articles, cycles and States; idempotent."""
    flags: list[bool] = []
    for order, (slug, name) in enumerate(REGIONAL_GROUPS, start=1):
        flags.append(
            _upsert(
                RegionalGroup, {"slug": slug}, {"name": name, "display_order": order}
            )
        )
    chapters = {}
    for number, ordinal, title in CHAPTERS:
        flags.append(
            _upsert(Chapter, {"number": number}, {"ordinal": ordinal, "title": title})
        )
        chapters[number] = Chapter.objects.get(number=number)
    for row in _read_tsv("articles.tsv"):
        values = {
            "title": row["title"],
            "chapter": chapters[row["chapter"]],
            "section": row["section"],
            "subsection": row["subsection"],
        }
        flags.append(_upsert(Article, {"number": int(row["article"])}, values))
    for number, start, end, chapter_numbers in CYCLES:
        flags.append(
            _upsert(
                ReviewCycle, {"number": number}, {"start_year": start, "end_year": end}
            )
        )
        cycle = ReviewCycle.objects.get(number=number)
        cycle.chapters.set([chapters[n] for n in chapter_numbers])
    groups = {group.slug: group for group in RegionalGroup.objects.all()}
    for row in _read_tsv("states.tsv"):
        values = {
            "name": row["name"],
            "regional_group": groups.get(row["regional_group"]),
            "party_status": row["uncac_party"],
            "notes": row["notes"],
        }
        flags.append(_upsert(StateParty, {"code": row["iso3"]}, values))
    _names_load()
    data_changed()
    created = sum(flags)
    return LoadResult(created=created, updated=len(flags) - created)


def _state_names(code: str) -> dict[str, str]:
    """A State's name in each official language, from CLDR's territory names."""
    alpha2 = CLDR_TERRITORY.get(code) or next(
        iter(get_global("territory_aliases").get(code, [])), None
    )
    names = {}
    for language, _ in settings.LANGUAGES:
        if alpha2 and language != "en":
            locale = Locale.parse(translation.to_locale(language))
            names[language] = locale.territories.get(alpha2, "")
    return {language: name for language, name in names.items() if name}


def _names_load() -> None:
    """Names in the other official languages for groups, chapters, articles, States."""
    names = translated_names(NAMES_DIR)
    for model, kind, key in [
        (RegionalGroup, "regional-group", "slug"),
        (Chapter, "chapter", "number"),
        (Article, "article", "number"),
    ]:
        rows = list(model.objects.all())
        for row in rows:
            row.names = names.get((kind, str(getattr(row, key))), {})
        model.objects.bulk_update(rows, ["names"])
    states = list(StateParty.objects.filter(reconstructed=False))
    for state in states:
        state.names = _state_names(state.code)
    StateParty.objects.bulk_update(states, ["names"])


# ---------------------------------------------------------------------------
# Country reviews
# ---------------------------------------------------------------------------
@transaction.atomic
def review_save(*, review: CountryReview, user) -> CountryReview:
    """Record or change a country review (the secretariat)."""
    if not can_change_reviews(user):
        raise PermissionDenied(gettext("Only the secretariat records country reviews."))
    review.full_clean()
    review._history_user = user
    review.save()
    data_changed()
    return review


@transaction.atomic
def review_delete(*, review: CountryReview, user) -> None:
    """Delete a review; refused (ProtectedError) while it still has needs."""
    if not can_change_reviews(user):
        raise PermissionDenied(gettext("Only the secretariat records country reviews."))
    review._history_user = user
    review.delete()
    data_changed()


# ---------------------------------------------------------------------------
# People: accounts and handovers
# ---------------------------------------------------------------------------
def password_setup_url(user) -> str:
    """A one-time link where `user` chooses a password (Django's reset flow)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return settings.SITE_URL.rstrip("/") + path


@transaction.atomic
def user_add(
    *,
    username: str,
    role: str,
    state_code: str | None = None,
    email: str = "",
    organisation: str = "",
):
    """Create a user with a role (and State for a focal point, organisation for a
    viewer: a donor or partner unless said otherwise); no password yet."""

    User = get_user_model()
    if User.objects.filter(username=username).exists():
        # Translators: %(username)s is a user name, quoted.
        message = gettext("The user %(username)s already exists.") % {
            "username": repr(username)
        }
        raise ValidationError({"username": message})
    state = None
    if state_code:
        state = StateParty.objects.filter(code=state_code.upper()).first()
        if state is None:
            # Translators: %(code)s is the State code as given, quoted.
            message = gettext("No State party has the code %(code)s.") % {
                "code": repr(state_code)
            }
            raise ValidationError({"state": message})
    is_admin = role == Account.Role.ADMIN
    # The secretariat keeps the follow-up in the admin (with the Secretariat group).
    is_staff = is_admin or role == Account.Role.SECRETARIAT
    user = User(
        username=username, email=email, is_staff=is_staff, is_superuser=is_admin
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    if role == Account.Role.VIEWER:
        organisation = organisation or Account.Organisation.DONOR_OR_PARTNER
    account = Account(user=user, role=role, state=state, organisation=organisation)
    account.full_clean()
    account.save()
    if role == Account.Role.SECRETARIAT:
        user.groups.add(secretariat_group_load())
    return user


@transaction.atomic
def focal_point_handover(*, state: StateParty, previous, successor, by=None, note=""):
    """Hand `state` from a departing focal point to a successor.

    The departing user keeps their history but loses access (deactivated); the
    successor becomes a focal point of the State and sees a digest of open items.
    """

    old = Account.objects.filter(
        user=previous, role=Account.Role.FOCAL_POINT, state=state
    ).first()
    if old is None:
        # Translators: %(user)s is a user name, %(state)s a State's name.
        message = gettext("%(user)s is not a focal point of %(state)s.") % {
            "user": previous,
            "state": state,
        }
        raise ValidationError({"previous": message})
    if previous == successor:
        raise ValidationError(
            {"successor": gettext("The successor must be someone else.")}
        )
    Account.objects.update_or_create(
        user=successor,
        defaults={"role": Account.Role.FOCAL_POINT, "state": state, "organisation": ""},
    )
    previous.is_active = False
    previous.save(update_fields=["is_active"])
    api_tokens_revoke_all(user=previous)
    return Handover.objects.create(
        state=state,
        previous=previous,
        successor=successor,
        handed_over_by=by,
        note=note,
    )


def login_lockout_clear(*, user) -> int:
    """Forget `user`'s failed log-in attempts (django-axes), once they have proved,
    with the e-mailed link, that the account is theirs and chosen a new password.
    Returns how many attempts were forgotten."""
    return axes_reset(username=user.get_username())


SECRETARIAT_GROUP = "Secretariat"


def secretariat_group_load():
    """The group that lets secretariat staff keep the follow-up in the admin.

    Each app declares, in its AppConfig, the verbs the secretariat has on its models
    (`secretariat_permissions`), so that no app names another's tables.
    """
    group, _ = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
    wanted = {
        (config.label, f"{verb}_{model}")
        for config in apps.get_app_configs()
        for model, verbs in getattr(config, "secretariat_permissions", {}).items()
        for verb in verbs.split()
    }
    permissions = Permission.objects.filter(
        content_type__app_label__in={app for app, _ in wanted},
        codename__in={codename for _, codename in wanted},
    ).select_related("content_type")
    group.permissions.set(
        [p for p in permissions if (p.content_type.app_label, p.codename) in wanted]
    )
    return group


def account_language_set(*, user, language: str | None) -> None:
    """Remember the language a person chose (one of LANGUAGES) in their profile;
    nothing for a user without an account or for an unknown language."""
    if language not in dict(settings.LANGUAGES):
        return
    Account.objects.filter(user=user).update(language=language)
    if hasattr(user, "_tatracker_account"):
        del user._tatracker_account


RECOVERY_CODES = 10
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


@transaction.atomic
def second_factor_enrol(*, user, key: str, code: str) -> list[str]:
    """Enrol `user`'s authenticator: `key` (hex) is the secret the enrolment page
    showed, `code` the six digits the authenticator shows for it now. Replaces any
    earlier authenticator and recovery codes; returns the new recovery codes (shown
    once: only they are stored, unencrypted as django-otp keeps them, and each works
    once)."""
    totp = TOTP(bytes.fromhex(key), digits=6)
    if not (code.isdigit() and len(code) == 6 and totp.verify(int(code), tolerance=1)):
        raise ValidationError(
            gettext("That code is not the one your authenticator shows."),
            code="wrong_code",
        )
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice(
        user=user, name=AUTHENTICATOR_NAME, key=key, confirmed=True, last_t=totp.t()
    )
    device.full_clean()
    device.save()
    return _recovery_codes_replace(user=user)


def _recovery_codes_replace(*, user) -> list[str]:
    """Delete `user`'s recovery codes, make RECOVERY_CODES new ones, return them."""
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(
        user=user, name=RECOVERY_NAME, confirmed=True
    )
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(
        StaticToken(device=recovery, token=token) for token in codes
    )
    return codes


def recovery_codes_regenerate(*, user, code: str) -> list[str]:
    """New recovery codes for `user`, whose authenticator shows `code` now (a
    recovery code will not do: one code must not buy ten). The earlier codes stop
    working; the new ones are returned, to be shown once. Logged, without codes.

    The code is checked before the transaction opens: a wrong one is counted by
    the authenticator's own throttle (django-otp, a write that must not be rolled
    back with the refusal)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    code = "".join(code.split())
    if device is None or not (code.isdigit() and device.verify_token(code)):
        security_log.warning(
            "recovery codes not renewed: wrong authenticator code",
            extra={"user_id": user.pk},
        )
        raise ValidationError(
            gettext("That code is not the one your authenticator shows."),
            code="wrong_code",
        )
    with transaction.atomic():
        codes = _recovery_codes_replace(user=user)
    security_log.info("recovery codes renewed", extra={"user_id": user.pk})
    return codes


@transaction.atomic
def second_factor_check(*, user, code: str):
    """The device of `user` that accepts `code` (six digits: the authenticator; else
    a recovery code, which is then used up), or None. Each device throttles wrong
    codes itself (django-otp), whatever the password step does."""
    code = "".join(code.split()).lower()
    kind = TOTPDevice if code.isdigit() else StaticDevice
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        if isinstance(device, kind) and device.verify_token(code):
            return device
    return None


# ---------------------------------------------------------------------------
# API tokens
# ---------------------------------------------------------------------------
def api_token_digest(key: str) -> str:
    """What is stored of a key: its SHA-256 (the key is 256 random bits, so a plain
    digest cannot be reversed by guessing, and lookups stay one indexed query)."""
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user, name: str = "") -> tuple[ApiToken, str]:
    """A new token for `user` (who has just proven their password), valid for
    settings.API_TOKEN_TTL. Returns the token and its key, which is not stored."""
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken(
        user=user,
        name=name,
        digest=api_token_digest(key),
        prefix=key[:8],
        created_at=now,
        expires_at=now + settings.API_TOKEN_TTL,
    )
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, user) -> None:
    """Revoke one of one's own tokens."""
    if not can_revoke_api_token(user, token):
        raise PermissionDenied(gettext("You may revoke only your own tokens."))
    token.delete()


def api_tokens_revoke_all(*, user) -> int:
    """Revoke every token of `user`: their password changed, or they left."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted
