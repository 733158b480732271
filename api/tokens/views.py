"""Settings → API tokens on an enterprise host (administrators and owners): list, create (the secret is
shown once, in the answer to the POST, never stored in the session), revoke. Thin: the rules are in
api/tokens/services.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from api.tokens.forms import ApiTokenForm
from api.tokens.models import TokenStatus
from api.tokens.scopes import SCOPES
from api.tokens.selectors import api_token_get, api_token_list
from api.tokens.services import TOKEN_PREFIX, api_token_create, api_token_revoke
from core.errors import error_messages
from core.forms import form_errors_from
from core.permissions import role_required
from core.tables import Column, Filter, Table
from tenants.models import Role


def _scope_labels(scopes) -> str:
    return "; ".join(str(SCOPES.get(s, s)) for s in scopes or [])


def _token_table(request) -> Table:
    columns = [
        Column("name", gettext_lazy("Name"), sort="name"),
        Column("prefix", gettext_lazy("Token"), fmt=lambda p: f"{TOKEN_PREFIX}{p}_…", css="font-monospace text-nowrap"),
        Column("scopes", gettext_lazy("Scopes"), fmt=_scope_labels, css="small"),
        Column("created_by", gettext_lazy("Created by")),
        Column("created_at", gettext_lazy("Created"), sort="created_at", css="text-nowrap"),
        Column("expires_at", gettext_lazy("Expires"), sort="expires_at", css="text-nowrap"),
        Column("last_used_at", gettext_lazy("Last used"), sort="last_used_at", css="text-nowrap"),
        Column("status", gettext_lazy("Status"), sort="status", fmt=lambda s: TokenStatus(s).label),
    ]
    if request.GET.get("export") != "xlsx":  # the action is not data: not in the Excel file
        columns.append(Column(
            "status", "", fmt=lambda s: _("Revoke") if s != TokenStatus.REVOKED else None,
            link=lambda t: (reverse("api_token_revoke", args=[t.pk]) if t.status != TokenStatus.REVOKED else None)))
    return Table(request, api_token_list(enterprise=request.enterprise), columns=columns,
                 search_fields=["name", "prefix"], filters=[Filter("status", gettext_lazy("Status"),
                                                                   choices=TokenStatus.choices)],
                 export_name="api-tokens", default_sort="-created_at")


@require_http_methods(["GET"])
@role_required(Role.ADMIN)
def token_list(request):
    table = _token_table(request)
    if table.wants_export:
        return table.export_response()
    return render(request, "tokens/list.html", {"table": table})


@never_cache  # the answer to the POST holds the secret: no cache may keep it
@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def token_create(request):
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = api_token_create(enterprise=request.enterprise, name=form.cleaned_data["name"],
                                   scopes=form.cleaned_data["scopes"], user=request.user,
                                   expires_at=form.cleaned_data["expires_at"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            # Rendered in the answer itself (no redirect, nothing in the session): shown this once.
            return render(request, "tokens/created.html", {
                "api_token": new.api_token, "token": new.token, "scope_list": [(s, SCOPES[s]) for s in
                                                                               new.api_token.scopes]})
    return render(request, "tokens/form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def token_revoke(request, token_id: int):
    api_token = api_token_get(enterprise=request.enterprise, token_id=token_id)
    if api_token is None:  # missing, or another enterprise's: the same 404
        raise Http404
    if request.method == "POST":
        try:
            api_token_revoke(api_token=api_token, user=request.user)
        except ValidationError as exc:
            messages.error(request, error_messages(exc)[0])
        else:
            messages.success(request, _("The token “%(name)s” is revoked: it no longer works.")
                             % {"name": api_token.name})
        return redirect("api_tokens")
    if api_token.status == TokenStatus.REVOKED:
        messages.info(request, _("This token is already revoked."))
        return redirect("api_tokens")
    return render(request, "tokens/revoke.html", {"api_token": api_token,
                                                          "scopes": _scope_labels(api_token.scopes)})
