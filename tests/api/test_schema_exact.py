"""The schema says what the server does: nullability, enums, typed documents,
business rules, and OPTIONS describing each method's own body."""

import dataclasses

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from needs.models import FollowUp
from needs.reports import statistics
from needs.reports.api import (
    ArticleStatisticsSerializer,
    ChapterStatisticsSerializer,
    CoverageStatisticsSerializer,
    StatisticsDocumentSerializer,
)
from needs.services import NEED_TYPES
from reviews.services import REGIONAL_GROUPS
from tests.factories import NeedFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(public=True)


def component(schema, name):
    return schema["components"]["schemas"][name]


def query(schema, path, name):
    parameters = schema["paths"][path]["get"]["parameters"]
    return next(p for p in parameters if p["in"] == "query" and p["name"] == name)


def test_fields_that_may_be_null_are_typed_nullable(schema):
    assert component(schema, "FollowUp")["properties"]["responsible"]["nullable"]
    assert component(schema, "Assistance")["properties"]["notes"]["nullable"]
    need = component(schema, "Need")["properties"]
    assert need["description"]["nullable"]
    assert need["remaining"]["nullable"]
    assert need["proposal"]["nullable"]


def test_a_follow_up_without_a_responsible_reads_null(secretariat, own_review):
    follow_up = FollowUp.objects.create(review=own_review)
    client = APIClient()
    client.force_authenticate(secretariat)
    assert (
        client.get(f"/api/v1/follow-ups/{follow_up.pk}/").json()["responsible"] is None
    )


def test_filters_take_exactly_the_values_the_server_takes(schema):
    assert query(schema, "/api/v1/needs/", "regional_group")["schema"]["enum"] == [
        slug for slug, _ in REGIONAL_GROUPS
    ]
    assert query(schema, "/api/v1/needs/", "need_type")["schema"]["enum"] == [
        slug for slug, *_ in NEED_TYPES
    ]
    assert query(schema, "/api/v1/needs/", "chapter")["schema"]["enum"] == [
        "II",
        "III",
        "IV",
        "V",
    ]
    assert query(schema, "/api/v1/statistics/", "chapter")["schema"]["enum"]
    ordering = query(schema, "/api/v1/needs/", "ordering")
    assert {"id", "-id", "priority", "-priority"} <= set(
        ordering["schema"]["items"]["enum"]
    )
    assert ordering["explode"] is False
    page_size = query(schema, "/api/v1/needs/", "page_size")["schema"]
    assert (page_size["minimum"], page_size["maximum"]) == (1, 500)
    assert query(schema, "/api/v1/needs/", "state")["schema"]["minLength"] == 1
    token_parameters = {
        p["name"] for p in schema["paths"]["/api/v1/tokens/"]["get"]["parameters"]
    }
    assert token_parameters == {"page", "page_size"}


def _names(serializer_class):
    return set(serializer_class().fields)


@pytest.mark.parametrize(
    ("document", "serializer_class"),
    [
        (statistics.StatisticsDocument, StatisticsDocumentSerializer),
        (statistics.ChapterStatistics, ChapterStatisticsSerializer),
        (statistics.ArticleStatistics, ArticleStatisticsSerializer),
        (statistics.CoverageStatistics, CoverageStatisticsSerializer),
    ],
)
def test_the_statistics_document_is_typed_field_for_field(document, serializer_class):
    assert {f.name for f in dataclasses.fields(document)} == _names(serializer_class)


def test_the_statistics_answer_fits_its_type(schema, own_review):
    NeedFactory(review=own_review)
    body = APIClient().get("/api/v1/statistics/", {"chapter": "III"}).json()
    typed = StatisticsDocumentSerializer(data=body)
    assert typed.is_valid(), typed.errors
    response = schema["paths"]["/api/v1/statistics/"]["get"]["responses"]["200"]
    assert response["content"]["application/json"]["schema"]["$ref"].endswith(
        "/StatisticsDocument"
    )


def test_workflow_steps_are_typed_and_return_needs_a_comment(schema):
    for step in ("submit", "accept", "return"):
        operation = schema["paths"][f"/api/v1/reviews/{{id}}/{step}/"]["post"]
        ref = operation["responses"]["201"]["content"]["application/json"]["schema"]
        assert ref["$ref"].endswith("/EntryStep"), step
    returned = schema["paths"]["/api/v1/reviews/{id}/return/"]["post"]
    body = returned["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert component(schema, body.rsplit("/", 1)[1])["required"] == ["comment"]
    assert returned["requestBody"]["required"] is True


def test_business_rules_are_in_the_descriptions(schema):
    assert "bilateral" in component(schema, "Donor")["description"]
    assert "integration_reference" in component(schema, "ActionPlanItem")["description"]
    assert "adopted_on" in component(schema, "ActionPlan")["description"]
    assert "national" in component(schema, "Assistance")["description"].lower()
    assert "next_step" in component(schema, "FollowUp")["description"]
    returned = schema["paths"]["/api/v1/reviews/{id}/return/"]["post"]
    assert "comment" in returned["description"]


def test_options_on_a_need_describes_put_with_the_update_body(secretariat):
    need = NeedFactory()
    client = APIClient()
    client.force_authenticate(secretariat)
    put = client.options(f"/api/v1/needs/{need.pk}/").json()["actions"]["PUT"]
    assert put["review"]["read_only"] is True
    assert put["need_type"]["read_only"] is True
    assert put["version"]["read_only"] is False
    create = client.options("/api/v1/needs/").json()["actions"]["POST"]
    assert create["review"]["read_only"] is False
