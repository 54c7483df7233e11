"""Benchmark: the needs lists, the CSV export and the entry, State and review pages,
against `.values()` + json.dumps and `values_list().iterator()` + csv.writer.

Run it on a database of its own (never yours, never `test`), one size at a time:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/benchdb \\
        .venv/bin/python bench/bench_lists.py --size 1000000 --runs 5

It migrates and builds `--size` bench needs as bench_statistics.py does (the same
database serves both). Then, interleaved over `--runs` runs (the minimum is reported,
the machine being shared), as the secretariat (every need visible, the widest scope):

- `GET /api/v1/needs/?page_size=100`: the first page, a deep page by number (90% in)
  and the same deep page by cursor, against the same rows and fields read with
  `.values()` and written with json.dumps (OFFSET for the first two, `id > last` for
  the cursor's);
- `GET /needs/` (the HTML list, first page), against the same baseline;
- the entry page of a review, a State's page and a review's page (time, queries).

Then each full CSV once, each in a fresh process (so that its peak memory is its
own): the page's `?format=csv`, the API's `?format=csv`, and the baseline
(`values_list().iterator()` through csv.writer, in a transaction): time to the first
need's row, total time, bytes, and the growth of the process's resident memory during
the export (its peak, sampled every 256 chunks; ru_maxrss beside it). The results are
printed as Markdown tables for bench/RESULTS.md. The suite runs `measure` on a tiny
data set (tests/bench/) so that this script cannot rot.
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from bench.standalone import set_up  # noqa: E402

set_up(
    # The bench signs in as the secretariat without a second factor, and asks
    # more pages a minute than the API's rate limit lets a person ask.
    TATRACKER_REQUIRE_2FA="0",
    API_RATE_USER="1000000/minute",
    LOG_LEVEL="WARNING",
)

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.serializers.json import DjangoJSONEncoder  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.bench_statistics import Best, machine, prepare, timed  # noqa: E402
from needs.exchange.spreadsheets import NEED_VALUES  # noqa: E402
from needs.models import Need  # noqa: E402
from needs.serializers import NEED_LIST_VALUES  # noqa: E402
from reviews.models import Account, CountryReview  # noqa: E402

API = "/api/v1/needs/"
PAGE_SIZE = 100
BENCH_USER = "bench-secretariat"
# The API's fields, as `.values()` names them (the proposal: whether there is one).
VALUES = list(NEED_LIST_VALUES.values())
# The export's columns, without the annotations that decide what is withheld.
CSV_VALUES = [
    name for name in NEED_VALUES if name not in ("description_shared", "workflow_shown")
]
NOTE_ORDER = [
    "review__state__sort_name",
    "article__chapter__ordinal",
    "article__section",
    "article__number",
    "need_type__display_order",
]


def bench_user():
    user, _ = get_user_model().objects.get_or_create(username=BENCH_USER)
    Account.objects.update_or_create(user=user, defaults={"role": "secretariat"})
    return user


def baseline_page(queryset) -> bytes:
    """The rows as `.values()` reads them, written by json.dumps."""
    return json.dumps(list(queryset), cls=DjangoJSONEncoder).encode()


def deep_cursor(offset: int) -> str | None:
    """The API's cursor that starts after row `offset` in id order (None before
    the API had cursors)."""
    from tatracker import drf

    encode = getattr(drf, "encode_cursor", None)
    last = Need.objects.order_by("id").values_list("id", flat=True)[offset - 1]
    return encode([last]) if encode else None


class Pages:
    """What one run asks, as (key, callable) pairs; built once per database."""

    def __init__(self, client: Client, size: int):
        self.client = client
        self.offset = max(PAGE_SIZE, (size * 9 // 10) // PAGE_SIZE * PAGE_SIZE)
        self.deep = self.offset // PAGE_SIZE + 1
        self.cursor = deep_cursor(self.offset) if size > PAGE_SIZE else None
        review = CountryReview.objects.filter(needs__isnull=False).earliest("pk")
        self.review = review
        first = Need.objects.order_by("id").values(*VALUES)
        last = Need.objects.order_by("id").values_list("id", flat=True)[
            self.offset - 1 : self.offset
        ]
        self.calls = {
            ("api first", "tatracker"): self.get(f"{API}?page_size={PAGE_SIZE}"),
            ("api first", "baseline"): lambda: baseline_page(first[:PAGE_SIZE]),
            # The fixed cost of an API request (session, account, rate limit in
            # the cache's table): the nine need types.
            ("api floor", "tatracker"): self.get("/api/v1/need-types/"),
            ("api deep page", "tatracker"): self.get(
                f"{API}?page_size={PAGE_SIZE}&page={self.deep}"
            ),
            ("api deep page", "baseline"): lambda: baseline_page(
                first[self.offset : self.offset + PAGE_SIZE]
            ),
            ("api deep cursor", "baseline"): lambda: baseline_page(
                first.filter(id__gt=next(iter(last)))[:PAGE_SIZE]
            ),
            ("html first", "tatracker"): self.get(reverse("needs:need_list")),
            ("html first", "baseline"): lambda: baseline_page(first[:PAGE_SIZE]),
            ("html first", "page order"): lambda: baseline_page(
                first.order_by(*NOTE_ORDER)[:50]
            ),
            ("entry page", "tatracker"): self.get(
                reverse("needs:review_entry", args=[review.pk])
            ),
            ("state page", "tatracker"): self.get(review.state.get_absolute_url()),
            ("review page", "tatracker"): self.get(review.get_absolute_url()),
        }
        if self.cursor:
            self.calls["api deep cursor", "tatracker"] = self.get(
                f"{API}?page_size={PAGE_SIZE}&cursor={self.cursor}"
            )

    def get(self, url):
        def call():
            response = self.client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response.content

        return call


def measure(*, runs: int = 5, out=print, csv_exports: bool = True) -> Best:
    """Interleaved runs over the current database; print the tables."""
    client = Client()
    client.force_login(bench_user())
    size = Need.objects.count()
    pages = Pages(client, size)
    best = Best()
    for _ in range(runs):
        for key, call in pages.calls.items():
            ms, queries, _ = timed(call)
            best.add(key, ms, queries)
    _print_pages(best, size=size, pages=pages, out=out)
    if csv_exports:
        _print_csv(measure_csv(), size=size, out=out)
    return best


def _ratio(best: Best, key: str, against: str = "baseline") -> str:
    mine, theirs = best.times.get((key, "tatracker")), best.times.get((key, against))
    return f"{mine / theirs:.2f}×" if mine and theirs else "—"


def _print_pages(best: Best, *, size: int, pages: Pages, out) -> None:
    out(
        f"Deep pages start at row {pages.offset + 1:,} (page {pages.deep} of "
        f"{PAGE_SIZE}); the pages are those of review {pages.review.pk} "
        f"({pages.review.needs.count()} needs) and its State."
    )
    out("")
    out("| needs | request | tatracker | queries | baseline | ratio |")
    out("|---:|---|---:|---:|---:|---:|")
    rows = [
        ("api first", f"`{API}?page_size={PAGE_SIZE}`", "`.values()[:100]` + dumps"),
        (
            "api deep page",
            f"`…&page={pages.deep}`",
            f"`.values()[{pages.offset}:{pages.offset + PAGE_SIZE}]` + dumps",
        ),
        ("api deep cursor", "`…&cursor=…` (same rows)", "`id > last` `[:100]` + dumps"),
        ("html first", "`/needs/` (50 rows)", "`.values()[:100]` + dumps"),
    ]
    for key, request, baseline in rows:
        cells = [
            f"{size:,}",
            request,
            best[key, "tatracker"],
            best.queries.get((key, "tatracker"), "—"),
            f"{best[key, 'baseline']} ({baseline})",
            _ratio(best, key),
        ]
        out("| " + " | ".join(str(cell) for cell in cells) + " |")
    ordered = best["html first", "page order"]
    html = best["html first", "tatracker"]
    out(
        f"| {size:,} | `/needs/` against its own rows | {html}"
        f" | | {ordered} (`.values()` in the page's order `[:50]` + dumps) "
        f"| {_ratio(best, 'html first', 'page order')} |"
    )
    floor = best["api floor", "tatracker"]
    floor_queries = best.queries.get(("api floor", "tatracker"))
    out(
        f"| {size:,} | `/api/v1/need-types/` (the API's fixed cost) | {floor} "
        f"| {floor_queries} | | |"
    )
    out("")
    out("| needs | page | time | queries |")
    out("|---:|---|---:|---:|")
    for key in ("entry page", "state page", "review page"):
        queries = best.queries.get((key, "tatracker"))
        cells = [f"{size:,}", key, best[key, "tatracker"], queries]
        out("| " + " | ".join(str(cell) for cell in cells) + " |")


# ---------------------------------------------------------------------------
# The full CSV, each in a process of its own
# ---------------------------------------------------------------------------
CSV_KINDS = {
    "page": "`/needs/?format=csv`",
    "api": f"`{API}?format=csv`",
    "baseline": "`values_list().iterator()` + csv.writer",
}


def measure_csv() -> dict:
    """{kind: result} of each export, run as `--csv-child kind` in a new process."""
    results = {}
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    for kind in CSV_KINDS:
        completed = subprocess.run(  # noqa: S603 (this script, by its own path)
            [sys.executable, str(Path(__file__).resolve()), "--csv-child", kind],
            capture_output=True,
            text=True,
            check=True,
            env=environment,
        )
        results[kind] = json.loads(completed.stdout.strip().splitlines()[-1])
    return results


class _Echo:
    def write(self, value):
        return value


def _baseline_csv():
    """The best hand-written export: values through csv.writer, from a cursor in a
    transaction (outside one, Django declares it WITH HOLD and PostgreSQL runs the
    whole query before the first row)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_VALUES)
    rows = Need.objects.order_by("id").values_list(*CSV_VALUES)
    with transaction.atomic():
        for row in rows.iterator(chunk_size=2000):
            yield writer.writerow(row)


