"""The stock ledger is append-only: a trigger refuses UPDATE and DELETE of ledger rows.

The trigger function lives in the public schema (shared by every enterprise, replaced
idempotently) so that the lean schema clone can copy the trigger (tenants/provisioning.py)."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION public.db_refuse_update_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'rows of % are immutable: post a correction instead', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [
        migrations.RunSQL(
            FUNCTION + "CREATE TRIGGER stockmove_immutable BEFORE UPDATE OR DELETE ON inventory_stockmove "
                       "FOR EACH ROW EXECUTE FUNCTION public.db_refuse_update_delete();",
            reverse_sql="DROP TRIGGER IF EXISTS stockmove_immutable ON inventory_stockmove;",
        ),
    ]
