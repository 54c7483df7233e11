"""Report pages from cached fragments: the same page as computed afresh, in the
reader's language, with the reader's filters, changed at once by a change of data."""

import re

import pytest
from django.db import connection
from django.test import Client

from bench.data import build
from needs import services
from needs.models import NeedType
from reviews.models import Article

pytestmark = pytest.mark.django_db


def commit_pending():
    for _, callback, _ in connection.run_on_commit:
        callback()


def page(client, url) -> str:
    """The page without what differs from one response to the next."""
    html = client.get(url).content.decode()
    return re.sub(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"', "", html)


@pytest.fixture
def data(statistics_cache):
    build(300)
    commit_pending()


PAGES = ["/reports/", "/reports/chapters/III/", "/reports/articles/15/"]
PAGES += ["/reports/draft-note/", "/reports/types/?chapter=IV"]


@pytest.mark.parametrize("url", PAGES)
def test_a_page_from_the_cache_is_the_page_computed_afresh(client, data, url):
    fresh = page(client, url)
    assert page(client, url) == fresh


def test_each_language_has_its_own_fragments(data):
    need_type = NeedType.objects.get(slug="capacity-building")
    english = Client(headers={"accept-language": "en"})
    french = Client(headers={"accept-language": "fr"})

    page(english, "/reports/")
    in_french = page(french, "/reports/")
    in_english = page(english, "/reports/")

    assert need_type.names["fr"] in in_french
    assert need_type.names["fr"] not in in_english
    assert need_type.name in in_english


def test_each_role_has_its_own_filter_form(user_client, data):
    anonymous = Client()
    public = page(anonymous, "/reports/")
    staff = page(user_client, "/reports/")

    assert 'name="regional_group"' in staff
    assert 'name="regional_group"' not in public
    assert 'name="regional_group"' not in page(anonymous, "/reports/")


def test_an_accepted_need_shows_in_the_page_at_once(
    client, data, own_review, secretariat, django_capture_on_commit_callbacks
):
    # given the article page in the cache
    url = "/reports/articles/20/"
    before = page(client, url)
    assert page(client, url) == before

    # when the secretariat records a need for article 20
    with django_capture_on_commit_callbacks(execute=True):
        services.need_create(
            review=own_review,
            user=secretariat,
            article=Article.objects.get(number=20),
            need_type=NeedType.objects.get(slug="other"),
        )

    # then the page says so at once
    after = page(client, url)
    assert after != before
    assert own_review.state.name not in after  # figures, never a State's name


def test_the_secretariats_regional_breakdown_never_reaches_the_public(
    user_client, data
):
    # given the secretariat's regional breakdown narrowed by chapter, in the cache
    url = "/reports/regions/?chapter=III"
    staff = page(user_client, url)
    assert "Group of African States" in staff
    assert "is published without filters" not in staff

    # when the public asks for the same page
    public = page(Client(), url)

    # then it is laid out from the public's document, without the breakdown
    assert "is published without filters" in public
    assert "Group of African States" not in public
