"""Server-rendered, accessible SVG bar charts: no script, no network."""

from itertools import count

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

LABEL_WIDTH = 300
BAR_AREA = 380
ROW_HEIGHT = 24
_ids = count(1)


def bar_chart(title: str, items: list[tuple[str, int]], *, unit: str) -> SafeString:
    """A horizontal bar chart of `items` (label, value) with its values printed.

    The SVG is `role="img"` with a <title> and a <desc> that states every value, so a
    screen reader gets the same information as the picture, in the active language
    (`unit` is translated by the caller: "States parties").
    """
    chart_id = f"chart-{next(_ids)}"
    if not items:
        # Translators: instead of a chart; %(title)s is the chart's title.
        empty = gettext("%(title)s: no data for these filters.")
        return format_html('<p class="muted">{}</p>', empty % {"title": title})
    top = max(value for _, value in items) or 1
    height = ROW_HEIGHT * len(items) + 10
    width = LABEL_WIDTH + BAR_AREA + 50
    # Translators: one value of a chart, read out by screen readers: "Legislative
    # assistance: 4 States parties". %(unit)s is a plural noun ("needs"), or empty.
    value_text = gettext("%(label)s: %(value)s %(unit)s")
    # Translators: between the values of a chart in its text alternative.
    separator = pgettext("between values", "; ")
    description = separator.join(
        value_text % {"label": label, "value": value, "unit": unit}
        for label, value in items
    )
    rows = []
    for index, (label, value) in enumerate(items):
        y = 5 + index * ROW_HEIGHT
        bar = round(BAR_AREA * value / top)
        rows.append(
            format_html(
                '<g><text x="{}" y="{}" text-anchor="end">{}</text>'
                '<rect class="bar" x="{}" y="{}" width="{}" height="{}"></rect>'
                '<text x="{}" y="{}">{}</text></g>',
                LABEL_WIDTH - 8,
                y + 15,
                _shorten(label),
                LABEL_WIDTH,
                y + 3,
                bar,
                ROW_HEIGHT - 6,
                LABEL_WIDTH + bar + 6,
                y + 15,
                value,
            )
        )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {} {}" '
        'width="{}" height="{}" aria-labelledby="{}-title {}-desc">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        width,
        height,
        width,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        mark_safe("".join(rows)),  # noqa: S308
    )


def _shorten(label: str, limit: int = 44) -> str:
    return escape(label if len(label) <= limit else label[: limit - 1] + "…")
