"""What others see of a need moves only when its accepted values change: the version
and the time of their last change (`Need.accepted_version`, `accepted_changed_at`),
which a viewer reads in place of `version` and `updated_at`. The database's defaults
serve rows written in SQL outside the ORM. The existing rows: 0018."""

import django.db.models.functions.datetime
import django.utils.timezone
from django.db import migrations, models


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
    ]
