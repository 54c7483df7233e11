"""Statistics that cannot be differenced.

No two statistics documents that a role may ask for subtract to the numbers of one
State that the role may not see. The documents come through the door the public
uses (GET /api/v1/statistics/ with the role's client), for the unfiltered document,
every single filter value and every pair of two different filters' values the role
may use (`filters_for`), with the values that occur in a world of nine States. Each
document is flattened to {path: number}; for every pair of documents (and every
document alone) the non-zero difference is compared with each hidden State's own
numbers, computed by the engine in a world where that State is alone.

The detector is shown to work: with the secretariat's filters (regional group, as-of
date) it finds a pair for every State.
"""

import datetime
import itertools
import random

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from rest_framework.test import APIClient

from needs.models import Need, NeedType
from needs.reports.forms import filters_for
from needs.reports.statistics import compute
from reviews.models import Account, Article, CountryReview, RegionalGroup, StateParty
from tests.factories import (
    SHARES_REPORT,
    AccountFactory,
    CountryReviewFactory,
    NeedFactory,
)

pytestmark = pytest.mark.django_db

ARTICLES = [9, 15, 23, 44, 46, 52]  # chapters II, III, III, IV, IV, V
TYPES = ["legislative-drafting", "capacity-building", "good-practices", "other"]
# Eight States in three regional groups, and one alone in a fourth.
GROUPS = ["african"] * 3 + ["asia-pacific"] * 3 + ["eastern-european"] * 2
LONE_GROUP = "western-european-other"
FIRST_COMPLETION = datetime.date(2011, 3, 1)
# Numbers of reviewed States, not of needs: the same in every need-filtered document.
POPULATION = {
    "filters",
    "states_reviewed",
    "reviews",
    "reviews_completed",
    "states_reviewed_by_region",
}


# ---------------------------------------------------------------------------
# The world
# ---------------------------------------------------------------------------
@pytest.fixture
def world():
    """Nine States; review years 1 and 2 of cycle 1; a distinct completion date each
    (their needs accepted that day); five to eight accepted needs each, over several
    articles, types and coverages. Two States share their full report."""
    rng = random.Random(2013)  # noqa: S311  (a reproducible world, not a secret)
    articles = {n: Article.objects.get(number=n) for n in ARTICLES}
    types = {slug: NeedType.objects.get(slug=slug) for slug in TYPES}
    cells = [(a, t) for a in ARTICLES for t in TYPES]
    coverages = list(Need.Coverage)
    states = []
    for index, group in enumerate([*GROUPS, LONE_GROUP]):
        completed = FIRST_COMPLETION + datetime.timedelta(days=41 * index)
        review = CountryReviewFactory(
            state__code=f"D{index}",
            state__name=f"Differenced State {index}",
            state__regional_group=RegionalGroup.objects.get(slug=group),
            cycle_year=1 + index % 2,
            completed_on=completed,
            shares=SHARES_REPORT if index in (1, 4) else (),
        )
        accepted = datetime.datetime.combine(
            completed, datetime.time(12), tzinfo=datetime.UTC
        )
        # Accepted on the completion date, in the audit trail too (as-of reads it);
        # some from the checklist, which a viewer reads only where the State shares it.
        with time_machine.travel(accepted, tick=False):
            for number, (article, need_type) in enumerate(
                rng.sample(cells, rng.randint(5, 8))
            ):
                NeedFactory(
                    review=review,
                    article=articles[article],
                    need_type=types[need_type],
                    coverage=rng.choice(coverages),
                    accepted_at=accepted,
                    source="checklist" if number % 2 else "executive-summary",
                )
        states.append(review.state)
    return states


def role_user(role, world):
    if role == "anonymous":
        return AnonymousUser()
    if role == "focal-point":
        return AccountFactory(role=Account.Role.FOCAL_POINT, state=world[0]).user
    return AccountFactory(role=role).user


