"""A synthetic data set of any size for the benchmarks: `build(n)` writes n accepted
needs into the current database (reference data loaded, no needs yet).

The needs are copies of the reconstructed 2013 data set (`note_2013.plan()`: 44 States,
873 needs in chapters III and IV): copy k is 44 new States in the same regional groups,
each with a first-cycle review holding the same needs, and, for every other copy, a
second-cycle review with needs in chapters II and V (the 2013 needs moved to those
chapters' articles), so that States have up to two reviews and every chapter has needs.
Completion dates spread over the years (for the "as of" filter); coverage is spread
deterministically (60% not yet addressed, 25% in part, 15% fully); every need has its
historical row dated at its acceptance, and a need whose coverage moved has a second
one dated later, as the services would have written them.

PostgreSQL: needs are streamed with COPY, history rows written by INSERT … SELECT.
SQLite (the test suite's tiny run): the same rows through executemany.
"""

import datetime
import itertools
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from needs.exchange import note_2013
from needs.models import Need, NeedType
from needs.reports.cache import statistics_changed
from reviews.models import (
    Article,
    CountryReview,
    RegionalGroup,
    ReviewCycle,
    StateParty,
    sort_key,
)

BENCH_STATE = "Bench State"  # the names of the States made here begin with it
COVERAGE = ["not-yet-addressed"] * 12 + ["met-in-part"] * 5 + ["met-fully"] * 3
NEED_COLUMNS = [
    "review_id",
    "article_id",
    "need_type_id",
    "description",
    "priority",
    "source",
    "coverage",
    "remaining",
    "coverage_basis",
    "coverage_reason",
    "coverage_set_at",
    "status",
    "accepted_at",
    "withdrawal_requested",
    "version",
    "created_at",
    "updated_at",
]
# Columns a historical row copies from its need (history_* are added).
HISTORY_COLUMNS = [
    "id",
    "review_id",
    "article_id",
    "need_type_id",
    "description",
    "priority",
    "source",
    "coverage",
    "remaining",
    "coverage_basis",
    "coverage_reason",
    "coverage_set_at",
    "coverage_set_by_id",
    "status",
    "accepted_at",
    "withdrawal_requested",
    "version",
    "created_at",
    "updated_at",
]


@dataclass(frozen=True)
class Template:
    """The 2013 plan resolved to ids: States, and each State's (article, type)."""

    states: list  # PlannedState
    needs: dict[str, list[tuple[int, int]]]  # state code -> [(article id, type id)]
    second_cycle: dict[int, int]  # article id (III, IV) -> article id (II, V)
    regions: dict[str, int]
    cycles: dict[int, int]


def template() -> Template:
    states, planned = note_2013.plan()
    articles = {a.number: a for a in Article.objects.select_related("chapter")}
    types = {}
    needs = defaultdict(list)
    for need in planned:
        if need.type_label not in types:
            types[need.type_label] = NeedType.objects.resolve(need.type_label).pk
        needs[need.state_code].append(
            (articles[need.article].pk, types[need.type_label])
        )
    by_chapter = defaultdict(list)
    for article in sorted(articles.values(), key=lambda a: a.number):
        by_chapter[article.chapter.number].append(article.pk)
    second = {}
    for source, target in (("III", "II"), ("IV", "V")):
        for index, pk in enumerate(by_chapter[source]):
            second[pk] = by_chapter[target][index % len(by_chapter[target])]
    return Template(
        states=states,
        needs=dict(needs),
        second_cycle=second,
        regions=dict(RegionalGroup.objects.values_list("slug", "pk")),
        cycles=dict(ReviewCycle.objects.values_list("number", "pk")),
    )


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _plan(template: Template, n: int):
    """Yield (copy, planned State, cycle, [(article, type)]) until n needs."""
    left = n
    for copy in itertools.count(1):
        for state in template.states:
            for cycle in (1, 2) if copy % 2 == 0 else (1,):
                pairs = template.needs.get(state.code, [])
                if cycle == 2:
                    moved = {(template.second_cycle[a], t) for a, t in pairs}
                    pairs = sorted(moved)
                pairs = pairs[:left]
                if not pairs:
                    continue
                yield copy, state, cycle, pairs
                left -= len(pairs)
                if not left:
                    return


