"""The one list of API scopes: scope → what it allows. GraphQL permissions (api/graphql/core/permissions.py,
scopes.py) and the token page refer to these names."""

from django.utils.translation import gettext_lazy

SCOPES = {
    "catalog:read": gettext_lazy("read items and bills of materials"),
    "catalog:write": gettext_lazy("create and change items"),
    "stock:read": gettext_lazy("read stock levels"),
    "orders:read": gettext_lazy("read sales and purchase orders, customers and suppliers"),
    "orders:write": gettext_lazy("create and confirm sales orders, reserve their stock"),
    "production:read": gettext_lazy("read work orders"),
    "govdata:read": gettext_lazy("read the enterprise's own registry and credit records"),
    "boards:read": gettext_lazy("read the enterprise's own listings (drafts too), quotations and inquiries on "
                                "the boards"),
    "boards:write": gettext_lazy("post, change, publish, renew and close listings on the boards; quote, accept "
                                 "and withdraw quotations; send inquiries"),
    "pdm:read": gettext_lazy("read parts, revisions and their BOMs, where-used, documents (with download links) "
                             "and engineering change orders"),
    "pdm:write": gettext_lazy("approve and reject engineering change orders, check in new document versions"),
    "logistics:read": gettext_lazy("read shipments, their parcels and tracking events, carriers and contracts; "
                                   "quote freight"),
    "logistics:write": gettext_lazy("record the actual freight of shipments"),
    "billing:read": gettext_lazy("read the enterprise's own subscription (plan, modules, seats) and its invoices"),
}
