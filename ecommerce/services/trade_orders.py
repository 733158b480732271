"""An accepted quotation becomes orders on both sides (TradeOrder): the buyer's draft purchase order and,
when the supplier runs its ERP on the platform, the supplier's draft sales order.

**The buyer's purchase order** is made by ``trade_order_create``, which ``quotation_accept`` calls inside its
own transaction: the TradeOrder row (public) and the purchase order (the buyer's schema) commit or roll back
together with the acceptance. django-tenants switches schemas by ``SET search_path`` on the same connection,
so ``schema_context(buyer)`` inside the public transaction is still one database transaction (a rollback or a
savepoint rollback resets the connection's cached search_path, see its backend). The order is written in a
savepoint: a purchase order that cannot be made (the RFQ names no item of the buyer's catalog, the item is
inactive, the buyer's plan has no ERP, a quantity with too many decimals …) leaves nothing in the buyer's
schema, the acceptance still commits and ``TradeOrder.purchase_error`` says why; the buyer then picks an item
of its catalog on a small page (``trade_order_purchase_create``), which is retryable and idempotent: the
order is found by ``board_quotation_id`` (unique in the buyer's schema) before one is made.

What goes on the order:
- supplier: the partner with the supplier's credit code (USCC), made a supplier if it was only a customer,
  created (code = the credit code) when there is none;
- one line for the RFQ's item (``listing.need_item_id``), the quotation's quantity, its unit price on the
  order's basis (lines are excl. VAT: a price incl. VAT is divided by 1 + rate), the quotation's VAT rate;
- an ex-works quotation's freight: a note, not a line. It is the supplier's estimate of what the buyer pays
  its carrier (services.quotation_terms), not a charge of the supplier; the TradeOrder's amount (incl. VAT,
  delivered, ecommerce.pricing's basis) includes it, the orders' totals do not;
- expected date: the later of today + the quoted lead time (the supplier cannot deliver earlier) and the
  RFQ's need date (the buyer asked for it then, MRP plans with it);
- the note says where it came from (the RFQ's title) and the payment and delivery terms;
- ``board_listing_id`` / ``board_quotation_id``;
- a processing (外协) RFQ makes a subcontracting order (erp_modules.purchasing.subcontract): the processed item
  at the quoted price, with the components of the outsourced work-order operation (``listing.erp_source_id``)
  still to issue, in proportion to the quoted quantity; without such an operation, a subcontracting order at
  the subcontractor's location whose note says the components are sent by hand.

**The supplier's sales order** is made after the commit by the Celery task ``ecommerce.trade_order_sales``
(queued from the public schema with the TradeOrder's id, which is global). The task locks the public TradeOrder
row, reads the quotation, and switches into the schema of the supplier named on the row (never an id from a
request); there it finds or creates the customer partner by the buyer's credit code and makes the draft
order for the item the supplier chose when quoting (``quotation.supplier_item_id``). No SQL spans schemas.
Idempotent: a TradeOrder already ``created`` is left alone, and an order with the quotation's
``board_quotation_id`` is found before one is made. A supplier whose plan has no ERP module (or that is not
active) does not run its ERP on the platform (selectors.supplier_items.enterprise_runs_erp, as the quotation
form decides): ``no_erp`` with the reason; no item chosen or an order that cannot be made: ``failed`` with
the reason. Both may be run again (a later run re-checks).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from ecommerce.board_data import FREIGHT_BOARD
from ecommerce.models import Listing, Quotation, TradeOrder
from ecommerce.selectors.supplier_items import enterprise_runs_erp
from ecommerce.services.permissions import member_require
from erp_modules.catalog.models import Item
from erp_modules.partners.models import Partner
from erp_modules.partners.services import partner_create, partner_update
from erp_modules.production.models import WorkOrderComponent, WorkOrderOperation
from erp_modules.purchasing.models import PurchaseOrder
from erp_modules.purchasing.services import purchase_order_create
from erp_modules.purchasing.subcontract import subcontract_location_for, subcontract_order_create
from erp_modules.sales.models import SalesOrder
from erp_modules.sales.services import sales_order_create
from tenants.models import Enterprise, Role, User


logger = logging.getLogger(__name__)

HUNDRED = Decimal("100")
PRICE_PLACES = Decimal("0.0001")  # unit prices of order lines have at most 4 decimals
CENT = Decimal("0.01")
PAYMENT_DAYS = {Quotation.Payment.PREPAID: 0, Quotation.Payment.ON_DELIVERY: 0, Quotation.Payment.NET30: 30,
                Quotation.Payment.NET60: 60, Quotation.Payment.NET90: 90}


class TradeOrderErrorCode(str, Enum):
    NO_ITEM = "trade_no_item"
    NO_ERP = "trade_no_erp"
    ALREADY_ORDERED = "trade_already_ordered"
    ITEM_MISSING = "trade_item_missing"


Code = TradeOrderErrorCode


# ---- prices on the orders' basis -------------------------------------------------------------------------


def _plain(number: Decimal) -> str:
    """1.5500 → "1.55", 200.00 → "200" (never "2E+2")."""
    return format(number.normalize(), "f")


def net_of_vat(amount: Decimal, *, includes_vat: bool, rate: Decimal, places: Decimal = PRICE_PLACES) -> Decimal:
    """An amount excl. VAT (the basis of order lines): a price incl. VAT divided by 1 + rate."""
    if not includes_vat:
        return amount
    return (amount / (1 + rate / HUNDRED)).quantize(places, rounding=ROUND_HALF_UP)


def freight_of(quotation: Quotation) -> Decimal:
    """The freight the TradeOrder's amount adds (whole order, taken as incl. VAT, as ecommerce.pricing does):
    an ex-works quotation's estimate; a delivered price includes its freight."""
    if quotation.delivery_terms != Quotation.Terms.EX_WORKS:
        return Decimal(0)
    return quotation.freight or Decimal(0)