def resident() -> int:
    """The process's resident memory now, in bytes (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def csv_child(kind: str) -> dict:
    """Export the full CSV once; time to first bytes, total, bytes, peak memory."""
    client = Client()
    client.force_login(bench_user())
    url = {
        "page": reverse("needs:need_list") + "?format=csv",
        "api": f"{API}?format=csv",
    }
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    at_start = peak = resident()
    start = time.perf_counter()
    if kind == "baseline":
        chunks = _baseline_csv()
    else:
        response = client.get(url[kind])
        assert response.status_code == 200, response.status_code
        streamed = response.streaming
        chunks = response.streaming_content if streamed else [response.content]
    first, total, lines = None, 0, 0
    for index, chunk in enumerate(chunks):
        if index % 256 == 0:
            peak = max(peak, resident())
        total += len(chunk)
        lines += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
        if first is None and lines >= 2:  # the header, then the first need
            first = time.perf_counter() - start
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "first": first,
        "total": elapsed,
        "bytes": total,
        "memory_kb": after - before,
        "resident_mb": (max(peak, resident()) - at_start) / 2**20,
    }


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def _print_csv(results: dict, *, size: int, out) -> None:
    out("")
    out(
        "| needs | full CSV | first row | total | size "
        "| resident memory growth (peak) | ru_maxrss growth |"
    )
    out("|---:|---|---:|---:|---:|---:|---:|")
    for kind, label in CSV_KINDS.items():
        result = results[kind]
        cells = [
            f"{size:,}",
            label,
            _seconds(result["first"]),
            _seconds(result["total"]),
            f"{result['bytes'] / 1e6:.1f} MB",
            f"{result['resident_mb']:+.1f} MB",
            f"{result['memory_kb'] / 1024:+.1f} MB",
        ]
        out("| " + " | ".join(cells) + " |")


def explain(out=print) -> None:
    """EXPLAIN ANALYZE of the lists' statements as the secretariat runs them."""
    from needs import selectors

    user = bench_user()
    statements = {
        "api first page": selectors.needs_for(user).order_by("id")[:PAGE_SIZE],
        "html first page": selectors.need_list(user=user)[:50],
        "count": Need.objects.all(),
    }
    for name, queryset in statements.items():
        if name == "count":
            sql = "SELECT count(*) FROM needs_need"
            params = ()
        else:
            sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = [row[0] for row in cursor.fetchall()]
        out(f"{name}:")
        for line in plan:
            out("    " + line)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-csv", action="store_true", help="skip the full CSVs")
    parser.add_argument("--explain", action="store_true", help="plans, then stop")
    parser.add_argument("--csv-child", choices=list(CSV_KINDS), help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.csv_child:
        print(json.dumps(csv_child(options.csv_child)))
        return
    prepare(options.size)
    if options.explain:
        explain()
        return
    print(machine())
    measure(runs=options.runs, csv_exports=not options.no_csv)
    print(machine())


if __name__ == "__main__":
    main()
