"""Benchmark: the import of needs (validated, through the page's service) against
psycopg's COPY of the same rows into the same table, and its memory against the
file's size.

Run it on a database of its own (never yours, never `test`):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exchbench \\
        .venv/bin/python bench/bench_import.py --size 100000 --runs 3 \\
        --memory 10000,100000

It migrates, empties the database and builds the States and reviews the rows name
(`bench/data.py`: copies of the 2013 data set's States, first- and second-cycle
reviews), and writes a needs CSV of `--size` rows in the needs export's columns
(state code, cycle, article, type slug, description, priority, source, remaining).
Then, side by side: `needs_import` (`needs/exchange/imports.py`, what the import
page confirms: every row validated, the needs written as the secretariat's
proposals and submitted, with their proposals and history) reads the file as the
secretariat; the needs are removed, and COPY writes the same rows, resolved to ids
beforehand, into the needs table; `--runs` times each, interleaved, the fastest
of each kept. Rows per second of each and their ratio (the issue's goal: the
import at least a fifth of COPY's rate). Then, for each size of
`--memory`, a fresh file imported under tracemalloc: the peak of Python's
allocations during the import, and the growth of the process's peak resident size.
The results are printed as Markdown for bench/RESULTS.md, with the machine and date.
The suite runs `measure` at a tiny size (tests/bench/) so that this script cannot
rot.
"""

import argparse
import csv
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from bench.standalone import set_up  # noqa: E402

set_up(
    # The import tells the secretariat of the submission: not by SMTP here.
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
)

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.bench_statistics import REFUSED_NAMES, machine  # noqa: E402
from bench.data import (  # noqa: E402
    NEED_COLUMNS,
    _plan,
    _states_and_reviews,
    template,
)
from needs.exchange.imports import needs_import  # noqa: E402
from needs.models import (  # noqa: E402
    EntryDecision,
    EntryEvent,
    Need,
    NeedProposal,
    NeedType,
)
from reviews.models import Account, Article  # noqa: E402

HEADER = [
    "state_code",
    "cycle",
    "article",
    "type",
    "description",
    "priority",
    "source",
    "remaining",
]
PRIORITIES = ["high", "medium", "low", "unset"]
# The needs table's columns COPY fills: what the import writes for a row.
COPY_COLUMNS = [
    column
    for column in NEED_COLUMNS  # bench/data.py's, less what a submitted need lacks
    if column not in {"coverage_set_at", "accepted_at"}
]
# Every table an import writes, emptied between runs.
WRITTEN = [EntryDecision, EntryEvent, NeedProposal, Need]


def prepare(size: int, out=print) -> list[tuple]:
    """Migrate, empty the database, build the States and reviews of `size` rows;
    return the rows: the CSV's cells and, last, the review, article and type ids."""
    name = str(connection.settings_dict["NAME"])
    if Path(name).stem in REFUSED_NAMES or Path(name).name == "tatracker.sqlite3":
        raise SystemExit(
            f"Refusing to empty {name!r}: give the bench its own database."
        )
    if connection.vendor == "postgresql":
        call_command("migrate", verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
        call_command("load_reference", verbosity=0)
    return build_rows(size, out=out)


@transaction.atomic
def build_rows(size: int, out=print) -> list[tuple]:
    base = template()
    plan = list(_plan(base, size))
    states, reviews = _states_and_reviews(base, plan, out=out)
    articles = dict(Article.objects.values_list("pk", "number"))
    slugs = dict(NeedType.objects.values_list("pk", "slug"))
    rows = []
    for copy, state, cycle, pairs in plan:
        code = states[(copy, state.code)].code
        review = reviews[(copy, state.code, cycle)].pk
        for index, (article, need_type) in enumerate(pairs):
            rows.append(
                (
                    code,
                    cycle,
                    articles[article],
                    slugs[need_type],
                    f"Need {index} of {code}, cycle {cycle}: training of officers "
                    "and a review of the legislation.",
                    PRIORITIES[index % len(PRIORITIES)],
                    "executive-summary",
                    "",
                    (review, article, need_type),
                )
            )
    return rows


def write_csv(rows: list[tuple], path: Path) -> int:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow(row[:-1])
    return path.stat().st_size


def empty() -> None:
    """Remove what an import wrote (and the history it kept)."""
    models = [*WRITTEN, Need.history.model, NeedProposal.history.model]
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        # (In a transaction, as the suite runs it, TRUNCATE waits for nothing.)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608


def secretariat():
    """The secretariat's account the import acts as."""
    user, _ = get_user_model().objects.get_or_create(username="bench-secretariat")
    Account.objects.get_or_create(
        user=user, defaults={"role": Account.Role.SECRETARIAT}
    )
    return user


def import_run(path: Path, user) -> tuple[float, object]:
    """Seconds of one import of the file, as the import page's confirmation."""
    with path.open("rb") as handle:
        start = time.perf_counter()
        result = needs_import(handle, user=user, filename=path.name)
        return time.perf_counter() - start, result


def copy_run(rows: list[tuple]) -> float:
    """Seconds of COPY of the same rows (resolved to ids beforehand) into the needs
    table, committed. SQLite (the suite's tiny run): executemany."""
    now = timezone.now()
    values = [
        (
            *row[8],  # review, article, type
            *row[4:7],  # description, priority, source
            "not-yet-addressed",
            row[7],  # remaining
            "derived",
            "",
            "submitted",
            False,
            1,
            now,
            now,
        )
        for row in rows
    ]
    table, columns = Need._meta.db_table, ", ".join(COPY_COLUMNS)
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
        else:
            marks = ", ".join(["%s"] * len(COPY_COLUMNS))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
                values,
            )
    return time.perf_counter() - start


