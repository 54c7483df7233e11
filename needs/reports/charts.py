"""Server-rendered, accessible SVG bar charts: no script, no network."""

from dataclasses import dataclass
from itertools import count

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext


@dataclass(frozen=True)
class Layout:
    """Where a row's parts go, in CSS pixels (the chart has no viewBox, so its text
    keeps the stylesheet's size at any width: legible on a phone) and, for the bars,
    percentages of the chart's width (the longest leaves room for its value)."""

    row_height: int
    label_x: int
    label_anchor: str
    label_baseline: int
    bar_x: int
    bar_top: int
    value_baseline: int
    longest_bar: int  # percent of the width
    bar_height: int = 14


# Labels of a few characters (article numbers) stand beside their bars; longer ones
# on a line of their own above the bar, the whole width left to the bars.
SHORT_LABEL = 4  # characters
CHARACTER_WIDTH = 8  # px, a digit at the stylesheet's 12 px with some room
STACKED = Layout(38, 0, "start", 13, 0, 18, 30, 88)
_ids = count(1)


def _layout(items: list[tuple[str, int]]) -> Layout:
    longest = max(len(str(label)) for label, _ in items)
    if longest > SHORT_LABEL:
        return STACKED
    width = CHARACTER_WIDTH * longest + 8
    return Layout(22, width - 6, "end", 15, width, 4, 15, 80)


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
    # Translators: one value of a chart, read out by screen readers: "Legislative
    # assistance: 4 States parties". %(unit)s is a plural noun ("needs"), or empty.
    value_text = gettext("%(label)s: %(value)s %(unit)s")
    # Translators: between the values of a chart in its text alternative.
    separator = pgettext("between values", "; ")
    description = separator.join(
        value_text % {"label": label, "value": value, "unit": unit}
        for label, value in items
    )
    layout = _layout(items)
    top = max(value for _, value in items) or 1
    rows = [
        _row(layout, index * layout.row_height, label, value, top)
        for index, (label, value) in enumerate(items)
    ]
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
        'height="{}" aria-labelledby="{}-title {}-desc">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        layout.row_height * len(items),
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        mark_safe("".join(rows)),  # noqa: S308
    )


def _row(layout: Layout, y: int, label: str, value: int, top: int) -> SafeString:
    """One bar: its label, the bar (a percentage of the width after the labels'
    column, if any), and its value just past the bar's end."""
    bar = f"{layout.longest_bar * value / top:.2f}%"
    return format_html(
        '<g><text x="{}" y="{}" text-anchor="{}">{}</text>'
        '<rect class="bar" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<text class="value" x="{}" dx="{}" y="{}">{}</text></g>',
        layout.label_x,
        y + layout.label_baseline,
        layout.label_anchor,
        _shorten(str(label)),
        layout.bar_x,
        y + layout.bar_top,
        bar,
        layout.bar_height,
        bar,
        layout.bar_x + 4,
        y + layout.value_baseline,
        value,
    )


def _shorten(label: str, limit: int = 44) -> str:
    return escape(label if len(label) <= limit else label[: limit - 1] + "…")