def quotation_amount_delivered(quotation: Quotation) -> Decimal:
    """The order's amount incl. VAT and delivered (CNY), on ecommerce.pricing's basis: the goods incl. VAT
    plus an ex-works quotation's freight."""
    factor = Decimal(1) if quotation.price_includes_vat else 1 + quotation.vat_rate / HUNDRED
    return (quotation.unit_price * quotation.quantity * factor + freight_of(quotation)).quantize(
        CENT, rounding=ROUND_HALF_UP)


def expected_date_for(*, quotation: Quotation, listing: Listing, today: date | None = None) -> date:
    """The later of today + the lead time and the RFQ's need date."""
    earliest = (today or timezone.localdate()) + timedelta(days=quotation.lead_time_days or 0)
    return max(earliest, listing.need_date) if listing.need_date else earliest


# ---- in an enterprise's schema ---------------------------------------------------------------------------


def _partner_for(company: Enterprise, *, role: str, payment_days: int) -> Partner:
    """The partner with the company's credit code, given the role (``is_supplier``/``is_customer``), created
    when there is none (code: the credit code, else the credit code with a suffix)."""
    partner = Partner.objects.filter(uscc=company.uscc).first()
    if partner is not None:
        if not getattr(partner, role):
            partner = partner_update(partner=partner, **{role: True})
        return partner
    code, n = company.uscc, 1
    while Partner.objects.filter(code__iexact=code).exists():
        n += 1
        code = f"{company.uscc}-{n}"
    return partner_create(code=code, name=company.name[:200], uscc=company.uscc, **{role: True},
                          contact_name=(company.contact_name or "")[:100], phone=(company.contact_phone or "")[:30],
                          email=company.contact_email or "", address=(company.address or "")[:255],
                          payment_terms_days=payment_days)


