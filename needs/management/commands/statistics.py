import json
import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from needs.exchange.spreadsheets import about_rows, tables_csv, tables_workbook
from needs.reports import draft_note, tables
from needs.reports.forms import OPERATOR, StatisticsFilterForm

FILTERS = [
    "cycle",
    "review_year",
    "regional_group",
    "chapter",
    "article",
    "need_type",
    "coverage",
    "as_of",
]


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a str, in the active language
        return gettext(
            "Print the statistics: the JSON document (as GET /api/v1/statistics/ "
            "serves it), every table as CSV, or the draft note as Markdown."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format", choices=["json", "csv", "markdown", "xlsx"], default="json"
        )
        parser.add_argument(
            "--output",
            help=gettext("The file to write (required for --format xlsx)."),
        )
        for name in FILTERS:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name)

    def handle(self, *args, **options):
        data = {name: options[name] for name in FILTERS if options.get(name)}
        # Run by an operator, who holds the database: every filter (filters_for).
        form = StatisticsFilterForm(data, user=OPERATOR)
        if not form.is_valid():
            messages = "; ".join(
                f"--{field.replace('_', '-')}: {' '.join(errors)}"
                for field, errors in form.errors.items()
            )
            # Translators: %(messages)s are the messages, option by option.
            message = gettext("Invalid filters: %(messages)s")
            raise CommandError(message % {"messages": messages})
        document = form.document()
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(document.as_dict(), indent=2, ensure_ascii=False)
            )
        elif options["format"] == "xlsx":
            self._workbook(form, document, options.get("output"))
        elif options["format"] == "csv":
            self.stdout.write(tables_csv(tables.all_tables(document)), ending="")
        else:
            self.stdout.write(
                draft_note.to_markdown(draft_note.blocks(document)), ending=""
            )

    def _workbook(self, form, document, output) -> None:
        if not output:
            raise CommandError(gettext("--format xlsx writes a file: give --output."))
        handle = tables_workbook(tables.all_tables(document), about=about_rows(form))
        with handle, Path(output).open("wb") as target:
            shutil.copyfileobj(handle, target)
        # Translators: output is a file name.
        self.stdout.write(gettext("Wrote %(output)s.") % {"output": output})
