import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from needs.followup.services import reminders_send


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a str, in the active language
        return gettext(
            "E-mail the responsible people about follow-up steps and action-plan items "
            "due within 30 days or overdue, once per item and period. Run daily (cron)."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", help=_("Pretend today is YYYY-MM-DD (for checks).")
        )

    def handle(self, *args, today=None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--today: {error}") from error
        sent = reminders_send(today=day)
        for due in sent:
            # Translators: one reminder e-mailed: its subject, then its recipients.
            line = gettext("sent: %(subject)s → %(recipients)s")
            values = {"subject": due.subject, "recipients": ", ".join(due.recipients)}
            self.stdout.write(line % values)
        total = ngettext(
            "%(count)s reminder sent.", "%(count)s reminders sent.", len(sent)
        )
        self.stdout.write(self.style.SUCCESS(total % {"count": len(sent)}))
