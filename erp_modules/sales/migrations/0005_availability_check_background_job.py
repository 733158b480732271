# AvailabilityCheck becomes a core.jobs.BackgroundJob: it gains the job's progress and stage. Every other
# field keeps its name, type and meaning (status, error, who asked, timestamps; the domain counters
# orders_done / orders_total stay: the page shows them), so existing rows survive as they are; their
# progress is filled in from those counters.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("sales", "0004_availability_check"),
    ]

    operations = [
        migrations.AddField(
            model_name="availabilitycheck",
            name="progress",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="progress %"),
        ),
        migrations.AddField(
            model_name="availabilitycheck",
            name="stage",
            field=models.CharField(blank=True, max_length=40, verbose_name="stage"),
        ),
        migrations.RunSQL(
            "UPDATE sales_availabilitycheck SET progress = CASE WHEN status = 'done' THEN 100 "
            "WHEN orders_total > 0 THEN LEAST(99, 100 * orders_done / orders_total) ELSE 0 END",
            migrations.RunSQL.noop,
        ),
        migrations.AddConstraint(
            model_name="availabilitycheck",
            constraint=models.CheckConstraint(condition=models.Q(("progress__lte", 100)),
                                              name="sales_availcheck_progress_range"),
        ),
    ]