def memory_run(rows: list[tuple], size: int, user) -> tuple[int, int]:
    """(peak bytes traced during the import of a `size`-row file, growth of the
    process's peak resident size in bytes)."""
    empty()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"needs-{size}.csv"
        write_csv(rows[:size], path)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        try:
            import_run(path, user)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak, (after - before) * 1024


def measure(size: int, *, memory_sizes=(), out=print, rows=None, runs=1) -> dict:
    """Prepare (unless given the rows), import, COPY (`runs` times each,
    interleaved: the fastest of each kept), and the memory of each size; print
    the tables."""
    if rows is None:
        rows = prepare(max([size, *memory_sizes]), out=out)
    user = secretariat()
    reverse("home")  # the URLs loaded, as in a running server
    result = {"size": size}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "needs.csv"
        result["file_bytes"] = write_csv(rows[:size], path)
        imports, copies = [], []
        for _run in range(runs):
            empty()
            seconds, imported = import_run(path, user)
            imports.append(seconds)
            result["created"] = imported.created
            result["needs_after_import"] = Need.objects.count()
            empty()
            copies.append(copy_run(rows[:size]))
            result["needs_after_copy"] = Need.objects.count()
        result["import_s"], result["copy_s"] = min(imports), min(copies)
        result["runs"] = list(zip(imports, copies, strict=True))
    result["memory"] = {n: memory_run(rows, n, user) for n in memory_sizes}
    empty()
    _print(result, out)
    return result


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f}"


def _print(result: dict, out) -> None:
    size, imported, copied = result["size"], result["import_s"], result["copy_s"]
    out(machine())
    out("")
    if len(result["runs"]) > 1:
        out(
            "Runs (import, COPY): "
            + "; ".join(f"{i:.2f} s, {c:.2f} s" for i, c in result["runs"])
            + ". The fastest of each:"
        )
        out("")
    out("| rows | file | tatracker import | rows/s | COPY | rows/s | import/COPY |")
    out("|---:|---:|---:|---:|---:|---:|---:|")
    out(
        f"| {size:,} | {result['file_bytes'] / 1e6:.1f} MB | {imported:.2f} s | "
        f"{_rate(size, imported)} | {copied:.2f} s | {_rate(size, copied)} | "
        f"1/{imported / copied:.1f} |"
    )
    if result["memory"]:
        out("")
        out("| rows | traced peak during the import | peak RSS growth |")
        out("|---:|---:|---:|")
        for rows, (peak, rss) in result["memory"].items():
            out(f"| {rows:,} | {peak / 1e6:.1f} MB | {rss / 1e6:.1f} MB |")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument(
        "--memory",
        default="",
        help="comma-separated sizes to import under tracemalloc, e.g. 10000,100000",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        help="imports and COPYs, interleaved; the fastest of each is compared",
    )
    options = parser.parse_args(argv)
    sizes = tuple(int(n) for n in options.memory.split(",") if n)
    measure(options.size, memory_sizes=sizes, runs=options.runs)


if __name__ == "__main__":
    main()
