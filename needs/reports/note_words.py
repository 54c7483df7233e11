"""Words of the note in the active language: numbers below ten in words, Roman
numerals, ordinals, lists ("a, b and c"), the regional groups' official names, dates.

The note's rule: States (and other things counted) below ten in words, needs always in
figures ("Four States parties identified 8 needs …", paragraphs 28-30 and 39).
"""

import datetime

from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, pgettext, pgettext_lazy
from num2words import num2words

WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
# Numbers in words in the other official languages: num2words for these; Chinese is
# not in num2words 0.5.14 (`num2words(8, lang="zh")` raises NotImplementedError), so
# CLDR's Chinese numerals (the "hanidec" numbering system) stand here instead.
NUM2WORDS_LANGUAGES = {"fr", "es", "ru", "ar"}
CHINESE_NUMERALS = "零一二三四五六七八九"
# Languages whose sentences begin with a capital letter (Arabic and Chinese have none).
CAPITALISED = {"en", "fr", "es", "ru"}
# The gender of what is counted, where the word for a number agrees with it. The
# nouns are those the catalogs use for each thing counted: Russian "одно
# государство", "одна потребность", "один план" (num2words knows Russian genders);
# Spanish "un Estado", "una carta" and French "un plan", "une visite" (only "one"
# changes below ten; "letters" are "envois" in French); Chinese counts with a
# classifier, before which two is 两, not 二 ("两个缔约国", "两份计划").
RUSSIAN_GENDER = {
    "states": "n",  # государство
    "needs": "f",  # потребность
    "letters": "n",  # письмо
    "plans": "m",  # план
    "projects": "n",  # мероприятие (проект)
    "cases": "n",  # направление
    "visits": "n",  # посещение страны
    "workshops": "n",  # мероприятие в формате практикума
    "meetings": "n",  # совещание
    "events": "n",  # мероприятие
}
SPANISH_ONE = {
    "states": "un",  # Estado
    "needs": "una",  # necesidad
    "letters": "una",  # carta
    "plans": "un",  # plan
    "projects": "un",  # proyecto
    "cases": "un",  # caso
    "visits": "una",  # visita
    "workshops": "un",  # taller
    "meetings": "una",  # reunión
    "events": "un",  # evento
}
FRENCH_ONE = {"visits": "une", "meetings": "une"}  # visite, réunion; else "un"
CHINESE_TWO = "两"
# The official names of the regional groups, as the note writes them in a sentence.
REGION_PHRASES = {
    "african": pgettext_lazy(
        "regional group in a sentence", "the Group of African States"
    ),
    "asia-pacific": pgettext_lazy(
        "regional group in a sentence", "the Group of Asian and Pacific States"
    ),
    "eastern-european": pgettext_lazy(
        "regional group in a sentence", "the Group of Eastern European States"
    ),
    "latin-american-caribbean": pgettext_lazy(
        "regional group in a sentence",
        "the Group of Latin American and Caribbean States",
    ),
    "western-european-other": pgettext_lazy(
        "regional group in a sentence", "the Group of Western European and other States"
    ),
}
NO_REGION_PHRASE = pgettext_lazy("regional group in a sentence", "no regional group")
# The same names standing alone, as in a table of the note.
REGION_NAMES = {
    "african": pgettext_lazy("regional group in a table", "Group of African States"),
    "asia-pacific": pgettext_lazy(
        "regional group in a table", "Group of Asian and Pacific States"
    ),
    "eastern-european": pgettext_lazy(
        "regional group in a table", "Group of Eastern European States"
    ),
    "latin-american-caribbean": pgettext_lazy(
        "regional group in a table", "Group of Latin American and Caribbean States"
    ),
    "western-european-other": pgettext_lazy(
        "regional group in a table", "Group of Western European and other States"
    ),
}
# Ordinals of the years and cycles of the Review Mechanism ("the first and second
# years of the first cycle"), first to tenth.
ORDINALS = [
    pgettext_lazy("ordinal of a year or cycle of the Review Mechanism", "first"),
    pgettext_lazy("ordinal of a year or cycle of the Review Mechanism", "second"),
    pgettext_lazy("ordinal of a year or cycle of the Review Mechanism", "third"),
    pgettext_lazy("ordinal of a year or cycle of the Review Mechanism", "fourth"),
    pgettext_lazy("ordinal of a year or cycle of the Review Mechanism", "fifth"),
    pgettext_lazy("ordinal of a year or cycle of the Review Mechanism", "sixth"),
    pgettext_lazy("ordinal of a year or cycle of the Review Mechanism", "seventh"),
    pgettext_lazy("ordinal of a year or cycle of the Review Mechanism", "eighth"),
    pgettext_lazy("ordinal of a year or cycle of the Review Mechanism", "ninth"),
    pgettext_lazy("ordinal of a year or cycle of the Review Mechanism", "tenth"),
]
ROMAN = [
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
]


