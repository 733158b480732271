"""Response headers and session binding that every page gets, whatever the host.

- PermissionsPolicyMiddleware: the Permissions-Policy header from settings.PERMISSIONS_POLICY (the
  Content-Security-Policy header is django-csp's CSPMiddleware, configured in settings).
- SessionHostMiddleware + session_bind_host: a session works only on the host it was made on.

Why the binding: every host has its own host-only session cookie (the public site's log-in, and on an
enterprise host the hand-off, each make a new session there). Nothing in the cookie itself says which
host it belongs to, so a cookie copied from one enterprise's host into a request to another
enterprise's host would log its holder in there (for a user who belongs to both). ``session_bind_host``
records the host in the session whenever ``login()`` runs in a request (our log-in, the admin's, the
hand-off, sign-up, invitations: all go through ``login()``); the middleware, placed between the
session and authentication middlewares, ends any session shown on another host before the user is
loaded. Ending it (flush: deleted server-side) also stops the copied cookie on its own host.

A logged-in session that records no host predates this mechanism or was made outside a request; it
is ended too, unless settings.SESSION_REQUIRE_HOST is False (the tests: Client.force_login logs in
without a request).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import DisallowedHost

log = logging.getLogger(__name__)

SESSION_HOST_KEY = "_session_host"


def _host_of(request) -> str | None:
    try:
        return request.get_host().split(":")[0].lower() or None
    except (DisallowedHost, KeyError):  # KeyError: a request object made outside HTTP (test login)
        return None


def session_bind_host(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver (connected in CoreConfig.ready): the session belongs to this host."""
    host = _host_of(request) if request is not None else None
    session = getattr(request, "session", None)
    if host and session is not None:
        session[SESSION_HOST_KEY] = host


class SessionHostMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:  # no cookie, nothing to load or check
            self._check(request)
        return self.get_response(request)

    @staticmethod
    def _check(request) -> None:
        session = request.session
        bound = session.get(SESSION_HOST_KEY)
        host = _host_of(request)
        if bound is None:
            if SESSION_KEY not in session or not getattr(settings, "SESSION_REQUIRE_HOST", True):
                return
            reason = "records no host"
        elif bound == host:
            return
        else:
            reason = f"was issued for {bound}"
        log.warning("Session shown on %s %s: ended", host, reason)
        session.flush()


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """{"camera": [], "fullscreen": ["self"]} -> 'camera=(), fullscreen=(self)'."""
    parts = []
    for feature, allow in policy.items():
        origins = " ".join(origin if origin in ("self", "*") else f'"{origin}"' for origin in allow)
        parts.append(f"{feature}=({origins})" if origins != "*" else f"{feature}=*")
    return ", ".join(parts)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy_header(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request):
        response = self.get_response(request)
        if self.header and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.header
        return response
