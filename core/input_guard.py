"""Refuse requests whose input cannot be stored or read: a NUL character or bytes that are not UTF-8.

PostgreSQL text cannot hold NUL (psycopg raises on it, a 500 wherever the value reaches a query),
and Django decodes bad UTF-8 silently into U+FFFD, so a filter or a name would be stored garbled.
This middleware, first in MIDDLEWARE, answers 400 before any view runs when the path, the query
string, a form field's name or value, an uploaded file's name, or a JSON body has either. The page
names the offending field. Everything else about input (numbers, dates, ids) is core.parsing's job.
"""

from __future__ import annotations

import json
from urllib.parse import unquote_to_bytes

from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.html import escape
from django.utils.translation import gettext as _

class InputRefused(Exception):
    def __init__(self, where: str, problem: str):
        super().__init__(where, problem)
        self.where, self.problem = where, problem


def _check_text(text: str, where: str) -> None:
    if "\x00" in text:
        raise InputRefused(where, "nul")


def _check_bytes(raw: bytes, where: str) -> None:
    if b"\x00" in raw:
        raise InputRefused(where, "nul")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputRefused(where, "utf8") from None


def _check_urlencoded(raw: str | bytes, where: str) -> None:
    """A query string or an urlencoded body, checked on its raw bytes (names and values)."""
    if isinstance(raw, str):
        raw = raw.encode("latin-1", "replace")  # WSGI hands the query string over as latin-1 text
    for pair in raw.split(b"&"):
        if not pair:
            continue
        name, _eq, value = pair.partition(b"=")
        name_bytes = unquote_to_bytes(name.replace(b"+", b" "))
        label = name_bytes.decode("utf-8", "replace").replace("\x00", "")[:60] or where
        _check_bytes(name_bytes, label)
        _check_bytes(unquote_to_bytes(value.replace(b"+", b" ")), label)


def _walk_json(value, where: str) -> None:
    if isinstance(value, str):
        _check_text(value, where)
    elif isinstance(value, list):
        for item in value:
            _walk_json(item, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, where)
            _walk_json(item, str(key)[:60])


def check_request(request) -> None:
    """Raise InputRefused for the first bad part of the request."""
    raw_path = request.META.get("PATH_INFO", "")
    _check_bytes(raw_path.encode("latin-1", "replace") if isinstance(raw_path, str) else raw_path, "path")
    _check_text(request.path_info, "path")
    _check_urlencoded(request.META.get("QUERY_STRING", ""), "query")
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    content_type = (request.content_type or "").lower()
    if content_type == "application/x-www-form-urlencoded":
        _check_urlencoded(request.body, "form")
    elif content_type == "multipart/form-data":
        for name, values in request.POST.lists():
            _check_text(name, "form")
            for value in values:
                # the multipart parser decodes with errors="replace": U+FFFD marks bytes that were not UTF-8
                _check_text(value, name[:60])
                if "\ufffd" in value:
                    raise InputRefused(name[:60], "utf8")
        for name, files in request.FILES.lists():
            _check_text(name, "form")
            for upload in files:
                _check_text(upload.name or "", name[:60])
    elif content_type == "application/json":
        body = request.body
        _check_bytes(body, "body")
        try:
            data = json.loads(body or b"null")
        except ValueError:
            return  # the view says what is wrong with it
        _walk_json(data, "body")


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            check_request(request)
        except InputRefused as refused:
            return _refusal(request, refused)
        except MultiPartParserError:
            return _refusal(request, InputRefused("form", "multipart"))
        return self.get_response(request)


def _wants_json(request) -> bool:
    """A JSON body (GraphQL, integrations) or a client that asks for JSON rather than a page."""
    if (request.content_type or "").startswith("application/json"):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def _refusal(request, refused: InputRefused) -> HttpResponse:
    if refused.problem == "nul":
        message = _("The input “%(field)s” contains a NUL character, which cannot be stored. Remove it and try again.")
    elif refused.problem == "multipart":
        message = _("The form data could not be read. Reload the page and send the form again.")
    else:
        message = _("The input “%(field)s” is not valid UTF-8 text. Type it again and retry.")
    text = message % {"field": refused.where}
    if _wants_json(request):
        # the shape GraphQL clients read (extensions.code as the GraphQL view's own BAD_USER_INPUT)
        response = JsonResponse({"errors": [{"message": text, "extensions": {
            "code": "BAD_USER_INPUT", "field": refused.where}}]}, status=400)
    else:
        response = HttpResponseBadRequest(
            f'<!doctype html><meta charset="utf-8"><title>400</title><p role="alert">{escape(text)}</p>',
            content_type="text/html; charset=utf-8")
    response["X-Input-Refused"] = refused.where.encode("ascii", "replace").decode("ascii")[:60]
    return response