def language() -> str:
    """The active language without its script or region ("zh" for "zh-hans")."""
    return (get_language() or "en").split("-")[0].lower()


def number(value: int, *, capital: bool = False, noun: str = "states") -> str:
    """Numbers below ten in words, as the note writes them, in the active language,
    agreeing with `noun` (a key of RUSSIAN_GENDER: "states", "needs", "letters",
    "plans", "projects", "cases", "visits", …) where the language wants it;
    `capital` at the start of a sentence, where the language has capitals."""
    if not 0 <= value < 10:
        return str(value)
    code = language()
    if code == "ru":
        text = num2words(value, lang="ru", gender=RUSSIAN_GENDER[noun])
    elif code == "es" and value == 1:
        text = SPANISH_ONE[noun]
    elif code == "fr" and value == 1:
        text = FRENCH_ONE.get(noun, "un")
    elif code in NUM2WORDS_LANGUAGES:
        text = num2words(value, lang=code)
    elif code == "zh":
        text = CHINESE_TWO if value == 2 else CHINESE_NUMERALS[value]
    else:
        text = WORDS[value]
    return capitalised(text) if capital else text


def capitalised(text: str) -> str:
    """`text` with a capital first letter, where the language has capitals."""
    if language() not in CAPITALISED or not text:
        return text
    return text[0].upper() + text[1:]


def roman(value: int) -> str:
    """The Roman numeral of `value` (figures and sections: "XXIII")."""
    parts = []
    for amount, letters in ROMAN:
        count, value = divmod(value, amount)
        parts.append(letters * count)
    return "".join(parts)


def ordinal(value: int) -> str:
    """ "first", "second", … for a year or cycle; figures past the tenth."""
    return str(ORDINALS[value - 1]) if 1 <= value <= len(ORDINALS) else str(value)


def series(parts: list[str]) -> str:
    """The parts as a list in the active language: "a, b and c"."""
    if len(parts) == 1:
        return parts[0]
    # Translators: between the items of a list but the last two ("a, b and c").
    separator = pgettext("list", ", ")
    # Translators: the end of a list: %(items)s are the items but the last, joined
    # by the separator above; %(last)s is the last ("a, b and c").
    return gettext("%(items)s and %(last)s") % {
        "items": separator.join(parts[:-1]),
        "last": parts[-1],
    }


def region_phrase(slug: str) -> str:
    return str(REGION_PHRASES.get(slug, NO_REGION_PHRASE))


def region_name(slug: str, fallback: str = "") -> str:
    """A regional group's official name standing alone ("Group of Asian and Pacific
    States"); `fallback` (its label) for a group the note does not name."""
    return str(REGION_NAMES.get(slug, fallback))


def long_date(day: datetime.date) -> str:
    """A date as the note writes it ("1 September 2013"), in the active language."""
    # Translators: the format of a date in the note's text ("1 September 2013"), in
    # Django's date format syntax: j day, F month name, Y year.
    return date_format(day, pgettext("date in the note", "j F Y"))
