"""The leak matrix: every role, through every door, at every record of every State.

The doors are generated from the URL resolver and the API router and keyed on their
path patterns ("needs/<int:pk>/edit/"), never on URL names: names and namespaces move
in refactors, paths stay. A parameterised route must be mapped to the kind of record
it addresses (KINDS) or excluded with a reason (EXCLUDED); a new route fails
`test_every_parameterised_route_is_mapped_or_excluded` until it is.

Every text field of every State's records holds a unique marker; `may_see` is the one
oracle of who may read which record. Run with -s to see the number of attempts per
role (also recorded as the `attempts` property of the JUnit XML report).
"""

import datetime
import itertools
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Q
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from rest_framework.test import APIClient

from needs.models import (
    ActionPlan,
    ActionPlanItem,
    Assistance,
    AssistanceNeed,
    AssistanceReport,
    Consent,
    Donor,
    EntryDecision,
    EntryEvent,
    FollowUp,
    FollowUpEvent,
    Need,
    NeedProposal,
    NeedType,
    NoteEdition,
)
from needs.selectors import AUDITED_MODELS
from reviews.models import Article, ReviewCycle
from tatracker.api_urls import router
from tests.factories import CountryReviewFactory, NeedFactory, UserFactory

pytestmark = pytest.mark.django_db

ANONYMOUS, NO_ROLE, FOCAL_POINT = "anonymous", "no-role", "focal-point"
VIEWER, SECRETARIAT = "viewer", "secretariat"
ROLES = [ANONYMOUS, NO_ROLE, FOCAL_POINT, VIEWER, SECRETARIAT]
OWN, SHARING, WITHHOLDING = "own", "sharing", "withholding"
# Needs accepted at least once (a proposal under way does not undo that).
ACCEPTED = {"accepted", "change-proposed", "withdrawal-requested"}
# What a viewer never reads of a State it sees: its descriptions of needs only where
# the State shares them (SHARING does, WITHHOLDING does not); assistance notes never.
DESCRIPTION_FIELDS = {"description", "remaining", "coverage_reason"}


@dataclass(frozen=True)
class Record:
    """What a marker or a door belongs to: a State (OWN, SHARING, WITHHOLDING; "" for
    data of no State), a kind ("need", "follow-up", "reference", …) and a variant
    (a need's workflow state, an entry event's action, a history's model)."""

    state: str
    kind: str
    variant: str = ""


def may_see(role: str, record: Record) -> bool:
    """Whether `role` may open `record` (the door answers with it).

    * Reference data (articles, chapters, types, groups, statistics): every role.
      Internal records of no State (accounts, handovers, reminders, login logs):
      the secretariat.
    * secretariat: everything.
    * focal point: the records of its own State, nothing else.
    * viewer (a donor or partner): of every State with a completed review (all
      three here; OWN, like WITHHOLDING, shares nothing beyond it) (its
      executive summary is published), the State, the review, its needs accepted at
      least once (accepted values only; a proposal under way does not undo that;
      their source is the executive summary) and the assistance that serves it;
      never needs that were never accepted, proposals, entry events (return
      comments), follow-up records (reply, office, next step, events), consent
      notes, history, the assistance a State reports (an AssistanceReport is a
      State's report until the secretariat confirms it as assistance); action
      plans and their items only where the State shares its action plan with
      donors (in this world: with the United Nations only).
    * anonymous and no role: nothing of any State.
    * editions of the note (their text blocks and the follow-up they count): the
      secretariat's working documents, nobody else's.
    """
    if record.kind == "reference":
        return True
    if role == SECRETARIAT:
        return True
    if role == FOCAL_POINT:
        return record.state == OWN
    if role == VIEWER and record.state in {OWN, SHARING, WITHHOLDING}:
        return record.kind in {"state", "review", "assistance"} or (
            record.kind in {"need", "need-key"} and record.variant in ACCEPTED
        )
    return False


