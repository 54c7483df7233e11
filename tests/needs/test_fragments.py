"""The needs page's filter form and reference labels, laid out once per data version
and language (tatracker.fragments) when a shared cache is configured: what is kept
shows the chosen filters, speaks the reader's language and never carries one
reader's lists to another."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from needs.models import NeedType
from reviews.models import Article
from reviews.services import review_save
from tatracker import fragments
from tests.factories import CountryReviewFactory, NeedFactory, StatePartyFactory

NEEDS = reverse("needs:need_list")
REFERENCE_TABLES = (
    "reviews_article",
    "reviews_chapter",
    "reviews_reviewcycle",
    "reviews_regionalgroup",
    "needs_needtype",
)


@pytest.fixture(autouse=True)
def shared_cache(settings):
    """A cache, as deployed (the suite otherwise has none), and nothing kept."""
    settings.CACHES = settings.CACHES | {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "fragments-tests",
        }
    }
    fragments.clear()
    yield
    fragments.clear()


def datalist(html: str) -> list[str]:
    """The codes of the States suggested under the State field."""
    listed = html.split('<datalist id="id_state-suggestions">')[1].split("</datalist>")
    return re.findall(r'<option value="([^"]+)"', listed[0])


def tables_read(client, url, data=None) -> set[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, data).status_code == 200
    return {
        table
        for query in queries.captured_queries
        for table in REFERENCE_TABLES
        if f'FROM "{table}"' in query["sql"]
    }


def test_a_second_page_reads_no_reference_row_again(user_client):
    NeedFactory()
    first = tables_read(user_client, NEEDS)
    assert first == set(REFERENCE_TABLES)  # laid out once
    assert tables_read(user_client, NEEDS) == set()
    # a filtered page keeps its choice lists too
    tables_read(user_client, NEEDS, {"chapter": "III"})
    assert tables_read(user_client, NEEDS, {"chapter": "II"}) == {"reviews_chapter"}


def test_kept_lists_show_the_chosen_filters_and_only_those(user_client):
    NeedFactory(article=Article.objects.get(number=15))
    chosen = {"article": "15", "coverage": "met-in-part", "chapter": "III"}
    user_client.get(NEEDS)  # the lists laid out, nothing chosen

    html = user_client.get(NEEDS, chosen).content.decode()
    again = user_client.get(NEEDS).content.decode()

    assert '<option value="15" selected>' in html
    assert '<option value="met-in-part" selected>' in html
    assert '<option value="III" selected>' in html
    assert '<option value="" selected>All chapters</option>' not in html
    assert '<option value="15" selected>' not in again
    assert '<option value="" selected>All chapters</option>' in again
    assert html.count(" selected>") == again.count(" selected>")


def test_kept_lists_speak_the_language_of_the_page(client, secretariat):
    NeedFactory()
    client.force_login(secretariat)
    english = client.get(NEEDS).content.decode()
    french = client.get(NEEDS, headers={"accept-language": "fr"}).content.decode()
    with translation.override("fr"):
        all_articles, any_coverage = gettext("All articles"), gettext("Any coverage")
    assert all_articles != "All articles"  # the catalog translates it
    assert f'<option value="" selected>{all_articles}</option>' in french
    assert f'<option value="" selected>{any_coverage}</option>' in french
    assert all_articles not in english
    assert '<option value="" selected>All articles</option>' in english


def test_a_reader_never_gets_the_states_another_reader_was_suggested(
    client, secretariat, focal_point, viewer, other_review
):
    # given a review under way (a viewer does not see it) and two completed ones
    under_way = CountryReviewFactory(
        state=StatePartyFactory(code="ZUW"), status="under-way", completed_on=None
    )
    # when the secretariat lays the list out first, then each other reader asks
    seen = {}
    for user in (secretariat, focal_point, viewer, secretariat):
        client.force_login(user)
        seen[user.username] = datalist(client.get(NEEDS).content.decode())
    # then each is suggested what they may see, and nothing more
    assert {"OWN", "OTH", under_way.state.code} <= set(seen["sec"])
    assert seen["fp"] == ["OWN"]
    assert under_way.state.code not in seen["donor"]
    assert {"OWN", "OTH"} <= set(seen["donor"])


def test_a_new_review_reaches_the_kept_suggestions_at_once(
    client, secretariat, django_capture_on_commit_callbacks
):
    NeedFactory()
    client.force_login(secretariat)
    before = datalist(client.get(NEEDS).content.decode())
    state = StatePartyFactory(code="ZNW")
    # when the review is saved by its service (which raises the data version)
    with django_capture_on_commit_callbacks(execute=True):
        review_save(review=CountryReviewFactory.build(state=state), user=secretariat)
    after = datalist(client.get(NEEDS).content.decode())
    assert "ZNW" not in before
    assert "ZNW" in after


def test_a_reference_row_written_by_hand_is_read_not_missed(user_client):
    # given the labels kept, then a type added without raising the data version
    NeedFactory()
    user_client.get(NEEDS)
    added = NeedType.objects.create(
        slug="by-hand", name="Written by hand", short_name="By hand", display_order=99
    )
    NeedFactory(need_type=added)
    # then the page reads the labels again rather than fail
    response = user_client.get(NEEDS)
    assert response.status_code == 200
    assert "Written by hand" in response.content.decode()
