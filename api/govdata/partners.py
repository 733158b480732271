"""What the ERP reads of the government data about its customers and suppliers: the source registered with
erp_modules.partners.credit in GovdataConfig.ready() (the ERP is a lower layer and does not import this app).

A partner's credit is its credit badge (three queries for any number of credit codes, read from the
tenant's request: the public tables are on the search path, looked up by credit code, never joined) and
what an order with it must not pass without an override: the registration revoked, cancelled or withdrawn
(吊销, 注销, 撤销), the abnormal-operation list (经营异常名录) or a serious list (严重违法失信, 失信被执行人,
重大税收违法) in force.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from api.govdata.models import EventKind, RegistryStatus
from api.govdata.selectors import CreditBadge, credit_badges_for
from erp_modules.partners.credit import PartnerCredit, PartnerCreditSource

REVOKED_STATUSES = (RegistryStatus.REVOKED, RegistryStatus.REVOKED_CANCELLED, RegistryStatus.CANCELLED,
                    RegistryStatus.WITHDRAWN)


def partner_credit_build(badge: CreditBadge) -> PartnerCredit:
    revoked = badge.registry_status in REVOKED_STATUSES
    abnormal = [e for e in badge.active_negative if e.kind == EventKind.ABNORMAL_OPERATION]
    serious = badge.serious
    reasons = []
    if revoked:
        reasons.append(badge.registry_status_raw or RegistryStatus(badge.registry_status).label)
    reasons += [e.kind_raw or str(e.get_kind_display()) for e in [*abnormal, *serious]]
    if badge.registry_status:
        label = str(RegistryStatus(badge.registry_status).label)
    else:
        label = _("Not in the registry")
    if abnormal:
        label = f"{label} · {EventKind.ABNORMAL_OPERATION.label}"
    html = render_to_string("govdata/_credit_badge.html", {"badge": badge, "detail": False})
    return PartnerCredit(uscc=badge.uscc, status=badge.registry_status, status_label=label, level=badge.level,
                         rating_text=badge.rating_text, abnormal=bool(abnormal), revoked=revoked,
                         serious=bool(serious), reasons=tuple(dict.fromkeys(reasons)),
                         badge_html=mark_safe(html.strip()))


def partner_credit_for(usccs) -> dict[str, PartnerCredit]:
    return {code: partner_credit_build(badge) for code, badge in credit_badges_for(usccs).items()}


PARTNER_CREDIT_SOURCE = PartnerCreditSource(credit_for=partner_credit_for)
