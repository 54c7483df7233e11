from django.core.management import call_command
from django.core.management.base import BaseCommand

from needs.exchange.demo import demo_follow_up_load
from needs.models import Need


class Command(BaseCommand):
    help = (
        "Load the demo data into an empty database: the reconstructed data set of the "
        "2013 note and a few follow-up records. Does nothing when needs already exist."
    )

    def handle(self, *args, **options):
        if Need.objects.exists():
            self.stdout.write("Needs already recorded; demo data not loaded.")
            return
        call_command("load_note_2013", stdout=self.stdout)
        projects = demo_follow_up_load()
        self.stdout.write(
            f"Demo follow-up: {projects} assistance projects, letters, a plan."
        )
