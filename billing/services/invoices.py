"""Invoices the platform issues itself (subscriptions paid by corporate bank transfer, 对公转账), the
transfers the platform's finance staff record against them, fapiao requests, and the invoice PDF.

- Numbers: "DB" + year + 6 digits, from one PostgreSQL sequence per year (``billing_invoice_no_<year>``,
  created on first use under a transaction-scoped advisory lock so two first invoices of a year cannot
  race to create it). A sequence never hands a number out twice; a rolled-back invoice leaves a gap.
- ``invoice_issue``: an open invoice for a subscription's period, due in ``BILLING_TRANSFER_DUE_DAYS``;
  a subsidised subscription's invoice is then split by ``billing.services.subsidies.invoice_subsidy_apply``.
- ``bank_transfer_record``: platform administrators only; partial payments add up; the invoice is paid
  when nothing is outstanding, and a past-due bank-transfer subscription with nothing else outstanding
  becomes active again (then ``entitlements_apply``). A transfer above what is outstanding is refused.
- ``fapiao_request_create``: one per invoice, by the enterprise's owner; ``fapiao_request_issue`` by the
  platform's finance staff.

Locks: the invoice row, then the subscription row (then, inside entitlements_apply, the enterprise)."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from xml.sax.saxutils import escape

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from billing.entitlements import entitlements_apply
from billing.error_codes import BillingErrorCode as Code
from billing.models import BankTransfer, FapiaoRequest, Invoice, Subscription
from billing.services.subsidies import invoice_subsidy_apply
from core.errors import field_error
from tenants.models import Enterprise, User

CENT = Decimal("0.01")
ZERO = Decimal("0")
CJK = "STSong-Light"
LATIN = "Helvetica"
TAX_NUMBER = re.compile(r"^[0-9A-Z]{15,20}$")


def bank_account() -> dict:
    """The platform's bank account that bank-transfer invoices show (settings.BILLING_BANK_ACCOUNT)."""
    default = {"name": "数码桥平台运营有限公司", "bank": "中国工商银行慈溪支行", "account": "3901 2345 6789 0123 456"}
    return {**default, **getattr(settings, "BILLING_BANK_ACCOUNT", {})}


def transfer_reference(invoice: Invoice) -> str:
    """What the enterprise quotes in the transfer's remark (用途/附言) so the payment finds its invoice."""
    return invoice.number


def invoice_number_next(*, year: int | None = None) -> str:
    year = year or timezone.localdate().year
    sequence = f"billing_invoice_no_{int(year)}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"public.{sequence}"])
        if cursor.fetchone()[0] is None:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [sequence])
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS public.{sequence} MINVALUE 1 MAXVALUE 999999")
        cursor.execute("SELECT nextval(%s)", [f"public.{sequence}"])
        value = cursor.fetchone()[0]
    return f"DB{int(year)}{value:06d}"


def _line(description: str, amount: Decimal, quantity: int = 1) -> dict:
    return {"description": description, "quantity": quantity, "amount": str(amount.quantize(CENT))}


@transaction.atomic
def invoice_issue(*, subscription: Subscription, lines: list[dict], period_start: date | None,
                  period_end: date | None, now: datetime | None = None) -> Invoice:
    """An open invoice of the platform for a bank-transfer subscription (lines: description, quantity,
    amount in yuan). A subsidised subscription's invoice is split at once."""
    now = now or timezone.now()
    total = sum((Decimal(line["amount"]) for line in lines), ZERO).quantize(CENT)
    if total < 0:
        raise field_error("lines", _("An invoice cannot be negative."), Code.TRANSFER_AMOUNT_INVALID)
    due_days = getattr(settings, "BILLING_TRANSFER_DUE_DAYS", 14)
    invoice = Invoice.objects.create(
        number=invoice_number_next(year=timezone.localtime(now).year), enterprise_id=subscription.enterprise_id,
        subscription=subscription, status=Invoice.Status.OPEN if total > 0 else Invoice.Status.PAID,
        period_start=period_start, period_end=period_end, amount_total=total, amount_due=total, lines=lines,
        issued_at=now, due_on=timezone.localtime(now).date() + timedelta(days=due_days),
        paid_at=None if total > 0 else now)
    if total > 0:
        invoice = invoice_subsidy_apply(invoice=invoice)
        if invoice.amount_due == 0 and invoice.status == Invoice.Status.OPEN:
            invoice.status, invoice.paid_at = Invoice.Status.PAID, now
            invoice.save(update_fields=["status", "paid_at"])
    return invoice


def _amount(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError, TypeError):
        raise field_error(field, _("Enter an amount in yuan, e.g. 299.00."), Code.TRANSFER_AMOUNT_INVALID) from None
    if not amount.is_finite() or amount <= 0:
        raise field_error(field, _("The amount must be above zero."), Code.TRANSFER_AMOUNT_INVALID)
    return amount


