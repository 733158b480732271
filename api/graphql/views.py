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
are sent to log in. Every operation is checked against the limits (depth, cost, aliases, mutations:
core/limits.py) before it runs, and every field at every depth against the scope of its type
(core/scopes.py, a graphene middleware). A failed token authentication counts as a failed log-in of the
client's address in django-axes (like a bad hand-off ticket: no account, the address only; settings
AXES_*): once the address is locked, every request of it with a token gets 429 TOO_MANY_FAILED_ATTEMPTS
with Retry-After until the cool-off ends or the platform admin deletes the attempt — even with a valid
token, so guessing cannot go on. Sessions and anonymous requests are not affected here.

Every error carries `extensions.code`: ours (core/errors.py, core/limits.py), GRAPHQL_PARSE_FAILED /
GRAPHQL_VALIDATION_FAILED / BAD_USER_INPUT for what graphql-core refuses before running, and
INTERNAL_ERROR for an unexpected exception — logged with its traceback, answered without its text.
"""

from __future__ import annotations

import json
import logging
import re

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView, HttpError
from graphql import BREAK, ExecutionResult, OperationType, Visitor, get_operation_ast, parse, validate, visit
from graphql.error import GraphQLError

from api.graphql.core.auth import ANONYMOUS, ApiAuth, scopes_for_role, scopes_on_public_host
from api.graphql.core.limits import limit_errors
from api.graphql.core.scopes import ScopeMiddleware
from api.tokens.services import api_token_authenticate
from tenants.models import Enterprise
from tenants.selectors import membership_get, site_base_url


log = logging.getLogger(__name__)


class AuthFailed(Exception):
    def __init__(self, status: int, message: str, code: str, retry_after: int | None = None):
        self.status, self.message, self.code, self.retry_after = status, message, code, retry_after


def _json_error(status: int, message: str, code: str, retry_after: int | None = None) -> HttpResponse:
    extensions = {"code": code}
    if retry_after is not None:
        extensions["retryAfter"] = retry_after
    body = {"errors": [{"message": str(message), "extensions": extensions}]}
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type="application/json")
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="digitalbridge"'
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _too_many_failures(request) -> AuthFailed:
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    minutes = max(1, (seconds + 59) // 60)
    message = ngettext("Too many failed API-token attempts from this address; try again in %(minutes)d minute.",
                       "Too many failed API-token attempts from this address; try again in %(minutes)d minutes.",
                       minutes) % {"minutes": minutes}
    return AuthFailed(429, message, "TOO_MANY_FAILED_ATTEMPTS", retry_after=seconds or None)


def _token_failure_locks(request) -> bool:
    """Count a failed token authentication for the client's address (django-axes); True once it is locked."""
    user_login_failed.send(sender=__name__, credentials={}, request=request)
    locked = bool(getattr(request, "axes_locked_out", False))
    request.axes_locked_out = False  # the API answers in JSON itself (AxesMiddleware would render the log-in page)
    return locked


