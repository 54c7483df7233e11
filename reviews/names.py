"""Names of the reference data in the other official languages of the UN.

One file per language in `data/names/<language>.tsv` (kind, key, name), loaded with the
reference data into the records' `names`; State names come from CLDR (Babel) instead.
The note's section headings ("A. Bribery offences"), which the statistics document
carries as text, are looked up here when a page or the draft note shows them.
"""

import csv
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import get_language

NAMES_DIR = Path(__file__).resolve().parent / "data" / "names"


def translated_names(names_dir: Path) -> dict[tuple[str, str], dict[str, str]]:
    """{(kind, key): {language: name}} from `names_dir`/<language>.tsv files."""
    names: dict[tuple[str, str], dict[str, str]] = {}
    for code, _ in settings.LANGUAGES:
        path = names_dir / f"{code}.tsv"
        if code == "en" or not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                names.setdefault((row["kind"], row["key"]), {})[code] = row["name"]
    return names


@cache
def _headings() -> dict[str, dict[str, str]]:
    return {
        key: names
        for (kind, key), names in translated_names(NAMES_DIR).items()
        if kind == "heading"
    }


def heading_label(text: str) -> str:
    """A section heading of the note in the active language (as is if unknown)."""
    return _headings().get(text, {}).get(get_language() or "en", text)
