"""The cached statistics document: warm reads do not count again, every write that
changes what is counted shows at once, one computation per miss."""

import datetime
import difflib
import re
import threading
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from needs import services
from needs.exchange.services import note_2013_load
from needs.followup.services import (
    assistance_link_need,
    assistance_save,
    need_coverage_clear,
    need_coverage_set,
)
from needs.models import Assistance, Need, NeedType
from needs.reports import cache as statistics_cache_module
from needs.reports.statistics import (
    StatisticsFilter,
    compute,
    compute_uncached,
    summary,
)
from reviews import services as review_services
from reviews.models import Article, CountryReview
from tatracker import data_version
from tatracker.settings import CACHE_TABLE, cache_config
from tests.factories import CountryReviewFactory, NeedFactory

pytestmark = pytest.mark.django_db


def commit_pending():
    """The fixtures' writes, as if their transaction had committed (the test's own
    transaction never does): their on-commit callbacks run."""
    for _, callback, _ in connection.run_on_commit:
        callback()


def committed(django_capture_on_commit_callbacks, write):
    """Run `write` as if its transaction committed (the on-commit bump runs)."""
    with django_capture_on_commit_callbacks(execute=True):
        return write()


def test_warm_read_asks_the_cache_once_and_never_the_needs(statistics_cache, note_2013):
    # given a document computed once
    commit_pending()
    cold = compute()

    # when it is asked for again
    with CaptureQueriesContext(connection) as queries:
        warm = compute()

    # then one query (the version and the document, from the cache table)
    assert warm == cold
    assert len(queries) <= 1
    assert all(CACHE_TABLE in query["sql"] for query in queries)


def test_each_filter_set_is_its_own_entry(statistics_cache, note_2013):
    commit_pending()
    whole, african = compute(), compute(StatisticsFilter(regional_group="african"))
    assert african.needs < whole.needs
    assert compute(StatisticsFilter(regional_group="african")) == african
    assert compute() == whole


def test_an_accepted_need_shows_at_once(
    statistics_cache,
    own_review,
    focal_point,
    secretariat,
    django_capture_on_commit_callbacks,
):
    # given the document in the cache, and a State's new need submitted
    before = compute()
    assert compute() == before  # warm
    need = services.need_create(
        review=own_review,
        user=focal_point,
        article=Article.objects.get(number=15),
        need_type=NeedType.objects.get(slug="model-legislation"),
    )
    services.review_submit(review=own_review, user=focal_point)
    assert compute() == before  # a proposal does not count

    # when the secretariat accepts it (and the transaction commits)
    committed(
        django_capture_on_commit_callbacks,
        lambda: services.review_accept(review=own_review, user=secretariat),
    )

    # then the next document counts it, and is cached again
    after = compute()
    assert after.needs == before.needs + 1
    assert after.article(15).by_type == {"model-legislation": 1}
    with CaptureQueriesContext(connection) as queries:
        assert compute() == after
    assert len(queries) <= 1
    assert Need.objects.get(pk=need.pk).accepted_at is not None


def test_the_writing_transaction_sees_its_change_and_a_rollback_leaves_no_trace(
    statistics_cache, own_review, secretariat
):
    before = compute()

    class Rollback(Exception):
        pass

    seen = []

    def write_then_read():
        with transaction.atomic():
            services.need_create(
                review=own_review,
                user=secretariat,
                article=Article.objects.get(number=15),
                need_type=NeedType.objects.get(slug="other"),
            )
            # uncommitted: computed without the cache, and not stored in it
            seen.append(compute().needs)
            raise Rollback

    with pytest.raises(Rollback):
        write_then_read()

    assert seen == [before.needs + 1]
    assert compute() == before
    assert not data_version.changed_in_transaction()


def bumps() -> int:
    return sum(
        isinstance(callback, data_version._Bump)
        for _, callback, _ in connection.run_on_commit
    )


def test_a_transaction_raises_the_version_once_whatever_its_writes():
    # (The test runs in a transaction that never commits: the bumps wait.)
    before = bumps()
    for _ in range(3):
        data_version.data_changed()
    assert bumps() == before + 1


def test_a_change_after_a_rolled_back_savepoint_still_raises_the_version():
    assert not data_version.changed_in_transaction()

    class Rollback(Exception):
        pass

    def change_then_roll_back():
        with transaction.atomic():
            data_version.data_changed()
            raise Rollback

    # given a savepoint whose change (and its bump) is rolled back
    with pytest.raises(Rollback):
        change_then_roll_back()
    assert bumps() == 0

    # when a change follows in the enclosing transaction, and one in a savepoint
    data_version.data_changed()
    with transaction.atomic():
        data_version.data_changed()

    # then one bump awaits the commit, the later change's
    assert bumps() == 1


