"""api/schema.graphql is the exported schema: this fails when the code and the file drift apart.
Re-export with:
    .venv/bin/python manage.py graphql_schema --schema api.graphql.schema.schema --out api/schema.graphql"""

from pathlib import Path

from graphql import print_schema

from api.graphql.schema import schema

EXPORTED = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_exported_schema_is_up_to_date():
    assert EXPORTED.read_text(encoding="utf-8").strip() == print_schema(schema.graphql_schema).strip(), (
        "api/schema.graphql is out of date; re-export it: .venv/bin/python manage.py graphql_schema "
        "--schema api.graphql.schema.schema --out api/schema.graphql")


def test_every_mutation_declares_its_permissions():
    from api.graphql.schema import Mutation

    mutations = {name: field.type for name, field in Mutation._meta.fields.items()}
    board_mutations = ["inquiry_send", "listing_close", "listing_create", "listing_publish", "listing_renew",
                       "listing_update", "quotation_accept",
                       "quotation_submit", "quotation_withdraw"]
    assert sorted(mutations) == sorted(["api_token_create", "api_token_revoke", "item_create", "item_update",
                                        "sales_order_confirm", "sales_order_create", "sales_order_reserve_available",
                                        "purchase_order_approve",
                                        "eco_approve", "eco_reject", "document_check_in",
                                        "shipment_create", "shipment_freight_record", *board_mutations])
    for name, payload in mutations.items():
        assert payload._meta.permissions, f"{name} declares no permissions"
        # the boards are public tables: a token or a member acts on them from any host
        expected_host = "any" if name in board_mutations else "enterprise"
        assert payload._meta.host.value == expected_host, name
