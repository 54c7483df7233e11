"""The statistics reports: pages, CSV downloads, the draft note and its editions.

Every statistics view validates the filters with StatisticsFilterForm for the user
(who may use which filters is the form's `filters_for`), takes the document the form
computes for that user, and lays it out; nothing here counts. The editions of the note
are the secretariat's: their pages load through `selectors`, write through `services`.

The parts laid out from the document (tables, charts, sentences) and the filter form
are page fragments cached with the document's data version (`needs.reports.cache`):
on a hit, `build` is not called at all. What a view needs besides (its title, a 404)
it computes from the document first.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language, gettext, pgettext_lazy

from needs.exchange.spreadsheets import (
    about_rows,
    tables_csv,
    tables_workbook,
    workbook_response,
)
from needs.models import NoteEdition
from needs.permissions import can_edit_note_edition, can_view_note_editions
from needs.reports import (
    cache,
    draft_note,
    note_docx,
    note_pdf,
    selectors,
    services,
    tables,
)
from needs.reports.charts import bar_chart
from needs.reports.forms import NoteEditionForm, StatisticsFilterForm
from needs.reports.note_charts import figure_chart, printable_chart

# The units of the charts' text alternatives ("Legislative assistance: 4 needs").
NEEDS = pgettext_lazy("unit of a chart's values", "needs")
STATES = pgettext_lazy("unit of a chart's values", "States parties")
STATES_REVIEWED = pgettext_lazy("unit of a chart's values", "States parties reviewed")


def _report(request, template, build, **page):
    """Validate the filters, compute the document, render `template` with `page` and,
    unless its report fragment is cached, build(document, names)."""
    form = StatisticsFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        context = {"form": form, "query": "", "fragments": {}}
        return render(request, template, context | {"invalid": True}, status=400)
    document = form.document()
    query = request.GET.urlencode()
    where = (request.path, query, get_language())
    fragments = {
        "filters": cache.fragment_key("filters", *where, sorted(form.allowed)),
        "report": cache.fragment_key("report", *where, form.regions_withheld),
    }
    context = {"form": form, "document": document, "query": query, **page}
    context["fragments"] = fragments
    report = cache.fragment_get(fragments["report"])
    if report is not None:
        return render(request, template, context | {"report_html": mark_safe(report)})  # noqa: S308
    return render(request, template, context | build(document, tables.Names()))


def _figure(table, *, unit=NEEDS, column=1):
    return {
        "table": table,
        "chart": bar_chart(table.title, table.chart_items(column), unit=unit),
    }


@login_not_required
def overview(request):
    def build(document, names):
        by_type = tables.states_by_type_table(document, names)
        return {
            "figure_i": _figure(tables.types_table(document, names)),
            "figure_i_states": _figure(by_type, unit=STATES),
            "figure_ii": _figure(tables.needs_by_article_table(document), column=3),
            "chapters": document.chapters_with_needs(),
        }

    return _report(request, "reports/overview.html", build)


@login_not_required
def chapter(request, number):
    def build(document, names):
        if number not in document.chapters:
            raise Http404(gettext("No such chapter in these statistics."))
        numbered = {t.slug: t for t in tables.numbered_tables(document, names)}
        table = numbered.get(f"chapter-{number}") or tables.chapter_table(
            document, number
        )
        return {
            "title": names.chapters.get(number, ""),
            "data": document.chapters[number],
            "figure": _figure(table, unit=STATES),
            "article_tables": [
                _figure(numbered[f"article-{a.article}"], unit=STATES)
                | {"article": a.article}
                for a in document.chapters[number].articles
            ],
        }

    return _report(request, "reports/chapter.html", build, chapter=number)


@login_not_required
def article(request, number):
    def build(document, names):
        numbered = {t.slug: t for t in tables.numbered_tables(document, names)}
        table = numbered.get(f"article-{number}")
        if table is None:
            raise Http404(
                gettext("No need recorded for this article with these filters.")
            )
        return {
            "entry": document.article(number),
            "title": names.articles.get(number, ""),
            "figure": _figure(table, unit=STATES),
        }

    return _report(request, "reports/article.html", build, number=number)


@login_not_required
def types(request):
    def build(document, names):
        return {
            "figures": [
                _figure(tables.types_table(document, names, c))
                for c in document.chapters_with_needs()
            ],
            "coverage": tables.coverage_table(document, names),
        }

    return _report(request, "reports/types.html", build)


@login_not_required
def regions(request):
    def build(document, names):
        table = tables.regions_table(document, names)
        return {"figure": _figure(table, unit=STATES_REVIEWED)}

    return _report(request, "reports/regions.html", build)


@login_not_required
def distribution(request):
    def build(document, names):
        return {
            "figures": [
                _figure(tables.distribution_table(document, c), unit=STATES)
                for c in document.chapters_with_needs()
            ]
        }

    return _report(request, "reports/distribution.html", build)


# ---------------------------------------------------------------------------
# The draft note: the statistical sections for everyone, editions for the
# secretariat; each as a page, Markdown, Word, PDF and a printable page
# ---------------------------------------------------------------------------
DOWNLOADS = {"md", "docx", "pdf", "print"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _note_context(note: draft_note.Draft, *, printable: bool = False) -> dict:
    chart = printable_chart if printable else figure_chart
    return {
        "note": note,
        "front": draft_note.front_lines(note.front) if note.front else None,
        "items": [
            {
                "block": block,
                "chart": chart(block.figure) if block.kind == "figure" else None,
            }
            for block in note.blocks
        ],
        "pdf": note_pdf.available(),
    }


def _note_download(
    request, note: draft_note.Draft, name: str, title: str
) -> HttpResponse:
    """The note in the format asked for (`DOWNLOADS`): `name` for the file,
    `title` for the printable page."""
    kind = request.GET["format"]
    if kind == "md":
        return _download(draft_note.to_markdown(note), f"{name}.md", "text/markdown")
    if kind == "docx":
        content = note_docx.to_docx(note, language=get_language() or "en")
        return _attachment(content, f"{name}.docx", DOCX)
    for_pdf = kind == "pdf" and note_pdf.available()
    # The page in a browser styles its charts with note-print.css (the CSP allows no
    # inline style); a converter to PDF has no stylesheet, so its charts carry theirs.
    context = _note_context(note, printable=for_pdf) | {
        "for_pdf": for_pdf,
        "title": title,
    }
    html = render_to_string("reports/note_print.html", context, request=request)
    if not for_pdf:
        return HttpResponse(html)
    return _attachment(note_pdf.to_pdf(html), f"{name}.pdf", "application/pdf")


@login_not_required
def draft(request):
    """The statistical sections of the note, for the filters (anyone)."""
    if request.GET.get("format") in DOWNLOADS:
        form = StatisticsFilterForm(request.GET, user=request.user)
        if not form.is_valid():
            return HttpResponse(
                form.errors.as_text(), status=400, content_type="text/plain"
            )
        note = draft_note.compose(form.document())
        return _note_download(request, note, "draft-note", gettext("Draft note"))

    def build(document, names):
        query = request.GET.copy()
        query.pop("format", None)
        return _note_context(draft_note.compose(document, names)) | {
            "download_query": query.urlencode(),
        }

    # Outside the cached fragment: the report is the same for everyone, the link
    # to the editions is the secretariat's.
    can_view_editions = can_view_note_editions(request.user)
    return _report(
        request, "reports/draft_note.html", build, can_view_editions=can_view_editions
    )


def edition_list(request):
    if not can_view_note_editions(request.user):
        raise Http404
    context = {
        "editions": selectors.note_editions(user=request.user),
        "can_edit": can_edit_note_edition(request.user),
    }
    return render(request, "reports/edition_list.html", context)


def edition_detail(request, pk):
    """An edition's draft: the whole note as of its cut-off date."""
    edition = selectors.note_edition_get(user=request.user, pk=pk)
    document, sources = selectors.edition_sources(user=request.user, edition=edition)
    note = draft_note.compose(document, sources=sources)
    if request.GET.get("format") in DOWNLOADS:
        name = slugify(edition.symbol.replace("/", "-")) or f"note-{edition.pk}"
        return _note_download(request, note, name, edition.symbol or str(edition))
    context = _note_context(note) | {
        "edition": edition,
        "chapters": sources.chapters,
        "can_edit": can_edit_note_edition(request.user, edition),
    }
    return render(request, "reports/edition_detail.html", context)