def hidden_states(user, world) -> list[StateParty]:
    """The States some of whose counted needs `user` may not see (the scope of
    `Need.objects.visible_to`: a viewer reads checklist needs only where shared)."""
    visible = Need.objects.visible_to(user).counted()
    return [
        state
        for state in world
        if visible.filter(review__state=state).count()
        < Need.objects.counted().filter(review__state=state).count()
    ]


def world_values() -> dict[str, list[str]]:
    """Every value of every filter that occurs in the world."""
    reviews = CountryReview.objects.all()
    needs = Need.objects.counted()
    return {
        "cycle": _distinct(reviews, "cycle__number"),
        "review_year": _distinct(reviews, "cycle_year"),
        "regional_group": _distinct(reviews, "state__regional_group__slug"),
        "as_of": _distinct(reviews, "completed_on"),
        "chapter": _distinct(needs, "article__chapter__number"),
        "article": _distinct(needs, "article__number"),
        "need_type": _distinct(needs, "need_type__slug"),
        "coverage": _distinct(needs, "coverage"),
    }


def _distinct(queryset, field) -> list[str]:
    values = queryset.order_by().values_list(field, flat=True).distinct()
    return sorted(str(value) for value in values)


def filter_combinations(names, values) -> list[dict[str, str]]:
    """No filter, every single filter value, every pair of two filters' values."""
    singles = [{name: value} for name in sorted(names) for value in values[name]]
    pairs = [
        {first: a, second: b}
        for first, second in itertools.combinations(sorted(names), 2)
        for a in values[first]
        for b in values[second]
    ]
    return [{}, *singles, *pairs]


# ---------------------------------------------------------------------------
# Numbers and differences
# ---------------------------------------------------------------------------
def numbers(document: dict) -> dict[str, int]:
    """Every need number of a document by path ("chapters.III.articles.15.by_type.
    other"), zeros left out: what one State adds to a document is exactly its own."""
    flat: dict[str, int] = {}

    def walk(value, path):
        if isinstance(value, dict):
            for key, item in value.items():
                if path or key not in POPULATION:
                    walk(item, f"{path}.{key}" if path else key)
        elif isinstance(value, list):  # a chapter's articles, keyed by number
            for item in value:
                rest = {k: v for k, v in item.items() if k != "article"}
                walk(rest, f"{path}.{item['article']}")
        elif isinstance(value, int) and value:
            flat[path] = value

    walk(document, "")
    return flat


def without_regions(flat: dict[str, int]) -> dict[str, int]:
    """The needs by chapter, article and type alone (no regional breakdown)."""
    return {path: n for path, n in flat.items() if "by_region" not in path}


def difference(a: dict[str, int], b: dict[str, int]) -> frozenset:
    """a - b, non-zero entries only, hashable."""
    return frozenset(
        (path, a.get(path, 0) - b.get(path, 0))
        for path in a.keys() | b.keys()
        if a.get(path, 0) != b.get(path, 0)
    )


def alone(state: StateParty) -> dict[str, int]:
    """The State's own numbers: the engine's document with that State alone."""
    with transaction.atomic():
        Need.objects.exclude(review__state=state).delete()
        CountryReview.objects.exclude(state=state).delete()
        flat = numbers(compute().as_dict())
        transaction.set_rollback(True)
    return flat


def isolating_pairs(documents: dict, hidden: list[StateParty]) -> tuple[list, int]:
    """Pairs of documents (or one document and nothing) whose difference is one
    hidden State's own numbers, whole or without the regional breakdowns; and the
    number of pairs compared."""
    targets = {}
    for state in hidden:
        own = alone(state)
        for flat in (own, without_regions(own)):
            targets[difference(flat, {})] = state.code
            targets[difference({}, flat)] = state.code
    keys = list(documents)
    found, compared = [], 0
    for a, b in [*itertools.combinations(keys, 2), *((k, None) for k in keys)]:
        compared += 1
        first, second = documents[a], {} if b is None else documents[b]
        for project in (lambda flat: flat, without_regions):
            delta = difference(project(first), project(second))
            if delta and delta in targets:
                found.append((a, b, targets[delta]))
    return found, compared


