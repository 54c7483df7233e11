"""Hand-written PostgreSQL for the statistics document's numbers: what tatracker is
measured against (bench_statistics.py).

`best()` is the fastest statement found for every number of the document (the same
results the engine sums: needs per article, type, coverage and group; States per
article, article and type, chapter and group, type, group, with the histograms of needs
per State; the reviews in scope), written out by hand for this data set (the type ids
are 1 to 9): no ORM, no reference rows read first, no document assembled, just the
rows. It is the shape the engine generates (`needs.reports.queries`), which was chosen
because it measured fastest; the ratio therefore measures what the engine adds.
`grouping_sets()` is the shape the issue describes (one GROUPING SETS pass with
COUNT(DISTINCT) for the States, and the histograms from a second grouping), kept for
comparison.

Both take the filter as ids (what a person writing SQL for one question would type)
and return the rows. Session settings as the engine's: no JIT, 64 MB for sorts and
hashes, local to the transaction.
"""

import datetime

from django.db import connection
from django.utils import timezone

SETTINGS = "SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)"

# The need types' ids are 1 to 9 (load_reference): type id t is bit t - 1.
BEST = """
WITH rv AS NOT MATERIALIZED (
    SELECT r.id, r.state_id AS s, st.regional_group_id AS g, r.status
    FROM reviews_countryreview r JOIN reviews_stateparty st ON st.id = r.state_id
    WHERE {reviews}
),
scoped AS NOT MATERIALIZED (
    SELECT rv.s, rv.g, n.article_id AS a, n.need_type_id AS t,
        CASE n.coverage WHEN 'not-yet-addressed' THEN 0 WHEN 'met-in-part' THEN 1
            WHEN 'met-fully' THEN 2 END AS v,
        1::bigint << (n.need_type_id::int - 1) AS tb
    FROM {needs} JOIN rv ON rv.id = n.review_id
    WHERE {where}
),
folded AS MATERIALIZED (
    SELECT GROUPING(s) AS k, s, g, a, t, v, count(*) AS n, bit_or(tb) AS types
    FROM scoped GROUP BY GROUPING SETS ((a, t, v, g), (s, g, a))
),
sa AS NOT MATERIALIZED (SELECT s, g, a, n, types FROM folded WHERE k = 0),
sc AS MATERIALIZED (
    SELECT sa.s, sa.g, ar.chapter_id AS c, sum(sa.n)::bigint AS n,
        bit_or(sa.types) AS types
    FROM sa JOIN reviews_article ar ON ar.id = sa.a GROUP BY 1, 2, 3
),
ss AS MATERIALIZED (SELECT s, g, bit_or(types) AS types FROM sc GROUP BY s, g)
SELECT 100 + GROUPING(a, t, v, g) AS kind, a, t, v, g, NULL::bigint AS c,
    NULL::bigint AS n, sum(n)::bigint AS x, NULL::bigint AS y, NULL::bigint AS z
FROM folded WHERE k = 1 GROUP BY GROUPING SETS ((a, t), (a, v), (t, v), (g, v))
UNION ALL SELECT 2, a, NULL, NULL, NULL, NULL, n, count(*), NULL, NULL
FROM sa GROUP BY a, n
UNION ALL SELECT 3, z.a, b.t, NULL, NULL, NULL, NULL, b.states, NULL, NULL
FROM (SELECT a, ARRAY[sum(types & 1), sum((types >> 1) & 1), sum((types >> 2) & 1),
        sum((types >> 3) & 1), sum((types >> 4) & 1), sum((types >> 5) & 1),
        sum((types >> 6) & 1), sum((types >> 7) & 1), sum((types >> 8) & 1)] AS counts
    FROM sa GROUP BY a) z,
    unnest(z.counts) WITH ORDINALITY b(states, t)
WHERE b.states > 0
UNION ALL SELECT 4, NULL, NULL, NULL, g, c, n, count(*), NULL, NULL
FROM sc GROUP BY c, g, n
UNION ALL SELECT 5, NULL, b.t, NULL, NULL, NULL, NULL, b.states, NULL, NULL
FROM (SELECT ARRAY[sum(types & 1), sum((types >> 1) & 1), sum((types >> 2) & 1),
        sum((types >> 3) & 1), sum((types >> 4) & 1), sum((types >> 5) & 1),
        sum((types >> 6) & 1), sum((types >> 7) & 1), sum((types >> 8) & 1)] AS counts
    FROM ss) z,
    unnest(z.counts) WITH ORDINALITY b(states, t)
WHERE b.states > 0
UNION ALL SELECT 6, NULL, NULL, NULL, g, NULL, NULL, count(*), NULL, NULL
FROM ss GROUP BY g
UNION ALL SELECT 7, NULL, NULL, NULL, g, NULL, NULL, count(DISTINCT s), count(*),
    count(*) FILTER (WHERE status = 'completed')
FROM rv GROUP BY g
"""

