"""The enterprise dashboard's own cards: the members and the reader's role. Other modules add theirs in
their AppConfig.ready() (core.dashboard); the page (views.dashboard) shows every card in order:

    10 government data (api.govdata)   20 members   40 files (erp_modules.files)   90 your role
"""

from __future__ import annotations

from core.dashboard import dashboard_card_register
from tenants import selectors


def _members_card(request) -> dict:
    enterprise = request.enterprise
    return {
        "member_count": selectors.membership_list_for_enterprise(enterprise=enterprise).count(),
        "open_invitations": selectors.invitation_list_open(enterprise=enterprise).count(),
    }


def _role_card(request) -> dict:
    return {"membership": request.membership, "user": request.user}


def dashboard_cards_register() -> None:
    dashboard_card_register(key="members", order=20, template="tenants/_dashboard_members.html",
                            context=_members_card)
    dashboard_card_register(key="role", order=90, template="tenants/_dashboard_role.html", context=_role_card)
