# `migrate` is `migrate_schemas` here (as in django-tenants), including the template and pool.
from tenants.management.commands.migrate_schemas import Command  # noqa: F401
