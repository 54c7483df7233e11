"""Fill the sort name of the States recorded before it existed."""

import unicodedata

from django.db import migrations


def sort_key(text: str) -> str:
    """A copy of `reviews.models.sort_key` as it was when this migration was written."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if unicodedata.category(c)[0] in "LN")


def fill(apps, schema_editor):
    StateParty = apps.get_model("reviews", "StateParty")
    states = list(StateParty.objects.all())
    for state in states:
        state.sort_name = sort_key(state.name)
    StateParty.objects.bulk_update(states, ["sort_name"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("reviews", "0009_state_sort_name"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
