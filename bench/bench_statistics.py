"""Benchmark: the statistics document, cold and warm, against hand-written SQL.

Run it on a database of its own (never yours, never `test`), one size at a time:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/benchdb \\
        .venv/bin/python bench/bench_statistics.py --size 100000 --runs 5

It migrates, and when the database does not hold exactly `--size` bench needs, empties
it and builds them (`bench/data.py`: COPY, about 2.5 minutes for a million). Then, for
each filter, interleaved over `--runs` runs (the minimum is reported, the machine being
shared): tatracker's document computed cold (`compute_uncached`: the reference rows and
the statement, assembled), the same numbers from hand-written SQL (`bench/baseline.py`),
the issue's GROUPING SETS shape for two filters, and the document warm (`compute`, from
the cache the settings configure); then the report pages, cold (data version raised)
and warm. Query counts beside each time. The results are printed as Markdown tables
for bench/RESULTS.md, with the machine and the date. The suite runs `measure` on a
tiny data set (tests/bench/) so that this script cannot rot.
"""

import argparse
import datetime
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from bench.standalone import set_up  # noqa: E402

set_up()

import django  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import baseline  # noqa: E402
from bench.data import BENCH_STATE, build  # noqa: E402
from needs.models import Need  # noqa: E402
from needs.reports import queries  # noqa: E402
from needs.reports.cache import statistics_changed  # noqa: E402
from needs.reports.statistics import (  # noqa: E402
    StatisticsFilter,
    _Reference,
    compute,
    compute_uncached,
)
from reviews.models import ReviewCycle, StateParty  # noqa: E402

FILTERS = {
    "none": StatisticsFilter(),
    "african + chapter III": StatisticsFilter(regional_group="african", chapter="III"),
    "article 15": StatisticsFilter(article=15),
    "type capacity-building": StatisticsFilter(need_type="capacity-building"),
    "coverage met-fully": StatisticsFilter(coverage="met-fully"),
    "as of 2016-01-01": StatisticsFilter(as_of=datetime.date(2016, 1, 1)),
}
ISSUE_SHAPE = ("none", "african + chapter III")
PAGES = ["/reports/", "/reports/chapters/III/", "/reports/draft-note/"]
PAGES += ["/api/v1/statistics/"]
REFUSED_NAMES = {"", "test", "tatracker", "postgres"}


def ids_for(filters: StatisticsFilter) -> dict:
    """The filter as the ids the hand-written SQL takes."""
    scope = _Reference(queries.reference_rows()).scope(filters)
    ids = {}
    if scope.regional_group is not None or filters.regional_group:
        ids["region"] = scope.regional_group
    if scope.articles is not None:
        ids["articles"] = scope.articles
    if filters.need_type:
        ids["need_type"] = scope.need_type
    if filters.coverage:
        ids["coverage"] = filters.coverage
    if filters.cycle is not None:
        ids["cycle"] = ReviewCycle.objects.get(number=filters.cycle).pk
    if filters.review_year is not None:
        ids["year"] = filters.review_year
    if filters.as_of is not None:
        ids["as_of"] = filters.as_of
    return ids


def timed(function) -> tuple[float, int, object]:
    """(milliseconds, queries, result) of one call."""
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - start
    return elapsed * 1000, len(queries), result


class Best:
    """The minimum time of each measurement over the runs, and its query count."""

    def __init__(self):
        self.times: dict = {}
        self.queries: dict = {}

    def add(self, key, milliseconds: float, queries: int) -> None:
        self.times[key] = min(self.times.get(key, float("inf")), milliseconds)
        self.queries[key] = queries

    def __getitem__(self, key) -> str:
        value = self.times.get(key)
        if value is None:
            return "—"
        if value < 100:
            return f"{value:.1f} ms"
        return f"{value:.0f} ms" if value < 1000 else f"{value / 1000:.2f} s"


def _filters_run(best: Best, *, postgresql: bool, check: bool) -> None:
    for name, filters in FILTERS.items():
        ms, queries, document = timed(lambda f=filters: compute_uncached(f))
        best.add((name, "cold"), ms, queries)
        if postgresql:
            ids = ids_for(filters)
            ms, queries, rows = timed(lambda i=ids: baseline.best(i))
            best.add((name, "best"), ms, queries)
            if check:
                _check(document, baseline.totals(rows, shape="best"), name)
            if name in ISSUE_SHAPE:
                ms, queries, rows = timed(lambda i=ids: baseline.grouping_sets(i))
                best.add((name, "issue"), ms, queries)
                if check:
                    _check(document, baseline.totals(rows, shape="issue"), name)
        compute(filters)  # in the cache (a no-op when it already is)
        ms, queries, _ = timed(lambda f=filters: compute(f))
        best.add((name, "warm"), ms, queries)


def _check(document, totals: dict, name: str) -> None:
    mine = {key: getattr(document, key) for key in totals}
    if mine != totals:
        raise SystemExit(f"{name}: tatracker {mine} but hand-written SQL {totals}")


