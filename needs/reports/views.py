"""The statistics reports: pages, CSV downloads and the draft note.

Every view validates the filters with StatisticsFilterForm for the user (who may use
which filters is the form's `filters_for`), takes the document the form computes for
that user, and lays it out; nothing here counts.

The parts laid out from the document (tables, charts, sentences) and the filter form
are page fragments cached with the document's data version (`needs.reports.cache`):
on a hit, `build` is not called at all. What a view needs besides (its title, a 404)
it computes from the document first.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, pgettext_lazy

from needs.exchange.spreadsheets import tables_csv
from needs.reports import cache, draft_note, tables
from needs.reports.charts import bar_chart
from needs.reports.forms import StatisticsFilterForm

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


@login_not_required
def draft(request):
    def build(document, names):
        items = draft_note.blocks(document, names)
        charts = {
            id(b): bar_chart(b.table.title, b.table.chart_items(), unit="")
            for b in items
            if b.kind == "table" and b.table.slug.startswith("article-")
        }
        return {"blocks": items, "charts": charts}

    if request.GET.get("format") == "md":
        form = StatisticsFilterForm(request.GET, user=request.user)
        if not form.is_valid():
            return HttpResponse(
                form.errors.as_text(), status=400, content_type="text/plain"
            )
        text = draft_note.to_markdown(draft_note.blocks(form.document()))
        return _download(text, "draft-note.md", "text/markdown")
    return _report(request, "reports/draft_note.html", build)


@login_not_required
def table_csv(request, slug):
    form = StatisticsFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return HttpResponse(
            form.errors.as_text(), status=400, content_type="text/plain"
        )
    document = form.document()
    published = [
        table
        for table in tables.all_tables(document)
        if not (form.regions_withheld and table.slug == "regions")
    ]
    if slug == "all":
        return _download(tables_csv(published), "tables.csv", "text/csv")
    table = next((t for t in published if t.slug == slug), None)
    if table is None:
        raise Http404(gettext("No such table for these filters."))
    return _download(tables_csv([table]), f"{slug}.csv", "text/csv")


def _download(text: str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
