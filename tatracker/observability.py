"""What an operator sees of a running tatracker: request ids, one log line per
request, Prometheus metrics.

* Every request has an id: the load balancer's `X-Request-ID` when it sends a sane
  one, else a new one; it is answered in the same header and carried by every log
  record written while the request runs (`RequestIdFilter`).
* One log line per request (logger `tatracker.request`): request id, method, path,
  view, status, duration, database queries and the user's id, never a name, a
  password or a token. In production the lines are JSON (settings.LOGGING).
* Metrics (prometheus_client): requests and their latency by view, database
  queries by view, and the statistics cache's hits and misses (`STATISTICS_CACHE`,
  counted by whoever reads that cache).
"""

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack

from django.db import connections
from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
UNRESOLVED = "<unresolved>"  # 404s: no path in a label, so no label per address

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar(
    "request_id", default="-"
)
logger = logging.getLogger("tatracker.request")

REQUESTS = Counter(
    "tatracker_requests",
    "Requests answered, by view, method and status.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "tatracker_request_duration_seconds",
    "Time to answer a request, by view.",
    ["view", "method"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
QUERIES = Counter(
    "tatracker_database_queries",
    "Database queries run while answering requests, by view.",
    ["view"],
)
STATISTICS_CACHE = Counter(
    "tatracker_statistics_cache",
    "Lookups in the statistics cache, by result (hit or miss).",
    ["result"],
)


class RequestIdFilter(logging.Filter):
    """Gives every log record the id of the request being answered ("-" outside)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def request_id_of(request: HttpRequest) -> str:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    return offered if SANE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex


class RequestMiddleware:
    """First in MIDDLEWARE: the request id, the request's log line and metrics."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = request_id_of(request)
        token = request_id_var.set(request.request_id)
        queries = _QueryCounter()
        started = time.perf_counter()
        try:
            with ExitStack() as stack:
                for connection in connections.all():
                    stack.enter_context(connection.execute_wrapper(queries))
                response = self.get_response(request)
            duration = time.perf_counter() - started
            response[REQUEST_ID_HEADER] = request.request_id
            self._record(request, response, duration, queries.count)
            return response
        finally:
            request_id_var.reset(token)

    @staticmethod
    def _record(request, response, duration: float, queries: int) -> None:
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None else UNRESOLVED
        REQUESTS.labels(view, request.method, str(response.status_code)).inc()
        LATENCY.labels(view, request.method).observe(duration)
        QUERIES.labels(view).inc(queries)
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request.request_id,
                "method": request.method,
                "path": request.path,
                "view": view,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 1),
                "queries": queries,
                "user_id": user_id,
            },
        )
