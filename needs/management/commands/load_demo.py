from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext, ngettext

from needs.exchange.demo import demo_follow_up_load
from needs.models import Need


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a str, in the active language
        return gettext(
            "Load the demo data into an empty database: the reconstructed data set of "
            "the 2013 note and a few follow-up records. Does nothing when needs "
            "already exist."
        )

    def handle(self, *args, **options):
        if Need.objects.exists():
            self.stdout.write(gettext("Needs already recorded; demo data not loaded."))
            return
        call_command("load_note_2013", stdout=self.stdout)
        projects = demo_follow_up_load()
        message = ngettext(
            # Translators: what `load_demo` loaded; %(projects)s is a number.
            "Demo follow-up: %(projects)s assistance project, letters, a plan.",
            "Demo follow-up: %(projects)s assistance projects, letters, a plan.",
            projects,
        )
        self.stdout.write(message % {"projects": projects})
