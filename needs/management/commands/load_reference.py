from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from needs.services import need_types_load
from reviews.services import reference_load, secretariat_group_load


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a str, in the active language
        return gettext(
            "Load the reference data: regional groups, States parties, review cycles, "
            "chapters, articles and need types. Safe to run again."
        )

    def handle(self, *args, **options):
        reviews = reference_load()
        types = need_types_load()
        secretariat_group_load()
        message = gettext(
            # Translators: what `load_reference` did; the placeholders are numbers.
            "Reference data loaded: %(created)s created, %(updated)s already present "
            "(updated)."
        )
        values = {
            "created": reviews.created + types.created,
            "updated": reviews.updated + types.updated,
        }
        self.stdout.write(self.style.SUCCESS(message % values))
