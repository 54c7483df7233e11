"""The six catalogs stay complete and fresh: every string a person reads has an entry
in every language, none is empty or fuzzy, and the compiled catalogs are those of the
sources. (CI fails on a missing entry.)"""

import hashlib
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


def _fresh_catalog(folder: Path, settings, monkeypatch, plant=None) -> polib.POFile:
    """The French catalog as makemessages leaves it, run over a copy of the project
    in `folder` (with `plant`: {path: text} added to the copy): makemessages writes
    into the `locale/` it finds under the folder it walks, so it never walks the
    repository itself."""
    copy = folder / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*IGNORED, ".git"))
    for path, text in (plant or {}).items():
        (copy / path).write_text(text, encoding="utf-8")
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command(
        "makemessages",
        locale=["fr"],
        no_obsolete=True,
        ignore_patterns=IGNORED,
        verbosity=0,
    )
    return polib.pofile(str(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))


def _changes(fresh: polib.POFile) -> tuple[set, set]:
    """(entries the code has and the committed catalog lacks, and the reverse)."""
    committed = {_key(e) for e in catalog("fr") if not e.obsolete}
    found = {_key(e) for e in fresh}
    return found - committed, committed - found


def _digest(folder: Path) -> str:
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    hashes = (hashlib.sha256(path.read_bytes()).hexdigest() for path in files)
    return hashlib.sha256(" ".join(hashes).encode()).hexdigest()


def test_makemessages_finds_no_new_string(tmp_path, settings, monkeypatch):
    # given the catalogs as committed
    before = _digest(LOCALE)

    # when makemessages runs over (a copy of) the project
    new, gone = _changes(_fresh_catalog(tmp_path, settings, monkeypatch))

    # then it found exactly the entries the committed catalog holds
    assert new == set(), "run `make messages` and translate the new strings"
    assert gone == set(), "run `make messages`: the catalog holds strings no code uses"
    assert _digest(LOCALE) == before, "the test wrote into the repository's locale/"


def test_makemessages_would_find_a_new_string(tmp_path, settings, monkeypatch):
    # given a string in the code that no catalog holds
    planted = {
        "reviews/planted.py": "from django.utils.translation import gettext as _\n"
        '_("A sentence no catalog holds")\n'
    }

    # when
    new, _gone = _changes(_fresh_catalog(tmp_path, settings, monkeypatch, planted))

    # then the freshness test would fail, naming it
    assert (None, "A sentence no catalog holds", "") in new
    assert not (ROOT / "reviews" / "planted.py").exists()