def fetch_documents(client, combinations) -> dict:
    """One document per filter combination, through the public door, fetched once
    and reused for every pair."""
    documents = {}
    for filters in combinations:
        key = tuple(sorted(filters.items()))
        response = client.get("/api/v1/statistics/", filters)
        assert response.status_code == 200, (filters, response.json())
        documents[key] = numbers(response.json())
    return documents


# ---------------------------------------------------------------------------
# The proof
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role", ["anonymous", Account.Role.VIEWER, Account.Role.FOCAL_POINT]
)
def test_no_two_documents_a_role_may_ask_for_isolate_a_hidden_state(world, role):
    # Given a role, the filters it may use, and the States it may not see
    user = role_user(role, world)
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(user)
    allowed = filters_for(user)
    values = world_values()
    hidden = hidden_states(user, world)
    assert hidden, role
    # ...and every other filter refused, so the enumeration below is all it has
    for name in values.keys() - allowed:
        response = client.get("/api/v1/statistics/", {name: values[name][0]})
        assert response.status_code == 400, name

    # When every document it may ask for is fetched and every pair subtracted
    combinations = filter_combinations(allowed, values)
    documents = fetch_documents(client, combinations)
    found, compared = isolating_pairs(documents, hidden)

    # Then no difference is the numbers of a State it may not see
    assert found == []
    n = len(documents)
    assert len(combinations) == n > 100
    assert compared == n * (n - 1) // 2 + n
    print(f"{role}: {n} documents, {compared} pairs compared, {len(hidden)} hidden")


def test_the_detector_finds_every_state_with_the_secretariats_filters(world):
    # Given the secretariat, which may filter by regional group and as-of date
    user = role_user(Account.Role.SECRETARIAT, world)
    assert {"regional_group", "as_of"} <= filters_for(user)
    assert hidden_states(user, world) == []  # it sees every State anyway
    client = APIClient()
    client.force_authenticate(user)
    values = world_values()

    # When its documents by region and date are differenced as the public's are
    combinations = filter_combinations({"regional_group", "as_of"}, values)
    documents = fetch_documents(client, combinations)
    found, compared = isolating_pairs(documents, world)

    # Then every State is isolated by some pair: the test above could fail
    assert {code for _, _, code in found} == {state.code for state in world}
    d3 = ("as_of", str(FIRST_COMPLETION + datetime.timedelta(days=41 * 3)))
    d2 = ("as_of", str(FIRST_COMPLETION + datetime.timedelta(days=41 * 2)))
    assert {((d2,), (d3,)), ((d3,), (d2,))} & {(a, b) for a, b, _ in found}
    assert compared == len(documents) * (len(documents) + 1) // 2
    print(f"secretariat: {len(documents)} documents, {compared} pairs compared")


def test_a_lone_state_of_a_group_is_not_read_article_by_article(world):
    """The regional breakdowns inside an article-and-type document would give the
    one State of a group its needs, type by type; they are left out for the public
    (StatisticsFilterForm.regions_withheld), and kept for the secretariat."""
    lone = world[-1]
    own = set(
        Need.objects.filter(review__state=lone).values_list(
            "article__number", "need_type__slug", "coverage"
        )
    )

    def read_lone_state(client):
        found = set()
        for article, need_type in itertools.product(ARTICLES, TYPES):
            document = client.get(
                "/api/v1/statistics/", {"article": article, "need_type": need_type}
            ).json()
            by_coverage = document["coverage"]["by_region"].get(LONE_GROUP, {})
            found |= {(article, need_type, c) for c, n in by_coverage.items() if n}
        return found

    secretariat = APIClient()
    secretariat.force_authenticate(role_user(Account.Role.SECRETARIAT, world))
    assert read_lone_state(secretariat) == own  # the channel is real
    assert read_lone_state(APIClient()) == set()  # and closed to the public
