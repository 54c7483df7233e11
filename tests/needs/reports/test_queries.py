"""The statement behind the statistics: both shapes agree, the queries are bounded
whatever the data and the filters, and the scope is the one the querysets state."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.data import BENCH_STATE, build
from needs.models import Need, NeedType
from needs.reports import queries
from needs.reports.statistics import (
    StatisticsFilter,
    compute_uncached,
    scoped_needs,
)
from reviews.models import Chapter, RegionalGroup, StateParty

pytestmark = pytest.mark.django_db

FILTERS = [
    StatisticsFilter(),
    StatisticsFilter(regional_group="african", chapter="III"),
    StatisticsFilter(article=15),
    StatisticsFilter(need_type="capacity-building"),
    StatisticsFilter(coverage="met-in-part"),
    StatisticsFilter(as_of=datetime.date(2016, 1, 1)),
    StatisticsFilter(cycle=2, review_year=3),
    StatisticsFilter(chapter="V", article=15),  # nothing: article 15 is in III
    StatisticsFilter(regional_group="nowhere"),  # unknown: nothing
]


@pytest.fixture
def data(db):
    """States with one or two reviews (cycles 1 and 2), needs in every chapter,
    coverage spread, history rows dated at acceptance; one State in no group."""
    build(3000)
    state = StateParty.objects.filter(name__startswith=BENCH_STATE).earliest("pk")
    state.regional_group = None
    state.save()


@pytest.mark.postgres
@pytest.mark.parametrize("filters", FILTERS, ids=str)
def test_postgresql_and_portable_statements_give_identical_documents(data, filters):
    assert compute_uncached(filters) == compute_uncached(filters, portable=True)


@pytest.mark.parametrize("filters", FILTERS, ids=str)
def test_the_document_counts_the_needs_the_querysets_select(data, filters):
    document = compute_uncached(filters)
    needs = scoped_needs(filters)
    assert document.needs == needs.count()
    states = needs.values("review__state").distinct()
    assert document.states_with_needs == states.count()
    assert document.needs == sum(c.needs for c in document.chapters.values())


def test_no_group_is_counted_apart(data):
    document = compute_uncached()
    assert document.states_by_region["none"] == 1
    assert sum(document.states_by_region.values()) == document.states_with_needs
    assert len(document.states_reviewed_by_region) == RegionalGroup.objects.count() + 1


@pytest.mark.parametrize("filters", FILTERS, ids=str)
def test_at_most_six_queries_whatever_the_filters_and_the_size(db, filters):
    compute_uncached()  # the process has read the reference rows once
    counted = []
    for size in (200, 1800):  # 200, then 2000 needs
        build(size)
        with CaptureQueriesContext(connection) as captured:
            compute_uncached(filters)
        counted.append(len(captured))
    # PostgreSQL: the reference rows, the statement's settings and the statement in
    # one round trip; SQLite: the reference rows, then the statement.
    assert counted[0] == counted[1] == (1 if queries.one_round_trip() else 2)


@pytest.mark.postgres
def test_the_statement_runs_with_its_settings(db):
    sql = "SELECT current_setting('jit'), current_setting('work_mem'), %s"
    assert queries.run(sql, [7], settings=True) == [("off", "64MB", 7)]


def test_a_change_of_reference_rows_is_seen_by_the_next_document(data):
    # given a document computed (the reference rows read)
    compute_uncached()

    # when a chapter is renamed and a new type of need is counted
    Chapter.objects.filter(number="III").update(title="Renamed in the admin")
    new_type = NeedType.objects.create(
        slug="new-type", name="New type", display_order=99
    )
    need = Need.objects.filter(accepted_at__isnull=False).earliest("pk")
    Need.objects.filter(pk=need.pk).update(need_type=new_type)

    # then the next document has them
    document = compute_uncached()
    assert document.chapters["III"].title == "Renamed in the admin"
    assert document.needs_by_type["new-type"] == 1
    assert document == compute_uncached(portable=True)


@pytest.mark.parametrize("portable", [False, True], ids=["native", "portable"])
def test_a_database_without_need_types_gives_an_empty_document(db, portable):
    # given: a fresh installation, before the reference data are loaded
    NeedType.objects.all().delete()

    # when
    document = compute_uncached(StatisticsFilter(), portable=portable)

    # then: no need is counted, and no statement failed
    assert document.needs == 0
    assert document.states_with_needs == 0
