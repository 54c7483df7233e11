"""Writes of the reviews app: reference data."""

import csv
from dataclasses import dataclass
from pathlib import Path

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
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext

from reviews.models import (
    Account,
    Article,
    Chapter,
    CountryReview,
    Handover,
    RegionalGroup,
    ReviewCycle,
    StateParty,
)
from reviews.names import NAMES_DIR, translated_names
from reviews.permissions import can_change_reviews
from tatracker.data_version import data_changed

DATA_DIR = Path(__file__).resolve().parent / "data"
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
    return Handover.objects.create(
        state=state,
        previous=previous,
        successor=successor,
        handed_over_by=by,
        note=note,
    )


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
