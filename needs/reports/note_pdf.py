"""The drafted note as PDF: the printable page (`reports/note_print.html`) laid out by
WeasyPrint with the note's print stylesheet. WeasyPrint draws the inline SVG figures
itself; it needs the system's Pango library (Debian: libpango-1.0-0,
libpangoft2-1.0-0). Where Pango is missing, `available()` is false and the page offers
the printable version for the browser's "Print to PDF" instead.

WeasyPrint takes a second or two to import (it loads Pango and its fonts' machinery):
it is imported where a PDF is made, not with this module, which the report views,
hence the URLconf, import at each worker's start."""

import importlib.util
from ctypes.util import find_library
from functools import cache

from django.conf import settings

PRINT_CSS = settings.BASE_DIR / "static" / "css" / "note-print.css"
# The system libraries WeasyPrint loads, as the linker names them.
LIBRARIES = ("pango-1.0", "pangoft2-1.0")


@cache
def available() -> bool:
    """Whether a PDF can be made here: WeasyPrint is installed and the linker finds
    Pango. Asked without importing WeasyPrint (the pages that offer the PDF ask)."""
    return importlib.util.find_spec("weasyprint") is not None and all(
        find_library(name) for name in LIBRARIES
    )


def to_pdf(html: str) -> bytes:
    import weasyprint  # noqa: PLC0415 - slow to import: only where a PDF is made

    stylesheet = weasyprint.CSS(filename=str(PRINT_CSS))
    return weasyprint.HTML(string=html).write_pdf(stylesheets=[stylesheet])