def _pages_run(best: Best, client: Client) -> None:
    for url in PAGES:
        statistics_changed()  # a new data version: the next request computes
        ms, queries, response = timed(lambda u=url: client.get(u))
        assert response.status_code == 200, (url, response.status_code)
        best.add((url, "cold"), ms, queries)
        ms, queries, _ = timed(lambda u=url: client.get(u))
        best.add((url, "warm"), ms, queries)


def measure(*, runs: int = 5, pages: bool = True, out=print) -> Best:
    """Interleaved runs over the current database; print the tables."""
    postgresql = connection.vendor == "postgresql"
    best, client = Best(), Client()
    for run in range(runs):
        _filters_run(best, postgresql=postgresql, check=run == 0)
        if pages:
            _pages_run(best, client)
    needs = Need.objects.counted().count()
    _print(best, needs=needs, pages=pages, out=out)
    return best


def _ratio(best: Best, name: str) -> str:
    mine, theirs = best.times.get((name, "cold")), best.times.get((name, "best"))
    return f"{mine / theirs:.2f}×" if mine and theirs else "—"


def _print(best: Best, *, needs: int, pages: bool, out) -> None:
    out(
        "| needs | filter | tatracker cold | queries | hand-written SQL | ratio "
        "| GROUPING SETS + COUNT(DISTINCT) | tatracker warm | queries |"
    )
    out("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in FILTERS:
        cells = [
            f"{needs:,}",
            name,
            best[name, "cold"],
            best.queries.get((name, "cold"), "—"),
            best[name, "best"],
            _ratio(best, name),
            best[name, "issue"],
            best[name, "warm"],
            best.queries.get((name, "warm"), "—"),
        ]
        out("| " + " | ".join(str(cell) for cell in cells) + " |")
    if not pages:
        return
    out("")
    out("| needs | page | cold | queries | warm | queries |")
    out("|---:|---|---:|---:|---:|---:|")
    for url in PAGES:
        cells = [
            f"{needs:,}",
            f"`{url}`",
            best[url, "cold"],
            best.queries.get((url, "cold")),
            best[url, "warm"],
            best.queries.get((url, "warm")),
        ]
        out("| " + " | ".join(str(cell) for cell in cells) + " |")


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
        else:
            cursor.execute("SELECT 'SQLite ' || sqlite_version()")
        database = cursor.fetchone()[0].split(" on ")[0]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; {cpu}, "
        f"{os.cpu_count()} CPUs (load average {load}); {database}; "
        f"Python {platform.python_version()}, Django {django.get_version()}; "
        f"cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}"
    )


def prepare(size: int, out=print) -> None:
    """Migrate; build `size` bench needs unless the database holds exactly those."""
    name = str(connection.settings_dict["NAME"])
    if Path(name).stem in REFUSED_NAMES or Path(name).name == "tatracker.sqlite3":
        raise SystemExit(
            f"Refusing to empty {name!r}: give the bench its own database."
        )
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the pages' CSS
    bench_states = StateParty.objects.filter(name__startswith=BENCH_STATE).exists()
    if bench_states and Need.objects.count() == size:
        out(f"{size} needs already built in {name}")
        return
    out(f"building {size} needs in {name} …")
    call_command("flush", interactive=False, verbosity=0)
    call_command("load_reference", verbosity=0)
    start = time.perf_counter()
    counts = build(size, out=out)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # statistics, and the visibility map
            cursor.execute("VACUUM ANALYZE")  # that index-only scans rely on
    out(f"  built {counts} in {time.perf_counter() - start:.0f} s")


PLAN_LINES = ("Scan", "Join", "Aggregate", "Sort Method", "Unique", "Execution Time")


def explain(out=print) -> None:
    """EXPLAIN ANALYZE of the statement for each filter: its scans, joins, aggregates
    and sorts (how the needs are read), and its time. PostgreSQL only."""
    if connection.vendor != "postgresql":
        raise SystemExit("--explain reads PostgreSQL's plans.")
    reference = _Reference(queries.reference_rows())
    type_ids = [t.pk for t in reference.types]
    for name, filters in FILTERS.items():
        sql, params, _ = queries.statement(reference.scope(filters), type_ids)
        with transaction.atomic(), connection.cursor() as cursor:
            queries.apply_settings(cursor)
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = [row[0] for row in cursor.fetchall()]
        out(f"{name}:")
        for line in plan:
            if any(key in line for key in PLAN_LINES) and "CTE Scan" not in line:
                out("    " + line.split("  (cost=")[0].rstrip() + _actual(line))


def _actual(line: str) -> str:
    """The actual rows and time of a plan line, without the estimates."""
    if "(actual" not in line:
        return ""
    return "  (" + line.split("(actual ", 1)[1].split(")")[0] + ")"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-pages", action="store_true")
    parser.add_argument("--explain", action="store_true", help="plans, then stop")
    options = parser.parse_args(argv)
    prepare(options.size)
    if options.explain:
        explain()
        return
    print(machine())
    measure(runs=options.runs, pages=not options.no_pages)
    print(machine())


if __name__ == "__main__":
    main()
