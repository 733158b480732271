"""What an enterprise's plan lets it use, enforced in one place.

Billing (billing.entitlements.entitlements_apply) writes three fields onto the enterprise: `modules` (the
modules switched on), `seat_limit` (None: no limit) and `access` (full, past_due, read_only). This module
says which part of the platform belongs to which module, and answers the questions the gates ask. It
reads only the enterprise already on the request (`request.tenant`) or on the connection (a Celery task
in an enterprise's schema): no query of its own.

The gates that use it:
- pages: tenants.middleware.EntitlementMiddleware (module off → the "not in your plan" page, 403;
  read-only → every write refused with a page saying the data stays visible and exportable);
- menus: tenants.context_processors.platform (`plan`: a module that is off is not shown; the banner);
- GraphQL: api/graphql/core/entitlements.py (NOT_IN_PLAN for a field of a module that is off,
  READ_ONLY for a mutation under read-only);
- Celery: core.tasks.TenantTask asks `task_plan_gate` before a task runs in an enterprise's schema;
  a task of a module that is off is skipped with a log line, not failed;
- seats: tenants.services (invitations and their acceptance) call `seat_limit_check`.

What is always open: the dashboard, members, settings and API tokens, files, the office's programmes,
billing's pages (/billing/), log-out and language, and the boards (public host). Nothing is deleted when a
module goes off: its pages and fields answer "not in your plan" and come back with the module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenants.models import Enterprise

ERP = Enterprise.Module.ERP.value
PDM = Enterprise.Module.PDM.value
LOGISTICS = Enterprise.Module.LOGISTICS.value

# Where the owner sees the plan, changes it and pays (billing/urls_tenant.py, on the enterprise host).
BILLING_PATH = "/billing/"

# Pages of the enterprise host by path prefix, as config/urls_tenants.py mounts them. The first prefix that
# matches decides (None: open whatever the plan). Anything not listed is open: dashboard, members, settings,
# API tokens, files, programmes, billing, GraphQL (checked per field), log-out, language, hand-off.
PATH_MODULES: tuple[tuple[str, str | None], ...] = (
    ("/logistics/t/", None),  # a buyer's tracking link, promised to a customer: not the enterprise's menu
    ("/logistics/push/", None),  # the tracking aggregator's signed pushes: data keeps arriving, nothing is lost
    ("/logistics/", LOGISTICS),
    ("/pdm/", PDM),
    ("/erp/", ERP),
    ("/catalog/", ERP),
    ("/inventory/", ERP),
    ("/partners/", ERP),
    ("/purchasing/", ERP),
    ("/sales/", ERP),
    ("/production/", ERP),
    ("/mrp/", ERP),
)

# Code by Python package: Celery tasks (by the module their function is defined in) and GraphQL types (by
# the package of api/graphql/ that defines them). The longest matching prefix decides; None: open.
PACKAGE_MODULES: dict[str, str | None] = {
    "erp_modules": ERP,
    "erp_modules.files": None,  # the document library: open with every plan (like its page)
    "pdm": PDM,
    "logistics": LOGISTICS,
    "api.graphql.catalog": ERP,
    "api.graphql.inventory": ERP,
    "api.graphql.partners": ERP,
    "api.graphql.purchasing": ERP,
    "api.graphql.sales": ERP,
    "api.graphql.production": ERP,
    "api.graphql.pdm": PDM,
    "api.graphql.logistics": LOGISTICS,
}

# Writes the read-only access still allows on the enterprise host (by path prefix): leaving, the language,
# paying (billing), GraphQL (its reads are POSTs; its mutations are refused by the GraphQL guard), the
# hand-off and the aggregator's pushes (machine to machine: refusing them would lose tracking data).
READ_ONLY_WRITE_PREFIXES = ("/logout/", "/language/", BILLING_PATH, "/graphql/", "/auth/handoff/",
                            "/logistics/push/")
# ... and taking access away, which must never wait for a payment: removing a member, revoking an invitation
# or an API token (security). Adding (inviting, new tokens) and every change of business data waits.
READ_ONLY_WRITE_PATTERNS = (re.compile(r"^/members/\d+/remove/$"), re.compile(r"^/invitations/\d+/revoke/$"),
                            re.compile(r"^/settings/api-tokens/\d+/revoke/$"))
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# The code of the seat-limit error (TenantsErrorCode.SEAT_LIMIT once tenants/error_codes.py has it: same value).
SEAT_LIMIT_CODE = "seat_limit"

MODULE_LABELS = {ERP: gettext_lazy("ERP"), PDM: gettext_lazy("Product data (PDM)"),
                 LOGISTICS: gettext_lazy("Logistics")}


def module_for_path(path: str) -> str | None:
    """The module a page of the enterprise host belongs to (None: open with every plan)."""
    for prefix, module in PATH_MODULES:
        if path.startswith(prefix):
            return module
    return None


def module_for_package(dotted: str) -> str | None:
    """The module of a Python module path (`pdm.vault.services`, `api.graphql.sales.types`), None if open."""
    best, module = -1, None
    for prefix, value in PACKAGE_MODULES.items():
        if (dotted == prefix or dotted.startswith(prefix + ".")) and len(prefix) > best:
            best, module = len(prefix), value
    return module


def module_enabled(enterprise, module: str | None) -> bool:
    return module is None or module in (enterprise.modules or ())


def modules_shown(enterprise) -> dict[str, bool]:
    """{module: on?} for the menus."""
    return {module: module_enabled(enterprise, module) for module in (ERP, PDM, LOGISTICS)}


def is_read_only(enterprise) -> bool:
    return enterprise is not None and enterprise.access == Enterprise.Access.READ_ONLY


def write_allowed(enterprise, *, method: str, path: str) -> bool:
    """May this request write, given the enterprise's access? (Reads always may.)"""
    if method.upper() in SAFE_METHODS or not is_read_only(enterprise):
        return True
    return path.startswith(READ_ONLY_WRITE_PREFIXES) or any(p.match(path) for p in READ_ONLY_WRITE_PATTERNS)