def may_read(role: str, marker: "Marker") -> bool:
    """Whether `role` may read a marker: its record is open to the role, and for a
    viewer, a description field only where the State shares its descriptions, and
    no assistance notes."""
    record = marker.record
    if role == VIEWER and record.kind == "assistance-link":
        return record.state == SHARING and record.variant in ACCEPTED
    if not may_see(role, record):
        return False
    if role == VIEWER and record.kind == "need" and marker.field in DESCRIPTION_FIELDS:
        return record.state == SHARING
    if role == VIEWER and record.kind == "assistance":
        return marker.field != "notes"
    return True


def may_change(role: str, record: Record) -> bool:
    """The write side, for "nothing changed" checks: the secretariat, and a focal
    point on its own State."""
    return role == SECRETARIAT or (role == FOCAL_POINT and record.state == OWN)


# Path-pattern prefix -> the kind of record its parameters address (longest prefix
# wins). Keys are the resolver's route strings; router and regex routes are written
# with <name> for each group ("api/v1/needs/<pk>/", "admin/needs/need/<0>/...").
KINDS = {
    "states/<str:code>/": "state",
    "reviews/<int:pk>/": "review",
    "needs/<int:pk>/": "need",
    "history/<slug:model>/<int:pk>/": "history",
    "follow-up/states/<str:code>/": "state",
    "follow-up/assistance/<int:pk>/": "assistance",
    "follow-up/reviews/<int:pk>/": "review",
    "follow-up/consents/<int:pk>/": "consent",
    "follow-up/plans/<int:pk>/": "action-plan",
    "follow-up/donors/<int:pk>/": "donor",
    "follow-up/assistance-reports/<int:pk>/": "assistance-report",
    "reports/chapters/<str:number>/": "chapter",
    "reports/articles/<int:number>/": "article",
    "reports/tables/<slug:slug>.csv": "table",
    "reports/editions/<int:pk>/": "note-edition",
    "reports/tables/<slug:slug>.xlsx": "table",
    "api/v1/states/<code>/": "state",
    "api/v1/reviews/<pk>/": "review",
    "api/v1/needs/<pk>/": "need",
    "api/v1/needs/<state>/<article>/<need_type>/": "need-key",
    "api/v1/assistance/<pk>/": "assistance",
    "api/v1/action-plans/<pk>/": "action-plan",
    "api/v1/follow-ups/<pk>/": "follow-up",
    "api/v1/consents/<pk>/": "consent",
    "api/v1/regional-groups/<slug>/": "regional-group",
    "api/v1/cycles/<number>/": "cycle",
    "api/v1/articles/<number>/": "article",
    "api/v1/need-types/<slug>/": "need-type",
    "api/v1/donors/<pk>/": "donor",
    # Someone's token (the first): only its user finds it.
    "api/v1/tokens/<pk>/": "internal",
    "admin/r/<path:content_type_id>/<path:object_id>/": "content-object",
    "admin/<app_label>/": "admin-app",
    "admin/needs/need/": "need",
    "admin/reviews/countryreview/": "review",
    "admin/reviews/stateparty/": "state",
    "admin/needs/entryevent/": "entry-event",
    "admin/needs/needproposal/": "proposal",
    "admin/needs/followup/": "follow-up",
    "admin/needs/actionplan/": "action-plan",
    "admin/needs/assistance/": "assistance",
    "admin/needs/consent/": "consent",
    "admin/needs/assistancereport/": "assistance-report",
    # Records of no State, opened with the first row of the admin's model.
    "admin/needs/donor/": "reference",
    "admin/needs/needtype/": "reference",
    "admin/reviews/regionalgroup/": "reference",
    "admin/reviews/chapter/": "reference",
    "admin/reviews/article/": "reference",
    "admin/reviews/reviewcycle/": "reference",
    "admin/needs/reminder/": "internal",
    "admin/reviews/account/": "internal",
    "admin/reviews/handover/": "internal",
    "admin/auth/": "internal",
    "admin/reviews/apitoken/": "internal",
    "admin/axes/": "internal",
    # Two-factor devices (django-otp): administrators remove a lost authenticator.
    "admin/otp_totp/": "internal",
    "admin/otp_static/": "internal",
    "admin/django_otp_webauthn/": "internal",  # passkeys: a lost one is removed
}
EXCLUDED = {
    "accounts/reset/<uidb64>/<token>/": "password reset link: a user's signed token, "
    "no State's record",
    "api/v1/[\\s\\S]*": "the API's catch-all: a JSON 404 for every other path",
    "admin/<url>": "the admin's catch-all: redirects to the admin's login or index",
}
# Parameterless pages whose answer does not depend on the user: requested once, by
# the anonymous visitor (each costs most of a second).
SAME_FOR_EVERY_ROLE = {
    "api/v1/schema/": "the OpenAPI document, generated from the code and served "
    "to everyone (drf-spectacular's SERVE_PUBLIC)",
}
ALIASES = {"object_id": "pk", "id": "pk", "0": "pk", "1": "history_id"}
PAGE_BODY = {
    "comment": "x",
    "version": "1",
    "description": "x",
    "coverage": Need.Coverage.MET_FULLY,
    "reason": "x",
    "remaining": "x",
    "post": "yes",
}
# The admin writes through its change, delete and (django-simple-history) revert
# forms; its other object pages only read.
ADMIN_FORMS = ("/change/", "/delete/", "/history/<1>/")
ATTEMPTS_FLOOR = 500  # a discovery that silently finds nothing fails here


