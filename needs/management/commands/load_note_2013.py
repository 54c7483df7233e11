from django.core.management.base import BaseCommand, CommandError

from needs.exchange import note_2013
from needs.exchange.services import ReferenceDataMissing, note_2013_load
from needs.exchange.spreadsheets import csv_lines


class Command(BaseCommand):
    help = (
        "Load the reconstructed data set of the 2013 note (44 anonymized States, "
        "873 needs) generated from the transcribed tables. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--export",
            metavar="PATH",
            help="Write the generated needs to a CSV file instead of loading them.",
        )

    def handle(self, *args, export=None, **options):
        if export:
            self._export(export)
            return
        try:
            result = note_2013_load()
        except ReferenceDataMissing as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"2013 note data set: {result.created} needs created, "
                f"{result.updated} already present."
            )
        )

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
        self.stdout.write(
            f"{len(needs)} needs of {len(states)} States written to {path}"
        )
