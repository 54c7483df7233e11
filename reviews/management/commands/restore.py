from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tatracker.backup import database_restore, database_settings


class Command(BaseCommand):
    help = _(
        "Replace the database's contents with a backup made by `backup`. Stop the "
        "app servers first; afterwards run `migrate` if the code is newer."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path)
        parser.add_argument("--database-url", default="")
        parser.add_argument("--no-input", action="store_false", dest="interactive")

    def handle(self, *args, backup, database_url, interactive, **options):
        if not backup.is_file():
            # Translators: %(path)s is the path given to `restore`.
            raise CommandError(gettext("No backup at %(path)s") % {"path": backup})
        database = database_settings(database_url)
        if interactive:
            # Translators: %(name)s is the database's name; the answer stays "yes".
            question = gettext(
                "Everything in the database %(name)s will be replaced. Type yes: "
            ) % {"name": database["NAME"]}
            if input(question).strip().lower() != "yes":
                raise CommandError(gettext("Nothing restored."))
        database_restore(path=backup, database=database)
        # Translators: %(path)s is the backup file's path.
        self.stdout.write(gettext("Restored from %(path)s") % {"path": backup})
