"""The statistics' SQL: every number of the document from one statement.

The scope is stated once: the reviews in scope (`rv`: review, State, regional group),
then the needs in scope (`scoped`: State, group, article, type as ids, coverage as a
small integer). Every figure of the document sums or counts the rows of a few small
results (`Counts`), keyed by ids; `statistics.py` maps the ids to the reference rows
(`reference_rows`, one query) and assembles the document. No need row reaches Python.

Two shapes of the same statement, chosen by `connection.vendor`:

- PostgreSQL (`_postgresql_counts`): the scoped needs are read once, in one GROUPING
  SETS pass that counts the needs per (article, type, coverage, group) and folds them
  per (State, article), carrying the types that State has there as a bit mask
  (`bit_or`). The folds are folded again per (State, chapter) and per State. States
  per article, article and type, chapter, chapter and group, type and group, and the
  histograms of needs per State, are counted from those few hundred thousand rows at a
  million needs: no COUNT(DISTINCT), and the needs sorted at most once (for the fold).
  At a million needs that measured 2.2 to 3.8 times faster than GROUPING SETS with
  COUNT(DISTINCT), which sorts per distinct count (bench/RESULTS.md). The reviews are
  joined inline (hash joins; a materialized `rv` led the planner to a merge join over
  an index scan of the needs).
- Portable (`_portable_counts`: SQLite, and PostgreSQL when asked): GROUP BY and
  COUNT(DISTINCT) per result over the materialized scope, joined with UNION ALL.
  The suite checks on PostgreSQL that both give identical documents.

Filters become conditions on ids (from the reference rows), served by the
indexes on counted needs by article, type and coverage (`Need.Meta.indexes`); "as of"
reads each need's last historical row by the cut-off (DISTINCT ON on PostgreSQL).
PostgreSQL runs the statement without JIT and with 64 MB of work memory, set for its
transaction only (`POSTGRESQL_SETTINGS`).
"""

# The statement is assembled from constant fragments, table names from the models and
# numbers (bit positions, counts of placeholders); every value is a parameter.
# ruff: noqa: S608

import datetime
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from needs.models import Need, NeedType
from reviews.models import (
    Article,
    Chapter,
    CountryReview,
    RegionalGroup,
    ReviewCycle,
    StateParty,
)

COVERAGE = [choice.value for choice in Need.Coverage]
# A bigint holds 63 type bits; beyond that the portable statement is used.
MAX_TYPE_BITS = 63
# For the one statement: no JIT compilation (it costs about a second at a million
# needs and gains nothing here), and memory for its hash tables without spilling.
POSTGRESQL_SETTINGS = {"jit": "off", "work_mem": "64MB"}


@dataclass
class Counts:
    """The seven results every figure is summed from (ids; None is "no group")."""

    # Needs: (article, type, needs), (article, coverage, needs), (type, coverage,
    # needs), (group, coverage, needs); every needs count sums one of them.
    article_types: list = field(default_factory=list)
    article_coverage: list = field(default_factory=list)
    type_coverage: list = field(default_factory=list)
    group_coverage: list = field(default_factory=list)
    article_states: list = field(default_factory=list)  # (article, needs, States)
    article_type_states: list = field(default_factory=list)  # (article, type, States)
    # (chapter, group, needs, States)
    chapter_states: list = field(default_factory=list)
    type_states: list = field(default_factory=list)  # (type, States)
    group_states: list = field(default_factory=list)  # (group, States)
    reviewed: list = field(default_factory=list)  # (group, States, reviews, completed)


