"""Numbers in words agree with what they count, in each language of the note."""

import pytest
from django.utils import translation

from needs.reports.note_words import RUSSIAN_GENDER, SPANISH_ONE, number


@pytest.mark.parametrize(
    ("language", "value", "noun", "expected"),
    [
        ("en", 1, "letters", "one"),
        ("en", 3, "states", "three"),
        ("fr", 1, "states", "un"),
        ("fr", 1, "visits", "une"),
        ("fr", 1, "meetings", "une"),
        ("fr", 1, "workshops", "un"),
        ("es", 1, "states", "un"),
        ("es", 1, "letters", "una"),
        ("es", 1, "needs", "una"),
        ("es", 1, "plans", "un"),
        ("es", 2, "letters", "dos"),
        ("ru", 1, "plans", "один"),
        ("ru", 2, "plans", "два"),
        ("ru", 1, "states", "одно"),
        ("ru", 1, "needs", "одна"),
        ("ru", 2, "needs", "две"),
        ("zh-hans", 2, "states", "两"),
        ("zh-hans", 3, "plans", "三"),
        ("ar", 10, "states", "10"),
    ],
)
def test_number_words_agree_with_what_they_count(language, value, noun, expected):
    with translation.override(language):
        assert number(value, noun=noun) == expected


def test_every_counted_noun_has_a_gender_in_each_language():
    assert set(SPANISH_ONE) == set(RUSSIAN_GENDER)


def test_capital_only_where_the_language_has_capitals():
    with translation.override("es"):
        assert number(1, noun="letters", capital=True) == "Una"
    with translation.override("zh-hans"):
        assert number(2, capital=True) == "两"
