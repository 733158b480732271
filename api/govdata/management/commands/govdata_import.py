"""Import a file export of the data-exchange centre: manage.py govdata_import FILE [--kind registry|credit_events|credit_ratings]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from api.govdata.importers import IMPORTERS
from api.govdata.services import file_import


class Command(BaseCommand):
    help = "Import a registry / credit CSV or XLSX file (all or nothing) and print the run's counts."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--kind", choices=sorted(IMPORTERS), default=None)

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        run = file_import(content=path.read_bytes(), filename=path.name, kind=options["kind"])
        self.stdout.write(f"run #{run.pk} {run.kind}: {run.status} new={run.new_count} changed={run.changed_count} "
                          f"unchanged={run.unchanged_count} rejected={run.rejected_count}")
        for error in run.errors[:50]:
            self.stdout.write(f"  row {error['row']} {error['column']}: {error['message']}")
        for note in run.notes[:50]:
            self.stdout.write(f"  note: row {note['row']} {note['column']}: {note['message']}")
        if run.status != "succeeded":
            raise CommandError(run.message or run.status)
