"""{% share_panel obj %}: the "Shared with partners" panel of a part revision's or a document's page (the
owner's side), for pdm/sharing/templates/sharing/_share_panel.html — so the pages of pdm.parts and pdm.vault
show it with one include and their views need not know about sharing."""

from django import template

from pdm.parts.models import PartRevision
from pdm.sharing import selectors
from pdm.sharing.forms import share_form
from pdm.sharing.models import Share
from tenants.models import Role

register = template.Library()


@register.inclusion_tag("sharing/_share_panel_body.html", takes_context=True)
def share_panel(context, obj):
    request = context.get("request")
    membership = getattr(request, "membership", None)
    tenant = getattr(request, "tenant", None)
    if obj is None or membership is None or tenant is None or getattr(obj, "pk", None) is None:
        return {"show": False}
    kind = Share.Kind.REVISION if isinstance(obj, PartRevision) else Share.Kind.DOCUMENT
    can_share = membership.has_role(Role.MANAGER)
    form = share_form(kind=kind, object_id=obj.pk) if can_share else None
    return {
        "show": True, "kind": kind, "object_id": obj.pk, "can_share": can_share,
        "shares": list(selectors.shares_of_object(owner=tenant, kind=kind, object_id=obj.pk)),
        "form": form,
        "csrf_token": context.get("csrf_token"), "request": request,
    }
