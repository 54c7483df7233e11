"""What others see of a need moves only when its accepted values change: the version
and the time of their last change (`Need.accepted_version`, `accepted_changed_at`),
which a viewer reads in place of `version` and `updated_at`.

The existing needs: a viewer keeps the version they have been shown (`version`), so
that it never goes back; an accepted need with no proposal under way last changed
when it was last saved (`updated_at`); one with a proposal under way when it was last
saved as accepted (its last historical row in that status), else at its acceptance
(`accepted_at`). A need never accepted has version 0 (its acceptance makes version
1). The historical rows keep the columns' defaults (the migration's time, version 1):
the audit trail does not read them. The database's defaults serve rows written in SQL
outside the ORM."""

import django.db.models.functions.datetime
import django.utils.timezone
from django.db import migrations, models
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
        ('needs', '0016_history_unsearched_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalneed',
            name='accepted_changed_at',
            field=models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, help_text='When the accepted values last changed.', verbose_name='accepted values changed at'),
        ),
        migrations.AddField(
            model_name='historicalneed',
            name='accepted_version',
            field=models.PositiveIntegerField(db_default=1, default=1, editable=False, help_text='Raised each time the accepted values change.', verbose_name='version of the accepted values'),
        ),
        migrations.AddField(
            model_name='need',
            name='accepted_changed_at',
            field=models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, help_text='When the accepted values last changed.', verbose_name='accepted values changed at'),
        ),
        migrations.AddField(
            model_name='need',
            name='accepted_version',
            field=models.PositiveIntegerField(db_default=1, default=1, editable=False, help_text='Raised each time the accepted values change.', verbose_name='version of the accepted values'),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
