from django.db import migrations


def completed_enrollments_at_100(apps, schema_editor):
    """Completed enrollments recounted after lessons were added dropped below 100 (e.g. 50 next to a valid
    certificate); a completed course now stays at 100."""
    Enrollment = apps.get_model("catalog", "Enrollment")
    Enrollment.objects.filter(completed_at__isnull=False).exclude(progress_percent=100).update(progress_percent=100)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_course_price_free_or_min"),
    ]

    operations = [
        migrations.RunPython(completed_enrollments_at_100, migrations.RunPython.noop),
    ]
