from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tatracker.backup import database_backup, database_settings, default_backup_path


class Command(BaseCommand):
    help = _(
        "Back up the database with its own tools (pg_dump for PostgreSQL, the online "
        "backup API for SQLite) into one file, var/backups/ by default."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path)
        parser.add_argument("--database-url", default="")

    def handle(self, *args, output, database_url, **options):
        database = database_settings(database_url)
        path = database_backup(
            path=output or default_backup_path(database), database=database
        )
        # Translators: %(path)s is the backup file's path.
        self.stdout.write(gettext("Backup written to %(path)s") % {"path": path})
