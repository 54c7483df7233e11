"""Reference data in the six languages: States from CLDR, the rest from the data files
of the apps; names people type stay as entered."""

import pytest
from django.utils import translation

from needs.models import NeedType
from reviews.models import Article, Chapter, RegionalGroup, StateParty
from reviews.names import NAMES_DIR, translated_names
from tests.factories import NeedFactory

pytestmark = pytest.mark.django_db
OTHERS = ["ar", "zh-hans", "fr", "ru", "es"]


@pytest.mark.parametrize(
    "queryset",
    [
        RegionalGroup.objects.all,
        Chapter.objects.all,
        Article.objects.all,
        NeedType.objects.all,
        StateParty.objects.real,
    ],
    ids=["groups", "chapters", "articles", "types", "states"],
)
def test_every_reference_row_is_named_in_every_language(queryset):
    rows = list(queryset())
    assert rows
    missing = [
        (str(row.pk), language)
        for row in rows
        for language in OTHERS
        if not row.names.get(language)
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("language", "name"),
    [
        ("fr", "Côte d’Ivoire"),
        ("es", "Kenia"),
        ("ru", "Кения"),
        ("zh-hans", "肯尼亚"),
        ("ar", "كينيا"),
    ],
)
def test_state_names_come_from_cldr(language, name):
    code = "CIV" if language == "fr" else "KEN"
    with translation.override(language):
        assert str(StateParty.objects.get(code=code)) == name


def test_the_label_follows_the_active_language():
    article = Article.objects.get(number=15)
    with translation.override("en"):
        assert article.label == "Bribery of national public officials"
    with translation.override("fr"):
        assert article.label != "Bribery of national public officials"
        assert article.label == article.names["fr"]


@pytest.mark.parametrize("language", OTHERS)
def test_every_section_heading_of_the_note_is_translated(language):
    articles = Article.objects.all()
    headings = {a.section for a in articles} | {a.subsection for a in articles}
    headings.discard("")
    named = translated_names(NAMES_DIR)
    missing = sorted(
        h for h in headings if not named.get(("heading", h), {}).get(language)
    )
    assert len(headings) > 20
    assert missing == []


def test_an_article_page_shows_its_heading_in_the_language(client):
    NeedFactory()
    response = client.get("/reports/articles/15/", headers={"accept-language": "fr"})
    html = response.getvalue().decode()
    assert "A. Infractions de corruption" in html
    assert "A. Bribery offences" not in html