def test_a_description_change_keeps_the_document_warm(
    statistics_cache, own_review, secretariat, django_capture_on_commit_callbacks
):
    need = NeedFactory(review=own_review)
    compute()
    version = cache.get(data_version.KEY)

    committed(
        django_capture_on_commit_callbacks,
        lambda: services.need_update(
            need=need, user=secretariat, expected_version=need.version, description="x"
        ),
    )

    assert cache.get(data_version.KEY) == version


def _coverage_set(need, user):
    need_coverage_set(need=need, user=user, coverage="met-fully", reason="Done")


def _coverage_clear(need, user):
    need_coverage_set(need=need, user=user, coverage="met-fully", reason="Done")
    need_coverage_clear(need=Need.objects.get(pk=need.pk), user=user)


def _link(need, user):
    assistance = Assistance(
        title="Project", status=Assistance.Status.ONGOING, source="country-visit"
    )
    assistance_save(assistance=assistance, user=user)
    assistance_link_need(
        assistance=assistance, need=need, coverage="in-full", user=user
    )


def _withdraw(need, user):
    services.need_withdraw(need=need, user=user)


def _create(need, user):
    services.need_create(
        review=need.review,
        user=user,
        article=Article.objects.get(number=16),
        need_type=NeedType.objects.get(slug="other"),
    )


def _review_save(need, user):
    review = need.review
    review.status = CountryReview.Status.UNDER_WAY
    review.completed_on = None
    review_services.review_save(review=review, user=user)


def _review_delete(need, user):
    review = CountryReviewFactory()
    review_services.review_delete(review=review, user=user)


def _reference(need, user):
    call_command("load_reference", verbosity=0)


def _types(need, user):
    services.need_types_load()


def _note_2013(need, user):
    note_2013_load()


@pytest.mark.parametrize(
    "write",
    [
        _create,
        _withdraw,
        _coverage_set,
        _coverage_clear,
        _link,
        _review_save,
        _review_delete,
        _reference,
        _types,
        _note_2013,
    ],
)
def test_every_write_that_changes_the_numbers_raises_the_version(
    statistics_cache, own_review, secretariat, write, django_capture_on_commit_callbacks
):
    # given a cached document
    need = NeedFactory(review=own_review)
    compute()
    version = cache.get(data_version.KEY)

    # when the service writes, and its transaction commits
    committed(django_capture_on_commit_callbacks, lambda: write(need, secretariat))

    # then the version changed, and the document is the one computed now
    assert cache.get(data_version.KEY) not in (None, version)
    assert compute() == compute_uncached()


def test_a_lost_version_key_makes_every_entry_unreachable(statistics_cache, own_review):
    NeedFactory(review=own_review)
    first = compute()
    cache.delete(data_version.KEY)
    Need.objects.all().delete()  # a write no service saw

    assert compute().needs == 0 != first.needs