@dataclass(frozen=True)
class Scope:
    """A statistics filter as ids (None: no restriction; an unknown value is a
    restriction that nothing matches)."""

    cycle: int | None = None  # cycle number
    review_year: int | None = None
    regional_group: int | None = None
    articles: tuple[int, ...] | None = None  # article ids (chapter or article filter)
    need_type: int | None = None
    coverage: str | None = None
    as_of: datetime.date | None = None
    restricted: frozenset = frozenset()  # names of the filters that are set


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _reviews_sql(scope: Scope, params: list) -> str:
    """The reviews in scope, with their State and regional group."""
    conditions = ["1 = 1"]
    if "cycle" in scope.restricted:
        conditions.append(
            f"r.cycle_id IN (SELECT id FROM {_table(ReviewCycle)} WHERE number = %s)"
        )
        params.append(scope.cycle)
    if "review_year" in scope.restricted:
        conditions.append("r.cycle_year = %s")
        params.append(scope.review_year)
    if "regional_group" in scope.restricted:
        conditions.append("st.regional_group_id = %s")
        params.append(scope.regional_group)
    if scope.as_of is not None:
        conditions.append("r.status = %s AND r.completed_on <= %s")
        params += [CountryReview.Status.COMPLETED, scope.as_of]
    return (
        "SELECT r.id, r.state_id AS s, st.regional_group_id AS g, r.status "
        f"FROM {_table(CountryReview)} r "
        f"JOIN {_table(StateParty)} st ON st.id = r.state_id "
        f"WHERE {' AND '.join(conditions)}"
    )


