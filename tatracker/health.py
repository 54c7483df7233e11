"""For load balancers and monitoring: liveness, readiness, Prometheus metrics.

* `/health/`: the process answers (200, always).
* `/ready/`: the database answers, every migration is applied, the cache answers:
  200 "ok", else 503 "not ok". No authentication and no details, but for the
  secretariat (having given its second factor), who see each check.
* `/metrics`: Prometheus text, for a scraper that sends `Authorization: Bearer
  <METRICS_TOKEN>`, or for the secretariat in the browser; 403 for anybody else.
  Under gunicorn, set PROMETHEUS_MULTIPROC_DIR (an empty directory at each start)
  so that every worker's counts are added up.
"""

import os
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)

from reviews.mfa import second_factor_owed
from reviews.permissions import is_secretariat

OK, NOT_OK = "ok", "not ok"
_migrated = False  # once all are applied, they stay applied for this process


@login_not_required
@never_cache
def health(request):
    return JsonResponse({"status": OK})


@login_not_required
@never_cache
def ready(request):
    checks = {
        "database": _check_database(),
        "migrations": _check_migrations(),
        "cache": _check_cache(),
    }
    ready = all(result == OK for result in checks.values())
    body = {"status": OK if ready else NOT_OK}
    if checks["database"] == OK and _may_see_details(request):
        body["checks"] = checks
    return JsonResponse(body, status=200 if ready else 503)


@login_not_required
@never_cache
def metrics(request):
    if not _may_read_metrics(request):
        return HttpResponse(status=403)
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return f"{NOT_OK}: {type(error).__name__}"
    return OK


def _check_migrations() -> str:
    global _migrated
    if _migrated:
        return OK
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        return f"{NOT_OK}: {type(error).__name__}"
    if plan:
        return f"{NOT_OK}: {len(plan)} to apply"
    _migrated = True
    return OK


def _check_cache() -> str:
    if isinstance(caches["default"], DummyCache):
        return OK  # no cache configured (a test set-up): nothing to reach
    key, value = f"tatracker:ready:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=10)
        answered = cache.get(key)
        cache.delete(key)
    except Exception as error:  # any backend's failure means "not ready"
        return f"{NOT_OK}: {type(error).__name__}"
    return OK if answered == value else f"{NOT_OK}: the value did not come back"


def _may_see_details(request) -> bool:
    return is_secretariat(request.user) and not second_factor_owed(request)


def _may_read_metrics(request) -> bool:
    token = settings.METRICS_TOKEN
    offered = request.headers.get("Authorization", "")
    if token and secrets.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        return True
    return _may_see_details(request)