def edition_create(request):
    if not can_view_note_editions(request.user):
        raise Http404
    if not can_edit_note_edition(request.user):
        raise PermissionDenied
    initial = selectors.note_edition_initial(user=request.user)
    return _edition_form(request, NoteEdition(), initial=initial)


def edition_edit(request, pk):
    edition = selectors.note_edition_get(user=request.user, pk=pk)
    if not can_edit_note_edition(request.user, edition):
        raise PermissionDenied
    return _edition_form(request, edition)


def _edition_form(request, edition: NoteEdition, initial=None):
    exists = edition.pk is not None
    data = request.POST if request.method == "POST" else None
    form = NoteEditionForm(data, instance=edition, initial=initial)
    if data is not None and form.is_valid():
        try:
            edition = services.note_edition_save(
                edition=form.instance,
                chapters=form.cleaned_data["chapters"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, gettext("The edition is saved."))
            return redirect(edition)
    context = {"form": form, "edition": edition if exists else None}
    return render(request, "reports/edition_form.html", context)


def _published_tables(request):
    """(form, the tables this user may download for the filters), or a 400."""
    form = StatisticsFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return form, None
    document = form.document()
    published = [
        table
        for table in tables.all_tables(document)
        if not (form.regions_withheld and table.slug == "regions")
    ]
    return form, published


def _chosen(published, slug: str) -> list:
    if slug == "all":
        return published
    table = next((t for t in published if t.slug == slug), None)
    if table is None:
        raise Http404(gettext("No such table for these filters."))
    return [table]


def _invalid(form) -> HttpResponse:
    return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")


@login_not_required
def table_csv(request, slug):
    form, published = _published_tables(request)
    if published is None:
        return _invalid(form)
    filename = "tables.csv" if slug == "all" else f"{slug}.csv"
    return _download(tables_csv(_chosen(published, slug)), filename, "text/csv")


@login_not_required
def table_xlsx(request, slug):
    """The tables as a workbook: a sheet per table, a sheet of filters and date."""
    form, published = _published_tables(request)
    if published is None:
        return _invalid(form)
    handle = tables_workbook(_chosen(published, slug), about=about_rows(form))
    filename = "tables.xlsx" if slug == "all" else f"{slug}.xlsx"
    return workbook_response(filename, handle)


def _download(text: str, filename: str, content_type: str) -> HttpResponse:
    return _attachment(text, filename, f"{content_type}; charset=utf-8")


def _attachment(content, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
