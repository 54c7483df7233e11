import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from needs.followup.services import reminders_send


class Command(BaseCommand):
    help = (
        "E-mail the responsible people about follow-up steps and action-plan items "
        "due within 30 days or overdue, once per item and period. Run daily (cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Pretend today is YYYY-MM-DD (for checks).")

    def handle(self, *args, today=None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--today: {error}") from error
        sent = reminders_send(today=day)
        for due in sent:
            self.stdout.write(f"sent: {due.subject} → {', '.join(due.recipients)}")
        self.stdout.write(self.style.SUCCESS(f"{len(sent)} reminder(s) sent."))