# ---------------------------------------------------------------------------
# Doors: the URL resolver and the API router
# ---------------------------------------------------------------------------
GROUP = re.compile(r"\(\?P<(\w+)>[^()]*\)|\((?!\?)[^()]*\)")
PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
WILDCARD = re.compile(r"[\[\]*+?|\\]")  # a regex route that matches many paths


@dataclass(frozen=True)
class Route:
    key: str  # the path pattern
    door: str  # "page", "api" or "admin"
    methods: tuple[str, ...] = ("GET",)
    model: type[models.Model] | None = None  # an admin route's model

    @property
    def parameterised(self) -> bool:
        return bool(PARAM.search(self.key) or WILDCARD.search(self.key))


def _normalise_regex(text: str) -> str:
    counter = itertools.count()
    text = text.removeprefix("^").removesuffix("$")
    return GROUP.sub(lambda m: f"<{m[1] or next(counter)}>", text).replace("\\.", ".")


def _normalise(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return str(pattern)
    return _normalise_regex(str(pattern))


def _walk(patterns, prefix="", in_admin=False):
    """(path pattern, URLPattern, its include's prefix, under the admin?)."""
    for entry in patterns:
        key = prefix + _normalise(entry.pattern)
        if isinstance(entry, URLResolver):
            inside = in_admin or entry.app_name == "admin"
            yield from _walk(entry.url_patterns, key, inside)
        else:
            yield key, entry, prefix, in_admin


def _admin_model(callback):
    model_admin = getattr(callback, "model_admin", None) or getattr(
        getattr(callback, "__wrapped__", None), "__self__", None
    )
    return getattr(model_admin, "model", None)


def _router_routes(api_prefix: str) -> list[Route]:
    """Every route of every viewset in the registry, its @actions included."""
    routes = []
    for prefix, viewset, _basename in router.registry:
        lookup = router.get_lookup_regex(viewset)
        for route in router.get_routes(viewset):
            methods = tuple(
                method.upper()
                for method, action in route.mapping.items()
                if hasattr(viewset, action)
            )
            regex = route.url.format(
                prefix=prefix, lookup=lookup, trailing_slash=router.trailing_slash
            )
            if methods:
                key = api_prefix + _normalise_regex(regex)
                routes.append(Route(key, "api", methods))
    return routes


def discover() -> tuple[list[Route], list[Route], list[str]]:
    """(parameterised routes, parameterless routes, problems of the tables)."""
    from_router = {id(entry) for entry in router.urls}
    walked = list(_walk(get_resolver().url_patterns))
    api_prefix = next(p for _, e, p, _ in walked if id(e) in from_router)
    by_router = _router_routes(api_prefix)
    with_params, plain, problems = [], {}, []
    for key, entry, _prefix, in_admin in walked:
        door = "admin" if in_admin else "api" if key.startswith(api_prefix) else "page"
        writes = door != "admin" or key.endswith(ADMIN_FORMS)
        methods = ("GET", "POST") if writes else ("GET",)
        route = Route(key, door, methods, _admin_model(entry.callback))
        if not route.parameterised:
            plain.setdefault(key, Route(key, door))
        elif id(entry) in from_router:
            suffix = "format" in PARAM.findall(key)  # the same views, as .json
            if not suffix and key not in {r.key for r in by_router}:
                problems.append(f"router route not generated from the registry: {key}")
        else:
            with_params.append(route)
    with_params += [route for route in by_router if route.parameterised]
    problems += _table_problems(with_params)
    problems += [f"stale entry: {k!r}" for k in SAME_FOR_EVERY_ROLE if k not in plain]
    return with_params, list(plain.values()), problems


def kind_of(key: str) -> str | None:
    prefixes = [prefix for prefix in KINDS if key.startswith(prefix)]
    return KINDS[max(prefixes, key=len)] if prefixes else None


def _table_problems(routes: list[Route]) -> list[str]:
    keys = [route.key for route in routes]
    problems = [
        f"unmapped parameterised route: {key!r} (map it in KINDS or add it to "
        "EXCLUDED with a reason)"
        for key in keys
        if key not in EXCLUDED and kind_of(key) is None
    ]
    problems += [f"stale KINDS entry: {p!r}" for p in KINDS if not _used(p, keys)]
    problems += [f"stale EXCLUDED entry: {k!r}" for k in EXCLUDED if k not in keys]
    return problems


def _used(prefix: str, keys: list[str]) -> bool:
    return any(key.startswith(prefix) and kind_of(key) == KINDS[prefix] for key in keys)


def fill(key: str, values: dict) -> tuple[str, list[str]]:
    """The URL of `key` with its parameters from `values`, and the ones missing."""
    missing = []

    def value(match):
        name = match[1]
        found = values.get(name, values.get(ALIASES.get(name, "")))
        if found is None:
            missing.append(name)
            return match[0]
        return str(found)

    return "/" + PARAM.sub(value, key), missing


# ---------------------------------------------------------------------------
# The world: three States, every record of each, a marker in every text field
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Marker:
    record: Record
    field: str

    def __str__(self) -> str:
        variant = f"({self.record.variant})" if self.record.variant else ""
        return f"{self.record.state} {self.record.kind}{variant}.{self.field}"


@dataclass(frozen=True)
class Target:
    values: dict
    record: Record
    label: str


@dataclass
class World:
    run: str = field(default_factory=lambda: secrets.token_hex(2))
    markers: dict[str, Marker] = field(default_factory=dict)
    codes: dict[str, Marker] = field(default_factory=dict)
    targets: dict[str, list[Target]] = field(default_factory=dict)
    own_need: int = 0

    def plant(self, obj: models.Model, record: Record) -> None:
        """A unique marker in every free-text field of `obj`, saved (so that the
        history holds a change too); then `obj` is a target of its kind."""
        for name in _text_fields(type(obj)):
            token = f"{self.run}{len(self.markers):03d}"
            marker = f"LEAK-{token}-{record.state}-{record.kind}-{name}"
            self.markers[token] = Marker(record, name)
            setattr(obj, name, marker[: obj._meta.get_field(name).max_length])
        obj.save()
        self.add(record.kind, obj, record)

    def add(self, kind: str, obj: models.Model, record: Record) -> None:
        values = {"pk": obj.pk, "history_id": _latest_history(obj)}
        values |= {"code": getattr(obj, "code", None)}
        label = " ".join(filter(None, [record.state, record.kind, record.variant]))
        label += f" #{obj.pk}"
        self.targets.setdefault(kind, []).append(Target(values, record, label))
        if hasattr(obj, "get_absolute_url"):
            values = {"content_type_id": _content_type(obj), "pk": obj.pk}
            target = Target(values, record, label)
            self.targets.setdefault("content-object", []).append(target)
        if type(obj) in AUDITED_MODELS:
            values = {"model": obj._meta.model_name, "pk": obj.pk}
            history = Record(record.state, "history", obj._meta.model_name)
            target = Target(values, history, f"history of {label}")
            self.targets.setdefault("history", []).append(target)


def _text_fields(model) -> list[str]:
    """Fields people type (not those derived on save, such as a State's sort
    name, which follows its name)."""
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and f.editable
        and not isinstance(f, models.SlugField)
        and not f.choices
        and (f.max_length or 1000) >= 60
    ]


