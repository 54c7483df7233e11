"""Request bodies are JSON: the schema offers nothing else, the server takes nothing
else."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from needs.models import Donor

pytestmark = pytest.mark.django_db


def test_every_request_body_in_the_schema_is_json_only():
    schema = SchemaGenerator().get_schema(public=True)
    offered = {
        (path, method): set(operation["requestBody"]["content"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    }
    assert offered  # the API has bodies at all
    assert {
        key: types for key, types in offered.items() if types != {"application/json"}
    } == {}


@pytest.mark.parametrize("form_format", ["multipart", "form"])
def test_a_form_body_is_refused_with_415_and_nothing_is_created(
    secretariat, form_format
):
    # Given the secretariat, who may create donors
    client = APIClient()
    client.force_authenticate(secretariat)
    data = {"name": "Form donor", "kind": "ngo"}
    # When it sends the donor as a form instead of JSON
    if form_format == "form":
        response = client.post(
            "/api/v1/donors/",
            "name=Form+donor&kind=ngo",
            content_type="application/x-www-form-urlencoded",
        )
    else:
        response = client.post("/api/v1/donors/", data, format="multipart")
    # Then it is refused as an unsupported media type, and no donor exists
    assert response.status_code == 415
    assert not Donor.objects.filter(name="Form donor").exists()
    # And the same donor as JSON is created
    assert client.post("/api/v1/donors/", data, format="json").status_code == 201