@transaction.atomic
def bank_transfer_record(*, invoice: Invoice, amount, received_on: date, bank_reference: str, actor: User,
                         payer_name: str = "") -> BankTransfer:
    """Record a corporate bank transfer received for an invoice (platform administrators)."""
    if not actor.is_platform_admin:
        raise field_error("actor", _("Only the platform's finance staff record bank transfers."), Code.FORBIDDEN)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    amount = _amount(amount, "amount")
    bank_reference = (bank_reference or "").strip()
    if not bank_reference:
        raise field_error("bank_reference", _("Enter the bank's reference of the transfer."),
                          Code.TRANSFER_AMOUNT_INVALID)
    if invoice.status != Invoice.Status.OPEN:
        raise field_error("invoice", _("Invoice %(number)s is not open (%(status)s).") % {
            "number": invoice.number, "status": invoice.get_status_display()}, Code.INVOICE_NOT_OPEN)
    if amount > invoice.outstanding:
        raise field_error("amount", _("%(amount)s is more than the %(outstanding)s outstanding on invoice "
                                      "%(number)s.") % {"amount": amount, "outstanding": invoice.outstanding,
                                                        "number": invoice.number}, Code.TRANSFER_OVERPAID)
    if BankTransfer.objects.filter(bank_reference=bank_reference).exists():
        raise field_error("bank_reference", _("A transfer with bank reference %(ref)s is already recorded.") % {
            "ref": bank_reference}, Code.TRANSFER_REFERENCE_TAKEN)
    transfer = BankTransfer(invoice=invoice, amount=amount, received_on=received_on, bank_reference=bank_reference,
                            payer_name=payer_name.strip()[:200], recorded_by=actor)
    transfer.full_clean()
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError:  # a concurrent transfer took the reference between the check and the insert
        raise field_error("bank_reference", _("A transfer with bank reference %(ref)s is already recorded.") % {
            "ref": bank_reference}, Code.TRANSFER_REFERENCE_TAKEN) from None
    invoice.amount_paid += amount
    fields = ["amount_paid"]
    if invoice.outstanding == 0:
        invoice.status, invoice.paid_at = Invoice.Status.PAID, timezone.now()
        fields += ["status", "paid_at"]
    invoice.save(update_fields=fields)
    if invoice.status == Invoice.Status.PAID and invoice.subscription_id:
        _subscription_settled(invoice.subscription_id)
    return transfer


def _subscription_settled(subscription_id: int) -> None:
    """A bank-transfer subscription that was past due becomes active when nothing is outstanding."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription_id)
    open_left = Invoice.objects.filter(subscription=subscription, status=Invoice.Status.OPEN,
                                       due_on__lt=timezone.localdate()).exists()
    if subscription.status in (Subscription.Status.PAST_DUE, Subscription.Status.UNPAID,
                               Subscription.Status.INCOMPLETE) and not open_left:
        subscription.status, subscription.past_due_since = Subscription.Status.ACTIVE, None
        subscription.save(update_fields=["status", "past_due_since", "updated_at"])
    entitlements_apply(enterprise=subscription.enterprise)


def fapiao_defaults(enterprise: Enterprise) -> dict:
    """The fapiao request form prefilled from the enterprise."""
    return {"title": enterprise.name, "tax_number": enterprise.uscc, "address": enterprise.address,
            "phone": enterprise.contact_phone}


@transaction.atomic
def fapiao_request_create(*, invoice: Invoice, actor: User, title: str, tax_number: str, kind: str = "normal",
                          address: str = "", phone: str = "", bank_name: str = "",
                          bank_account: str = "") -> FapiaoRequest:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if FapiaoRequest.objects.filter(invoice=invoice).exists():
        raise field_error("invoice", _("A fapiao was already requested for invoice %(number)s.") % {
            "number": invoice.number}, Code.FAPIAO_EXISTS)
    tax_number = (tax_number or "").strip().upper()
    if not TAX_NUMBER.match(tax_number):
        raise field_error("tax_number", _("A taxpayer number has 15 to 20 digits or capital letters."),
                          Code.FAPIAO_TAX_NUMBER_INVALID)
    request = FapiaoRequest(invoice=invoice, kind=kind, title=(title or "").strip(), tax_number=tax_number,
                            address=address.strip(), phone=phone.strip(), bank_name=bank_name.strip(),
                            bank_account=bank_account.strip(), requested_by=actor)
    if request.kind == FapiaoRequest.Kind.SPECIAL and not (request.address and request.phone and request.bank_name
                                                           and request.bank_account):
        missing = next(f for f in ("address", "phone", "bank_name", "bank_account") if not getattr(request, f))
        raise field_error(missing, _("A special VAT fapiao needs the address, phone, bank and account."),
                          Code.FAPIAO_INCOMPLETE)
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def fapiao_request_issue(*, request: FapiaoRequest, fapiao_number: str, actor: User) -> FapiaoRequest:
    """The platform's finance staff mark a fapiao request issued."""
    if not actor.is_platform_admin:
        raise field_error("actor", _("Only the platform's finance staff issue fapiao."), Code.FORBIDDEN)
    request = FapiaoRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == FapiaoRequest.Status.ISSUED:
        raise field_error("fapiao_number", _("This fapiao was already issued."), Code.FAPIAO_ISSUED)
    fapiao_number = (fapiao_number or "").strip()
    if not fapiao_number:
        raise field_error("fapiao_number", _("Enter the fapiao number."), Code.FAPIAO_ISSUED)
    request.status, request.fapiao_number, request.issued_at = (FapiaoRequest.Status.ISSUED, fapiao_number,
                                                                timezone.now())
    request.save(update_fields=["status", "fapiao_number", "issued_at"])
    return request