def _latest_history(obj) -> int | None:
    history = getattr(type(obj), "history", None)
    row = history.filter(id=obj.pk).order_by("-history_id").first() if history else None
    return row.history_id if row else None


def _content_type(obj) -> int:
    return ContentType.objects.get_for_model(obj).pk


# Each need variant as the workflow leaves it: the need's values and its proposal.
NEED_VARIANTS = {
    "accepted": ({"status": Need.Status.ACCEPTED}, None),
    "draft": (
        {"status": Need.Status.DRAFT, "accepted_at": None},
        {"kind": NeedProposal.Kind.NEW, "status": NeedProposal.Status.DRAFT},
    ),
    "submitted": (
        {"status": Need.Status.SUBMITTED, "accepted_at": None},
        {"kind": NeedProposal.Kind.NEW, "status": NeedProposal.Status.SUBMITTED},
    ),
    "returned": (
        {"status": Need.Status.RETURNED, "accepted_at": None},
        {"kind": NeedProposal.Kind.NEW, "status": NeedProposal.Status.RETURNED},
    ),
    "change-proposed": (
        {"status": Need.Status.DRAFT},
        {"kind": NeedProposal.Kind.CHANGE, "status": NeedProposal.Status.DRAFT},
    ),
    "withdrawal-requested": (
        {"status": Need.Status.DRAFT, "withdrawal_requested": True},
        {"kind": NeedProposal.Kind.WITHDRAWAL, "status": NeedProposal.Status.DRAFT},
    ),
}


