"""The move of ApiToken from api/govdata to this app keeps the tokens: the database is taken back to the
state before the move (table govdata_apitoken, content type govdata.apitoken), a token is written there with
the old model, and the migrations are applied again: the row is the same, the token still authenticates,
and the permissions on the model stayed on its content type. (The same check with the code of the commit
before the move, on a real database, is recorded in api/tokens/README.md.)"""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from api.tokens.models import ApiToken
from api.tokens.services import api_token_authenticate, token_hash

pytestmark = pytest.mark.django_db

BEFORE_THE_MOVE = [("govdata", "0002_syncrun_notes"), ("api_tokens", None)]
TOKEN = "dbk_0a1b2c3d4e_" + "s" * 43


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)  # a fresh graph and state for the next step


def _tables() -> set[str]:
    return set(connection.introspection.table_names())


def test_a_token_written_before_the_move_survives_it(make_enterprise):
    enterprise = make_enterprise(slug="tok-move")
    permission = Permission.objects.get(content_type__app_label="api_tokens", codename="view_apitoken")
    owner = enterprise.memberships.get().user
    owner.user_permissions.add(permission)

    # given: the database as it was before the move, and a token written there with the old model
    executor = _migrate(BEFORE_THE_MOVE)
    assert "govdata_apitoken" in _tables() and "api_tokens_apitoken" not in _tables()
    ContentType.objects.clear_cache()
    assert Permission.objects.get(pk=permission.pk).content_type.app_label == "govdata"
    old_model = executor.loader.project_state(BEFORE_THE_MOVE[:1]).apps.get_model("govdata", "ApiToken")
    old = old_model.objects.create(enterprise_id=enterprise.pk, name="MES line 2", prefix="0a1b2c3d4e",
                                   token_hash=token_hash(TOKEN), scopes=["catalog:read", "govdata:read"])
    with connection.cursor() as cursor:  # the row's foreign-key checks now, not at commit: ALTER TABLE follows
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    # when: the migrations are applied again
    _migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    # then: the same row in the renamed table, a token that works, the permission on the new content type
    assert "api_tokens_apitoken" in _tables() and "govdata_apitoken" not in _tables()
    row = ApiToken.objects.get(pk=old.pk)
    assert (row.enterprise, row.name, row.prefix, row.scopes) == (enterprise, "MES line 2", "0a1b2c3d4e",
                                                                  ["catalog:read", "govdata:read"])
    assert api_token_authenticate(TOKEN) == row
    assert Permission.objects.get(pk=permission.pk).content_type == ContentType.objects.get_for_model(ApiToken)
    owner = type(owner).objects.get(pk=owner.pk)  # a fresh permission cache
    assert owner.has_perm("api_tokens.view_apitoken")