# ------------------------------------------------------------------------------------------------ PDF

def _money(value) -> str:
    return f"¥{Decimal(value):,.2f}"


def invoice_filename(invoice: Invoice) -> str:
    return f"invoice-{invoice.number}.pdf"


def invoice_pdf(invoice: Invoice, *, language: str | None = None) -> bytes:
    """The invoice as an A4 PDF: lines, total, the enterprise's and the subsidy's share, what was paid and,
    for a bank-transfer invoice, the platform's account and the reference to quote."""
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        return _invoice_pdf(invoice)


def _invoice_pdf(invoice: Invoice) -> bytes:
    if CJK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK))
    title_style = ParagraphStyle("title", fontName=CJK, fontSize=16, leading=22, spaceAfter=6)
    body = ParagraphStyle("body", fontName=CJK, fontSize=9.5, leading=14)
    cell = ParagraphStyle("cell", fontName=CJK, fontSize=9, leading=12)

    def p(text, style=cell):
        text = str(text)
        if all(ord(ch) < 256 for ch in text):  # numbers and amounts in Helvetica (searchable, as sales PDFs)
            style = ParagraphStyle(style.name + "-latin", parent=style, fontName=LATIN)
        return Paragraph(escape(text), style)

    enterprise = invoice.enterprise
    subscription = invoice.subscription
    story = [p(_("Invoice %(number)s") % {"number": invoice.number}, title_style),
             p(_("Digital Bridge platform · issued %(date)s · due %(due)s · %(status)s") % {
                 "date": timezone.localtime(invoice.issued_at).date().isoformat(),
                 "due": invoice.due_on.isoformat() if invoice.due_on else "—",
                 "status": invoice.get_status_display()}, body),
             p(_("Bill to: %(name)s (%(uscc)s)") % {"name": enterprise.name, "uscc": enterprise.uscc}, body)]
    if invoice.period_start and invoice.period_end:
        story.append(p(_("Period: %(start)s to %(end)s") % {"start": invoice.period_start.isoformat(),
                                                             "end": invoice.period_end.isoformat()}, body))
    story.append(Spacer(1, 5 * mm))
    rows = [[p(_("Description")), p(_("Quantity")), p(_("Amount"))]]
    for line in invoice.lines or []:
        if line.get("kind"):  # notes of the subsidy split, shown below
            continue
        rows.append([p(line.get("description", "")), p(line.get("quantity", 1)),
                     p(_money(line.get("amount", 0)))])
    rows += [[p(_("Total")), "", p(_money(invoice.amount_total))],
             [p(_("Subsidy share")), "", p(_money(invoice.subsidy_amount))],
             [p(_("Enterprise share")), "", p(_money(invoice.amount_due))],
             [p(_("Paid")), "", p(_money(invoice.amount_paid))],
             [p(_("Outstanding")), "", p(_money(invoice.outstanding))]]
    table = Table(rows, colWidths=[110 * mm, 20 * mm, 40 * mm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [table, Spacer(1, 4 * mm)]
    for line in invoice.lines or []:
        if line.get("kind") and line.get("description"):
            story.append(p(line["description"], body))
    if invoice.subsidy_amount:
        story.append(p(_("The subsidy share is paid by the programme's fund, not by the enterprise."), body))
    if subscription is not None and subscription.payment_method == Subscription.PaymentMethod.BANK_TRANSFER \
            and invoice.status == Invoice.Status.OPEN:
        account = bank_account()
        story += [Spacer(1, 4 * mm), p(_("Pay by corporate bank transfer (对公转账) to:"), body),
                  p(_("Account name: %(name)s") % {"name": account["name"]}, body),
                  p(_("Bank: %(bank)s") % {"bank": account["bank"]}, body),
                  p(_("Account number: %(account)s") % {"account": account["account"]}, body),
                  p(_("Quote this reference in the transfer's remark: %(ref)s") % {
                      "ref": transfer_reference(invoice)}, body)]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=invoice.number, author="Digital Bridge",
                      leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
                      invariant=1, pageCompression=0).build(story)
    return buffer.getvalue()

