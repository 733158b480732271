"""An enterprise on the boards: its public profile (card, registry facts, listings) and the card's form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.forms import form_errors_from
from ecommerce import selectors, services
from ecommerce.credit_source import credit_source
from ecommerce.forms import CardForm
from ecommerce.views._common import badges, boards_view, nav_context
from tenants.models import Enterprise, Role
from tenants.selectors import membership_get


def enterprise_profile(request, slug: str):
    enterprise = Enterprise.objects.filter(slug=slug, status=Enterprise.Status.ACTIVE).first()
    if enterprise is None:
        raise Http404
    listings = selectors.enterprise_listings(enterprise=enterprise)
    return render(request, "ecommerce/enterprise.html", {
        **nav_context(request), "enterprise": enterprise,
        "card": services.enterprise_card_get(enterprise=enterprise),
        "listings": listings, "credit_badges": badges(listings, enterprises=[enterprise]),
        "registry": credit_source().registry_for(enterprise.uscc),
        "can_edit": request.user.is_authenticated and bool(
            (m := membership_get(user=request.user, enterprise=enterprise)) and m.has_role(Role.ADMIN))})


@boards_view(login=True)
def card_edit(request, slug: str):
    enterprise = Enterprise.objects.filter(slug=slug).first()
    if enterprise is None:
        raise Http404
    services.member_require(user=request.user, enterprise=enterprise, minimum=Role.ADMIN)
    card = services.enterprise_card_get(enterprise=enterprise)
    form = CardForm(request.POST or None, initial={"established_year": card.established_year,
                                                   "introduction": card.introduction,
                                                   "main_products": card.main_products,
                                                   "share_stock": card.share_stock})
    if request.method == "POST" and form.is_valid():
        try:
            services.enterprise_card_update(enterprise=enterprise, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Enterprise card saved."))
            return redirect("boards:enterprise", enterprise.slug)
    return render(request, "ecommerce/card_form.html", {**nav_context(request), "form": form,
                                                        "enterprise": enterprise, "card": card})
