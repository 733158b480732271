"""The "Supply and demand" menu of the enterprise host (templates/base.html): the unread counts of the boards
for this enterprise and user, read once per request in one query (ecommerce.selectors.erp_rfq.boards_unread).

    {% load boards_menu_tags %}{% boards_unread as unread %} … {{ unread.total }}

Nothing (zeros, no query) outside an enterprise host or for a visitor who is not a member."""

from __future__ import annotations

from django import template

from ecommerce.selectors.erp_rfq import boards_unread as boards_unread_read

register = template.Library()
_NONE = {"inquiries": 0, "quotations": 0, "total": 0}


@register.simple_tag(takes_context=True)
def boards_unread(context) -> dict:
    request = context.get("request")
    membership = getattr(request, "membership", None)
    enterprise = getattr(request, "enterprise", None)
    if membership is None or enterprise is None or getattr(enterprise, "pk", None) != membership.enterprise_id:
        return _NONE
    cached = getattr(request, "_boards_unread", None)
    if cached is None:
        cached = request._boards_unread = boards_unread_read(user=request.user, enterprise=enterprise)
    return cached
