"""Clone spare schemas until the pool is full (what the beat task does every minute), here and now."""

from django.core.management.base import BaseCommand

from tenants.provisioning import spare_pool_top_up


class Command(BaseCommand):
    help = "Top up the pool of spare enterprise schemas (TENANT_SPARE_POOL_SIZE)."

    def handle(self, *args, **options):
        made = spare_pool_top_up()
        if options["verbosity"]:
            self.stdout.write(f"spare schemas made: {made}")
