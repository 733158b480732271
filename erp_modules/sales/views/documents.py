"""The create / edit page of a quotation or a sales order (one form: header and priced lines)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import error_messages_by_field
from core.permissions import role_required
from erp_modules.catalog.revision_source import item_revisions, revisions_available
from erp_modules.common.services import erp_settings_get
from erp_modules.inventory.models import Location
from erp_modules.sales import selectors, services
from erp_modules.sales.forms import BLANK_ROWS, document_form_parse, rows_from_lines
from tenants.models import Role


def _form_context(request, *, kind: str, form=None, rows=None, data=None, document=None):
    with_location = kind == "order"
    rows = list(rows or [])
    blank = BLANK_ROWS + (5 if "add_rows" in request.POST else 0) + (0 if rows else 2)
    rows += [{} for _ in range(blank)]
    with_revisions = revisions_available()
    if with_revisions:  # the revisions each row's item offers (the item input refreshes them: item_revisions)
        for row in rows:
            if row.get("item"):
                row["revisions"] = item_revisions(selectors.sales_item_by_code(code=row["item"]))
    context = {
        "kind": kind, "document": document, "rows": rows, "data": data or {}, "errors": form.errors if form else {},
        "customers": selectors.sales_customer_choices(), "items": selectors.sales_item_choices(),
        "vat_rate": erp_settings_get().vat_rate, "with_revisions": with_revisions,
        "locations": (Location.objects.filter(active=True).select_related("warehouse") if with_location else []),
    }
    return context


def document_form(request, *, kind: str, document=None):
    """The create / edit page of a quotation or an order (kind "quotation" / "order")."""
    with_location = kind == "order"
    date_fields = ({"quote_date": _("Quotation date"), "valid_until": _("Valid until")} if kind == "quotation" else
                   {"order_date": _("Order date"), "delivery_date": _("Requested delivery date")})
    if request.method == "POST":
        form = document_form_parse(request.POST, date_fields=date_fields, with_location=with_location)
        if "add_rows" not in request.POST and form.is_valid:
            common = {"customer": form.customer, "lines": form.lines, "user": request.user,
                      "customer_reference": form.data.get("customer_reference", ""), "note": form.data.get("note", "")}
            try:
                if kind == "quotation":
                    dates = {"quote_date": form.dates["quote_date"], "valid_until": form.dates["valid_until"]}
                    document = (services.quotation_update(quotation=document, **common, **dates) if document else
                                services.quotation_create(**common, **dates))
                else:
                    dates = {"order_date": form.dates["order_date"], "delivery_date": form.dates["delivery_date"]}
                    document = (services.sales_order_update(order=document, **common, **dates) if document else
                                services.sales_order_create(**common, **dates))
            except ValidationError as exc:
                for name, field_messages in error_messages_by_field(exc).items():
                    for message in field_messages:
                        form.add_error(name, message)
            else:
                messages.success(request, _("%(number)s saved.") % {"number": document.number})
                return redirect(document.get_absolute_url())
        if "add_rows" in request.POST:
            form.errors.clear()
        context = _form_context(request, kind=kind, form=form, rows=form.rows, data=form.data, document=document)
        return render(request, "sales/document_form.html", context, status=200 if form.is_valid else 400)
    if document is not None:
        data = {"customer": str(document.customer_id), "customer_reference": document.customer_reference,
                "note": document.note}
        for name in date_fields:
            value = getattr(document, name)
            data[name] = value.isoformat() if value else ""
        rows = rows_from_lines(document.lines.select_related("item"), with_location=with_location)
    else:
        data = {"customer": request.GET.get("customer", "")}
        rows = []
    return render(request, "sales/document_form.html",
                  _form_context(request, kind=kind, rows=rows, data=data, document=document))


@role_required(Role.CLERK)
def item_revision_options(request):
    """htmx: the <option>s of a line's revision list for the item code typed in that row (`?item=<code>`);
    an item this enterprise does not have is "not found", one that is not a part has no options."""
    item = selectors.sales_item_by_code(code=request.GET.get("item", ""))
    if item is None:
        raise Http404
    return render(request, "sales/_revision_options.html", {"revisions": item_revisions(item)})
