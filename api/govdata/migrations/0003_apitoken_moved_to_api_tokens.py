# ApiToken is now api_tokens.ApiToken (api/tokens/migrations/0001_initial.py took over its table):
# it leaves govdata's state only; the table and its rows are not touched.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('govdata', '0002_syncrun_notes'),
        ('api_tokens', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ApiToken')],
            database_operations=[],
        ),
    ]
