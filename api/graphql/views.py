"""The GraphQL endpoint, mounted at /graphql/ on the public host and on every enterprise host.

    path("graphql/", graphql_view, name="graphql")     # in config/urls_public.py and config/urls_tenants.py

Authentication, per request:
- `Authorization: Bearer dbk_…` — a per-enterprise API token (no cookies, no CSRF). On an
  enterprise host the token must belong to that enterprise; a token of another enterprise gets
  exactly the answer of an unknown token (401), so it cannot even learn that the host exists.
- otherwise the session (browser): POSTs need the CSRF token like any form; on an enterprise host
  the user must be a member (else the same 404 as the rest of the host); the scopes follow the role.
- otherwise anonymous: public fields only on the public host; 401 on an enterprise host.

GraphiQL (vendored, no CDN) is served to logged-in users who open /graphql/ in a browser; others
are sent to log in. Every operation is checked against the depth and cost limits before it runs.
"""

from __future__ import annotations

import json

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView, HttpError
from graphql import ExecutionResult, OperationType, get_operation_ast, parse, validate
from graphql.error import GraphQLError

from api.govdata.tokens import api_token_authenticate
from api.graphql.core.auth import ANONYMOUS, ApiAuth, scopes_for_role, scopes_on_public_host
from api.graphql.core.limits import limit_errors
from tenants.models import Enterprise
from tenants.selectors import membership_get


class AuthFailed(Exception):
    def __init__(self, status: int, message: str, code: str):
        self.status, self.message, self.code = status, message, code


def _json_error(status: int, message: str, code: str) -> HttpResponse:
    body = {"errors": [{"message": str(message), "extensions": {"code": code}}]}
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type="application/json")
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="digitalbridge"'
    return response


def authenticate(request) -> ApiAuth:
    enterprise = getattr(request, "enterprise", None)
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        scheme, _sep, value = header.partition(" ")
        token = api_token_authenticate(value.strip()) if scheme.lower() == "bearer" else None
        if token is None or (enterprise is not None and token.enterprise_id != enterprise.pk):
            raise AuthFailed(401, _("The API token is unknown, expired or revoked."), "UNAUTHENTICATED")
        if token.enterprise.status != Enterprise.Status.ACTIVE:
            raise AuthFailed(403, _("This enterprise is suspended."), "ENTERPRISE_SUSPENDED")
        return ApiAuth(kind="token", enterprise=enterprise, token=token, scopes=frozenset(token.scopes))
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        if enterprise is None:
            return ApiAuth(kind="session", user=user, scopes=scopes_on_public_host(user))
        membership = getattr(request, "membership", None) or membership_get(user=user, enterprise=enterprise)
        if membership is None:
            raise Http404("No such enterprise")  # the same 404 as every other page of the host
        if enterprise.status != Enterprise.Status.ACTIVE:
            raise AuthFailed(403, _("This enterprise is suspended."), "ENTERPRISE_SUSPENDED")
        return ApiAuth(kind="session", user=user, enterprise=enterprise, membership=membership,
                       scopes=scopes_for_role(membership.role))
    if enterprise is not None:
        raise AuthFailed(401, _("Log in or send an API token (Authorization: Bearer …)."), "UNAUTHENTICATED")
    return ANONYMOUS


class ApiGraphQLView(GraphQLView):
    graphiql = True
    graphiql_template = "graphql/graphiql.html"

    def dispatch(self, request, *args, **kwargs):
        try:
            request.api_auth = authenticate(request)
        except AuthFailed as exc:
            if request.method == "GET" and self.request_wants_html(request) and exc.status == 401:
                return self._login_redirect(request)
            return _json_error(exc.status, exc.message, exc.code)
        auth = request.api_auth
        if request.method == "GET" and self.request_wants_html(request) and "raw" not in request.GET \
                and auth.kind != "session":
            return self._login_redirect(request)
        if auth.kind == "session" and request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            # the session is a cookie: a POST needs the CSRF token (tokens are headers, no CSRF risk)
            rejected = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
            if rejected is not None:
                return rejected
        return super().dispatch(request, *args, **kwargs)

    @staticmethod
    def _login_redirect(request):
        from tenants.selectors import site_base_url

        if getattr(request, "enterprise", None) is None:
            return redirect_to_login(request.get_full_path())
        return redirect_to_login(request.build_absolute_uri(), login_url=f"{site_base_url(request=request)}/login/")

    def render_graphiql(self, request, **data):
        from django.shortcuts import render

        return render(request, self.graphiql_template, {"auth": request.api_auth})

    def execute_graphql_request(self, request, data, query, variables, operation_name, show_graphiql=False):
        if not query:
            if show_graphiql:
                return None
            raise HttpError(_http_bad_request(_("Must provide query string.")))
        try:
            document = parse(query)
        except GraphQLError as exc:
            return ExecutionResult(errors=[exc])
        schema = self.schema.graphql_schema
        validation_errors = validate(schema, document, self.validation_rules)
        if validation_errors:
            return ExecutionResult(data=None, errors=validation_errors)
        limits = limit_errors(schema, document, operation_name, variables)
        if limits:
            return ExecutionResult(data=None, errors=limits)
        operation = get_operation_ast(document, operation_name)
        if request.method.lower() == "get" and operation is not None and operation.operation != OperationType.QUERY:
            if show_graphiql:
                return None
            raise HttpError(_http_not_allowed(_("Mutations need a POST request.")))
        return super().execute_graphql_request(request, data, query, variables, operation_name, show_graphiql)


def _http_bad_request(message):
    from django.http import HttpResponseBadRequest

    return HttpResponseBadRequest(message)


def _http_not_allowed(message):
    from django.http import HttpResponseNotAllowed

    response = HttpResponseNotAllowed(["POST"])
    response.content = message
    return response


graphql_view = csrf_exempt(ApiGraphQLView.as_view())  # CSRF is checked by the view for session requests
