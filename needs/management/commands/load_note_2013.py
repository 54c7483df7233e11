from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from needs.exchange import note_2013
from needs.exchange.services import ReferenceDataMissing, note_2013_load
from needs.exchange.spreadsheets import csv_lines


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a str, in the active language
        return gettext(
            "Load the reconstructed data set of the 2013 note (44 anonymized States, "
            "873 needs) generated from the transcribed tables. Safe to run again."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--export",
            metavar="PATH",
            help=_("Write the generated needs to a CSV file instead of loading them."),
        )

    def handle(self, *args, export=None, **options):
        if export:
            self._export(export)
            return
        try:
            result = note_2013_load()
        except ReferenceDataMissing as error:
            raise CommandError(str(error)) from error
        message = gettext(
            # Translators: what `load_note_2013` did; the placeholders are numbers.
            "2013 note data set: %(created)s needs created, %(updated)s already "
            "present."
        )
        values = {"created": result.created, "updated": result.updated}
        self.stdout.write(self.style.SUCCESS(message % values))

    def _export(self, path):
        states, needs = note_2013.plan()
        region = {s.code: s.region for s in states}
        rows = [
            [
                need.state_code,
                region[need.state_code],
                need.article,
                need.type_label,
                need.description,
            ]
            for need in needs
        ]
        header = ["state", "regional_group", "article", "type", "description"]
        # Through the one CSV writer, neutralised as every export is: the file is
        # opened in spreadsheets too.
        with open(path, "w", newline="", encoding="utf-8") as handle:
            handle.writelines(csv_lines([header, *rows]))
        # Translators: what `load_note_2013 --export` wrote; %(path)s is a file.
        message = gettext("%(needs)s needs of %(states)s States written to %(path)s")
        values = {"needs": len(needs), "states": len(states), "path": path}
        self.stdout.write(message % values)
