"""Host routing, membership and plan checks for every request.

EnterpriseHostMiddleware (first in MIDDLEWARE) picks the schema from the host: the public site on
BASE_DOMAIN, an enterprise on any of its Domain rows. MembershipMiddleware (after authentication)
lets only members into an enterprise host: anyone else gets the same 404 as a host that matches
no enterprise, and an anonymous visitor is sent to log in whether or not the enterprise exists.
EntitlementMiddleware (right after it) applies the enterprise's plan (tenants.entitlements): a page of a
module that is off answers the "not in your plan" page, a write under read-only access the read-only page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import Http404, HttpResponseNotFound, HttpResponseRedirect
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import set_urlconf
from django.utils import translation
from django_tenants.middleware.main import TenantMainMiddleware

from tenants import entitlements
from tenants.models import Domain, Enterprise
from tenants.selectors import membership_get, site_base_url
from tenants.services import membership_touch

# Paths an enterprise host serves without a membership (the hand-off logs the user in).
# /graphql/ checks membership or an API token itself (a bearer token has no session).
MEMBERSHIP_EXEMPT_PREFIXES = ("/static/", "/healthz", "/auth/handoff/", "/favicon.ico", "/graphql/",
                              "/pdm/documents/links/",  # a signed 5-minute link is the key (pdm/vault/links.py)
                              "/logistics/t/",  # the buyer's tracking page: an unguessable link (logistics/shipments)
                              "/logistics/push/")  # the tracking aggregator's pushes, signed (logistics/tracking)


def public_hosts() -> set[str]:
    return {settings.BASE_DOMAIN, "127.0.0.1", "testserver", f"www.{settings.BASE_DOMAIN}"}


class EnterpriseHostMiddleware(TenantMainMiddleware):
    def process_request(self, request):
        connection.set_schema_to_public()
        try:
            hostname = request.get_host().split(":")[0].lower()
        except DisallowedHost:
            return HttpResponseNotFound()
        request.enterprise = None
        request.enterprise_missing = False
        request.tenant = connection.tenant
        if hostname in public_hosts():
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            set_urlconf(request.urlconf)
            return None
        domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
        if domain is None or domain.tenant.status == Enterprise.Status.PROVISIONING:
            # Decided after authentication (MembershipMiddleware): log-in page or the usual 404.
            request.enterprise_missing = True
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            set_urlconf(request.urlconf)
            return None
        enterprise = domain.tenant
        enterprise.domain_url = hostname
        request.tenant = enterprise
        request.enterprise = enterprise
        connection.set_tenant(enterprise)
        request.urlconf = settings.ROOT_URLCONF
        set_urlconf(request.urlconf)
        return None


class MembershipMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        enterprise = getattr(request, "enterprise", None)
        missing = getattr(request, "enterprise_missing", False)
        request.membership = None
        if enterprise is None and not missing:
            return self.get_response(request)  # public site
        if enterprise is not None and request.path.startswith(MEMBERSHIP_EXEMPT_PREFIXES):
            return self.get_response(request)
        if not request.user.is_authenticated:
            query = urlencode({"next": request.build_absolute_uri()})
            return HttpResponseRedirect(f"{site_base_url(request=request)}/login/?{query}")
        membership = None if missing else membership_get(user=request.user, enterprise=enterprise)
        if membership is None:
            raise Http404("No such enterprise")
        if enterprise.status != Enterprise.Status.ACTIVE:
            return TemplateResponse(request, "tenants/suspended.html", {"enterprise": enterprise}, status=403)
        request.membership = membership
        membership_touch(membership=membership)
        return self.get_response(request)


class EntitlementMiddleware:
    """The plan's gate for pages of an enterprise host (tenants.entitlements says what belongs to which
    module). It comes after MembershipMiddleware: a non-member still gets the host's 404 and learns nothing
    of the plan, an anonymous visitor is still sent to log in. It reads only the enterprise already on the
    request (no query). Both refusals are 403 pages that link to the billing page; nothing is deleted."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        enterprise = getattr(request, "enterprise", None)
        if enterprise is None:
            return self.get_response(request)  # the public site (boards: open to every plan) or a missing host
        path = request.path_info
        module = entitlements.module_for_path(path)
        if not entitlements.module_enabled(enterprise, module):
            return render(request, "tenants/not_in_plan.html", {
                "module": module, "module_label": entitlements.MODULE_LABELS.get(module, module),
                "message": entitlements.not_in_plan_message(module), "billing_url": entitlements.BILLING_PATH,
            }, status=403)
        if not entitlements.write_allowed(enterprise, method=request.method, path=path):
            return render(request, "tenants/read_only.html", {
                "message": entitlements.read_only_message(), "billing_url": entitlements.BILLING_PATH,
            }, status=403)
        return self.get_response(request)


class UserLanguageMiddleware:
    """A logged-in user's saved language wins on every host (cookies are per host)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        preferred = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if preferred and preferred in dict(settings.LANGUAGES) and preferred != cookie:
            translation.activate(preferred)
            request.LANGUAGE_CODE = preferred
            response = self.get_response(request)
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, preferred, max_age=settings.LANGUAGE_COOKIE_AGE,
                                secure=settings.LANGUAGE_COOKIE_SECURE, samesite=settings.LANGUAGE_COOKIE_SAMESITE)
            return response
        return self.get_response(request)
