import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext
from tqdm import tqdm

from needs.exchange.imports import (
    ImportRefused,
    RowOutcome,
    needs_import,
    outcomes,
)
from needs.management.acting import acting_user


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a str, in the active language
        return gettext(
            "Import needs from a CSV or XLSX file with the needs export's columns, "
            "all or nothing. Exits with status 1 when any row is refused."
        )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext("Show each row's outcome; write nothing."),
        )
        parser.add_argument(
            "--as",
            dest="username",
            help=gettext("The account the import acts as (default: a superuser)."),
        )
        parser.add_argument(
            "--accept",
            action="store_true",
            help=gettext("Accept the imported needs as the secretariat's decision."),
        )

    def handle(self, *args, file: Path, dry_run: bool, username, accept, **options):
        user = acting_user(username)
        if not file.is_file():
            raise CommandError(gettext("No such file: %(file)s") % {"file": file})
        counts = self._check(file, user)
        if counts[RowOutcome.REFUSED]:
            raise CommandError(self._summary(counts))
        if dry_run:
            self.stdout.write(self._summary(counts))
            return
        with file.open("rb") as handle, self._bar(gettext("Importing")) as bar:
            try:
                result = needs_import(
                    handle,
                    user=user,
                    accept=accept,
                    filename=file.name,
                    progress=lambda row: bar.update(),
                )
            except ImportRefused as refused:
                raise CommandError(str(refused)) from refused
        self.stdout.write(self._summary(counts))
        if result.accepted:
            self.stdout.write(gettext("Accepted as the secretariat's decision."))

    def _check(self, file: Path, user) -> dict:
        """A first pass, streamed: every refused row is reported."""
        counts = dict.fromkeys(
            [
                RowOutcome.NEW,
                RowOutcome.CHANGED,
                RowOutcome.UNCHANGED,
                RowOutcome.REFUSED,
            ],
            0,
        )
        with file.open("rb") as handle, self._bar(gettext("Checking")) as bar:
            try:
                for row in outcomes(handle, user=user):
                    counts[row.outcome] += 1
                    bar.update()
                    if row.outcome == RowOutcome.REFUSED:
                        # Translators: row is a row number; reason why it is refused.
                        message = gettext("Row %(row)s: %(reason)s.") % {
                            "row": row.number,
                            "reason": row.reason,
                        }
                        self.stderr.write(message)
            except ImportRefused as refused:
                raise CommandError(str(refused)) from refused
        return counts

    def _bar(self, description: str):
        return tqdm(
            desc=description,
            unit=gettext("rows"),
            file=sys.stderr,
            disable=not sys.stderr.isatty(),
        )

    def _summary(self, counts: dict) -> str:
        # Translators: counts of rows by outcome, from `import_needs`.
        return (
            gettext(
                "%(new)s new, %(changed)s changed, %(unchanged)s unchanged, "
                "%(refused)s refused."
            )
            % counts
        )
