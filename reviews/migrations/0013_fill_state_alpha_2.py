"""Fill the ISO 3166-1 alpha-2 code of the States recorded before it existed."""

import pycountry
from django.db import migrations

SPECIAL_ALPHA_2 = {"EUU": "EU"}


def alpha_2_of(code: str) -> str:
    """A copy of `reviews.models.alpha_2_of` as it was when this was written."""
    if code in SPECIAL_ALPHA_2:
        return SPECIAL_ALPHA_2[code]
    country = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
    return country.alpha_2 if country else ""


def fill(apps, schema_editor):
    StateParty = apps.get_model("reviews", "StateParty")
    states = list(StateParty.objects.all())
    for state in states:
        state.alpha_2 = alpha_2_of(state.code)
    StateParty.objects.bulk_update(states, ["alpha_2"], batch_size=500)


def empty(apps, schema_editor):
    apps.get_model("reviews", "StateParty").objects.update(alpha_2="")


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0012_state_alpha_2"),
    ]

    operations = [
        migrations.RunPython(fill, empty),
    ]
