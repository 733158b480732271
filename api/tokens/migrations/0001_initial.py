# The API token model moves here from api/govdata (its table, govdata_apitoken, and every row stay):
# this migration only tells Django's state that the model is now this app's, with the old table name;
# govdata 0003 takes it out of govdata's state; 0002 renames the table. Nothing is copied.

import django.contrib.postgres.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('govdata', '0002_syncrun_notes'),  # the table exists (govdata 0001 created it)
        ('tenants', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ApiToken',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='name')),
                        ('prefix', models.CharField(max_length=16, unique=True)),
                        ('token_hash', models.CharField(max_length=64)),
                        ('scopes', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=30), default=list, size=None, verbose_name='scopes')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('expires_at', models.DateTimeField(blank=True, null=True, verbose_name='expires at')),
                        ('last_used_at', models.DateTimeField(blank=True, null=True, verbose_name='last used')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked at')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('enterprise', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to='tenants.enterprise')),
                        ('revoked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'API token',
                        'verbose_name_plural': 'API tokens',
                        'ordering': ['-created_at', '-id'],
                        'db_table': 'govdata_apitoken',
                        'constraints': [models.CheckConstraint(condition=models.Q(('scopes', []), _negated=True), name='govdata_apitoken_has_scopes')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