@dataclass(frozen=True)
class Banner:
    level: str  # a Bootstrap alert colour
    message: str


def banner_for(enterprise) -> Banner | None:
    """The warning every page of the enterprise host shows while a payment is overdue."""
    if enterprise is None:
        return None
    if enterprise.access == Enterprise.Access.PAST_DUE:
        return Banner("warning", _("A payment of your subscription is overdue. Please pay the open invoice: after "
                                   "the grace period your enterprise becomes read-only until it is paid."))
    if enterprise.access == Enterprise.Access.READ_ONLY:
        return Banner("danger", _("Your enterprise is read-only because a payment is overdue: your data stays "
                                  "visible and can be exported to Excel, but nothing can be changed until the "
                                  "open invoice is paid."))
    return None


def not_in_plan_message(module: str) -> str:
    return _("%(module)s is not in your enterprise's plan. Your data is kept: it comes back as soon as the "
             "plan includes the module again.") % {"module": MODULE_LABELS.get(module, module)}


def read_only_message() -> str:
    return _("Your enterprise is read-only because a payment is overdue past the grace period. Your data stays "
             "visible and can be exported to Excel; changes are refused until the open invoice is paid, by card "
             "or by bank transfer, on the billing page.")


def current_enterprise():
    """The enterprise whose schema the connection is in (a request or a Celery task), else None."""
    tenant = getattr(connection, "tenant", None)
    return tenant if isinstance(tenant, Enterprise) else None


def task_plan_gate(task) -> str | None:
    """core.tasks.TenantTask's gate: why a task must not run in the current enterprise's schema (None: run).
    The task belongs to the module of the Python module its function is defined in."""
    enterprise = current_enterprise()
    if enterprise is None:
        return None
    module = module_for_package(getattr(task, "__module__", "") or "")
    if module_enabled(enterprise, module):
        return None
    return f"module {module!r} is not in the plan of enterprise {enterprise.slug}"


def seat_limit_check(*, enterprise, members: int, pending: int = 0, field: str | None = "email") -> None:
    """Raise a ValidationError naming the limit when one more member would not fit: `members` is the current
    number of members, `pending` the open invitations that would also take a seat; `field` names the form
    field the error belongs to (None: an error of the whole form)."""
    limit = enterprise.seat_limit
    if limit is None or members + pending + 1 <= limit:
        return
    if pending:
        message = _("Your plan includes %(limit)d seats: %(members)d are taken by members and %(pending)d by open "
                    "invitations. Revoke an invitation, remove a member or add seats to the plan.") % {
            "limit": limit, "members": members, "pending": pending}
    else:
        message = _("Your plan includes %(limit)d seats and all %(members)d are taken. Remove a member or add seats "
                    "to the plan.") % {"limit": limit, "members": members}
    error = ValidationError(message, code=SEAT_LIMIT_CODE)
    raise ValidationError({field: [error]}) if field else error
