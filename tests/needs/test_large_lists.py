"""The needs page and its downloads at any size: the CSV streamed from values with
the same bytes as written from the records, the workbook bounded, and the State
filter typed with a bounded list of suggestions."""

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from needs import views
from needs.exchange import spreadsheets
from needs.exchange.spreadsheets import NEED_COLUMNS, WITHHELD, csv_text
from needs.filtersets import STATE_SUGGESTIONS
from needs.models import Need
from needs.permissions import can_see_description, sees_entry_workflow
from reviews.models import Article
from tests.factories import (
    SHARES_REPORT,
    CountryReviewFactory,
    NeedFactory,
    StatePartyFactory,
)

pytestmark = pytest.mark.django_db

NEEDS = reverse("needs:need_list")


def from_records(needs, user) -> str:
    """The CSV as it was written from each need's record (before it was read as
    values): the reference the streamed export must equal, byte for byte."""
    rows = [NEED_COLUMNS]
    workflow_shown = sees_entry_workflow(user)
    for need in needs:
        shown = can_see_description(user, need)
        changed_at, _ = need.last_changed(workflow_shown=workflow_shown)
        state = need.review.state
        rows.append(
            [
                need.pk,
                state.name,
                state.code,
                state.regional_group.slug if state.regional_group else "",
                need.review.cycle.number,
                need.review.cycle_year,
                need.article.chapter.number,
                need.article.number,
                need.need_type.slug,
                need.description if shown else WITHHELD,
                need.priority,
                need.source,
                need.coverage,
                need.remaining if shown else WITHHELD,
                need.status,
                changed_at.isoformat(),
            ]
        )
    return csv_text(rows)


@pytest.fixture
def mixed(db):
    sharing = CountryReviewFactory(shares=SHARES_REPORT)
    withholding = CountryReviewFactory(state__regional_group=None)
    articles = Article.objects.filter(chapter__number="III").order_by("number")
    for index, article in enumerate(articles[:6]):
        NeedFactory(
            review=(sharing, withholding)[index % 2],
            article=article,
            description=f'=cmd|" {index}',
            remaining="-1" if index % 3 else "",
        )


@pytest.mark.parametrize("role", ["secretariat", "viewer"])
def test_the_csv_is_streamed_with_the_bytes_written_from_the_records(
    request, client, mixed, role, monkeypatch
):
    user = request.getfixturevalue(role)
    client.force_login(user)
    monkeypatch.setattr(spreadsheets, "CHUNK_SIZE", 2)  # several fetches
    monkeypatch.setattr(spreadsheets, "LINES_PER_CHUNK", 4)  # several chunks

    response = client.get(NEEDS, {"format": "csv"})

    assert isinstance(response, StreamingHttpResponse)
    chunks = list(response.streaming_content)
    assert len(chunks) > 2
    page = client.get(NEEDS).context["page_obj"].paginator.count_from
    assert b"".join(chunks).decode() == from_records(page, user)
    if role == "viewer":
        assert WITHHELD in b"".join(chunks).decode()


def test_a_workbook_is_refused_above_its_bound_pointing_to_the_csv(
    admin_client, mixed, monkeypatch
):
    monkeypatch.setattr(views, "XLSX_MAX_ROWS", 5)
    assert Need.objects.count() == 6

    refused = admin_client.get(NEEDS, {"format": "xlsx"})
    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("text/html")
    text = refused.content.decode()
    assert "A workbook holds at most 5 needs" in text
    assert 'format=xlsx" download' not in text  # no link to what is refused
    assert "Excel workbook: up to 5 needs" in text

    narrowed = {"format": "xlsx", "article": 15}
    assert admin_client.get(NEEDS, narrowed)["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    linked = admin_client.get(NEEDS, {"article": 15}).content.decode()
    assert 'format=xlsx" download' in linked


def test_the_state_filter_is_typed_with_a_bounded_list_of_suggestions(
    admin_client, monkeypatch
):
    # given more reviewed States than the list suggests
    states = [
        StatePartyFactory(code=f"ZS{n:02d}", name=f"Zz State {n:02d}") for n in range(4)
    ]
    for state in states:
        NeedFactory(review=CountryReviewFactory(state=state))
    field = views.NeedFilterSet.base_filters["state"]
    monkeypatch.setattr(field.extra["widget"], "limit", 3)

    page = admin_client.get(NEEDS)
    html = page.content.decode()

    # then the field is a text input with at most three suggestions, by name
    assert '<input type="text" name="state"' in html
    assert 'list="id_state-suggestions"' in html
    datalist = html.split('<datalist id="id_state-suggestions">')[1]
    datalist = datalist.split("</datalist>")[0]
    assert datalist.count("<option") == 3
    assert STATE_SUGGESTIONS >= 200  # every State party, in a real installation
    # and a State's code, suggested or not, filters the list
    last = states[-1]
    assert f'value="{last.code}"' not in datalist
    found = admin_client.get(NEEDS, {"state": last.code}).context["page_obj"]
    assert [n["review__state__code"] for n in found] == [last.code]
    wrong = admin_client.get(NEEDS, {"state": "NOPE"})
    assert wrong.status_code == 400
    assert "No State with this code among those" in wrong.content.decode()