def _lines_and_note(*, quotation: Quotation, listing: Listing, item: Item) -> tuple[list[dict], str]:
    """The order lines (excl. VAT) and the note, the same for both sides (each in its own schema)."""
    basis = dict(includes_vat=quotation.price_includes_vat, rate=quotation.vat_rate)
    lines = [{"item": item, "quantity": quotation.quantity, "vat_rate": quotation.vat_rate,
              "unit_price": net_of_vat(quotation.unit_price, **basis)}]
    note = [_("From the boards: RFQ “%(title)s” (listing %(id)s, quotation %(quotation)s).")
            % {"title": listing.title, "id": listing.pk, "quotation": quotation.pk},
            _("Payment: %(payment)s. Delivery: %(terms)s. Lead time %(days)d days.")
            % {"payment": quotation.get_payment_terms_display(), "terms": quotation.get_delivery_terms_display(),
               "days": quotation.lead_time_days}]
    if quotation.price_includes_vat:
        note.append(_("Quoted %(price)s CNY per unit incl. %(rate)s %% VAT; the order's prices are excl. VAT.")
                    % {"price": _plain(quotation.unit_price), "rate": _plain(quotation.vat_rate)})
    if quotation.delivery_terms == Quotation.Terms.EX_WORKS:
        note.append(_("Ex works: the buyer arranges the transport; the supplier estimated the freight for the whole "
                      "order at %(freight)s CNY (not on the lines).") % {"freight": _plain(freight_of(quotation))})
    return lines, "\n".join(note)


def _board_link(model, pk: int, *, listing: Listing, quotation: Quotation, **extra) -> None:
    """Set the board ids (and, for a subcontract, the kind) the create services do not take."""
    model.objects.filter(pk=pk).update(board_listing_id=listing.pk, board_quotation_id=quotation.pk, **extra)


def _purchase_order_write(*, trade_order: TradeOrder, item: Item, user: User | None) -> PurchaseOrder:
    quotation, listing = trade_order.quotation, trade_order.listing
    supplier = _partner_for(trade_order.supplier, role="is_supplier",
                            payment_days=PAYMENT_DAYS.get(quotation.payment_terms, 30))
    lines, note = _lines_and_note(quotation=quotation, listing=listing, item=item)
    expected = expected_date_for(quotation=quotation, listing=listing)
    if listing.trade_type != Listing.TradeType.PROCESSING:
        order = purchase_order_create(supplier=supplier, lines=lines, expected_date=expected, note=note, user=user)
        _board_link(PurchaseOrder, order.pk, listing=listing, quotation=quotation)
        return PurchaseOrder.objects.get(pk=order.pk)
    operation_id = listing.erp_source_id if listing.erp_source == Listing.ErpSource.OPERATION else None
    components = _operation_components(operation_id=operation_id, quantity=quotation.quantity)
    if components:
        line = lines[0]
        order = subcontract_order_create(
            supplier=supplier, item=item, quantity=line["quantity"], unit_price=line["unit_price"],
            vat_rate=line["vat_rate"], expected_date=expected, operation_id=operation_id, components=components,
            user=user, board_listing_id=listing.pk, board_quotation_id=quotation.pk)
        if note:
            PurchaseOrder.objects.filter(pk=order.pk).update(note=note)
        return PurchaseOrder.objects.get(pk=order.pk)
    # no work-order operation to take the components from: a subcontracting order at the subcontractor's
    # location without components (sent by hand); the note says so
    note = "\n".join([note, _("No components are recorded for this subcontracting order: send them by hand.")])
    order = purchase_order_create(supplier=supplier, lines=lines, expected_date=expected, note=note, user=user)
    _board_link(PurchaseOrder, order.pk, listing=listing, quotation=quotation, kind=PurchaseOrder.Kind.SUBCONTRACT,
                subcontract_location=subcontract_location_for(supplier=supplier), source_operation_id=operation_id)
    return PurchaseOrder.objects.get(pk=order.pk)


def _operation_components(*, operation_id: int | None, quantity: Decimal) -> list[tuple[Item, Decimal]]:
    """What a subcontractor works on for an outsourced work-order operation: the work order's components still
    to issue (stocked, not serial-tracked), in proportion to the quoted quantity of the work order's."""
    if operation_id is None:
        return []
    operation = WorkOrderOperation.objects.select_related("work_order").filter(pk=operation_id).first()
    if operation is None or not operation.work_order.quantity:
        return []
    share = min(quantity / operation.work_order.quantity, Decimal(1))
    rows = (WorkOrderComponent.objects.select_related("item", "item__uom")
            .filter(work_order=operation.work_order, line_type=WorkOrderComponent.LineType.COMPONENT))
    components = []
    for row in rows:
        item = row.item
        if not item.is_stocked or item.tracking == Item.Tracking.SERIAL:
            continue
        needed = (row.quantity_remaining * share).quantize(Decimal(1).scaleb(-item.uom.decimals),
                                                           rounding=ROUND_HALF_UP)
        if needed > 0:
            components.append((item, needed))
    return components


