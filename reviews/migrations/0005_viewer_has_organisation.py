from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0004_viewers_are_donors_or_partners'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='account',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('role', 'viewer'), models.Q(('organisation', ''), _negated=True)), models.Q(models.Q(('role', 'viewer'), _negated=True), ('organisation', '')), _connector='OR'), name='viewer_has_organisation', violation_error_message='A viewer works for a donor or partner or for a United Nations entity; other roles for neither.'),
        ),
    ]