@transaction.atomic
def build(n: int, *, out=None) -> dict:
    """Write n accepted needs (and their States, reviews and history); return counts."""
    base = template()
    plan = list(_plan(base, n))
    states, reviews = _states_and_reviews(base, plan, out=out)
    rows = _need_rows(plan, reviews)
    first_id = (Need.objects.order_by("-pk").values_list("pk", flat=True).first()) or 0
    _write(rows)
    _history(first_id)
    statistics_changed()  # written behind the services' backs
    return {
        "needs": Need.objects.count(),
        "states": len(states),
        "reviews": len(reviews),
    }


def _states_and_reviews(base: Template, plan, *, out=None):
    """One State per (copy, planned State), one review per (copy, State, cycle)."""
    states = {}
    serial = StateParty.objects.filter(name__startswith=BENCH_STATE).count()
    for copy, state, _, _ in plan:
        key = (copy, state.code)
        if key not in states:
            code = f"B{serial + len(states) + 1:06d}"
            name = f"{BENCH_STATE} {code} ({state.code})"
            states[key] = StateParty(
                code=code,
                name=name,
                sort_name=sort_key(name),  # bulk_create does not call save()
                regional_group_id=base.regions[state.region],
                reconstructed=True,
            )
    StateParty.objects.bulk_create(states.values(), batch_size=2000)
    reviews = {}
    for copy, state, cycle, _ in plan:
        years = (copy - 1) % 5 if cycle == 1 else 6 + (copy - 1) % 6
        completed = state.completed_on.replace(year=state.completed_on.year + years)
        reviews[(copy, state.code, cycle)] = CountryReview(
            state_id=states[(copy, state.code)].pk,
            cycle_id=base.cycles[cycle],
            cycle_year=state.cycle_year + (2 if cycle == 2 and copy % 4 else 0),
            status=CountryReview.Status.COMPLETED,
            completed_on=completed,
            has_executive_summary=True,
        )
    CountryReview.objects.bulk_create(reviews.values(), batch_size=2000)
    if out:
        out(f"  {len(states)} States, {len(reviews)} reviews")
    return states, reviews


def _need_rows(plan, reviews):
    for copy, state, cycle, pairs in plan:
        review = reviews[(copy, state.code, cycle)]
        accepted = _noon(review.completed_on)
        for index, (article, need_type) in enumerate(pairs):
            coverage = COVERAGE[(copy * 7 + index * 13 + cycle) % len(COVERAGE)]
            moved = coverage != "not-yet-addressed"
            changed = accepted + datetime.timedelta(days=200) if moved else None
            yield (
                review.pk,
                article,
                need_type,
                f"Need {index} of {state.code}, copy {copy}",
                "unset",
                "executive-summary",
                coverage,
                "",
                "derived",
                "",
                changed,
                "accepted",
                accepted,
                False,
                2 if moved else 1,
                accepted,
                changed or accepted,
            )


def _write(rows) -> None:
    columns = ", ".join(NEED_COLUMNS)
    table = Need._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg's cursor: COPY streams the rows
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(NEED_COLUMNS))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        rows = iter(rows)
        while batch := list(itertools.islice(rows, 5000)):
            cursor.executemany(sql, batch)


def _history(first_id: int) -> None:
    """Historical rows as the services write them: '+' at acceptance (coverage not
    yet addressed), and '~' when the coverage moved (dated coverage_set_at)."""
    history = Need.history.model._meta.db_table
    table = Need._meta.db_table
    copied = ", ".join(HISTORY_COLUMNS)
    values = ", ".join(
        {
            "coverage": "'not-yet-addressed'",
            "coverage_set_at": "NULL",
            "version": "1",
            "updated_at": "accepted_at",
        }.get(column, column)
        for column in HISTORY_COLUMNS
    )
    added = ", ".join(["history_date", "history_type"])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {history} ({copied}, {added}) "  # noqa: S608
            f"SELECT {values}, accepted_at, '+' FROM {table} WHERE id > %s ORDER BY id",
            [first_id],
        )
        cursor.execute(
            f"INSERT INTO {history} ({copied}, {added}) "  # noqa: S608
            f"SELECT {copied}, coverage_set_at, '~' FROM {table} "
            "WHERE id > %s AND coverage_set_at IS NOT NULL ORDER BY id",
            [first_id],
        )