GROUPING_SETS = """
WITH scoped AS MATERIALIZED (
    SELECT r.state_id AS s, st.regional_group_id AS g, ar.chapter_id AS c,
        n.article_id AS a, n.need_type_id AS t, n.coverage AS v
    FROM {needs} JOIN reviews_countryreview r ON r.id = n.review_id
        JOIN reviews_stateparty st ON st.id = r.state_id
        JOIN reviews_article ar ON ar.id = n.article_id
    WHERE {where} AND {reviews}
),
per_state AS (
    SELECT GROUPING(c, a) AS k, c, a, count(*) AS n FROM scoped
    GROUP BY GROUPING SETS ((c, s), (a, s))
)
SELECT GROUPING(c, a, t, g, v) AS k, c, a, t, g, v, count(*) AS needs,
    count(DISTINCT s) AS states, NULL::bigint AS n
FROM scoped
GROUP BY GROUPING SETS ((), (t), (g), (c), (c, g), (c, t), (a), (a, t), (a, v), (c, v),
    (t, v), (g, v))
UNION ALL
SELECT 100 + k, c, a, NULL, NULL, NULL, count(*), NULL, n FROM per_state
GROUP BY k, c, a, n
UNION ALL
SELECT 200, NULL, NULL, NULL, st.regional_group_id, NULL, count(*),
    count(DISTINCT r.state_id), count(*) FILTER (WHERE r.status = 'completed')
FROM reviews_countryreview r JOIN reviews_stateparty st ON st.id = r.state_id
WHERE {reviews} GROUP BY st.regional_group_id
"""


def _conditions(ids: dict) -> tuple[str, str, str, list, list, list]:
    """(reviews, needs source, needs) conditions with their parameters, for a
    filter given as ids: region, articles, need_type, coverage, cycle, year, as_of."""
    reviews, review_params = ["TRUE"], []
    if "region" in ids:
        reviews.append("st.regional_group_id = %s")
        review_params.append(ids["region"])
    if "cycle" in ids:
        reviews.append("r.cycle_id = %s")
        review_params.append(ids["cycle"])
    if "year" in ids:
        reviews.append("r.cycle_year = %s")
        review_params.append(ids["year"])
    where, where_params = [], []
    source, source_params = "needs_need n", []
    if "as_of" in ids:
        cutoff = timezone.make_aware(
            datetime.datetime.combine(
                ids["as_of"] + datetime.timedelta(days=1), datetime.time()
            )
        )
        reviews.append("r.status = 'completed' AND r.completed_on <= %s")
        review_params.append(ids["as_of"])
        source = (
            "(SELECT DISTINCT ON (h.id) h.review_id, h.article_id, h.need_type_id, "
            "h.coverage, h.accepted_at, h.history_type FROM needs_historicalneed h "
            "WHERE h.history_date < %s ORDER BY h.id, h.history_id DESC) n"
        )
        source_params.append(cutoff)
        where += ["n.history_type <> '-'", "n.accepted_at < %s"]
        where_params.append(cutoff)
    else:
        where.append("n.accepted_at IS NOT NULL")
    if "articles" in ids:
        where.append("n.article_id = ANY(%s)")
        where_params.append(list(ids["articles"]))
    if "need_type" in ids:
        where.append("n.need_type_id = %s")
        where_params.append(ids["need_type"])
    if "coverage" in ids:
        where.append("n.coverage = %s")
        where_params.append(ids["coverage"])
    return (
        " AND ".join(reviews),
        source,
        " AND ".join(where),
        review_params,
        source_params,
        where_params,
    )


def _run(sql: str, params: list) -> list:
    """The settings and the statement in one round trip (one simple query: one
    transaction, so SET LOCAL holds)."""
    with connection.cursor() as cursor:
        cursor.execute(f"{SETTINGS}; {sql}", params)
        cursor.nextset()
        return cursor.fetchall()


def best(ids: dict) -> list:
    """The rows of the fastest statement (kind 1: needs per article, type, coverage,
    group; 6: States per group; 7: reviews per group; …)."""
    reviews, source, where, review_params, source_params, where_params = _conditions(
        ids
    )
    sql = BEST.format(reviews=reviews, needs=source, where=where)
    return _run(sql, review_params + source_params + where_params)


def grouping_sets(ids: dict) -> list:
    """The rows of the issue's shape (GROUPING SETS with COUNT(DISTINCT))."""
    reviews, source, where, review_params, source_params, where_params = _conditions(
        ids
    )
    sql = GROUPING_SETS.format(reviews=reviews, needs=source, where=where)
    params = source_params + where_params + review_params + review_params
    return _run(sql, params)


def totals(rows: list, *, shape: str) -> dict:
    """Needs, States with needs and reviews from either shape's rows, to check them
    against the engine's document."""
    if shape == "best":
        return {
            "needs": sum(r[7] for r in rows if r[0] == 103),
            "states_with_needs": sum(r[7] for r in rows if r[0] == 6),
            "reviews": sum(r[8] for r in rows if r[0] == 7),
        }
    overall = next(r for r in rows if r[0] == 31)  # GROUPING(c, a, t, g, v) of ()
    return {
        "needs": overall[6],
        "states_with_needs": overall[7],
        "reviews": sum(r[6] for r in rows if r[0] == 200),
    }
