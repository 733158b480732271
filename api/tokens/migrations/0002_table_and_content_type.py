# After the move from api/govdata (0001): the table and its check constraint take this app's names, and the
# content type govdata.apitoken becomes api_tokens.apitoken, so the permissions on it (auth_permission rows,
# groups and users holding them) and the admin log entries stay attached. A database migrated before the
# move has the content type; a new one does not yet (post_migrate creates it after the migrations).

from django.db import migrations, models

OLD, NEW = ('govdata', 'apitoken'), ('api_tokens', 'apitoken')


def _content_type_move(apps, schema_editor, source, target):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    db = schema_editor.connection.alias
    if ContentType.objects.using(db).filter(app_label=target[0], model=target[1]).exists():
        return  # already there (e.g. created by a migrate that stopped half-way): the old one is left stale
    ContentType.objects.using(db).filter(app_label=source[0], model=source[1]).update(
        app_label=target[0], model=target[1])


def content_type_forwards(apps, schema_editor):
    _content_type_move(apps, schema_editor, OLD, NEW)


def content_type_backwards(apps, schema_editor):
    _content_type_move(apps, schema_editor, NEW, OLD)


class Migration(migrations.Migration):

    dependencies = [
        ('api_tokens', '0001_initial'),
        ('govdata', '0003_apitoken_moved_to_api_tokens'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterModelTable(name='apitoken', table=None),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(model_name='apitoken', name='govdata_apitoken_has_scopes'),
                migrations.AddConstraint(
                    model_name='apitoken',
                    constraint=models.CheckConstraint(condition=models.Q(('scopes', []), _negated=True),
                                                      name='api_tokens_apitoken_has_scopes'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'ALTER TABLE api_tokens_apitoken RENAME CONSTRAINT govdata_apitoken_has_scopes '
                    'TO api_tokens_apitoken_has_scopes',
                    reverse_sql='ALTER TABLE api_tokens_apitoken RENAME CONSTRAINT api_tokens_apitoken_has_scopes '
                                'TO govdata_apitoken_has_scopes',
                ),
            ],
        ),
        migrations.RunPython(content_type_forwards, content_type_backwards),
    ]
