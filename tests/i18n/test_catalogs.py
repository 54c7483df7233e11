"""The six catalogs stay complete and fresh: every string a person reads has an entry
in every language, none is empty or fuzzy, and the compiled catalogs are those of the
sources. (CI fails on a missing entry.)"""

import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
TRANSLATED = [code for code, _ in settings.LANGUAGES if code != "en"]
IGNORED = [".venv", "var", "tests", "bench", "node_modules"]


def catalog(language: str) -> polib.POFile:
    folder = translation.to_locale(language)
    return polib.pofile(str(LOCALE / folder / "LC_MESSAGES" / "django.po"))


def _key(entry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    po = catalog(language)
    assert len(po) > 300
    untranslated = [e.msgid for e in po.untranslated_entries() if not e.obsolete]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


def _entries(entries) -> dict:
    return {
        _key(e): (e.msgstr, sorted((int(k), v) for k, v in e.msgstr_plural.items()))
        for e in entries
        if e.msgid and not e.obsolete
    }


@pytest.mark.parametrize("language", TRANSLATED)
def test_compiled_catalog_matches_its_source(language):
    po = catalog(language)
    mo = polib.mofile(str(Path(po.fpath).with_suffix(".mo")))
    assert _entries(mo) == _entries(po.translated_entries())


def test_makemessages_finds_no_new_string(tmp_path, settings, monkeypatch):
    # given a copy of the catalogs, updated from the code as it is now
    shutil.copytree(LOCALE, tmp_path / "locale")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(ROOT)

    # when makemessages runs over the project
    call_command(
        "makemessages",
        locale=["fr"],
        no_obsolete=True,
        ignore_patterns=IGNORED,
        verbosity=0,
    )

    # then it found exactly the entries the committed catalog holds
    fresh = polib.pofile(str(tmp_path / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    committed = catalog("fr")
    new = {_key(e) for e in fresh} - {_key(e) for e in committed if not e.obsolete}
    gone = {_key(e) for e in committed if not e.obsolete} - {_key(e) for e in fresh}
    assert new == set(), "run `make messages` and translate the new strings"
    assert gone == set(), "run `make messages`: the catalog holds strings no code uses"
