# ImportJob becomes a core.jobs.BackgroundJob: it gains the job's progress, stage, error text and start time,
# and its status takes the values of every background job (queued, running, done, failed). Existing rows
# are kept: "checking rows" (validating) and "writing" become running with that stage; their progress is
# filled in from the row counters. At most one import may now be queued or running per enterprise
# (importjob_one_active), so of the imports still waiting or running when this is applied all but the
# newest are given up, as core.jobs gives up a job whose worker stopped.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FORWARD = [
    "UPDATE erp_common_importjob SET stage = status, status = 'running' WHERE status IN ('validating', 'writing')",
    "UPDATE erp_common_importjob SET progress = CASE WHEN status = 'done' THEN 100 "
    "WHEN total_rows > 0 THEN LEAST(99, 100 * processed_rows / total_rows) ELSE 0 END",
    "UPDATE erp_common_importjob SET status = 'failed', finished_at = now(), "
    "error = 'The background worker stopped before finishing this job.' "
    "WHERE status IN ('queued', 'running') AND id <> "
    "(SELECT max(id) FROM erp_common_importjob WHERE status IN ('queued', 'running'))",
]
BACKWARD = [
    "UPDATE erp_common_importjob SET status = CASE WHEN stage = 'writing' THEN 'writing' ELSE 'validating' END "
    "WHERE status = 'running'",
]


class Migration(migrations.Migration):

    dependencies = [
        ("erp_common", "0002_importjob"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="error",
            field=models.TextField(blank=True, verbose_name="error"),
        ),
        migrations.AddField(
            model_name="importjob",
            name="progress",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="progress %"),
        ),
        migrations.AddField(
            model_name="importjob",
            name="stage",
            field=models.CharField(blank=True, max_length=40, verbose_name="stage"),
        ),
        migrations.AddField(
            model_name="importjob",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="started at"),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="requested at"),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="created_by",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True,
                                    on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                                    to=settings.AUTH_USER_MODEL, verbose_name="started by"),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="finished_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="status",
            field=models.CharField(choices=[("queued", "queued"), ("running", "running"), ("done", "done"),
                                            ("failed", "failed")], default="queued", max_length=10,
                                   verbose_name="status"),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.AddConstraint(
            model_name="importjob",
            constraint=models.UniqueConstraint(models.Value(True), condition=models.Q(("status__in", ["queued", "running"])),
                                               name="importjob_one_active"),
        ),
        migrations.AddConstraint(
            model_name="importjob",
            constraint=models.CheckConstraint(condition=models.Q(("progress__lte", 100)),
                                              name="importjob_progress_range"),
        ),
    ]