def _purchase_make(trade_order: TradeOrder, *, item_id: int | None, user: User | None) -> TradeOrder:
    """Make (or find) the buyer's draft order in the buyer's schema, in a savepoint; record the outcome."""
    buyer = trade_order.buyer
    error = ""
    order = None
    if not enterprise_runs_erp(buyer):
        error = _("%(buyer)s's plan does not include the ERP: no purchase order was made.") % {"buyer": buyer}
    else:
        try:
            with schema_context(buyer.schema_name), transaction.atomic():
                order = PurchaseOrder.objects.filter(board_quotation_id=trade_order.quotation_id).first()
                if order is None:
                    if item_id is None:
                        raise ValidationError(_("The RFQ is not linked to an item of your catalog: choose the item "
                                                "to make the purchase order."), code=Code.NO_ITEM)
                    item = Item.objects.filter(pk=item_id).first()
                    if item is None:
                        raise ValidationError(_("The RFQ's item is no longer in your catalog: choose the item to "
                                                "make the purchase order."), code=Code.ITEM_MISSING)
                    order = _purchase_order_write(trade_order=trade_order, item=item, user=user)
        except ValidationError as exc:
            order, error = None, "; ".join(exc.messages)
        except IntegrityError:  # made at the same moment by another request: take that one
            with schema_context(buyer.schema_name):
                order = PurchaseOrder.objects.filter(board_quotation_id=trade_order.quotation_id).first()
            if order is None:
                raise
    if order is not None:
        trade_order.purchase_order_id, trade_order.purchase_order_number = order.pk, order.number
    trade_order.purchase_error = error[:300]
    trade_order.save(update_fields=["purchase_order_id", "purchase_order_number", "purchase_error", "updated_at"])
    return trade_order


def _queue_sales(trade_order_id: int) -> None:
    with schema_context(get_public_schema_name()):  # the task's id is a public row's; queue it from public
        trade_order_sales_task.delay(trade_order_id)


def trade_order_create(*, quotation: Quotation, listing: Listing, user: User | None) -> TradeOrder | None:
    """Called by quotation_accept in its transaction, after the quotation is accepted: the TradeOrder and the
    buyer's draft purchase order; the supplier's sales order is queued for after the commit. None on the
    freight board: a carrier's accepted quotation goes onto the shipment (logistics.freight), not into orders."""
    if listing.board.code == FREIGHT_BOARD:
        return None
    trade_order = TradeOrder.objects.filter(quotation=quotation).first()
    if trade_order is None:
        trade_order = TradeOrder(quotation=quotation, listing=listing, board_id=listing.board_id,
                                 buyer=listing.enterprise, supplier=quotation.enterprise,
                                 amount=quotation_amount_delivered(quotation))
        trade_order.full_clean()
        trade_order.save()
    trade_order.quotation, trade_order.listing = quotation, listing
    trade_order.buyer, trade_order.supplier = listing.enterprise, quotation.enterprise
    _purchase_make(trade_order, item_id=listing.need_item_id, user=user)
    trade_order_id = trade_order.pk
    transaction.on_commit(lambda: _queue_sales(trade_order_id), robust=True)
    return trade_order


def _trade_order_locked(trade_order_id: int) -> TradeOrder | None:
    return (TradeOrder.objects.select_for_update(of=("self",))
            .select_related("quotation", "listing", "buyer", "supplier").filter(pk=trade_order_id).first())