def _cutoff(day: datetime.date) -> datetime.datetime:
    """The end of `day`: the first instant of the next."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    )


def _needs_source(scope: Scope, *, postgresql: bool) -> tuple[str, list, list]:
    """(FROM item, its parameters, conditions with theirs) for the needs counted:
    accepted now, or each need's last historical row by the end of `as_of`, if it
    then existed and was accepted."""
    if scope.as_of is None:
        return f"{_table(Need)} n", [], [("n.accepted_at IS NOT NULL", [])]
    history = _table(Need.history.model)
    cutoff = _cutoff(scope.as_of)
    counted = [
        ("n.history_type <> '-'", []),
        ("n.accepted_at < %s", [cutoff]),
    ]
    if postgresql:
        source = (
            "(SELECT DISTINCT ON (h.id) h.review_id, h.article_id, h.need_type_id, "
            "h.coverage, h.accepted_at, h.history_type "
            f"FROM {history} h WHERE h.history_date < %s "
            "ORDER BY h.id, h.history_id DESC) n"
        )
        return source, [cutoff], counted
    last = (
        f"n.history_id IN (SELECT max(h.history_id) FROM {history} h "
        "WHERE h.history_date < %s GROUP BY h.id)"
    )
    return f"{history} n", [], [(last, [cutoff]), *counted]


def _scope_sql(scope: Scope, *, postgresql: bool, type_bits: dict | None) -> tuple:
    """The WITH clause shared by both shapes: `rv` and `scoped`."""
    params: list = []
    reviews = _reviews_sql(scope, params)
    coverage = " ".join(f"WHEN %s THEN {index}" for index in range(len(COVERAGE)))
    params += COVERAGE
    bits = ""
    if type_bits == {}:  # no need type yet (a fresh database): CASE needs a WHEN
        bits = ", 0 AS tb"
    elif type_bits is not None:
        bits = ", CASE n.need_type_id " + " ".join(
            f"WHEN %s THEN {1 << bit}" for bit in type_bits.values()
        )
        bits += " END AS tb"
        params += list(type_bits)
    source, source_params, conditions = _needs_source(scope, postgresql=postgresql)
    params += source_params
    if scope.articles is not None:
        marks = ", ".join(["%s"] * len(scope.articles)) or "NULL"
        conditions.append((f"n.article_id IN ({marks})", list(scope.articles)))
    if "need_type" in scope.restricted:
        conditions.append(("n.need_type_id = %s", [scope.need_type]))
    if "coverage" in scope.restricted:
        conditions.append(("n.coverage = %s", [scope.coverage]))
    for _, values in conditions:
        params += values
    where = " AND ".join(condition for condition, _ in conditions)
    # PostgreSQL reads the scope once, in one aggregate: no need to materialize it.
    materialized = "NOT MATERIALIZED" if postgresql else "MATERIALIZED"
    sql = (
        f"WITH rv AS NOT MATERIALIZED ({reviews}), "
        f"scoped AS {materialized} (SELECT rv.s, rv.g, n.article_id AS a, "
        f"n.need_type_id AS t, CASE n.coverage {coverage} END AS v{bits} "
        f"FROM {source} JOIN rv ON rv.id = n.review_id WHERE {where})"
    )
    return sql, params


# Every result row: (kind, a, t, v, g, c, n, x, y, z); unused keys are NULL.
def _row(kind: int | str, columns: dict[str, str]) -> str:
    names = ["a", "t", "v", "g", "c", "n", "x", "y", "z"]
    values = [columns.get(name, "CAST(NULL AS BIGINT)") for name in names]
    return f"SELECT {kind}, {', '.join(values)}"


# The needs counts: kind 100 + GROUPING(a, t, v, g) of each of the four groupings.
NEEDS_GROUPINGS = {
    103: ("a", "t"),
    105: ("a", "v"),
    109: ("t", "v"),
    112: ("g", "v"),
}


def _needs_counts(source: str, count: str, *, grouping_sets: bool) -> str:
    """The four groupings of the needs counts, from `source` (the scoped needs, or
    cells already counted): one GROUPING SETS, or UNION ALL of four GROUP BYs."""
    if grouping_sets:
        sets = ", ".join(f"({', '.join(keys)})" for keys in NEEDS_GROUPINGS.values())
        return (
            _row(
                "100 + GROUPING(a, t, v, g)",
                {"a": "a", "t": "t", "v": "v", "g": "g", "x": count},
            )
            + f" FROM {source} GROUP BY GROUPING SETS ({sets})"
        )
    return " UNION ALL ".join(
        _row(kind, {key: key for key in keys} | {"x": count})
        + f" FROM {source} GROUP BY {', '.join(keys)}"
        for kind, keys in NEEDS_GROUPINGS.items()
    )


REVIEWED = _row(
    7,
    {
        "g": "g",
        "x": "count(DISTINCT s)",
        "y": "count(*)",
        "z": "count(*) FILTER (WHERE status = %s)",
    },
)
REVIEWED += " FROM rv GROUP BY g"


def _portable_counts() -> str:
    article = _table(Article)
    return " UNION ALL ".join(
        [
            _needs_counts("scoped", "count(*)", grouping_sets=False),
            _row(2, {"a": "a", "n": "n", "x": "count(*)"})
            + " FROM (SELECT a, s, count(*) AS n FROM scoped GROUP BY a, s) sa"
            " GROUP BY a, n",
            _row(3, {"a": "a", "t": "t", "x": "count(DISTINCT s)"})
            + " FROM scoped GROUP BY a, t",
            _row(4, {"c": "c", "g": "g", "n": "n", "x": "count(*)"})
            + " FROM (SELECT ar.chapter_id AS c, scoped.g, scoped.s, count(*) AS n "
            f"FROM scoped JOIN {article} ar ON ar.id = scoped.a "
            "GROUP BY ar.chapter_id, scoped.g, scoped.s) sc GROUP BY c, g, n",
            _row(5, {"t": "t", "x": "count(DISTINCT s)"}) + " FROM scoped GROUP BY t",
            _row(6, {"g": "g", "x": "count(DISTINCT s)"}) + " FROM scoped GROUP BY g",
            REVIEWED,
        ]
    )


def _bit_counts(size: int) -> str:
    """ARRAY[States with type bit 0, …, bit size-1] over the folded rows."""
    return ", ".join(f"sum((types >> {bit}) & 1)" for bit in range(size))


def _postgresql_counts(size: int) -> str:
    article = _table(Article)
    # ARRAY[] has no type of its own: with no need type yet (a fresh database), say it.
    counts = f"ARRAY[{_bit_counts(size)}]" if size else "CAST(ARRAY[] AS BIGINT[])"
    return (
        # One pass over the scope: the cells, and the fold per (State, article).
        ", folded AS MATERIALIZED (SELECT GROUPING(s) AS k, s, g, a, t, v, "
        "count(*) AS n, bit_or(tb) AS types FROM scoped "
        "GROUP BY GROUPING SETS ((a, t, v, g), (s, g, a))), "
        "sa AS NOT MATERIALIZED (SELECT s, g, a, n, types FROM folded WHERE k = 0), "
        "sc AS MATERIALIZED (SELECT sa.s, sa.g, ar.chapter_id AS c, "
        "sum(sa.n)::bigint AS n, bit_or(sa.types) AS types "
        f"FROM sa JOIN {article} ar ON ar.id = sa.a "
        "GROUP BY sa.s, sa.g, ar.chapter_id), "
        "ss AS MATERIALIZED (SELECT s, g, bit_or(types) AS types FROM sc "
        "GROUP BY s, g) "
        + " UNION ALL ".join(
            [
                _needs_counts(
                    "folded WHERE k = 1", "sum(n)::bigint", grouping_sets=True
                ),
                _row(2, {"a": "a", "n": "n", "x": "count(*)"})
                + " FROM sa GROUP BY a, n",
                _row(3, {"a": "z.a", "t": "b.bit - 1", "x": "b.states"})
                + f" FROM (SELECT a, {counts} AS counts FROM sa GROUP BY a) z, "
                "unnest(z.counts) WITH ORDINALITY b(states, bit) WHERE b.states > 0",
                _row(4, {"c": "c", "g": "g", "n": "n", "x": "count(*)"})
                + " FROM sc GROUP BY c, g, n",
                _row(5, {"t": "b.bit - 1", "x": "b.states"})
                + f" FROM (SELECT {counts} AS counts FROM ss) z, "
                "unnest(z.counts) WITH ORDINALITY b(states, bit) WHERE b.states > 0",
                _row(6, {"g": "g", "x": "count(*)"}) + " FROM ss GROUP BY g",
                REVIEWED,
            ]
        )
    )


def _reference_sql() -> str:
    chapter, article = _table(Chapter), _table(Article)
    parts = [
        "SELECT 'chapter', c.id, c.number, NULL, c.ordinal, c.title, '', '', NULL "
        f"FROM {chapter} c",
        "SELECT 'article', a.id, NULL, a.number, row_number() OVER "
        "(ORDER BY c.ordinal, a.section, a.number), a.title, a.section, "
        f"a.subsection, a.chapter_id FROM {article} a "
        f"JOIN {chapter} c ON c.id = a.chapter_id",
        "SELECT 'type', t.id, t.slug, NULL, t.display_order, '', '', '', NULL "
        f"FROM {_table(NeedType)} t",
        "SELECT 'group', g.id, g.slug, NULL, row_number() OVER "
        "(ORDER BY g.display_order, g.name), '', '', '', NULL "
        f"FROM {_table(RegionalGroup)} g",
    ]
    return " UNION ALL ".join(parts) + " ORDER BY 1, 2"


def reference_rows() -> list[tuple]:
    """Chapters, articles, need types and regional groups in one query:
    (kind, id, key, number, order, title, section, subsection, chapter id). The order
    is the database's (its collation sorts the articles' sections, as the ORM's
    `in_note_order` does)."""
    with connection.cursor() as cursor:
        cursor.execute(_reference_sql())
        return cursor.fetchall()


def one_round_trip(*, portable: bool = False) -> bool:
    """Whether the reference rows, the settings and the statement can go in one
    round trip: PostgreSQL's shape, parameters bound client-side (Django's default
    with psycopg, which then sends them as one simple query)."""
    return (
        connection.vendor == "postgresql"
        and not portable
        and not connection.settings_dict["OPTIONS"].get("server_side_binding")
    )


def statement(
    scope: Scope, type_ids: list[int], *, portable: bool = False
) -> tuple[str, list, bool]:
    """(SQL, parameters, whether it is the PostgreSQL shape) for `scope`; `type_ids`
    are every need type's id, in the order of their bits."""
    postgresql = connection.vendor == "postgresql" and not portable
    if len(type_ids) > MAX_TYPE_BITS:
        postgresql = False
    type_bits = {pk: bit for bit, pk in enumerate(type_ids)} if postgresql else None
    sql, params = _scope_sql(scope, postgresql=postgresql, type_bits=type_bits)
    if postgresql:
        sql += _postgresql_counts(len(type_ids))
    else:
        sql += " " + _portable_counts()
    params.append(CountryReview.Status.COMPLETED)
    return sql, params, postgresql


