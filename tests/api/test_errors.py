"""One error shape for every error: status, code, detail (+ fields for 400, and the
extras of 412 and 429), documented as one component for every error status."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from needs.models import ActionPlan
from tests.factories import NeedFactory

pytestmark = pytest.mark.django_db

SHAPE = {"status", "code", "detail"}
EXTRAS = {"fields", "retry_after", "etag", "current", "current_version", "changes"}


def api(user=None):
    client = APIClient()
    if user:
        client.force_authenticate(user)
    return client


def assert_shape(response, status, code):
    body = response.json()
    assert response.status_code == status
    assert SHAPE <= body.keys() <= SHAPE | EXTRAS, body
    assert (body["status"], body["code"]) == (status, code)
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


def test_every_status_answers_in_the_one_shape(secretariat, viewer, own_review):
    need = NeedFactory(review=own_review)
    plan = ActionPlan.objects.create(state=own_review.state, title="Plan")
    plan_url = f"/api/v1/action-plans/{plan.pk}/"
    assert_shape(api().get("/api/v1/needs/"), 401, "not_authenticated")
    bad_token = APIClient()
    bad_token.credentials(HTTP_AUTHORIZATION="Bearer nope")
    assert_shape(bad_token.get("/api/v1/needs/"), 401, "authentication_failed")
    assert_shape(
        api(viewer).post("/api/v1/donors/", {"name": "x"}), 403, "permission_denied"
    )
    assert_shape(api(secretariat).get("/api/v1/needs/999999/"), 404, "not_found")
    assert_shape(api(secretariat).get("/api/v1/no-such-thing/"), 404, "not_found")
    assert_shape(
        api(secretariat).delete(f"/api/v1/reviews/{own_review.pk}/", HTTP_IF_MATCH="*"),
        409,
        "conflict",
    )
    assert_shape(api(secretariat).patch(plan_url, {}), 428, "precondition_required")
    stale = assert_shape(
        api(secretariat).patch(plan_url, {}, HTTP_IF_MATCH='"x"'),
        412,
        "precondition_failed",
    )
    assert stale["current"]["id"] == plan.pk
    assert stale["etag"].startswith('"')
    assert_shape(
        api(secretariat).post("/api/v1/needs/", "{", content_type="application/json"),
        400,
        "parse_error",
    )
    assert_shape(
        api(secretariat).put(
            f"/api/v1/needs/{need.pk}/", "x", content_type="text/plain"
        ),
        415,
        "unsupported_media_type",
    )
    assert_shape(
        api(secretariat).post(f"/api/v1/needs/{need.pk}/"), 405, "method_not_allowed"
    )


def test_invalid_values_are_under_fields_and_the_whole_under_one_key(
    secretariat, own_review
):
    values = {"review": own_review.pk, "article": 15, "need_type": "other"}
    api(secretariat).post("/api/v1/needs/", values)
    duplicate = assert_shape(
        api(secretariat).post("/api/v1/needs/", values), 400, "invalid"
    )
    assert list(duplicate["fields"]) == ["non_field_errors"]
    assert "__all__" not in str(duplicate)
    nested = assert_shape(
        api(secretariat).post(
            "/api/v1/action-plans/",
            {"state": "OWN", "title": "Plan", "items": [{"rank": "first"}]},
        ),
        400,
        "invalid",
    )
    assert "items.0.rank" in nested["fields"]
    assert all(isinstance(m, str) for texts in nested["fields"].values() for m in texts)


def test_a_throttled_request_says_when_to_come_back(settings):
    # (the counts live in the default cache, which the suite otherwise turns off)
    settings.CACHES = settings.CACHES | {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/hour", "user": None},
    }
    api().get("/api/v1/statistics/")
    body = assert_shape(api().get("/api/v1/statistics/"), 429, "throttled")
    assert body["retry_after"] > 0


def test_the_schema_documents_every_error_with_the_one_component():
    schema = SchemaGenerator().get_schema(public=True)
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == SHAPE
    assert set(error["properties"]) == SHAPE | EXTRAS
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/Error", (path, method, status)
            documented = set(operation["responses"])
            assert {"400", "401", "403", "429"} <= documented, (path, method)
