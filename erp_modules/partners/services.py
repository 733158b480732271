from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import field_error
from core.uscc import normalize_uscc
from erp_modules.common.services import audit_record, model_changes
from erp_modules.partners.models import Partner

PARTNER_FIELDS = ["code", "name", "is_customer", "is_supplier", "uscc", "contact_name", "phone", "email", "address",
                  "bank_name", "bank_account", "payment_terms_days", "currency", "active"]


@transaction.atomic
def partner_create(*, user=None, **fields) -> Partner:
    fields["uscc"] = normalize_uscc(fields.get("uscc", ""))
    fields["code"] = (fields.get("code") or "").strip()
    if fields["code"] and Partner.objects.filter(code__iexact=fields["code"]).exists():
        raise field_error("code", _("Code %(code)s is already used.") % {"code": fields["code"]}, "code_taken")
    if fields["uscc"] and Partner.objects.filter(uscc=fields["uscc"]).exists():
        raise field_error("uscc", _("A partner with this credit code exists already."), "uscc_taken")
    partner = Partner(**{k: v for k, v in fields.items() if k in PARTNER_FIELDS})
    partner.full_clean()
    partner.save()
    audit_record(obj=partner, action="create", user=user)
    return partner


@transaction.atomic
def partner_update(*, partner: Partner, user=None, **fields) -> Partner:
    before = Partner.objects.select_for_update().get(pk=partner.pk)
    if "uscc" in fields:
        fields["uscc"] = normalize_uscc(fields["uscc"])
    for name, value in fields.items():
        if name in PARTNER_FIELDS:
            setattr(partner, name, value)
    partner.full_clean()
    partner.save()
    changes = model_changes(before, partner, [f for f in PARTNER_FIELDS if f in fields])
    if changes:
        audit_record(obj=partner, action="update", user=user, changes=changes)
    return partner
