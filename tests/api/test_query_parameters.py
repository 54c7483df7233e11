"""Query parameters, strictly: unknown, empty or malformed ones are 400 naming the
parameter; pages past the last are 404; NUL is refused before any query."""

import re

import pytest
from django.urls import resolve, reverse
from rest_framework.test import APIClient

from tatracker.api_urls import router
from tatracker.filters import OrderingFilter
from tests.factories import NeedFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(secretariat):
    api = APIClient()
    api.force_authenticate(secretariat)
    return api


@pytest.mark.parametrize(
    ("url", "query", "named"),
    [
        ("/api/v1/needs/", {"page_size": "-1"}, "page_size"),
        ("/api/v1/needs/", {"page_size": "501"}, "page_size"),
        ("/api/v1/needs/", {"page_size": "ten"}, "page_size"),
        ("/api/v1/needs/", {"page": "abc"}, "page"),
        ("/api/v1/needs/", {"page": "0"}, "page"),
        ("/api/v1/needs/", {"page": "last"}, "page"),
        ("/api/v1/needs/", {"ordering": "bogus"}, "ordering"),
        ("/api/v1/needs/", {"ordering": "id,-nothing"}, "ordering"),
        ("/api/v1/needs/", {"colour": "red"}, "colour"),
        ("/api/v1/needs/", {"updated_after": ""}, "updated_after"),
        ("/api/v1/needs/", {"updated_after": "yesterday"}, "updated_after"),
        ("/api/v1/needs/", {"state": ""}, "state"),
        ("/api/v1/tokens/", {"search": "x"}, "search"),
        ("/api/v1/tokens/", {"ordering": "name"}, "ordering"),
        ("/api/v1/statistics/", {"as_of": ""}, "as_of"),
        ("/api/v1/statistics/", {"colour": "red"}, "colour"),
        ("/api/v1/donor-mapping/", {"by": "colour"}, "by"),
        ("/api/v1/donor-mapping/", {"colour": "red"}, "colour"),
        ("/api/v1/unmet-needs/", {"colour": "red"}, "colour"),
    ],
)
def test_a_bad_parameter_is_400_naming_it(client, url, query, named):
    response = client.get(url, query)
    assert response.status_code == 400, response.json()
    assert list(response.json()["fields"]) == [named]


def test_a_bad_parameter_of_one_record_is_400_too(client):
    need = NeedFactory()
    response = client.get(f"/api/v1/needs/{need.pk}/", {"colour": "red"})
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["colour"]


def test_good_parameters_still_work(client):
    first, second = NeedFactory(), NeedFactory()
    ordered = client.get("/api/v1/needs/", {"ordering": "-id", "page_size": "1"})
    assert ordered.status_code == 200
    assert [n["id"] for n in ordered.json()["results"]] == [second.pk]
    both = client.get("/api/v1/needs/", {"ordering": "article__number,-id"})
    assert both.status_code == 200
    assert client.get("/api/v1/needs/", {"format": "json"}).status_code == 200
    assert {n["id"] for n in both.json()["results"]} == {first.pk, second.pk}


def test_a_page_past_the_last_is_404(client):
    NeedFactory()
    response = client.get("/api/v1/needs/", {"page": "2"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.postgres
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/states/AF%0001/",
        "/api/v1/need-types/x%00y/",
        "/api/v1/needs/KEN%00/15/other/",
        "/api/v1/needs/?search=a%00b",
        "/api/v1/states/?search=a%00b",
        "/api/v1/needs/?state=A%00",
    ],
)
def test_nul_in_a_code_or_search_is_refused_not_a_server_error(client, path):
    response = client.get(path)
    assert response.status_code in {400, 404}
    assert response.json()["status"] == response.status_code


LISTS = [basename for _, _, basename in router.registry]


@pytest.mark.parametrize("basename", LISTS)
def test_the_browsable_api_offers_exactly_the_orderings_taken(
    client, basename, secretariat
):
    # given a list of the API, as the browsable API shows it
    client.force_login(secretariat)
    url = reverse(f"api:{basename}-list")
    page = client.get(url, {"format": "api"}, HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    offered = set(re.findall(r"[?&;]ordering=([-\w]+)", page.content.decode()))

    # then its filters offer exactly the orderings the list takes
    view = resolve(url).func.cls
    assert offered == set(OrderingFilter().choices(view))
    # and each one offered works
    for ordering in offered:
        assert client.get(url, {"ordering": ordering}).status_code == 200, ordering
