from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from needs.exchange.iati import ActivityOutcome, IatiRefused, activities_plan
from needs.exchange.services import iati_import
from needs.management.acting import acting_user

# The values of --sectors.
SECTORS = {"all": False, "anti-corruption": True}


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a str, in the active language
        return gettext(
            "Import donors' assistance from an IATI activity file (version 2.01 to "
            "2.03), all or nothing. Exits with status 1 when the file or any "
            "activity is refused."
        )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext("Show each activity's outcome; write nothing."),
        )
        parser.add_argument(
            "--sectors",
            choices=sorted(SECTORS),
            default="all",
            help=gettext(
                "anti-corruption: import only the activities of anti-corruption and "
                "justice sectors (DAC 151xx, 15210); skip the others."
            ),
        )
        parser.add_argument(
            "--as",
            dest="username",
            help=gettext("The account the import acts as (default: a superuser)."),
        )

    def handle(self, *args, file: Path, dry_run: bool, sectors, username, **options):
        user = acting_user(username)
        if not file.is_file():
            raise CommandError(gettext("No such file: %(file)s") % {"file": file})
        governance_only = SECTORS[sectors]
        with file.open("rb") as handle:
            try:
                preview = activities_plan(handle, governance_only=governance_only)
            except IatiRefused as refused:
                raise CommandError(str(refused)) from refused
        for item in preview.refused:
            self.stderr.write(item.reason)
        summary = self._summary(preview)
        if preview.refused:
            raise CommandError(summary)
        if dry_run:
            self.stdout.write(summary)
            return
        with file.open("rb") as handle:
            try:
                result = iati_import(handle, user=user, governance_only=governance_only)
            except (IatiRefused, PermissionDenied) as refused:
                raise CommandError(str(refused)) from refused
        self.stdout.write(summary)
        if result.unknown_countries:
            # Translators: codes lists ISO 3166-1 alpha-2 codes, e.g. "XK, ZZ".
            message = gettext(
                "Recipient countries left out (not States parties): %(codes)s."
            )
            self.stdout.write(message % {"codes": ", ".join(result.unknown_countries)})

    def _summary(self, preview) -> str:
        counts = {
            outcome: preview.count(outcome)
            for outcome in [
                ActivityOutcome.NEW,
                ActivityOutcome.UPDATED,
                ActivityOutcome.UNCHANGED,
                ActivityOutcome.SKIPPED,
                ActivityOutcome.REFUSED,
            ]
        }
        # Translators: counts of activities by outcome, from `import_iati`.
        return (
            gettext(
                "%(new)s new, %(updated)s updated, %(unchanged)s unchanged, "
                "%(skipped)s skipped, %(refused)s refused."
            )
            % counts
        )