def _state_records(world: World, state: str, review, donor: Donor) -> None:
    world.plant(review.state, Record(state, "state"))
    world.add("review", review, Record(state, "review"))
    article = Article.objects.get(number=15)
    types = NeedType.objects.order_by("display_order")
    needs = {}
    # The focal point's own needs: only whether it reaches them is tested.
    variants = ["accepted"] if state == OWN else list(NEED_VARIANTS)
    for variant, need_type in zip(variants, types, strict=False):
        values, proposal = NEED_VARIANTS[variant]
        need = NeedFactory(
            review=review, article=article, need_type=need_type, **values
        )
        world.plant(need, Record(state, "need", variant))
        if proposal:
            proposed = NeedProposal.objects.create(need=need, **proposal)
            world.plant(proposed, Record(state, "proposal", variant))
        key = {"state": review.state.code, "article": 15, "need_type": need_type.slug}
        world.targets.setdefault("need-key", []).append(
            Target(key, Record(state, "need", variant), f"{state} need {variant}")
        )
        needs[variant] = need
    for action in EntryEvent.Action.values:
        event = EntryEvent.objects.create(review=review, action=action)
        world.plant(event, Record(state, "entry-event", action))
        if action != EntryEvent.Action.SUBMITTED:
            decision = EntryDecision(
                event=event,
                need=needs["accepted"],
                article=article,
                need_type=needs["accepted"].need_type,
                kind=NeedProposal.Kind.CHANGE,
                outcome=action,
            )
            world.plant(decision, Record(state, "entry-event", action))
    _follow_up_records(world, state, review)
    _plan_records(world, state, review, needs)
    _assistance_records(world, state, review, needs, donor)
    if state == OWN:
        world.own_need = needs["accepted"].pk


