"""The needs page's rows: read as values and laid out in Python.

At a million needs the page's time was mostly its own layout: a model instance and
a template loop per row, every link reversed per row. Here the rows are read as
values, labelled from the reference data kept per data version and language
(`selectors.reference_labels`), their links written from one `reverse` per page,
and their HTML formatted with every value escaped (bench/RESULTS.md)."""

from dataclasses import dataclass
from html import escape as html_escape
from urllib.parse import quote

from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from needs import selectors
from needs.models import Need
from reviews.models import label_in

# The needs page's rows, read as values: no model instance per row, and no join
# that its order does not need (the planner's time grows with each join: at a
# million needs, planning the page's statement took longer than running it). The
# cycles', articles' and types' labels come from `selectors.reference_labels`.
NEED_PAGE_VALUES = [
    "id",
    "review__state__code",
    "review__state__name",
    "review__state__names",
    "review__state__reconstructed",
    "review__cycle_id",
    "article_id",
    "need_type_id",
    "description",
    "description_shared",
    "priority",
    "coverage",
]


@dataclass(frozen=True, slots=True)
class NeedRow:
    """A need as the needs page lists it; `description` None where withheld."""

    url: str
    state: str
    state_url: str
    demonstration: bool
    cycle: int
    article: int
    article_title: str
    chapter: str
    need_type: str
    description: str | None
    priority: str
    coverage: str
    coverage_label: str


def need_page_rows(page, *, request=None) -> list[NeedRow]:
    """The page's rows (`NEED_PAGE_VALUES`), their labels in the active language and
    their links reversed once for the page, not once a row."""
    language = get_language()
    labels = selectors.reference_labels(request=request)
    if any(
        row["review__cycle_id"] not in labels.cycles
        or row["article_id"] not in labels.articles
        or row["need_type_id"] not in labels.need_types
        for row in page
    ):
        labels = selectors.reference_labels(request=request, refresh=True)
    priorities = {value: str(label) for value, label in Need.Priority.choices}
    coverages = {value: str(label) for value, label in Need.Coverage.choices}
    need_url = url_writer("needs:need_detail", "pk", 987654321)
    state_url = url_writer("needs:state_detail", "code", "STATECODE")
    rows = []
    for row in page:
        article, title, chapter = labels.articles[row["article_id"]]
        rows.append(
            NeedRow(
                url=need_url(row["id"]),
                state=label_in(
                    row["review__state__names"], row["review__state__name"], language
                ),
                state_url=state_url(row["review__state__code"]),
                demonstration=row["review__state__reconstructed"],
                cycle=labels.cycles[row["review__cycle_id"]],
                article=article,
                article_title=title,
                chapter=chapter,
                need_type=labels.need_types[row["need_type_id"]],
                description=row["description"] if row["description_shared"] else None,
                priority=priorities.get(row["priority"], row["priority"]),
                coverage=row["coverage"],
                coverage_label=coverages.get(row["coverage"], row["coverage"]),
            )
        )
    return rows


# One row of the needs page's table. Laid out here rather than in the template: the
# template engine took 2.5 ms for fifty rows (a twentieth of a millisecond each),
# format_html a fifth of that, str.format with escape() (what format_html calls for
# each value, without its checks for lazy and safe text) a fifth. The labels are
# those of the page before (_demonstration_badge.html, a withheld description's).
NEED_ROW = (
    '<tr><td><a href="{}">{}</a>{}</td><td>{}</td>'
    '<td title="{}">{} <span class="muted">({})</span></td>'
    '<th scope="row"><a href="{}">{}</a></th>{}'
    '<td>{}</td><td><span class="coverage {}">{}</span></td></tr>'
)


def need_rows_html(rows: list[NeedRow], *, descriptions: bool) -> SafeString:
    """The table's rows (with the description column if `descriptions`); every
    value escaped (`escape`)."""
    badge = format_html(
        ' <span class="badge demonstration" title="{}">{}</span>',
        _(
            "An anonymized State of the reconstructed 2013 data set: "
            "not a real country."
        ),
        pgettext("a State of the reconstructed 2013 data set", "demonstration data"),
    )
    withheld = format_html(
        '<td class="description"><span class="muted">{}</span></td>', _("Withheld.")
    )
    lines = (
        NEED_ROW.format(
            escape(row.state_url),
            escape(row.state),
            badge if row.demonstration else "",
            escape(row.cycle),
            escape(row.article_title),
            escape(row.article),
            escape(row.chapter),
            escape(row.url),
            escape(row.need_type),
            _description_cell(row, withheld) if descriptions else "",
            escape(row.priority),
            escape(row.coverage),
            escape(row.coverage_label),
        )
        for row in rows
    )
    return mark_safe("\n".join(lines))  # noqa: S308 (each value escaped above)


def _description_cell(row: NeedRow, withheld: SafeString) -> str:
    """The description as `truncatewords:30|default:"—"` wrote it."""
    if row.description is None:
        return withheld
    words = row.description.split()
    text = (
        Truncator(row.description).words(30, truncate=" …")
        if len(words) > 30
        else " ".join(words)
    )
    return f'<td class="description">{escape(text or "—")}</td>'


def escape(value) -> str:
    """`value` escaped as Django's escape() (format_html, templates) escapes it:
    html.escape of its text, here without the wrapper for lazy text."""
    return html_escape(str(value))


URL_SAFE = RFC3986_SUBDELIMS + "/~:@"  # what `reverse` leaves unquoted


def url_writer(viewname: str, argument: str, sample):
    """A function of one URL argument that writes `viewname`'s URL as `reverse`
    does, reversed once (with `sample`, a value its pattern takes)."""
    url = reverse(viewname, kwargs={argument: sample})
    head, found, tail = url.rpartition(quote(str(sample), safe=URL_SAFE))
    if not found:
        raise ValueError(f"{viewname}'s URL does not hold its {argument}")
    return lambda value: f"{head}{quote(str(value), safe=URL_SAFE)}{tail}"
