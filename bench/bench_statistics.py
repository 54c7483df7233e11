"""Benchmark: the statistics document and the list pages, as the data grow.

Run (it uses its own database, never yours):
    DEBUG=1 .venv/bin/python bench/bench_statistics.py                    # SQLite
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/bench_statistics.py                        # PostgreSQL

It loads the 2013 data set (873 needs), then multiplies it (synthetic reviews in the
second cycle's chapters are not used: every copy is a new anonymized State with the
same needs), and reports, for each size, the number of SQL queries and the median
wall time of `compute()`, the API list of needs, and the report page of chapter III.
Results are appended to bench/RESULTS.md by hand after a run.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tatracker.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = "sqlite:///" + str(
        Path(__file__).resolve().parent.parent / "var" / "bench.sqlite3"
    )

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from needs.exchange.services import note_2013_load  # noqa: E402
from needs.models import Need  # noqa: E402
from needs.reports.statistics import compute  # noqa: E402
from reviews.models import Account, CountryReview, StateParty  # noqa: E402


def measure(function, repeat=5):
    times = []
    for _ in range(repeat):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
    return len(captured), statistics.median(times) * 1000


ORIGINAL: list[str] = []


def grow(copies):
    """Add `copies` anonymized copies of the 2013 States with the same needs."""
    template = list(
        Need.objects.filter(review__state__code__in=ORIGINAL).values(
            "review__state__code", "article_id", "need_type_id"
        )
    )
    reviews = {
        r.state.code: r
        for r in CountryReview.objects.select_related("state", "cycle").filter(
            state__reconstructed=True
        )
    }
    serial = StateParty.objects.filter(code__startswith="B").count()
    for _ in range(copies):
        new_reviews = {}
        for code, review in reviews.items():
            serial += 1
            state = StateParty.objects.create(
                code=f"B{serial:06d}",
                name=f"Bench State {serial} ({code})",
                regional_group=review.state.regional_group,
                reconstructed=True,
            )
            new_reviews[code] = CountryReview.objects.create(
                state=state,
                cycle=review.cycle,
                cycle_year=review.cycle_year,
                status=review.status,
                completed_on=review.completed_on,
            )
        Need.objects.bulk_create(
            Need(
                review=new_reviews[row["review__state__code"]],
                article_id=row["article_id"],
                need_type_id=row["need_type_id"],
            )
            for row in template
        )


def main():
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    call_command("load_reference", verbosity=0)
    note_2013_load()
    ORIGINAL.extend(
        StateParty.objects.filter(reconstructed=True).values_list("code", flat=True)
    )
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create(username="bench")
    Account.objects.create(user=user, role=Account.Role.SECRETARIAT)
    client = Client()
    client.force_login(user)
    print(f"database: {connection.vendor}")
    print(
        "| needs | compute(): queries | ms | API /needs/ (50 rows): queries | ms "
        "| /reports/chapters/III/: queries | ms |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    size = 0
    for target in (1, 10, 30):
        grow(target - 1 - size)
        size = target - 1
        q1, t1 = measure(compute)
        q2, t2 = measure(lambda: client.get("/api/v1/needs/"))
        q3, t3 = measure(lambda: client.get("/reports/chapters/III/"))
        cells = [
            Need.objects.count(),
            q1,
            f"{t1:.0f}",
            q2,
            f"{t2:.0f}",
            q3,
            f"{t3:.0f}",
        ]
        print("| " + " | ".join(str(cell) for cell in cells) + " |")


if __name__ == "__main__":
    main()
