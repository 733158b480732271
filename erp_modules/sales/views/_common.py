"""What the sales pages share: role checks, flash messages of a service's errors, list pages, PDFs."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import error_messages
from core.parsing import parse_date
from core.tables import Column, Table
from erp_modules.common.services import erp_settings_get
from erp_modules.sales import pdf


def _flash(request, exc: ValidationError) -> None:
    for message in error_messages(exc):
        messages.error(request, message)


def _can(request, role: str) -> bool:
    return request.membership.has_role(role)


def _issuer(request) -> pdf.Issuer:
    enterprise = request.enterprise
    settings = erp_settings_get()
    return pdf.Issuer(name=enterprise.name, uscc=enterprise.uscc, address=enterprise.address,
                      phone=enterprise.contact_phone, email=enterprise.contact_email,
                      bank_name=settings.bank_name, bank_account=settings.bank_account)


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response


def _list(request, *, table: Table, title: str, new_url: str | None = None, new_label: str = "",
          links: list[tuple[str, str, str]] = ()):
    """A list page; `links`: (url, label, element id) of buttons next to the title."""
    if table.wants_export:
        return table.export_response()
    return render(request, "sales/list.html", {"table": table, "title": title, "new_url": new_url,
                                               "new_label": new_label, "section": table.export_name,
                                               "links": links})


def _money_col(key: str, label) -> Column:
    return Column(key, label, sort=key, numeric=True)


def _or_404(obj):
    """The document a selector found; None (missing, or another enterprise's) is "not found"."""
    if obj is None:
        raise Http404
    return obj


def _action(request, obj, call, success):
    """Run `call` (a service) on `obj`: its errors are flashed back on `obj`'s page; on success
    `success` (a message, or a function of the result giving one) is flashed and the result, or `obj`, shown."""
    try:
        result = call()
    except ValidationError as exc:
        _flash(request, exc)
        return redirect(obj.get_absolute_url())
    messages.success(request, success(result) if callable(success) else success)
    return redirect((result or obj).get_absolute_url())


def _cancel(request, document, cancel, message: str):
    """Cancel `document` by `cancel` (its service with the document bound), for the user with the form's reason;
    on success `message` is flashed with the document's number."""
    return _action(request, document, lambda: cancel(user=request.user, reason=request.POST.get("reason", "")),
                   message % {"number": document.number})


def _date_or_none(value: str) -> date | None:
    try:
        return parse_date(value, field="date")
    except ValidationError:
        raise ValidationError(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": (value or "")[:40]},
                              code="invalid_date") from None