def _follow_up_records(world: World, state: str, review) -> None:
    follow_up = FollowUp.objects.create(
        review=review,
        letter_sent_on=datetime.date(2014, 1, 10),
        reply_received_on=datetime.date(2014, 2, 1),
        next_step_due=datetime.date(2030, 1, 1),
    )
    world.plant(follow_up, Record(state, "follow-up"))
    event = FollowUpEvent.objects.create(
        follow_up=follow_up,
        date=datetime.date(2014, 3, 1),
        kind=FollowUpEvent.Kind.WORKSHOP,
    )
    world.plant(event, Record(state, "follow-up-event"))
    consent = Consent.objects.create(
        review=review,
        subject=Consent.Subject.ACTION_PLAN,
        audience=Consent.Audience.UN_ONLY,
        agreed_on=datetime.date(2014, 1, 1),
    )
    world.plant(consent, Record(state, "consent"))


def _plan_records(world: World, state: str, review, needs: dict) -> None:
    plan = ActionPlan.objects.create(
        state=review.state,
        title="x",
        status=ActionPlan.Status.ADOPTED,
        started_on=datetime.date(2014, 1, 1),
        adopted_on=datetime.date(2014, 6, 1),
    )
    world.plant(plan, Record(state, "action-plan"))
    item = ActionPlanItem.objects.create(
        plan=plan,
        rank=1,
        due_on=datetime.date(2015, 1, 1),
        integration=ActionPlanItem.Integration.UNDAF,
    )
    item.needs.set(needs.values())
    world.plant(item, Record(state, "action-plan-item"))


def _assistance_records(world: World, state: str, review, needs, donor) -> None:
    assistance = Assistance.objects.create(
        title="x",
        starts_on=datetime.date(2014, 1, 1),
        ends_on=datetime.date(2016, 1, 1),
        status=Assistance.Status.ONGOING,
    )
    assistance.beneficiaries.set([review.state])
    assistance.donors.set([donor])
    world.plant(assistance, Record(state, "assistance"))
    for variant, need in needs.items():
        link = AssistanceNeed.objects.create(
            assistance=assistance, need=need, coverage=AssistanceNeed.Coverage.IN_PART
        )
        world.plant(link, Record(state, "assistance-link", variant))
    # What the State's focal point reported and the secretariat has not confirmed.
    report = AssistanceReport.objects.create(
        state=review.state, title="x", status=Assistance.Status.ONGOING
    )
    report.links.create(
        need=needs["accepted"], coverage=AssistanceNeed.Coverage.IN_FULL
    )
    world.plant(report, Record(state, "assistance-report"))


def _edition_records(world: World) -> None:
    """An edition of the note, a marker in each of its text blocks."""
    edition = NoteEdition.objects.create(
        cycle=ReviewCycle.objects.get(number=1),
        cut_off=datetime.date(2030, 1, 1),
        title="x",
    )
    world.plant(edition, Record("", "note-edition"))


def _reference_targets(world: World, donor: Donor) -> None:
    article = Article.objects.select_related("chapter").get(number=15)
    reference = Record("", "reference")
    for kind, values in [
        ("chapter", {"number": article.chapter.number}),
        ("article", {"number": 15}),
        ("table", {"slug": "all"}),
        ("table", {"slug": "article-15"}),
        ("regional-group", {"slug": "african"}),
        ("cycle", {"number": 1}),
        ("need-type", {"slug": NeedType.objects.order_by("pk").first().slug}),
        ("donor", {"pk": donor.pk}),
        ("admin-app", {"app_label": "needs"}),
        ("admin-app", {"app_label": "reviews"}),
    ]:
        target = Target(values, reference, f"{kind} {values}")
        world.targets.setdefault(kind, []).append(target)


@pytest.fixture
def world(own_review, other_review) -> World:
    """OWN (the focal point's), a sharing State and one that shares nothing."""
    world = World()
    code = "W" + "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVXYZ") for _ in range(6))
    withholding = CountryReviewFactory(state__code=code, state__name="x")
    world.codes[code] = Marker(Record(WITHHOLDING, "state"), "code")
    donor = Donor.objects.create(name="Reference donor", kind=Donor.Kind.MULTILATERAL)
    reviews = {OWN: own_review, SHARING: other_review, WITHHOLDING: withholding}
    for state, review in reviews.items():
        _state_records(world, state, review, donor)
    _reference_targets(world, donor)
    _edition_records(world)
    return world