def _settings() -> tuple[str, list]:
    """PostgreSQL: the statement's settings, for its transaction only."""
    calls = ", ".join("set_config(%s, %s, true)" for _ in POSTGRESQL_SETTINGS)
    values = [value for item in POSTGRESQL_SETTINGS.items() for value in item]
    return f"SELECT {calls}", values


def apply_settings(cursor) -> None:
    """The settings, for the open transaction (EXPLAIN in the bench)."""
    cursor.execute(*_settings())


def counts(
    scope: Scope, type_ids: list[int], *, portable: bool = False, reference=False
) -> tuple[Counts, list | None]:
    """Run the statement for `scope`; `type_ids` are every need type's id. With
    `reference` (see `one_round_trip`), the reference rows are read in the same
    round trip, and returned to be compared with those the ids came from.

    On PostgreSQL the settings and the statement go in one round trip: Django's
    psycopg cursor binds parameters client-side and sends both as one simple query,
    which PostgreSQL runs as one transaction (so SET LOCAL holds for the statement).
    With server-side binding (one statement per call), a transaction holds both."""
    sql, params, postgresql = statement(scope, type_ids, portable=portable)
    if not reference:
        rows = run(sql, params, settings=postgresql)
        return _sorted(rows, type_ids if postgresql else None), None
    prefix, values = _settings()
    with connection.cursor() as cursor:
        cursor.execute(f"{_reference_sql()}; {prefix}; {sql}", values + params)
        fresh = cursor.fetchall()
        cursor.nextset()
        cursor.nextset()
        return _sorted(cursor.fetchall(), type_ids), fresh


