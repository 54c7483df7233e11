"""What others see of a need moves only when its accepted values change: the version
and the time of their last change (`Need.accepted_version`, `accepted_changed_at`),
which a viewer reads in place of `version` and `updated_at` (0017).

The existing needs: a viewer keeps the version they have been shown (`version`), so
that it never goes back; an accepted need with no proposal under way last changed
when it was last saved (`updated_at`); one with a proposal under way when it was last
saved as accepted (its last historical row in that status), else at its acceptance
(`accepted_at`). A need never accepted has version 0 (its acceptance makes version
1). The historical rows keep the columns' defaults (the migration's time, version 1):
the audit trail does not read them. The database's defaults serve rows written in SQL
outside the ORM."""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce


def forwards(apps, schema_editor):
    Need = apps.get_model("needs", "Need")
    HistoricalNeed = apps.get_model("needs", "HistoricalNeed")
    Need.objects.filter(accepted_at__isnull=True).update(
        accepted_version=0, accepted_changed_at=F("updated_at")
    )
    accepted = Need.objects.filter(accepted_at__isnull=False)
    accepted.filter(proposal__isnull=True).update(
        accepted_version=F("version"), accepted_changed_at=F("updated_at")
    )
    last_accepted = (
        HistoricalNeed.objects.filter(id=OuterRef("pk"), status="accepted")
        .order_by("-history_date", "-history_id")
        .values("history_date")[:1]
    )
    accepted.filter(proposal__isnull=False).update(
        accepted_version=F("version"),
        accepted_changed_at=Coalesce(Subquery(last_accepted), F("accepted_at")),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("needs", "0017_need_accepted_changes"),
    ]

    operations = [
        # Backwards: nothing to undo (0017's reversal drops the columns).
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
