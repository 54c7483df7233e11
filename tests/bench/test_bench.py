"""The benchmark scripts at a tiny size, so that they cannot rot (their timings are
not asserted; on PostgreSQL the hand-written SQL's totals are checked against the
document's, and a difference fails the run)."""

import pytest
from django.db import connection

from bench import bench_import, bench_lists, bench_statistics, load_test
from bench.data import build
from needs.models import Need, NeedProposal

pytestmark = pytest.mark.django_db


def test_the_statistics_benchmark_runs_at_a_tiny_size(statistics_cache):
    # given 50 accepted needs built as the benchmark builds a million
    counts = build(50)
    for _, callback, _ in connection.run_on_commit:
        callback()  # as if the build had committed: its version bump runs
    assert counts["needs"] == Need.objects.counted().count() == 50

    # when the benchmark measures them, once
    lines = []
    best = bench_statistics.measure(runs=1, out=lines.append)

    # then every filter and page has its times and query counts
    table = "\n".join(lines)
    for name in bench_statistics.FILTERS:
        assert f"| 50 | {name} |" in table
        assert best.queries[name, "cold"] <= 6
        assert best.queries[name, "warm"] <= 1
    for url in bench_statistics.PAGES:
        assert f"`{url}`" in table
    if connection.vendor == "postgresql":
        assert ("none", "best") in best.times
        assert ("none", "issue") in best.times
        plans = []
        bench_statistics.explain(out=plans.append)
        assert "Execution Time" in "\n".join(plans)


def test_the_benchmark_refuses_a_database_that_is_not_its_own(settings):
    connection.settings_dict["NAME"], name = "test", connection.settings_dict["NAME"]
    try:
        with pytest.raises(SystemExit, match="its own database"):
            bench_statistics.prepare(50, out=lambda line: None)
    finally:
        connection.settings_dict["NAME"] = name


WRK_OUTPUT = """Running 20s test @ http://127.0.0.1:8765/reports/
  2 threads and 50 connections
JSON {"requests": 1200, "duration_us": 20000000, "non2xx": 1, "connect": 0, \
"read": 2, "write": 0, "timeout": 3, "p50": 40000, "p95": 95000, "p99": 150000}
"""


def test_the_load_test_reads_wrk_and_compares_with_the_login_page():
    result = load_test.parse(WRK_OUTPUT)
    assert result["per_second"] == 60
    assert result["errors"] == 6
    assert (result["p50"], result["p95"], result["p99"]) == (40, 95, 150)

    login = dict(result, p95=10.0)
    lines = load_test.table({load_test.TRIVIAL: login, "/reports/": result})
    assert lines[-1].endswith("| 9.5× |")


def test_the_load_test_bounds_wrk_and_reads_its_report():
    command = load_test.wrk_command(
        "http://127.0.0.1:1/", seconds=20, connections=50, threads=2
    )
    assert "--duration=20s" in command
    assert "--connections=50" in command
    assert load_test.LUA.exists()
    assert f"--script={load_test.LUA}" in command
    environment = load_test.server_environment("postgres://x@127.0.0.1/benchdb")
    assert environment["DEBUG"] == "0"
    assert environment["DATABASE_URL"].endswith("/benchdb")


def test_the_lists_benchmark_runs_at_a_tiny_size(statistics_cache):
    # given 300 needs built as the benchmark builds a million
    build(300)

    # when the benchmark measures them once (the CSVs in processes of their own
    # would need the committed data: measured apart, below)
    lines = []
    best = bench_lists.measure(runs=1, out=lines.append, csv_exports=False)

    # then every request has its time and query count, and the baselines theirs
    table = "\n".join(lines)
    for key in ["api first", "api deep page", "api deep cursor", "html first"]:
        assert (key, "tatracker") in best.times
        assert (key, "baseline") in best.times
    for key in ["entry page", "state page", "review page", "api floor"]:
        assert best.queries[key, "tatracker"] > 0
    assert "| 300 | `/api/v1/needs/?page_size=100` |" in table
    assert "| 300 | entry page |" in table


def test_the_lists_benchmark_measures_a_csv_export(statistics_cache):
    build(50)
    for kind in bench_lists.CSV_KINDS:
        result = bench_lists.csv_child(kind)
        assert result["bytes"] > 50 * 40  # the header and fifty rows
        assert result["first"] is not None
        assert result["total"] >= result["first"]


def test_the_import_benchmark_runs_at_a_tiny_size():
    # given the States and reviews of 60 rows, built as the benchmark builds them
    rows = bench_import.build_rows(60, out=lambda line: None)

    # when the benchmark imports them, copies them, and imports 30 and 60 under
    # tracemalloc
    lines = []
    result = bench_import.measure(
        60, memory_sizes=(30, 60), out=lines.append, rows=rows
    )

    # then the import wrote every row as the page would, COPY the same number, and
    # each size has its memory; the tables are left empty
    assert result["created"] == result["needs_after_import"] == 60
    assert result["needs_after_copy"] == 60
    assert set(result["memory"]) == {30, 60}
    assert all(peak > 0 for peak, _rss in result["memory"].values())
    table = "\n".join(lines)
    assert "| 60 | " in table
    assert "| 30 | " in table
    assert not Need.objects.exists()
    assert not NeedProposal.objects.exists()


def test_the_import_benchmark_refuses_a_database_that_is_not_its_own():
    connection.settings_dict["NAME"], name = "test", connection.settings_dict["NAME"]
    try:
        with pytest.raises(SystemExit, match="its own database"):
            bench_import.prepare(50, out=lambda line: None)
    finally:
        connection.settings_dict["NAME"] = name
