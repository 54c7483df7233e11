"""Consent has one source of truth: the Consent records. A review whose flag said the
State agreed to the use of its full report gets the records that flag stood for — the
full report and the descriptions of its needs, shared with donors and partners — unless
records for those subjects exist already. The flag is dropped afterwards
(reviews 0006)."""

import datetime

from django.db import migrations

SUBJECTS = ["full-report", "need-descriptions"]


def forwards(apps, schema_editor):
    CountryReview = apps.get_model("reviews", "CountryReview")
    Consent = apps.get_model("needs", "Consent")
    for review in CountryReview.objects.filter(full_report_consent=True):
        for subject in SUBJECTS:
            Consent.objects.get_or_create(
                review=review,
                subject=subject,
                defaults={
                    "audience": "donors",
                    "agreed_on": review.completed_on or datetime.date.today(),  # noqa: DTZ011
                    "notes": "Recorded from the review's former consent flag.",
                },
            )


def backwards(apps, schema_editor):
    CountryReview = apps.get_model("reviews", "CountryReview")
    Consent = apps.get_model("needs", "Consent")
    sharing = Consent.objects.filter(
        subject="full-report", audience__in=["public", "donors"]
    ).values("review")
    CountryReview.objects.filter(pk__in=sharing).update(full_report_consent=True)


class Migration(migrations.Migration):
    dependencies = [
        ("needs", "0005_need_proposals"),
        ("reviews", "0005_viewer_has_organisation"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
