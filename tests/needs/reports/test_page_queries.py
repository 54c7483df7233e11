"""Report pages, the statistics API and the home page: a fixed number of queries
whatever the number of needs, cold (no cache) or warm (none on the needs then)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.data import build

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/reports/",
    "/reports/chapters/III/",
    "/reports/articles/15/",
    "/reports/types/",
    "/reports/regions/",
    "/reports/distribution/",
    "/reports/draft-note/",
    "/reports/draft-note/?format=md",
    "/reports/tables/all.csv",
    "/api/v1/statistics/",
    "/api/v1/statistics/?chapter=III&coverage=not-yet-addressed",
]
NEEDS_TABLES = ('"needs_need"', '"needs_historicalneed"', "needs_need ")


def commit_pending():
    """The data set's loader ran in the test's transaction: as if it committed."""
    for _, callback, _ in connection.run_on_commit:
        callback()


def queries_of(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in queries]


@pytest.mark.parametrize("url", PAGES)
def test_cold_pages_ask_as_many_queries_at_any_size(user_client, url):
    counts = []
    for size in (300, 2700):  # 300, then 3000 needs
        build(size)
        counts.append(len(queries_of(user_client, url)))
    assert counts[0] == counts[1] <= 20


@pytest.mark.parametrize("url", PAGES)
def test_warm_pages_never_ask_the_needs(statistics_cache, client, url):
    # Anonymous: the secretariat's home page also lists its queue of submissions.
    counts = []
    for size in (300, 2700):
        build(size)
        commit_pending()
        queries_of(client, url)  # computes and caches the document
        sql = queries_of(client, url)
        assert not [q for q in sql if any(t in q for t in NEEDS_TABLES)], url
        counts.append(len(sql))
    # The document, and the report's two fragments (filters, tables and charts).
    assert counts[0] == counts[1] <= 3
