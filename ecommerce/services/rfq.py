"""Requests for quotation: a demand listing that asks suppliers for quotations, and the quotations'
lives (submitted, accepted or declined by the buyer, withdrawn by the supplier).

Lock order, the same in every service here: the RFQ's listing, then the quotation.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import field_error
from ecommerce.conf import setting
from ecommerce.error_codes import BoardsErrorCode as Code
from ecommerce.hooks import quotation_accepted_send
from ecommerce.models import Listing, Notification, Quotation
from ecommerce.pricing import quotation_basis_text, quotation_landed
from ecommerce.services._common import decimal_or_none, listing_close_for, listing_locked, listing_url
from ecommerce.services.notifications import notification_create
from ecommerce.services.permissions import enterprise_contact_user, listing_poster, member_require
from ecommerce.services.quotation_terms import quotation_terms_clean
from ecommerce.services.trade_orders import trade_order_create
from ecommerce.uploads import attachment_check
from tenants.models import Enterprise, Role, User


def rfq_quota(listing: Listing) -> int:
    limit = setting("BOARDS_RFQ_MAX_QUOTATIONS")
    return min(listing.rfq_max_quotations or limit, limit)


def _plain(number) -> str:
    """1.5500 → "1.55", 100.0000 → "100" (never "1E+2")."""
    return format(number.normalize(), "f")


@transaction.atomic
def quotation_submit(*, listing: Listing, enterprise: Enterprise, user: User | None, unit_price, quantity,
                     lead_time_days: int, valid_until, note: str = "", attachment=None, api_token=None,
                     price_includes_vat=True, vat_rate=None, delivery_terms=None, freight=None, payment_terms=None,
                     supplier_item_id=None) -> Quotation:
    """A supplier quotes on an open RFQ (one quotation per supplier; quoting again replaces it while the
    RFQ is open). The RFQ closes when it has received its quota of quotations (withdrawn ones do not
    count). Quoting again after withdrawing is a new quotation: the buyer is told again and the withdrawn
    quotation's file is not carried over.

    Its terms (services.quotation_terms: VAT included or not and the rate, delivered or ex works with the
    freight, payment terms, the supplier's own ERP item) default to incl. 13 % VAT, delivered, 30 days; the
    buyer's comparison puts every quotation on one basis with them (ecommerce.pricing)."""
    member_require(user=user, enterprise=enterprise, minimum=Role.CLERK, api_token=api_token)
    listing = listing_locked(listing)
    if not listing.is_rfq:
        raise ValidationError(_("This listing does not ask for quotations."), code=Code.NOT_RFQ)
    if listing.enterprise_id == enterprise.pk:
        raise ValidationError(_("You cannot quote on your own enterprise's RFQ."), code=Code.OWN_LISTING)
    if not listing.rfq_open or listing.expires_at <= timezone.now():
        raise ValidationError(_("This RFQ is closed for quotations."), code=Code.RFQ_CLOSED)
    unit_price = decimal_or_none(unit_price, "unit_price")
    quantity = decimal_or_none(quantity, "quantity")
    if unit_price is None:
        raise field_error("unit_price", _("Enter a unit price."), Code.QUANTITY)
    if quantity is None or quantity <= 0:
        raise field_error("quantity", _("Enter a quantity greater than zero."), Code.QUANTITY)
    if valid_until is None or valid_until < timezone.localdate():
        raise field_error("valid_until", _("The quotation must be valid until today or later."), Code.VALIDITY)
    terms = quotation_terms_clean(enterprise=enterprise, price_includes_vat=price_includes_vat, vat_rate=vat_rate,
                                  delivery_terms=delivery_terms, freight=freight, payment_terms=payment_terms,
                                  supplier_item_id=supplier_item_id)
    existing = Quotation.objects.filter(listing=listing, enterprise=enterprise).first()
    resubmitted = existing is not None and existing.status == Quotation.Status.WITHDRAWN
    quotation = existing or Quotation(listing=listing, enterprise=enterprise)
    if resubmitted and quotation.attachment:
        old_file = (quotation.attachment.storage, quotation.attachment.name)
        quotation.attachment, quotation.attachment_name = "", ""
        transaction.on_commit(lambda: old_file[0].delete(old_file[1]), robust=True)
    quotation.created_by = user
    quotation.unit_price, quotation.quantity = unit_price, quantity
    quotation.lead_time_days, quotation.valid_until = int(lead_time_days), valid_until
    quotation.note = (note or "").strip()
    for name, value in terms._asdict().items():
        setattr(quotation, name, value)
    quotation.status, quotation.decided_at = Quotation.Status.SUBMITTED, None
    if attachment is not None:
        quotation.attachment_name = attachment_check(attachment, field="attachment")
        quotation.attachment.save(quotation.attachment_name, attachment, save=False)
    quotation.full_clean()
    quotation.save()
    count = Quotation.objects.filter(listing=listing).exclude(status=Quotation.Status.WITHDRAWN).count()
    poster = listing_poster(listing)
    if (existing is None or resubmitted) and poster is not None:
        notification_create(
            user=poster, enterprise_id=listing.enterprise_id, kind=Notification.Kind.QUOTATION,
            url=listing_url(listing),
            title=lambda: _("New quotation for %(title)s") % {"title": listing.title},
            body=lambda: "\n".join([
                _("%(supplier)s quoted %(price)s CNY per %(unit)s for %(qty)s, lead time %(days)d days.")
                % {"supplier": enterprise, "price": _plain(quotation.unit_price), "unit": listing.unit or "-",
                   "qty": _plain(quotation.quantity), "days": quotation.lead_time_days},
                _("Terms: %(basis)s; payment %(payment)s.") % {"basis": quotation_basis_text(quotation),
                                                               "payment": quotation.get_payment_terms_display()},
                _("Incl. VAT and delivered: %(landed)s CNY per %(unit)s.")
                % {"landed": _plain(quotation_landed(quotation).unit_price), "unit": listing.unit or "-"}]))
    if count >= rfq_quota(listing):
        listing_close_for(listing, Listing.ClosedReason.QUOTA)
        if poster is not None:
            notification_create(
                user=poster, enterprise_id=listing.enterprise_id, kind=Notification.Kind.RFQ_CLOSED,
                url=listing_url(listing),
                title=lambda: _("Quotations closed: %(title)s") % {"title": listing.title},
                body=lambda: _("The RFQ received %(n)d quotations and is closed. Compare them and accept one.")
                % {"n": count})
    return quotation


@transaction.atomic
def quotation_accept(*, quotation: Quotation, user: User | None, api_token=None) -> Quotation:
    """The buyer accepts one quotation: the others are declined and the RFQ is closed. In the same transaction
    the accepted quotation becomes a TradeOrder with the buyer's draft purchase order (or the reason there is
    none); the supplier's draft sales order follows by a task (services/trade_orders.py)."""
    listing = listing_locked(quotation.listing)
    member_require(user=user, enterprise=listing.enterprise, minimum=Role.CLERK, api_token=api_token)
    quotation = (Quotation.objects.select_for_update(of=("self",)).select_related("enterprise", "created_by")
                 .get(pk=quotation.pk))
    if Quotation.objects.filter(listing=listing, status=Quotation.Status.ACCEPTED).exists():
        raise ValidationError(_("A quotation has already been accepted for this RFQ."), code=Code.ALREADY_ACCEPTED)
    if quotation.status != Quotation.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted quotation can be accepted."), code=Code.WRONG_STATUS)
    if quotation.valid_until < timezone.localdate():
        raise ValidationError(_("This quotation expired on %(date)s.") % {"date": quotation.valid_until},
                              code=Code.QUOTATION_EXPIRED)
    now = timezone.now()
    quotation.status, quotation.decided_at = Quotation.Status.ACCEPTED, now
    quotation.save(update_fields=["status", "decided_at"])
    others = list(Quotation.objects.filter(listing=listing, status=Quotation.Status.SUBMITTED)
                  .exclude(pk=quotation.pk).select_related("created_by"))
    Quotation.objects.filter(pk__in=[q.pk for q in others]).update(status=Quotation.Status.DECLINED, decided_at=now)
    if listing.status != Listing.Status.CLOSED or listing.closed_reason != Listing.ClosedReason.ACCEPTED:
        listing_close_for(listing, Listing.ClosedReason.ACCEPTED)
    trade_order_create(quotation=quotation, listing=listing, user=user)
    supplier = quotation.created_by if quotation.created_by_id else enterprise_contact_user(quotation.enterprise_id)
    if supplier is not None:
        notification_create(
            user=supplier, enterprise_id=quotation.enterprise_id, kind=Notification.Kind.ACCEPTED,
            url=listing_url(listing),
            title=lambda: _("Your quotation was accepted: %(title)s") % {"title": listing.title},
            body=lambda: _("%(buyer)s accepted your quotation. Contact them to agree the order.")
            % {"buyer": listing.enterprise})
    accepted_id = quotation.pk
    transaction.on_commit(lambda: quotation_accepted_send(quotation_id=accepted_id))  # e.g. logistics.freight
    for other in others:
        other_supplier = other.created_by if other.created_by_id else enterprise_contact_user(other.enterprise_id)
        if other_supplier is not None:
            notification_create(
                user=other_supplier, enterprise_id=other.enterprise_id, kind=Notification.Kind.DECLINED,
                url=listing_url(listing),
                title=lambda: _("Another quotation was chosen: %(title)s") % {"title": listing.title}, body="")
    return quotation


@transaction.atomic
def quotation_withdraw(*, quotation: Quotation, user: User | None, api_token=None, reason: str = "") -> Quotation:
    """The supplier takes back its quotation while the buyer has not decided (no quotation accepted).

    The buyer's comparison no longer shows it and it no longer counts towards the RFQ's quota: an RFQ that
    was closed because it had received its quota reopens for quotations if its deadline and validity are
    still ahead (closed by its poster, at its deadline or by an acceptance, it stays closed). The supplier
    may quote again while the RFQ is open (quotation_submit). The buyer is told, with the reason if given."""
    member_require(user=user, enterprise=quotation.enterprise, minimum=Role.CLERK, api_token=api_token)
    listing = listing_locked(quotation.listing)  # the same order as quotation_submit/accept: listing, then quotation
    quotation = Quotation.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=quotation.pk)
    if quotation.status == Quotation.Status.WITHDRAWN:
        raise ValidationError(_("This quotation is already withdrawn."), code=Code.ALREADY_WITHDRAWN)
    if quotation.status == Quotation.Status.ACCEPTED:
        raise ValidationError(_("An accepted quotation cannot be withdrawn."), code=Code.ALREADY_ACCEPTED)
    if Quotation.objects.filter(listing=listing, status=Quotation.Status.ACCEPTED).exists():
        raise ValidationError(_("The buyer has already accepted a quotation for this RFQ."),
                              code=Code.ALREADY_ACCEPTED)
    if quotation.status != Quotation.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted quotation can be withdrawn."), code=Code.WRONG_STATUS)
    now = timezone.now()
    quotation.status, quotation.decided_at = Quotation.Status.WITHDRAWN, now
    quotation.save(update_fields=["status", "decided_at"])
    count = Quotation.objects.filter(listing=listing).exclude(status=Quotation.Status.WITHDRAWN).count()
    reopened = (listing.status == Listing.Status.CLOSED and listing.closed_reason == Listing.ClosedReason.QUOTA
                and listing.rfq_deadline is not None and listing.rfq_deadline > now and listing.expires_at > now
                and count < rfq_quota(listing))
    if reopened:
        listing.status, listing.closed_reason = Listing.Status.PUBLISHED, ""
        listing.save(update_fields=["status", "closed_reason", "updated_at"])
    reason = (reason or "").strip()[:500]
    poster = listing_poster(listing)
    if poster is not None:
        deadline = timezone.localtime(listing.rfq_deadline).strftime("%Y-%m-%d %H:%M") if reopened else ""

        def body() -> str:
            parts = [_("%(supplier)s withdrew its quotation (%(price)s CNY per %(unit)s).")
                     % {"supplier": quotation.enterprise, "price": _plain(quotation.unit_price),
                        "unit": listing.unit or "-"}]
            if reason:
                parts.append(_("Reason: %(reason)s") % {"reason": reason})
            if reopened:
                parts.append(_("The RFQ is open for quotations again until %(deadline)s.") % {"deadline": deadline})
            return "\n".join(parts)

        notification_create(
            user=poster, enterprise_id=listing.enterprise_id, kind=Notification.Kind.QUOTATION,
            url=listing_url(listing),
            title=lambda: _("Quotation withdrawn: %(title)s") % {"title": listing.title}, body=body)
    return quotation
