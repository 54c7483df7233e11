import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from needs.exchange.services import note_2013_load
from needs.reports import cache as statistics_cache_module
from reviews.models import Account
from tatracker import fragments, paging
from tests.factories import (
    SHARES_REPORT,
    AccountFactory,
    CountryReviewFactory,
    UserFactory,
)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the project's reference data once into the test database."""
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)


@pytest.fixture(autouse=True)
def _empty_cache(monkeypatch):
    """Rate-limit counts (tatracker.throttling) start from zero in every test, and
    nothing a process keeps (pieces of pages laid out) carries over from one test to
    the next. The tables' statistics, which a process keeps for a minute, are read
    afresh by every request: a test's query counts do not depend on what ran before
    it, nor on the clock (tests of that keeping set it back)."""
    cache.clear()
    fragments.clear()
    paging.forget()
    monkeypatch.setattr(paging, "TABLE_ROWS_SECONDS", -1)


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language, whatever an earlier one (a page
    in French, an e-mail in Arabic) left active in this thread."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root-admin", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def secretariat(db):
    return AccountFactory(role=Account.Role.SECRETARIAT, user__username="sec").user


@pytest.fixture
def viewer(db):
    return AccountFactory(role=Account.Role.VIEWER, user__username="donor").user


@pytest.fixture
def own_review(db):
    """A completed review of the focal point's State."""
    return CountryReviewFactory(state__code="OWN", state__name="Own State")


@pytest.fixture
def other_review(db):
    """A completed review of another State, which agreed to share its full report."""
    return CountryReviewFactory(
        state__code="OTH", state__name="Other State", shares=SHARES_REPORT
    )


@pytest.fixture
def focal_point(own_review):
    return AccountFactory(
        role=Account.Role.FOCAL_POINT, state=own_review.state, user__username="fp"
    ).user


@pytest.fixture
def user_client(client, secretariat):
    """A client logged in as secretariat staff (sees every State)."""
    client.force_login(secretariat)
    return client


def client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def statistics_cache(db, settings):
    """The statistics cache as deployed by default (the database's cache table),
    empty; the suite otherwise runs with no cache (tests/settings.py)."""
    settings.CACHES = settings.CACHES | {"default": settings.CACHES["database"]}
    statistics_cache_module._seen["version"] = None
    cache.clear()
    yield cache
    statistics_cache_module._seen["version"] = None


@pytest.fixture
def note_2013(db):
    """The reconstructed 44-State data set of the 2013 note, loaded."""

    note_2013_load()


def pytest_collection_modifyitems(items):
    """Browser tests run last: their transactional database is emptied afterwards.
    Tests marked `postgres` run on PostgreSQL, the production database (CI runs the
    suite there too); on SQLite they are reported as skipped, with the reason."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
    if connection.vendor == "postgresql":
        return
    only_there = pytest.mark.skip(reason="runs on PostgreSQL (CI runs it there)")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(only_there)
