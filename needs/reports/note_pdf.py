"""The drafted note as PDF: the printable page (`reports/note_print.html`) laid out by
WeasyPrint with the note's print stylesheet. WeasyPrint draws the inline SVG figures
itself; it needs the system's Pango library (Debian: libpango-1.0-0,
libpangoft2-1.0-0). Where Pango is missing, `available()` is false and the page offers
the printable version for the browser's "Print to PDF" instead."""

from django.conf import settings

try:
    import weasyprint
except OSError:  # pragma: no cover - only where Pango is missing
    weasyprint = None

PRINT_CSS = settings.BASE_DIR / "static" / "css" / "note-print.css"


def available() -> bool:
    return weasyprint is not None


def to_pdf(html: str) -> bytes:
    stylesheet = weasyprint.CSS(filename=str(PRINT_CSS))
    return weasyprint.HTML(string=html).write_pdf(stylesheets=[stylesheet])
