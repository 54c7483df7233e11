"""What every signed-in request costs before its view's own work: the user comes
with their account in one query, and a list asked without filters builds no
FilterSet (its form, fields and choice lists)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from needs import filtersets
from reviews.services import api_token_create
from tests.factories import NeedFactory


def read(client, url, data=None) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_the_account_is_read_with_the_user(user_client):
    statements = read(user_client, "/api/v1/need-types/")
    users = [sql for sql in statements if 'FROM "auth_user"' in sql]
    assert len(users) == 1
    assert '"reviews_account"' in users[0]
    assert not any('FROM "reviews_account"' in sql for sql in statements)


def test_a_token_request_reads_the_account_with_its_token(client, secretariat):
    _, key = api_token_create(user=secretariat, name="integration")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    statements = read(client, "/api/v1/need-types/")
    tokens = [sql for sql in statements if 'FROM "reviews_apitoken"' in sql]
    assert len(tokens) == 1
    assert '"reviews_account"' in tokens[0]
    assert not any('FROM "reviews_account"' in sql for sql in statements)


def test_a_list_without_filters_builds_no_filterset(user_client, monkeypatch):
    need = NeedFactory()
    built = []
    original = filtersets.NeedFilterSet.__init__

    def counting(self, *args, **kwargs):
        built.append(args)
        original(self, *args, **kwargs)

    monkeypatch.setattr(filtersets.NeedFilterSet, "__init__", counting)
    everything = user_client.get("/api/v1/needs/").json()
    assert built == []
    assert [row["id"] for row in everything["results"]] == [need.pk]
    # with a filter, the FilterSet filters as before
    other = NeedFactory(coverage="met-fully")
    filtered = user_client.get("/api/v1/needs/", {"coverage": "met-fully"}).json()
    assert len(built) == 1
    assert [row["id"] for row in filtered["results"]] == [other.pk]
