"""CSV of the needs, the unmet needs and the donor mapping, with a token: the same
scope as the JSON, descriptions withheld alike, no login redirect."""

import csv
import io

import pytest
from rest_framework.test import APIClient

from needs.models import Donor
from reviews.models import Article
from reviews.services import api_token_create
from tests.factories import CountryReviewFactory, NeedFactory, make_assistance

pytestmark = pytest.mark.django_db


def with_token(user, **headers):
    client = APIClient(**headers)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user)[1]}")
    return client


def rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    )


@pytest.mark.parametrize("how", ["format", "accept"])
def test_a_token_gets_the_needs_as_csv_in_its_scope(focal_point, own_review, how):
    mine = NeedFactory(review=own_review, description="=HYPERLINK(1)")
    NeedFactory(review=CountryReviewFactory(state__code="ZZZ"))
    if how == "format":
        response = with_token(focal_point).get("/api/v1/needs/", {"format": "csv"})
    else:
        response = with_token(focal_point, HTTP_ACCEPT="text/csv").get("/api/v1/needs/")
    found = rows(response)
    assert [int(row["id"]) for row in found] == [mine.pk]
    assert found[0]["description"] == "'=HYPERLINK(1)"  # not a formula


def test_unmet_needs_as_csv_and_json(focal_point, own_review):
    unmet = NeedFactory(review=own_review)
    addressed = NeedFactory(review=own_review, article=Article.objects.get(number=16))
    project = make_assistance(states=[own_review.state])
    project.links.create(need=addressed, coverage="in-part")
    client = with_token(focal_point)
    listed = client.get("/api/v1/unmet-needs/").json()["results"]
    assert [n["id"] for n in listed] == [unmet.pk]
    assert [
        int(r["id"])
        for r in rows(client.get("/api/v1/unmet-needs/", {"format": "csv"}))
    ] == [unmet.pk]


def test_donor_mapping_as_json_and_csv(secretariat, own_review):
    need = NeedFactory(review=own_review)
    donor = Donor.objects.create(name="Donor A", kind="ngo")
    project = make_assistance(states=[own_review.state], donors=[donor])
    project.links.create(need=need, coverage="in-full")
    client = with_token(secretariat)
    body = client.get("/api/v1/donor-mapping/", {"by": "type"}).json()
    assert body["dimension"] == "type"
    assert body["rows"][0]["donor"] == "Donor A"
    cells = list(body["rows"][0]["cells"].values())
    assert cells == [{"projects": 1, "in_full": 1, "in_part": 0}]
    assert body["rows"][0]["total"] == {"projects": 1, "in_full": 1, "in_part": 0}
    planned = client.get("/api/v1/donor-mapping/", {"by": "type", "status": "planned"})
    assert planned.json()["rows"][0]["total"]["projects"] == 0
    refused = client.get("/api/v1/donor-mapping/", {"status": "maybe"})
    assert refused.status_code == 400
    found = rows(client.get("/api/v1/donor-mapping/", {"by": "type", "format": "csv"}))
    assert found[0]["donor"] == "Donor A"
    assert found[0]["needs addressed in full"] == "1"


@pytest.mark.parametrize(
    "url", ["/api/v1/needs/", "/api/v1/unmet-needs/", "/api/v1/donor-mapping/"]
)
def test_without_credentials_the_csv_is_401_not_a_login_redirect(url):
    response = APIClient().get(url, {"format": "csv"})
    assert response.status_code == 401
    assert "Location" not in response


def test_one_record_is_not_offered_as_csv(secretariat):
    need = NeedFactory()
    client = with_token(secretariat)
    assert client.get(f"/api/v1/needs/{need.pk}/", {"format": "csv"}).status_code == 404
