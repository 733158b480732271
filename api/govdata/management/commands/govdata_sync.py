"""Run the nightly sync now, in this process: manage.py govdata_sync"""

from django.core.management.base import BaseCommand

from api.govdata.services import sync_nightly


class Command(BaseCommand):
    help = "The exchange folder, then the centre's API (GOVDATA_API_URL), as the nightly Celery beat task does."

    def handle(self, *args, **options):
        run = sync_nightly()
        self.stdout.write(f"run #{run.pk}: {run.status} new={run.new_count} changed={run.changed_count} "
                          f"unchanged={run.unchanged_count} rejected={run.rejected_count} {run.message}")
        for part in run.children.order_by("id"):
            self.stdout.write(f"  #{part.pk} {part.kind} {part.channel} {part.filename}: {part.status}")
