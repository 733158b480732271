"""What the pages of pdm.parts, pdm.vault and pdm.changes do alike: a tenant-scoped fetch that is a 404
when missing (or another enterprise's), a post that calls a service, and a form post that calls a service."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect

from core.errors import error_messages
from core.forms import form_errors_from

T = TypeVar("T")


def found(obj: T | None) -> T:
    """``obj`` from a ``*_get`` selector, or a 404 when there is none."""
    if obj is None:
        raise Http404
    return obj


def form_post(request, form, service: Callable[[dict], object], *, done: str, url: str) -> HttpResponse | None:
    """A valid ``form`` goes to ``service(cleaned_data)``; on success ``done`` is shown and the answer is a
    redirect to ``url``. None when the page is to be shown again with the form (its errors, or the service's
    refusal, on it)."""
    if form.is_valid():
        try:
            service(form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, done)
            return redirect(url)
    return None


def action_post(request, service: Callable[[], object], *, done: str, url: str) -> HttpResponse:
    """Calls ``service()``: its refusal is shown as error messages, else ``done``; the answer is a redirect
    to ``url`` either way."""
    try:
        service()
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect(url)
