"""The enterprise dashboard's own cards: the members and the reader's role. Other modules add theirs in
their AppConfig.ready() (core.dashboard); the page (views.dashboard) shows every card in order:

    10 government data (api.govdata)   20 members   40 files (erp_modules.files)   90 your role
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.dashboard import dashboard_card_register
from core.onboarding import onboarding_step_register, onboarding_steps_for
from tenants import selectors
from tenants.models import Role


def _members_card(request) -> dict:
    enterprise = request.enterprise
    return {
        "member_count": selectors.membership_list_for_enterprise(enterprise=enterprise).count(),
        "open_invitations": selectors.invitation_list_open(enterprise=enterprise).count(),
    }


def _getting_started_card(request) -> dict | None:
    """The getting-started list, for owners and administrators, until every step is done."""
    if not request.membership.has_role(Role.ADMIN):
        return None
    steps = onboarding_steps_for(request)
    done = sum(step.done for step in steps)
    if not steps or done == len(steps):
        return None
    return {"steps": steps, "done": done, "total": len(steps), "percent": round(100 * done / len(steps))}


def _company_details_done(request) -> bool:
    enterprise = request.enterprise
    return bool(enterprise.address and enterprise.contact_phone)


def _role_card(request) -> dict:
    return {"membership": request.membership, "user": request.user}


def dashboard_cards_register() -> None:
    dashboard_card_register(key="getting_started", order=5, template="tenants/_dashboard_getting_started.html",
                            context=_getting_started_card)
    onboarding_step_register(key="company", order=10, label=_("Complete the company details"),
                             help=_("Address and phone: they are printed on your documents."),
                             url=lambda request: reverse("enterprise_settings"), done=_company_details_done)
    onboarding_step_register(key="members", order=20, label=_("Invite your colleagues"),
                             help=_("Each person signs in with their own account and role."),
                             url=lambda request: reverse("members"),
                             done=lambda request: selectors.membership_list_for_enterprise(
                                 enterprise=request.enterprise)[1:2].exists())
    dashboard_card_register(key="members", order=20, template="tenants/_dashboard_members.html",
                            context=_members_card)
    dashboard_card_register(key="role", order=90, template="tenants/_dashboard_role.html", context=_role_card)