def authenticate(request) -> ApiAuth:
    enterprise = getattr(request, "enterprise", None)
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        if not AxesProxyHandler.is_allowed(request):  # even a valid token waits: guessing cannot go on
            raise _too_many_failures(request)
        scheme, _sep, value = header.partition(" ")
        token = api_token_authenticate(value.strip()) if scheme.lower() == "bearer" else None
        if token is None or (enterprise is not None and token.enterprise_id != enterprise.pk):
            if _token_failure_locks(request):
                raise _too_many_failures(request)
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
            return _json_error(exc.status, exc.message, exc.code, exc.retry_after)
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
        if getattr(request, "enterprise", None) is None:
            return redirect_to_login(request.get_full_path())
        return redirect_to_login(request.build_absolute_uri(), login_url=f"{site_base_url(request=request)}/login/")

    def render_graphiql(self, request, **data):
        return render(request, self.graphiql_template, {"auth": request.api_auth})

    def execute_graphql_request(self, request, data, query, variables, operation_name, show_graphiql=False):
        if not query:
            if show_graphiql:
                return None
            raise HttpError(_http_bad_request(_("Must provide query string.")))
        if not isinstance(query, str) or not isinstance(operation_name, (str, type(None))) \
                or not isinstance(variables, (dict, type(None))):
            raise HttpError(_http_bad_request(_("The query and the operation name must be strings, the variables "
                                                "an object.")))
        try:
            document = parse(query)
        except GraphQLError as exc:
            return ExecutionResult(errors=[_coded(exc, "GRAPHQL_PARSE_FAILED")])
        if _has_bad_text(query) or _has_bad_text(variables) or _document_has_bad_text(document):
            return ExecutionResult(data=None, errors=[GraphQLError(
                _("Text may not contain NUL characters or invalid Unicode (lone surrogates)."),
                extensions={"code": "BAD_USER_INPUT"})])
        schema = self.schema.graphql_schema
        validation_errors = validate(schema, document, self.validation_rules)
        if validation_errors:
            return ExecutionResult(data=None, errors=[_coded(e, "GRAPHQL_VALIDATION_FAILED") for e in validation_errors])
        limits = limit_errors(schema, document, operation_name, variables)
        if limits:
            return ExecutionResult(data=None, errors=[_coded(e, "BAD_USER_INPUT") for e in limits])
        operation = get_operation_ast(document, operation_name)
        if request.method.lower() == "get" and operation is not None and operation.operation != OperationType.QUERY:
            if show_graphiql:
                return None
            raise HttpError(_http_not_allowed(_("Mutations need a POST request.")))
        result = super().execute_graphql_request(request, data, query, variables, operation_name, show_graphiql)
        if result is not None and result.errors:
            result.errors = [_typed(error) for error in result.errors]
        return result

    @staticmethod
    def format_error(error):
        if isinstance(error, GraphQLError):
            return _typed(error).formatted
        return {"message": str(error), "extensions": {"code": "BAD_REQUEST"}}  # an HttpError's response text


_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


def _has_bad_text(value) -> bool:
    """A NUL (PostgreSQL refuses it) or a lone surrogate (not encodable) anywhere in the value."""
    if isinstance(value, str):
        return _BAD_TEXT.search(value) is not None
    if isinstance(value, dict):
        return any(_has_bad_text(k) or _has_bad_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_bad_text(v) for v in value)
    return False


class _BadTextFinder(Visitor):
    found = False

    def enter_string_value(self, node, *_args):
        if _has_bad_text(node.value):
            self.found = True
            return BREAK
        return None


def _document_has_bad_text(document) -> bool:
    """String literals are decoded by the parser (`"\\u0000"` is a NUL): look at their values."""
    finder = _BadTextFinder()
    visit(document, finder)
    return finder.found


def _coded(error: GraphQLError, code: str) -> GraphQLError:
    """graphql-core's own refusals (syntax, validation, variables) get a code like ours."""
    if not (error.extensions or {}).get("code"):
        error.extensions = {**(error.extensions or {}), "code": code}
    return error


def _typed(error) -> GraphQLError:
    """Our errors and graphql-core's refusals keep their message; anything else raised while resolving is a
    bug: logged with its traceback, answered as INTERNAL_ERROR without its text (no internals leak)."""
    if not isinstance(error, GraphQLError):
        log.error("GraphQL: unexpected error", exc_info=error)
        return GraphQLError(_("Internal error."), extensions={"code": "INTERNAL_ERROR"})
    original = error.original_error
    if original is None:
        return _coded(error, "BAD_USER_INPUT")  # e.g. a variable execution could not coerce
    if isinstance(original, GraphQLError) and (error.extensions or {}).get("code"):
        return error
    log.error("GraphQL: unexpected error in %s", ".".join(str(p) for p in error.path or ()) or "the request",
              exc_info=(type(original), original, original.__traceback__))
    return GraphQLError(_("Internal error."), nodes=error.nodes, path=error.path, extensions={"code": "INTERNAL_ERROR"})


def _http_bad_request(message):
    return HttpResponseBadRequest(message)


def _http_not_allowed(message):
    response = HttpResponseNotAllowed(["POST"])
    response.content = message
    return response


graphql_view = csrf_exempt(ApiGraphQLView.as_view(middleware=[ScopeMiddleware()]))  # CSRF is checked by the view for session requests