def test_one_computation_per_miss(settings):
    # given a process-local cache shared by threads, and a slow computation
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    statistics_cache_module._seen["version"] = None
    calls = []

    def slow(filters):
        calls.append(filters)
        time.sleep(0.3)
        return "document"

    results = []

    def read():
        results.append(
            statistics_cache_module.document(StatisticsFilter(cycle=1), slow)
        )

    # when five readers miss at once
    threads = [threading.Thread(target=read) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then one computed, and every reader has its result
    assert len(calls) == 1
    assert results == ["document"] * 5


def test_a_failed_computation_lets_the_waiters_compute(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    statistics_cache_module._seen["version"] = None
    filters = StatisticsFilter(cycle=2)
    version = data_version.resolve(cache.get_many([data_version.KEY]))
    lock = statistics_cache_module.key(version, filters) + ":lock"
    cache.add(lock, 1)  # another process holds the lock …
    threading.Timer(0.1, cache.delete, [lock]).start()  # … and fails

    assert statistics_cache_module.document(filters, lambda f: "mine") == "mine"


def test_summary_is_read_from_the_same_document(statistics_cache, note_2013):
    commit_pending()
    document = compute()
    with CaptureQueriesContext(connection) as queries:
        headline = summary()
    assert len(queries) <= 1
    assert (headline.needs, headline.states_with_needs) == (873, 33)
    assert headline.not_yet_addressed == document.coverage.overall["not-yet-addressed"]
    assert headline.reviews == document.reviews


def test_the_test_database_has_the_cache_table_and_migrate_recreates_it():
    assert CACHE_TABLE in connection.introspection.table_names()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {connection.ops.quote_name(CACHE_TABLE)}")
    assert CACHE_TABLE not in connection.introspection.table_names()

    call_command("migrate", verbosity=0)

    assert CACHE_TABLE in connection.introspection.table_names()


def test_redis_url_selects_the_redis_cache():
    config = cache_config("redis://127.0.0.1:6379/0")
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert config["LOCATION"] == "redis://127.0.0.1:6379/0"
    assert cache_config("")["BACKEND"].endswith("DatabaseCache")


def test_sites_sharing_a_redis_have_their_own_keys():
    site = {"HOST": "db", "NAME": "tatracker"}
    production = cache_config("redis://r/0", site)
    staging = cache_config("redis://r/0", site | {"NAME": "staging"})
    assert production["KEY_PREFIX"] != staging["KEY_PREFIX"]
    assert production == cache_config("redis://r/0", dict(site))


def test_unknown_cache_scheme_is_refused():
    with pytest.raises(Exception, match="memcached"):
        cache_config("memcached://127.0.0.1")


def test_statistics_on_redis(settings, note_2013):
    # given Redis (skipped where none runs), under a prefix of this test's own
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("No Redis at 127.0.0.1:6379")
    prefix = f"tatracker-test-{time.monotonic_ns()}"
    settings.CACHES = {
        "default": cache_config("redis://127.0.0.1:6379/0") | {"KEY_PREFIX": prefix}
    }
    statistics_cache_module._seen["version"] = None
    commit_pending()
    try:
        cold = compute()
        with CaptureQueriesContext(connection) as queries:
            warm = compute()
        assert warm == cold
        assert len(queries) == 0
    finally:
        cache.delete_many([data_version.KEY, *_keys(prefix)])


def _keys(prefix):
    version = cache.get(data_version.KEY)
    return [statistics_cache_module.key(version, StatisticsFilter())] if version else []


def test_as_of_documents_are_cached_under_the_version_too(
    statistics_cache, note_2013, secretariat, django_capture_on_commit_callbacks
):
    # given the document as of the note's date, cached
    commit_pending()
    day = datetime.date(2013, 9, 1)
    before = compute(StatisticsFilter(as_of=day))
    review = CountryReview.objects.filter(state__code="AF-01").get()
    assert before.reviews == 44

    # when a review's completion is recorded again, later than that date
    review.completed_on = datetime.date(2014, 1, 1)
    committed(
        django_capture_on_commit_callbacks,
        lambda: review_services.review_save(review=review, user=secretariat),
    )

    # then the document as of that date has changed, though no history row moved
    assert compute(StatisticsFilter(as_of=day)).reviews == 43


REPORT_PAGES = [
    "/reports/",
    "/reports/chapters/III/",
    "/reports/articles/15/",
    "/reports/types/",
    "/reports/regions/",
    "/reports/distribution/",
    "/reports/draft-note/",
]


def _page_body(response) -> str:
    """The page without what differs per request (CSRF tokens, CSP nonces, the
    charts' element ids)."""
    html = response.content.decode()
    html = re.sub(r"\b(chart|stacked)-\d+", r"\1-N", html)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'nonce="[^"]*"', "", html)


@pytest.mark.parametrize("url", REPORT_PAGES)
def test_a_cached_report_page_is_what_each_role_would_get_cold(
    statistics_cache, note_2013, secretariat, viewer, client, url
):
    commit_pending()
    roles = {"secretariat": secretariat, "viewer": viewer, "anonymous": None}

    def get(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return _page_body(client.get(url))

    cold = {}
    for name, user in roles.items():
        cache.clear()
        cold[name] = get(user)
    for first in roles:
        # Given the fragments cached by one role's visit
        cache.clear()
        get(roles[first])
        with CaptureQueriesContext(connection) as warm_read:
            get(roles[first])
        assert not any("needs_need" in q["sql"] for q in warm_read), "not cached"
        # Then every other role gets exactly its own page
        for name, user in roles.items():
            warm = get(user)
            changed = [
                line
                for line in difflib.unified_diff(
                    cold[name].splitlines(), warm.splitlines(), lineterm="", n=0
                )
                if line[:1] in "+-" and line[:3] not in ("+++", "---")
            ]
            at = next(
                (
                    i
                    for i, (a, b) in enumerate(zip(cold[name], warm, strict=False))
                    if a != b
                ),
                0,
            )
            assert changed == [], (
                f"{url}: {name} after {first}: "
                f"{cold[name][at - 150 : at + 150]!r} became "
                f"{warm[at - 150 : at + 150]!r}"
            )