@pytest.fixture(autouse=True)
def _cookie_sessions(settings):
    """Sessions in signed cookies: a thousand requests without a session query."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"


@pytest.fixture
def users(focal_point, viewer, secretariat) -> dict:
    """The focal point is staff with the admin permissions a focal points' group
    would need to keep its State's records there, so that the admin's own rule (the
    secretariat's only), not a missing permission, is what the matrix tests."""
    focal_point.is_staff = True
    focal_point.save()
    focal_point.user_permissions.set(
        Permission.objects.filter(
            Q(content_type__app_label="needs", codename__regex=r"^(view|change)_")
            | Q(
                content_type__app_label="reviews",
                codename__in=[
                    "view_countryreview",
                    "change_countryreview",
                    "view_stateparty",
                ],
            )
        )
    )
    no_role = UserFactory(username="no-role")
    return {
        NO_ROLE: no_role,
        FOCAL_POINT: focal_point,
        VIEWER: viewer,
        SECRETARIAT: secretariat,
    }


# ---------------------------------------------------------------------------
# Attempts
# ---------------------------------------------------------------------------
@dataclass
class Matrix:
    role: str
    world: World
    client: Client
    api: APIClient
    attempts: int = 0
    failures: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def attempt(self, route: Route, method: str, url: str, target: Target) -> None:
        self.attempts += 1
        watch = method != "GET"  # only refused writes are tried: nothing may change
        what = f"{self.role} {method} {route.key} [{target.label}] {url}"
        with transaction.atomic():
            before = _fingerprint() if watch else None
            try:
                response = self._request(route, method, url)
            except Exception as error:  # every 500 is a finding
                self.failures.append(f"{what}: raised {error!r}")
                transaction.set_rollback(True)
                return
            if watch and _fingerprint() != before:
                self.failures.append(f"{what}: a denied write changed records")
            transaction.set_rollback(True)
        if problem := self._status_problem(route, target.record, response, url):
            self.failures.append(f"{what}: {problem}")
        if leaked := self._leaks(response, url):
            self.failures.append(f"{what}: leaked {', '.join(sorted(leaked))}")

    def _request(self, route: Route, method: str, url: str):
        if route.door == "api":
            body = {
                "version": 1,
                "comment": "x",
                "description": "x",
                "title": "x",
                "reply": "x",
                "notes": "x",
                "need": self.world.own_need,
                "coverage": AssistanceNeed.Coverage.IN_PART,
                "note": "x",
            }
            data = body if method != "GET" else None
            return getattr(self.api, method.lower())(url, data, format="json")
        if method == "GET":
            return self.client.get(url)
        return self.client.post(url, PAGE_BODY)

    def _status_problem(self, route, record, response, url) -> str | None:
        status = response.status_code
        if status >= 500:
            return f"status {status}"
        if may_see(self.role, record) or status == 405:
            return None
        location = urlsplit(response.get("Location", "")).path
        login = {resolve_url(settings.LOGIN_URL), "/admin/login/"}
        if route.door == "admin":
            # The admin is the secretariat's: anybody else, staff or not, is sent
            # to its login.
            allowed = (login, ())
        elif self.role == ANONYMOUS:
            allowed = ((), {401, 403}) if route.door == "api" else (login, ())
        else:
            allowed = ((), {403, 404} if self.role == NO_ROLE else {404})
        redirects, statuses = allowed
        if status in statuses or (status == 302 and location in redirects):
            return None
        return f"status {status}" + (f" -> {location}" if location else "")

    def _leaks(self, response, url: str) -> set[str]:
        content = (
            b"".join(response.streaming_content)
            if response.streaming
            else response.content
        )
        text = content.decode(errors="replace") + " ".join(
            response.get(header, "") for header in ("Location", "Content-Disposition")
        )
        path = urlsplit(url).path
        for echo in {path, quote(path)}:  # the address asked for, echoed back
            text = text.replace(echo, "")
        found = {
            self.world.markers[token]
            for token in re.findall(rf"LEAK-({self.world.run}\d{{3}})", text)
            if token in self.world.markers
        }
        found |= {marker for code, marker in self.world.codes.items() if code in text}
        self.seen |= {str(marker) for marker in found}
        return {str(m) for m in found if not may_read(self.role, m)}


def _fingerprint() -> tuple:
    """Row counts of every table of needs, reviews and auth (history rows count every
    save of an audited record), and the sum of the needs' versions: one query."""
    quote_name = connection.ops.quote_name
    tables = [
        model._meta.db_table
        for label in ("needs", "reviews", "auth")
        for model in apps.get_app_config(label).get_models()
    ]
    # Table names come from the models, not from a request.
    parts = [f"(SELECT COUNT(*) FROM {quote_name(t)})" for t in tables]  # noqa: S608
    parts.append(f"(SELECT SUM(version) FROM {quote_name('needs_need')})")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return cursor.fetchone()


def _targets(world: World, route: Route, kind: str) -> list[Target]:
    if kind in {"reference", "internal"}:
        row = (
            route.model._default_manager.order_by("pk").first() if route.model else None
        )
        return [Target({"pk": row.pk if row else 0}, Record("", kind), kind)]
    return world.targets.get(kind, [])


def _visit_records(matrix: Matrix, routes: list[Route]) -> None:
    twins = set()
    for route in routes:
        kind = kind_of(route.key)
        if route.key in EXCLUDED or kind is None:
            continue
        for target in _targets(matrix.world, route, kind):
            url, missing = fill(route.key, target.values)
            if missing:
                matrix.failures.append(f"{route.key}: {kind} has no {missing}")
                continue
            for method in route.methods:
                # Permitted writes are the workflow tests' business; the matrix
                # tries every write that must be refused.
                if method == "GET" or not may_change(matrix.role, target.record):
                    matrix.attempt(route, method, url, target)
            # The router's format-suffix twin of the route, once per State.
            twin = (route.key, target.record.state)
            if route.door == "api" and "GET" in route.methods and twin not in twins:
                twins.add(twin)
                matrix.attempt(route, "GET", url.removesuffix("/") + ".json", target)


def _visit_lists(matrix: Matrix, routes: list[Route]) -> None:
    anything = Target({}, Record("", "reference"), "list")
    queries = {"page": ["", "?format=csv"], "api": ["?page_size=500"], "admin": [""]}
    for route in routes:
        if route.key in SAME_FOR_EVERY_ROLE and matrix.role != ANONYMOUS:
            continue
        for query in queries[route.door]:
            matrix.attempt(route, "GET", "/" + route.key + query, anything)
    admin_route = Route("admin/autocomplete/", "admin")
    for query in _autocomplete_queries():
        matrix.attempt(admin_route, "GET", "/admin/autocomplete/" + query, anything)


def _autocomplete_queries() -> list[str]:
    return [
        f"?app_label={model._meta.app_label}&model_name={model._meta.model_name}"
        f"&field_name={name}&term="
        for model, model_admin in admin.site._registry.items()
        for name in model_admin.autocomplete_fields
    ]


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------
def test_every_parameterised_route_is_mapped_or_excluded():
    with_params, plain, problems = discover()

    assert problems == [], "\n".join(problems)
    assert len(with_params) > 50
    assert len(plain) > 30


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_and_changes_only_what_it_may(
    role, world, users, record_property, capsys
):
    # given
    with_params, plain, _problems = discover()
    client, api = Client(), APIClient()
    if role in users:
        client.force_login(users[role])
        api.force_authenticate(users[role])
    matrix = Matrix(role, world, client, api)

    # when
    _visit_records(matrix, with_params)
    _visit_lists(matrix, plain)

    # then
    record_property("attempts", matrix.attempts)
    with capsys.disabled():
        print(f"\n{role}: {matrix.attempts} attempts, {len(matrix.failures)} failures")
    if role == SECRETARIAT:  # else the checks of the other roles would be vacuous
        every = {str(m) for m in [*world.markers.values(), *world.codes.values()]}
        matrix.failures += [f"no door shows {m}" for m in sorted(every - matrix.seen)]
    assert matrix.attempts > ATTEMPTS_FLOOR
    assert matrix.failures == [], "\n".join(matrix.failures)
