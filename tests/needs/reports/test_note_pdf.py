"""The PDF of the note is laid out by WeasyPrint, a second or two to import: it is
imported where a PDF is made, never with the URLconf (at each worker's start)."""

import os
import subprocess
import sys

from django.conf import settings

from needs.reports import note_pdf

IMPORTS_URLCONF = (
    "import sys, django; django.setup(); import tatracker.urls; "
    "from needs.reports import note_pdf; note_pdf.available(); "
    "names = ('weasyprint', 'needs.reports.views'); "
    "print(sorted(name for name in names if name in sys.modules))"
)


def test_the_urlconf_and_the_downloads_offered_do_not_import_weasyprint():
    # given a fresh process with the test settings
    environment = os.environ | {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": str(settings.BASE_DIR),
    }

    # when it loads every URL (the views of the reports among them) and asks
    # whether a PDF can be made
    loaded = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-c", IMPORTS_URLCONF],
        capture_output=True,
        text=True,
        env=environment,
        cwd=settings.BASE_DIR,
        check=True,
    )

    # then the report views are loaded and WeasyPrint is not
    assert loaded.stdout.strip().splitlines()[-1] == "['needs.reports.views']"


def test_a_pdf_is_made_where_weasyprint_is_available():
    assert note_pdf.available()
    assert note_pdf.to_pdf("<p>Note</p>").startswith(b"%PDF")
