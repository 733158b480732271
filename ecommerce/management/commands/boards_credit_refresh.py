"""Set the boards' credit flag from the government data: manage.py boards_credit_refresh [USCC ...]"""

from django.core.management.base import BaseCommand
from django.db import connection

from ecommerce.services import boards_credit_refresh


class Command(BaseCommand):
    help = ("Recompute every enterprise's (or the given credit codes') “credit verified” flag and level on the "
            "boards from the registry and credit records (after a deploy; the nightly sync does it too).")

    def add_arguments(self, parser):
        parser.add_argument("usccs", nargs="*", metavar="USCC")

    def handle(self, *args, **options):
        connection.set_schema_to_public()
        done = boards_credit_refresh(usccs=options["usccs"] or None)
        self.stdout.write(f"{done} enterprise card(s) set")
