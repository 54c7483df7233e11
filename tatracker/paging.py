"""Pagination shared by the list pages and the API: counts that do not scan a large
table on every page.

Below `ESTIMATE_FROM` rows a list is counted exactly. Above, on PostgreSQL, the count
is the planner's estimate for the filtered query (EXPLAIN, no rows read: about a
millisecond where `COUNT(*)` of a million needs takes 40 to 50; that the list holds
at least `ESTIMATE_FROM` rows is checked by counting that far), or for a list of the
whole table (no condition) the table's statistics themselves, rounded to two
significant digits and flagged `count_estimated`, so that pages say "about" and the
API's clients know. The last page always knows the exact count (the rows before it,
plus its own) and says it. A page is read with one row more than it shows, so that
"is there a next page" never depends on the estimate.
"""

import json
import math
import time

from django.core.paginator import EmptyPage, Page, PageNotAnInteger
from django.core.paginator import Paginator as DjangoPaginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

# From this many rows (as the planner estimates them) a count is estimated.
ESTIMATE_FROM = 10_000


def planned_rows(queryset: QuerySet) -> int | None:
    """The planner's estimate of the rows `queryset` selects (PostgreSQL), or None."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    plan = queryset.order_by().values("pk").explain(format="json")
    if not plan:  # .none(), `pk__in=[]`: Django sends no statement to plan
        return 0
    return int(json.loads(plan)[0]["Plan"]["Plan Rows"])


def rounded(number: int) -> int:
    """`number` to two significant digits (12 345 → 12 000)."""
    digits = len(str(number))
    return round(number, -(digits - 2)) if digits > 2 else number


def table_rows(queryset: QuerySet) -> int | None:
    """The rows of the queryset's table as PostgreSQL's statistics know them (0 for a
    table never analysed), or None where there is no planner to ask (SQLite). Read
    at most once a TABLE_ROWS_SECONDS per table and process: statistics that
    ANALYZE itself refreshes only now and then, used to choose how to count."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    key = (queryset.db, queryset.model._meta.db_table)
    read_at, rows = _table_rows.get(key, (None, 0))
    now = time.monotonic()
    if read_at is None or now - read_at > TABLE_ROWS_SECONDS:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [key[1]]
            )
            found = cursor.fetchone()
        rows = max(int(found[0]), 0) if found else 0
        _table_rows[key] = (now, rows)
    return rows


TABLE_ROWS_SECONDS = 60
_table_rows: dict[tuple[str, str], tuple[float, int]] = {}


def forget() -> None:
    """Forget the tables' statistics read (tests)."""
    _table_rows.clear()


def rows_up_to(queryset: QuerySet, limit: int) -> int:
    """How many rows `queryset` selects, counting no further than `limit`."""
    return queryset.order_by().values("pk")[:limit].count()


def count_rows(object_list) -> tuple[int, bool]:
    """(count, estimated): exact below ESTIMATE_FROM rows, else the planner's.

    The planner is asked only where the table's statistics say it is large: on a
    table it has not analysed yet it can be far off (on a new installation a dozen
    needs were planned as 100 000). Elsewhere the list is counted, no further than
    ESTIMATE_FROM rows."""
    if not isinstance(object_list, QuerySet):
        return len(object_list), False
    table = table_rows(object_list)
    if table is None:  # no planner to ask (SQLite): count them all
        return object_list.count(), False
    if table >= ESTIMATE_FROM:  # statistics of a large table: the plan is informed
        estimate = table if _whole_table(object_list) else planned_rows(object_list)
        if estimate >= ESTIMATE_FROM:
            return rounded(estimate), True
    counted = rows_up_to(object_list, ESTIMATE_FROM)
    if counted < ESTIMATE_FROM:
        return counted, False
    return rounded(max(planned_rows(object_list), ESTIMATE_FROM)), True


def _whole_table(queryset: QuerySet) -> bool:
    """Whether `queryset` selects every row of its table (no condition, no limit,
    no DISTINCT): its estimate is then the table's statistics, with no plan asked."""
    query = queryset.query
    return not (query.where or query.distinct or query.is_sliced or query.combinator)


class EstimatedPage(Page):
    """A page of a list whose count is estimated: whether a next page exists comes
    from the extra row read, not from the count."""

    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1


class Paginator(DjangoPaginator):
    """Django's paginator, counting as `count_rows` does (`count_estimated` says
    whether `count` is an estimate; `num_pages` follows it)."""

    count_estimated = False

    def __init__(self, object_list, per_page, *args, count_from=None, **kwargs):
        """`count_from`: the list to count, when `object_list` reads its rows in
        another shape (`.values()`)."""
        super().__init__(object_list, per_page, *args, **kwargs)
        self.count_from = object_list if count_from is None else count_from

    @cached_property
    def count(self) -> int:
        count, self.count_estimated = count_rows(self.count_from)
        return count

    def _set_exact_count(self, count: int) -> None:
        self.count, self.count_estimated = count, False
        self.__dict__.pop("num_pages", None)

    def validate_number(self, number) -> int:
        try:
            return super().validate_number(number)
        except EmptyPage:
            # Past the estimated last page is not yet past the last page.
            if self.count_estimated and int(number) > 1:
                return int(number)
            raise

    def page(self, number) -> Page:
        number = self.validate_number(number)
        if not self.count_estimated:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        more = len(rows) > self.per_page
        if not more:  # the last page: now the count is known
            self._set_exact_count(bottom + len(rows))
        return EstimatedPage(rows[: self.per_page], number, self, more=more)

    def get_page(self, number) -> Page:
        """The page; a number that is not one gives the first, one past the end the
        last (counted exactly to find it)."""
        try:
            number = self.validate_number(number)
        except PageNotAnInteger:
            number = 1
        except EmptyPage:
            number = self.num_pages
        try:
            return self.page(number)
        except EmptyPage:
            self._set_exact_count(self.count_from.count())
            return self.page(max(1, math.ceil(self.count / self.per_page)))


def paginate(request, queryset, per_page: int = 25, count_from=None) -> Page:
    """The requested page; a number out of range or malformed gives the last/first.
    `count_from`: the list to count, when `queryset` reads its rows as values."""
    paginator = Paginator(queryset, per_page, count_from=count_from)
    return paginator.get_page(request.GET.get("page"))
