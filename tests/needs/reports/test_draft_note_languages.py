"""The draft note in the six languages: numbers of States in words follow the active
language, needs stay in figures, and the English text stays the note's."""

import pytest
from django.utils import translation

from needs.models import NeedType
from needs.reports import draft_note
from needs.reports.statistics import compute
from tests.factories import CountryReviewFactory, NeedFactory

TYPES = ["good-practices", "legislative-drafting", "capacity-building"]


def small_world(needs_per_state: list[int]) -> None:
    """One completed review per State, each with needs under article 15."""
    types = [NeedType.objects.get(slug=slug) for slug in TYPES]
    for count in needs_per_state:
        review = CountryReviewFactory()
        for need_type in types[:count]:
            NeedFactory(review=review, need_type=need_type)


def first_article_sentence() -> str:
    blocks = draft_note.blocks(compute())
    return next(b.text for b in blocks if b.kind == "p" and "article 15" in b.text)


@pytest.mark.parametrize(
    ("language", "eight", "capital"),
    [
        ("en", "eight", "Eight"),
        ("fr", "huit", "Huit"),
        ("es", "ocho", "Ocho"),
        ("ru", "восемь", "Восемь"),
        ("ar", "ثمانية", "ثمانية"),
        ("zh-hans", "八", "八"),
    ],
)
def test_numbers_below_ten_are_words_of_the_active_language(language, eight, capital):
    with translation.override(language):
        assert draft_note.number(8) == eight
        assert draft_note.number(8, capital=True) == capital
        assert draft_note.number(14) == "14"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("needs_per_state", "sentence"),
    [
        (
            [2, 2, 1],
            "Three States parties identified 5 needs for technical assistance to "
            "support the implementation of article 15. Details of the types of need "
            "are given in table 2 and figure V.",
        ),
        (
            [1],
            "One State party identified 1 need for technical assistance to support "
            "the implementation of article 15. Details of the types of need are given "
            "in table 2 and figure V.",
        ),
        (
            [1] * 10,
            "A total of 10 States parties identified 10 needs for technical assistance "
            "to support the implementation of article 15. Details of the types of need "
            "are given in table 2 and figure V.",
        ),
    ],
)
def test_english_article_sentence_is_the_notes(needs_per_state, sentence):
    small_world(needs_per_state)

    with translation.override("en"):
        assert first_article_sentence() == sentence


@pytest.mark.django_db
def test_french_draft_writes_its_states_in_french_and_its_needs_in_figures():
    small_world([2, 2, 1])

    with translation.override("fr"):
        sentence = first_article_sentence()

    assert "Trois" in sentence
    assert "5" in sentence
    assert "cinq" not in sentence
