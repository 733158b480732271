"""django-tenants' migrate_schemas, plus the tenant template and the pool of spare schemas.

After the public schema and every enterprise schema are migrated, the template schema is
migrated the same way, spare schemas cloned from an older template are dropped, and the pool
is topped up again, so that an enterprise provisioned afterwards has every new migration.
"""

from django.conf import settings
from django_tenants.management.commands.migrate_schemas import GET_EXECUTOR_FUNCTION, MigrateSchemasCommand

from tenants import provisioning


class Command(MigrateSchemasCommand):
    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--no-spare-pool", action="store_true", dest="no_spare_pool", default=False,
                            help="Migrate the template but do not top up the pool of spare schemas.")

    def handle(self, *args, **options):
        super().handle(*args, **options)
        if not self.sync_tenant or (self.schema_name and self.schema_name != self.PUBLIC_SCHEMA_NAME):
            return
        if options.get("fake") or options.get("plan") or options.get("check_unapplied"):
            return
        provisioning.template_ensure_schema()
        executor = GET_EXECUTOR_FUNCTION(codename=self.executor)(self.args, self.options)
        executor.run_migrations(tenants=[settings.TENANT_TEMPLATE_SCHEMA])
        dropped = provisioning.spare_pool_discard_stale()
        made = 0 if options["no_spare_pool"] else provisioning.spare_pool_top_up()
        if int(options.get("verbosity", 1)) >= 1:
            self.stdout.write(f"tenant template migrated; spare schemas dropped: {dropped}, made: {made}")
