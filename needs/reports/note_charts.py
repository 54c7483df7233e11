"""The note's figures as SVG (for the page and the PDF) and as PNG (for Word).

Simple figures are `charts.bar_chart`; needs by article and type of need is a stacked
bar chart drawn here, with the same accessible text (role="img", a title, and a
description that states every value). Word cannot show SVG, so `figure_png` converts
the SVG with CairoSVG, with the styles the page's stylesheet would give inlined.
"""

from itertools import count

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from needs.reports.charts import bar_chart
from needs.reports.note_blocks import Figure

try:  # CairoSVG needs the system's cairo library (Debian: libcairo2)
    import cairosvg
except OSError:  # pragma: no cover - only where cairo is missing
    cairosvg = None

# Okabe and Ito's palette, distinguishable with every common colour blindness.
PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
    "#999999",
]
LABEL_WIDTH, BAR_AREA, ROW_HEIGHT, LEGEND_ROW = 80, 520, 20, 18
PRINT_WIDTH = LABEL_WIDTH + BAR_AREA + 50  # CSS pixels of a chart on paper
# What the page's stylesheet gives the charts, for a converter that has no stylesheet.
INLINE_STYLE = (
    "<style>rect.bar{fill:#1f5f8b}"
    "text{font-family:'DejaVu Sans',Arial,sans-serif;font-size:12px;fill:#1a1a1a}"
    "</style>"
)
_ids = count(1)


def figure_chart(figure: Figure) -> SafeString:
    """The figure's chart, with its title and values for screen readers."""
    if figure.stacked:
        return stacked_bar_chart(figure.title, figure.table.columns, figure.table.rows)
    items = figure.table.chart_items(figure.column)
    return bar_chart(figure.title, items, unit=str(figure.unit))


def stacked_bar_chart(title: str, columns: list[str], rows: list[list]) -> SafeString:
    """One bar per row (its label first), made of its values, one colour per column;
    a legend of the columns below."""
    chart_id = f"stacked-{next(_ids)}"
    series = columns[1:]
    if not rows:
        # Translators: instead of a chart; %(title)s is the chart's title.
        empty = gettext("%(title)s: no data for these filters.")
        return format_html('<p class="muted">{}</p>', empty % {"title": title})
    top = max(sum(row[1:]) for row in rows) or 1
    legend_top = 10 + ROW_HEIGHT * len(rows)
    height = legend_top + LEGEND_ROW * len(series) + 10
    width = LABEL_WIDTH + BAR_AREA + 50
    bars = format_html_join(
        "", "{}", ((_bar(i, row, top),) for i, row in enumerate(rows))
    )
    legend = format_html_join(
        "",
        '<g><rect x="{}" y="{}" width="12" height="12" fill="{}"></rect>'
        '<text x="{}" y="{}">{}</text></g>',
        (
            (
                LABEL_WIDTH,
                legend_top + i * LEGEND_ROW,
                PALETTE[i % len(PALETTE)],
                LABEL_WIDTH + 18,
                legend_top + i * LEGEND_ROW + 11,
                name,
            )
            for i, name in enumerate(series)
        ),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {} {}" '
        'width="{}" height="{}" aria-labelledby="{}-title {}-desc">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}{}</svg>',
        width,
        height,
        width,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        _description(columns, rows),
        bars,
        legend,
    )


def _bar(index: int, row: list, top: int) -> SafeString:
    y = 5 + index * ROW_HEIGHT
    x = LABEL_WIDTH
    parts = []
    for position, value in enumerate(row[1:]):
        width = round(BAR_AREA * value / top)
        if width:
            colour = PALETTE[position % len(PALETTE)]
            parts.append((x, y + 2, width, ROW_HEIGHT - 5, colour))
        x += width
    segments = format_html_join(
        "", '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>', parts
    )
    return format_html(
        '<g><text x="{}" y="{}" text-anchor="end">{}</text>{}'
        '<text x="{}" y="{}">{}</text></g>',
        LABEL_WIDTH - 8,
        y + 13,
        row[0],
        segments,
        x + 6,
        y + 13,
        sum(row[1:]),
    )


def _description(columns: list[str], rows: list[list]) -> str:
    # Translators: one part of a bar in a chart's text alternative: "Model
    # legislation 3".
    part = pgettext("chart value", "%(label)s %(value)s")
    # Translators: one bar of a chart in its text alternative: "Article 15: Model
    # legislation 3, On-site expert 1".
    bar = pgettext("chart bar", "%(label)s: %(values)s")
    # Translators: between the values of a chart in its text alternative.
    separator = pgettext("between values", "; ")
    return separator.join(
        bar
        % {
            "label": f"{columns[0]} {row[0]}",
            "values": ", ".join(
                part % {"label": name, "value": value}
                for name, value in zip(columns[1:], row[1:], strict=False)
                if value
            ),
        }
        for row in rows
    )


def can_draw_png() -> bool:
    return cairosvg is not None


def printable_chart(figure: Figure) -> SafeString:
    """The figure's chart with the page stylesheet's styles inlined, for a renderer
    that does not apply the stylesheet to SVG (WeasyPrint, CairoSVG)."""
    svg = figure_chart(figure)
    if not svg.startswith("<svg"):
        return svg
    head, _, rest = svg.partition(">")
    # The page's charts are as wide as their box (width="100%"); a converter has no
    # box, so it gets the note's column width.
    head = head.replace('width="100%"', f'width="{PRINT_WIDTH}"', 1)
    return mark_safe(f"{head}>{INLINE_STYLE}{rest}")  # noqa: S308 (our own markup)


def figure_png(figure: Figure, *, scale: float = 2.0) -> bytes | None:
    """The figure as a PNG image, or None where there is no chart (no values) or
    no converter (cairo missing)."""
    svg = printable_chart(figure)
    if cairosvg is None or not svg.startswith("<svg"):
        return None
    return cairosvg.svg2png(bytestring=svg.encode(), scale=scale)
