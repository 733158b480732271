"""Parsing of the quotation / order form (a header and repeated line fields) into service input.

The form posts parallel lists: item (code), description, quantity, unit_price, discount_pct,
vat_rate, revision (a part's revision code, e.g. "B"; checked by the services) and, on orders, location (id). Empty rows are skipped; what cannot be parsed becomes
an error naming the line, and the services check the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.parsing import is_id, parse_date
from erp_modules.inventory.models import Location
from erp_modules.partners.models import Partner
from erp_modules.sales.selectors import sales_item_by_code

LINE_FIELDS = ["item", "description", "quantity", "unit_price", "discount_pct", "vat_rate", "location", "revision"]
BLANK_ROWS = 3


@dataclass
class DocumentForm:
    """What the form shows again after an error, and what the services receive."""

    data: dict = field(default_factory=dict)  # header values as posted (strings)
    rows: list[dict] = field(default_factory=list)  # line values as posted (strings)
    errors: dict[str, list[str]] = field(default_factory=dict)
    customer: Partner | None = None
    lines: list[dict] = field(default_factory=list)
    dates: dict[str, date | None] = field(default_factory=dict)

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(str(message))

    @property
    def is_valid(self) -> bool:
        return not self.errors


def _date(form: DocumentForm, name: str, label: str) -> date | None:
    value = form.data.get(name, "").strip()
    try:
        return parse_date(value, field=name)
    except ValidationError:
        form.add_error(name, _("%(field)s: “%(value)s” is not a date (YYYY-MM-DD).") % {"field": label,
                                                                                     "value": value[:40]})
        return None


def document_form_parse(post, *, date_fields: dict[str, str], with_location: bool) -> DocumentForm:
    """date_fields: {name: label} of the header's date inputs."""
    form = DocumentForm(data={k: post.get(k, "") for k in ["customer", "customer_reference", "note", *date_fields]})
    customer_id = form.data["customer"].strip()
    if is_id(customer_id):
        form.customer = Partner.objects.filter(pk=int(customer_id)).first()
    if form.customer is None:
        form.add_error("customer", _("Choose a customer."))
    for name, label in date_fields.items():
        form.dates[name] = _date(form, name, label)
    columns = {name: post.getlist(name) for name in LINE_FIELDS}
    count = max((len(v) for v in columns.values()), default=0)
    locations = {}
    if with_location:
        ids = {int(v) for v in columns["location"] if is_id(v)}
        locations = {loc.pk: loc for loc in Location.objects.select_related("warehouse").filter(pk__in=ids)}
    n = 0
    for i in range(count):
        row = {name: (columns[name][i] if i < len(columns[name]) else "").strip() for name in LINE_FIELDS}
        if not any(row[name] for name in ("item", "quantity", "unit_price", "description")):
            continue
        form.rows.append(row)
        n += 1
        item = sales_item_by_code(code=row["item"])
        if item is None:
            if row["item"]:
                form.add_error("lines", _("Line %(n)d: there is no item with code “%(code)s”.")
                               % {"n": n, "code": row["item"]})
            else:
                form.add_error("lines", _("Line %(n)d: choose an item.") % {"n": n})
            continue
        line = {"item": item, "quantity": row["quantity"], "unit_price": row["unit_price"] or None,
                "discount_pct": row["discount_pct"] or None, "vat_rate": row["vat_rate"] or None,
                "description": row["description"], "revision": row["revision"]}
        if with_location and row["location"]:
            line["location"] = locations.get(int(row["location"])) if is_id(row["location"]) else None
            if line["location"] is None:
                form.add_error("lines", _("Line %(n)d: choose a location from the list.") % {"n": n})
        form.lines.append(line)
    if n == 0 and "lines" not in form.errors:
        form.add_error("lines", _("Add at least one line."))
    return form


def rows_from_lines(lines, *, with_location: bool) -> list[dict]:
    """Form rows (strings) from saved lines, to edit a draft document."""
    rows = []
    for line in lines:
        row = {"item": line.item.code, "description": line.description, "quantity": _plain(line.quantity),
               "unit_price": _plain(line.unit_price), "discount_pct": _plain(line.discount_pct),
               "vat_rate": _plain(line.vat_rate), "location": "", "revision": line.revision}
        if with_location and getattr(line, "location_id", None):
            row["location"] = str(line.location_id)
        rows.append(row)
    return rows


def _plain(value) -> str:
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return text


def quantities_parse(post, prefix: str) -> tuple[dict[int, str], dict[int, str]]:
    """{order line id: quantity} and {order line id: lot or serial numbers} from `<prefix>-<id>` and
    `lot-<id>` inputs (the deliver and invoice forms of an order)."""
    quantities, lots = {}, {}
    for key, value in post.items():
        if key.startswith(f"{prefix}-") and is_id(key[len(prefix) + 1:]):
            quantities[int(key[len(prefix) + 1:])] = value.strip()
        elif key.startswith("lot-") and is_id(key[4:]):
            lots[int(key[4:])] = value.strip()
    return quantities, lots
