"""Every existing viewer account works for a donor or partner (the only kind of viewer
before United Nations entities were told apart)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Account = apps.get_model("reviews", "Account")
    Account.objects.filter(role="viewer", organisation="").update(
        organisation="donor-partner"
    )


def backwards(apps, schema_editor):
    Account = apps.get_model("reviews", "Account")
    Account.objects.update(organisation="")


class Migration(migrations.Migration):
    dependencies = [("reviews", "0003_account_organisation")]

    operations = [migrations.RunPython(forwards, backwards)]
