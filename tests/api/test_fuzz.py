"""Schemathesis against the OpenAPI schema: every operation, as each role.

Zero server errors and zero responses that break the schema. Bounded (a few examples
per operation) so that it finishes in a few minutes; FUZZ_EXAMPLES raises the bound.
It runs on PostgreSQL, the production database, where the 500s it finds live (NUL
bytes, collation); on SQLite it is skipped, to keep CI under its time budget.
The same run from the command line, against a running server, is in the README.
"""

import json
import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from reviews.models import Account
from reviews.services import api_token_create
from tatracker.wsgi import application
from tests.factories import (
    SHARES_REPORT,
    AccountFactory,
    CountryReviewFactory,
    NeedFactory,
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
ROLES = ["anonymous", "focal-point", "viewer", "secretariat"]
# What the API promises: no server error, and every response as the schema says
# (status, content type, headers, body). Who may do what is proven door by door in
# test_api_access.py; domain rules (an id that does not exist is a 400) in the others.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def load_schema():
    """The schema /api/v1/schema/ serves, generated in-process (no database needed),
    with the WSGI application as the server under test."""

    raw = json.loads(json.dumps(SchemaGenerator().get_schema(public=True), default=str))
    loaded = schemathesis.openapi.from_dict(raw)
    loaded.app = application
    loaded.location = "/api/v1/schema/"
    return loaded


schema = load_schema()


@pytest.fixture
def in_process_requests():
    """Requests through the WSGI app must not close the test's database connection
    (Django's own test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(db, in_process_requests):
    """One token per role, and records for them to find."""
    own = CountryReviewFactory(state__code="OWN")
    NeedFactory(review=own)
    NeedFactory(review=CountryReviewFactory(state__code="OTH", shares=SHARES_REPORT))
    users = {
        "focal-point": AccountFactory(
            role=Account.Role.FOCAL_POINT, state=own.state
        ).user,
        "viewer": AccountFactory(role=Account.Role.VIEWER).user,
        "secretariat": AccountFactory(role=Account.Role.SECRETARIAT).user,
    }
    return {role: api_token_create(user=user)[1] for role, user in users.items()}


@pytest.mark.fuzz
@pytest.mark.postgres
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_never_errors_and_keeps_its_schema(case, tokens):
    """Each generated request is sent once as each role."""
    base_headers = dict(case.headers or {})
    for role in ROLES:
        case.headers = dict(base_headers)
        if role != "anonymous":
            case.headers["Authorization"] = f"Bearer {tokens[role]}"
        response = case.call()
        assert response.status_code < 500, (
            role,
            case.method,
            case.path,
            response.text[:500],
        )
        case.validate_response(response, checks=CHECKS)
