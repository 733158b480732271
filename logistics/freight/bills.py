"""The rows of a carrier's bill (对账单, .xlsx or .csv): the checks of core.imports (every row validated first,
each problem naming its spreadsheet row and column) for the freight-cost import of logistics.freight.services.

Columns (the header may be the name, the label in either language, "label (name)", or a carrier's usual
Chinese header, see HEADER_ALIASES): 运单号 waybill (required), 运费/金额 amount (required), 重量 weight
(billed kg, optional), 日期 date (optional). A waybill number is matched with the parcels of this enterprise's
shipments (of the bill's carrier when one is chosen); the amounts of a shipment's parcels are summed.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.db.models.functions import Upper
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports import ImportColumn, ImportError_, RowError, RowValidator, parse_decimal
from logistics.carriers.models import Carrier
from logistics.shipments.models import Parcel, Shipment

MAX_AMOUNT = Decimal("9999999999.99")  # Shipment.actual_freight: 12 digits, 2 decimals
CENT = Decimal("0.01")

# headers found on the bills of 顺丰, 中通, 圆通, 德邦 … → the column names
HEADER_ALIASES = {
    "waybill": ("运单号", "运单号码", "运单编号", "快递单号", "单号", "waybill", "waybill no", "waybill number",
                "tracking number"),
    "amount": ("运费", "金额", "运费金额", "应付金额", "费用", "结算金额", "总费用", "amount", "freight"),
    "weight": ("重量", "计费重量", "结算重量", "重量(kg)", "重量（kg）", "weight", "billed weight"),
    "date": ("日期", "发货日期", "寄件日期", "寄件时间", "揽收日期", "date"),
}

_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")
_WAYBILL = re.compile(r"^[A-Za-z0-9-]{6,32}$")


def waybill_clean(raw: str) -> str:
    """The number as written; a number Excel stored as a whole number loses its ".0"."""
    value = (raw or "").strip().replace(" ", "")
    if re.fullmatch(r"\d+\.0+", value):
        value = value.split(".")[0]
    return value.upper()


def headers_alias(columns) -> dict[str, str]:
    """{header in the file: column name} for the carriers' usual headers (the first match per column)."""
    mapping: dict[str, str] = {}
    for name, aliases in HEADER_ALIASES.items():
        wanted = {a.lower() for a in aliases}
        for header in columns:
            if str(header).strip().lower() in wanted and name not in mapping.values():
                mapping[header] = name
                break
    return mapping


class FreightBillRows(RowValidator):
    kind = "freight_bill"
    title = gettext_lazy("Carrier bill")
    columns = [
        ImportColumn("waybill", gettext_lazy("Waybill number"), required=True, example="SF1402357798642",
                     help=gettext_lazy("The waybill number of a parcel of one of your shipments.")),
        ImportColumn("amount", gettext_lazy("Freight"), required=True, example="23.50",
                     help=gettext_lazy("What the carrier charges for the parcel, in CNY (运费/金额).")),
        ImportColumn("weight", gettext_lazy("Billed weight (kg)"), example="2.5",
                     help=gettext_lazy("Optional: the weight the carrier charged for.")),
        ImportColumn("date", gettext_lazy("Date"), example="2026-12-01",
                     help=gettext_lazy("Optional: the shipping date, YYYY-MM-DD.")),
    ]

    def __init__(self, *, carrier: Carrier | None = None, waybills: set[str] | None = None):
        self.carrier = carrier
        self.waybills = waybills  # the numbers in the file: only their parcels are loaded

    def prepare(self) -> dict:
        """The parcels of this enterprise's shipments by waybill number (the current schema only)."""
        parcels = Parcel.objects.exclude(waybill_number="").select_related("shipment")
        if self.waybills is not None:
            parcels = parcels.annotate(number=Upper("waybill_number")).filter(number__in=self.waybills)
        by_number: dict[str, list[Parcel]] = {}
        for parcel in parcels:
            carrier_id = parcel.carrier_id or parcel.shipment.carrier_id
            if self.carrier is not None and carrier_id != self.carrier.pk:
                continue
            by_number.setdefault(parcel.waybill_number.upper(), []).append(parcel)
        return {"parcels": by_number}

    def validate_row(self, row: dict, context: dict) -> dict:
        number = waybill_clean(row["waybill"])
        if not _WAYBILL.fullmatch(number):
            raise RowError("waybill", _("“%(value)s” is not a waybill number (6 to 32 letters and digits; write it "
                                        "as text in Excel).") % {"value": row["waybill"][:40]})
        found = context["parcels"].get(number, [])
        if not found:
            if self.carrier is not None:
                raise RowError("waybill", _("Waybill number %(number)s is not on any parcel of your shipments with "
                                            "%(carrier)s.") % {"number": number, "carrier": self.carrier.name})
            raise RowError("waybill", _("Waybill number %(number)s is not on any parcel of your shipments.")
                           % {"number": number})
        if len(found) > 1:
            raise RowError("waybill", _("Waybill number %(number)s is on parcels of several carriers; choose the "
                                        "bill's carrier.") % {"number": number})
        parcel = found[0]
        if parcel.shipment.status == Shipment.Status.CANCELLED:
            raise RowError("waybill", _("Waybill number %(number)s belongs to shipment %(shipment)s, which is "
                                        "cancelled.") % {"number": number, "shipment": parcel.shipment.number})
        amount = parse_decimal(row["amount"], "amount", allow_blank=False, minimum=Decimal("0"))
        if amount != amount.quantize(CENT) or amount > MAX_AMOUNT:
            raise RowError("amount", _("“%(value)s” is not an amount in yuan with at most two decimals.")
                           % {"value": row["amount"][:40]})
        weight = None
        if row.get("weight"):
            weight = parse_decimal(row["weight"], "weight", minimum=Decimal("0"))
        date = None
        if row.get("date"):
            match = _DATE.fullmatch(row["date"].strip())
            if match is None:
                raise RowError("date", _("“%(value)s” is not a date; write it as YYYY-MM-DD.")
                               % {"value": row["date"][:40]})
            date = f"{match[1]}-{int(match[2]):02d}-{int(match[3]):02d}"
        return {"waybill": number, "parcel": parcel, "shipment": parcel.shipment, "amount": amount.quantize(CENT),
                "weight": weight, "date": date}

    def validate_all(self, rows, context) -> list[ImportError_]:
        """A waybill number twice in the bill is a problem (a parcel is charged once)."""
        seen: dict[str, int] = {}
        errors = []
        for number, row in rows:
            if row["waybill"] in seen:
                errors.append(ImportError_(number, "waybill", _("Waybill number %(number)s is also in row %(row)d.")
                                           % {"number": row["waybill"], "row": seen[row["waybill"]]}))
            else:
                seen[row["waybill"]] = number
        return errors