@transaction.atomic
def trade_order_purchase_create(*, trade_order: TradeOrder, item_id: int, user: User | None,
                                api_token=None) -> TradeOrder:
    """The buyer makes the purchase order that could not be made at acceptance, for an item it picks from
    its catalog (idempotent: an order already made for the quotation is refused)."""
    member_require(user=user, enterprise=trade_order.buyer, minimum=Role.CLERK, api_token=api_token)
    with schema_context(get_public_schema_name()):
        locked = _trade_order_locked(trade_order.pk)
    if locked.purchase_order_id is not None:
        raise ValidationError(_("The purchase order %(number)s was already made for this quotation.")
                              % {"number": locked.purchase_order_number}, code=Code.ALREADY_ORDERED)
    _purchase_make(locked, item_id=item_id, user=user)
    if locked.purchase_error:
        raise ValidationError(locked.purchase_error, code=Code.NO_ITEM)
    return locked


# ---- the supplier's sales order (Celery) ------------------------------------------------------------------


def _sales_order_write(*, trade_order: TradeOrder, item: Item) -> SalesOrder:
    quotation, listing = trade_order.quotation, trade_order.listing
    customer = _partner_for(trade_order.buyer, role="is_customer",
                            payment_days=PAYMENT_DAYS.get(quotation.payment_terms, 30))
    lines, note = _lines_and_note(quotation=quotation, listing=listing, item=item)
    order = sales_order_create(customer=customer, lines=lines,
                               delivery_date=expected_date_for(quotation=quotation, listing=listing),
                               customer_reference=trade_order.purchase_order_number[:60], note=note)
    _board_link(SalesOrder, order.pk, listing=listing, quotation=quotation)
    return order


@transaction.atomic
def trade_order_sales_create(*, trade_order_id: int) -> TradeOrder | None:
    """Make the supplier's draft sales order of a TradeOrder (see the module's docstring); None when there is
    no such TradeOrder."""
    with schema_context(get_public_schema_name()):
        trade_order = _trade_order_locked(trade_order_id)
    if trade_order is None or trade_order.sales_state == TradeOrder.SalesState.CREATED:
        return trade_order
    supplier, quotation = trade_order.supplier, trade_order.quotation
    state, error, order = TradeOrder.SalesState.FAILED, "", None
    if not enterprise_runs_erp(supplier):
        state = TradeOrder.SalesState.NO_ERP
        error = _("%(supplier)s does not run its ERP on the platform: no sales order was made.") % {
            "supplier": supplier}
    else:
        try:
            with schema_context(supplier.schema_name), transaction.atomic():
                order = SalesOrder.objects.filter(board_quotation_id=quotation.pk).first()
                if order is None:
                    if quotation.supplier_item_id is None:
                        raise ValidationError(_("The quotation names no item of the supplier's catalog: no sales "
                                                "order was made."), code=Code.NO_ITEM)
                    item = Item.objects.filter(pk=quotation.supplier_item_id).first()
                    if item is None:
                        raise ValidationError(_("The quoted item is no longer in the supplier's catalog: no sales "
                                                "order was made."), code=Code.ITEM_MISSING)
                    order = _sales_order_write(trade_order=trade_order, item=item)
        except ValidationError as exc:
            error = "; ".join(exc.messages)
        else:
            state = TradeOrder.SalesState.CREATED
    if order is not None:
        trade_order.sales_order_id, trade_order.sales_order_number = order.pk, order.number
    trade_order.sales_state, trade_order.sales_error = state, error[:300]
    with schema_context(get_public_schema_name()):
        trade_order.save(update_fields=["sales_state", "sales_order_id", "sales_order_number", "sales_error",
                                        "updated_at"])
    if state != TradeOrder.SalesState.CREATED:
        logger.info("trade order %s: no sales order for %s (%s): %s", trade_order.pk, supplier.schema_name, state,
                    error)
    return trade_order


@shared_task(name="ecommerce.trade_order_sales")
def trade_order_sales_task(trade_order_id: int) -> str | None:
    """Queued from the public schema after an acceptance commits: the supplier's draft sales order."""
    trade_order = trade_order_sales_create(trade_order_id=trade_order_id)
    return trade_order.sales_state if trade_order is not None else None
