"""Report pages, CSV downloads, the draft note, the API and the command agree."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from needs.reports.draft_note import number
from needs.reports.statistics import StatisticsFilter, compute
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def command_output(*args):
    out = io.StringIO()
    call_command("statistics", *args, stdout=out)
    return out.getvalue()


def test_api_and_command_serve_the_same_document(user_client, note_2013):
    # The secretariat may filter by regional group; the operator of the command too.
    api = user_client.get(
        "/api/v1/statistics/", {"regional_group": "asia-pacific"}
    ).json()
    cli = json.loads(
        command_output("--format", "json", "--regional-group", "asia-pacific")
    )
    assert api == cli
    assert api["chapters"]["III"]["states"] == 12


def test_api_and_command_serve_the_same_public_document(client, note_2013):
    api = client.get("/api/v1/statistics/", {"chapter": "IV"}).json()
    cli = json.loads(command_output("--format", "json", "--chapter", "IV"))
    # The same numbers; the public's lacks only the regional breakdowns.
    assert api["needs"] == cli["needs"] == 257
    assert api["chapters"] == {"IV": cli["chapters"]["IV"] | {"states_by_region": {}}}


def test_api_refuses_bad_filters_with_field_messages(user_client, db):
    response = user_client.get(
        "/api/v1/statistics/", {"chapter": "IX", "as_of": "yesterday"}
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"chapter", "as_of"}


def test_command_refuses_bad_filters():
    with pytest.raises(CommandError, match="--article"):
        command_output("--article", "99")


def test_command_csv_writes_every_table(note_2013):
    text = command_output("--format", "csv")
    assert (
        "Table 1: Technical assistance needs under chapter III of the Convention"
        in text
    )
    assert "Table 37: Technical assistance needs related to article 50" in text
    assert (
        "Table 30: Technical assistance needs under chapter IV of the Convention"
        in text
    )


@pytest.mark.parametrize(
    "url",
    [
        "/reports/",
        "/reports/chapters/III/",
        "/reports/chapters/IV/",
        "/reports/articles/15/",
        "/reports/types/",
        "/reports/regions/",
        "/reports/distribution/",
        "/reports/draft-note/",
    ],
)
def test_report_pages_render_for_anyone(client, note_2013, url):
    response = client.get(url)
    assert response.status_code == 200
    assert b"<svg" in response.getvalue() or url.endswith("draft-note/")


def test_chapter_page_keeps_the_notes_numbering_and_the_616_remark(client, note_2013):
    content = client.get("/reports/chapters/III/").getvalue().decode()
    assert "Table 1" in content
    assert "Table 29" in content
    assert "623" in content
    assert "616" in content


def test_article_chart_is_accessible_svg_with_values(client, note_2013):
    content = client.get("/reports/articles/15/").getvalue().decode()
    assert 'role="img"' in content
    assert "<desc" in content
    assert "Summary of good practices/lessons learned: 4 States parties" in content


def test_filters_on_a_page_change_its_numbers(user_client, note_2013):
    whole = user_client.get("/reports/").context["document"]
    african = user_client.get("/reports/", {"regional_group": "african"}).context[
        "document"
    ]
    assert african.needs < whole.needs
    assert african == compute(StatisticsFilter(regional_group="african"))


def test_public_filters_on_a_page_change_its_numbers(client, note_2013):
    whole = client.get("/reports/").context["document"]
    article = client.get("/reports/", {"article": "15"}).context["document"]
    assert article.needs == 14 < whole.needs
    assert article.article(15) == compute(StatisticsFilter(article=15)).article(15)


def test_invalid_page_filter_is_a_400_with_the_message(client, db):
    response = client.get("/reports/", {"article": "abc"})
    assert response.status_code == 400
    assert b"Select a valid choice" in response.getvalue()


def test_table_csv_download(client, note_2013):
    response = client.get(reverse("reports:table_csv", args=["article-15"]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows[0] == ["Type of need", "Number of States parties"]
    assert rows[1] == ["Summary of good practices/lessons learned", "4"]
    assert rows[-1] == ["Total", "14"]


def test_unknown_table_is_404(client, note_2013):
    assert (
        client.get(reverse("reports:table_csv", args=["article-99"])).status_code == 404
    )


def test_draft_note_sentences_in_the_notes_style(client, note_2013):
    text = command_output("--format", "markdown")
    assert (
        "Eight States parties identified 14 needs for technical assistance to support "
        "the implementation of article 15." in text
    )
    assert "A total of 16 States parties identified 36 needs" in text
    assert "Four States parties identified 4 needs" in text
    assert (
        "These included eight States parties from the Group of African States, 12 from"
        in text
    )
    page = client.get("/reports/draft-note/", {"format": "md"})
    assert page.getvalue().decode() == text


@pytest.mark.parametrize(
    ("value", "word"), [(1, "one"), (9, "nine"), (10, "10"), (44, "44")]
)
def test_numbers_below_ten_in_words(value, word):
    assert number(value) == word


def test_report_query_count_is_bounded(
    client, note_2013, django_assert_max_num_queries
):
    with django_assert_max_num_queries(30):
        client.get("/reports/chapters/III/")


REFUSED = b"The regional group filter is for the secretariat."


@pytest.mark.parametrize(
    "url",
    [
        "/reports/",
        "/reports/regions/",
        "/reports/draft-note/?format=md&",
        "/reports/tables/all.csv?",
    ],
)
def test_viewer_filtering_pages_by_region_gets_400_with_the_message(
    client, viewer, note_2013, url
):
    client.force_login(viewer)
    separator = "" if url.endswith(("&", "?")) else "?"
    response = client.get(f"{url}{separator}regional_group=african")
    assert response.status_code == 400
    assert REFUSED in response.getvalue()
    assert b"<svg" not in response.getvalue()


def test_viewer_filtering_the_api_by_region_gets_400_with_the_message(
    client, viewer, note_2013
):
    client.force_login(viewer)
    response = client.get(
        "/api/v1/statistics/", {"regional_group": "african", "article": "15"}
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["regional_group"]
    assert response.json()["fields"]["regional_group"][0].encode().startswith(REFUSED)


@pytest.mark.parametrize("role", ["anonymous", "no-role", "focal-point"])
def test_no_role_but_the_secretariat_may_filter_by_who_or_when(
    client, focal_point, role
):
    if role == "no-role":
        client.force_login(UserFactory())
    elif role == "focal-point":
        client.force_login(focal_point)
    for name, value in [
        ("regional_group", "african"),
        ("review_year", "1"),
        ("as_of", "2013-06-01"),
    ]:
        response = client.get("/api/v1/statistics/", {name: value})
        assert response.status_code == 400, name
        assert list(response.json()["fields"]) == [name]
        assert client.get("/reports/", {name: value}).status_code == 400, name


def test_secretariat_filters_by_region_year_and_date(user_client, note_2013):
    filters = {"regional_group": "african", "review_year": "1", "as_of": "2013-09-01"}
    response = user_client.get("/api/v1/statistics/", filters)
    assert response.status_code == 200
    assert response.json()["filters"] == {
        "regional_group": "african",
        "review_year": 1,
        "as_of": "2013-09-01",
    }
    assert user_client.get("/reports/", filters).status_code == 200


def test_public_page_shows_only_its_filters_and_says_so(client, db):
    content = client.get("/reports/").getvalue().decode()
    assert 'name="article"' in content
    assert 'name="regional_group"' not in content
    assert 'name="as_of"' not in content
    assert 'name="review_year"' not in content
    assert (
        "Regional group, year and date filters are available to the secretariat."
        in content
    )


def test_secretariat_page_shows_every_filter(user_client, db):
    content = user_client.get("/reports/").getvalue().decode()
    assert 'name="regional_group"' in content
    assert 'name="as_of"' in content
    assert "available to the secretariat" not in content


def test_public_gets_no_regional_breakdown_by_article(client, secretariat, note_2013):
    page = client.get("/reports/regions/", {"article": "15"})
    assert page.status_code == 200
    assert b"<svg" not in page.getvalue()
    assert b"is published without filters other than the cycle" in page.getvalue()
    csv_all = client.get("/reports/tables/all.csv", {"article": "15"})
    assert b"by regional group" not in csv_all.getvalue()
    assert client.get("/reports/tables/regions.csv", {"article": "15"}).status_code == (
        404
    )
    note = client.get("/reports/draft-note/", {"format": "md", "chapter": "III"})
    assert "These included" not in note.getvalue().decode()
    # Unfiltered, the public has the note's paragraph 4 and the regional table.
    assert b"<svg" in client.get("/reports/regions/").getvalue()
    # The secretariat has the breakdowns with any filter.
    client.force_login(secretariat)
    assert b"<svg" in client.get("/reports/regions/", {"article": "15"}).getvalue()


def test_schema_documents_who_may_use_each_filter(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/statistics/"]["get"]
    parameters = {p["name"]: p["description"] for p in operation["parameters"]}
    for name in ["regional_group", "review_year", "as_of"]:
        assert parameters[name].count("Secretariat and administrators only") == 1
        assert "400" in parameters[name]
    for name in ["cycle", "chapter", "article", "need_type", "coverage"]:
        assert "Anyone may use it" in parameters[name]
    assert "for the secretariat" in operation["description"]
    assert (
        "filter your role may not use" in operation["responses"]["400"]["description"]
    )
