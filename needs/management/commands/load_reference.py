from django.core.management.base import BaseCommand

from needs.services import need_types_load
from reviews.services import reference_load, secretariat_group_load


class Command(BaseCommand):
    help = (
        "Load the reference data: regional groups, States parties, review cycles, "
        "chapters, articles and need types. Safe to run again."
    )

    def handle(self, *args, **options):
        reviews = reference_load()
        types = need_types_load()
        secretariat_group_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Reference data loaded: {reviews.created + types.created} created, "
                f"{reviews.updated + types.updated} already present (updated)."
            )
        )