def run(sql: str, params: list, *, settings: bool) -> list:
    """The rows of `sql`, under POSTGRESQL_SETTINGS if `settings` (for its own
    transaction; inside a transaction already open, until that one ends)."""
    server_side = connection.settings_dict["OPTIONS"].get("server_side_binding")
    with connection.cursor() as cursor:
        if not settings:
            cursor.execute(sql, params)
            return cursor.fetchall()
        if not server_side:
            prefix, values = _settings()
            cursor.execute(f"{prefix}; {sql}", values + params)
            cursor.nextset()
            return cursor.fetchall()
        with transaction.atomic():
            apply_settings(cursor)
            cursor.execute(sql, params)
            return cursor.fetchall()


def _sorted(rows, type_ids: list[int] | None) -> Counts:
    """Each row to its result; the PostgreSQL shape gives types as bit numbers."""
    result = Counts()
    for kind, a, t, v, g, c, n, x, y, z in rows:
        if type_ids is not None and kind in (3, 5):
            t = type_ids[t]
        if kind == 103:
            result.article_types.append((a, t, x))
        elif kind == 105:
            result.article_coverage.append((a, v, x))
        elif kind == 109:
            result.type_coverage.append((t, v, x))
        elif kind == 112:
            result.group_coverage.append((g, v, x))
        elif kind == 2:
            result.article_states.append((a, n, x))
        elif kind == 3:
            result.article_type_states.append((a, t, x))
        elif kind == 4:
            result.chapter_states.append((c, g, n, x))
        elif kind == 5:
            result.type_states.append((t, x))
        elif kind == 6:
            result.group_states.append((g, x))
        else:
            result.reviewed.append((g, x, y, z))
    return result
