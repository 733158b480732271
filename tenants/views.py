"""Account and enterprise pages. Thin: parse input, call a service or selector, render."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from core.dashboard import dashboard_cards_for
from core.forms import form_errors_from
from core.permissions import role_refusal, role_required
from core.throttle import client_ip, throttle_hit
from tenants import selectors, services
from tenants.forms import (AcceptInvitationForm, BootstrapPasswordResetForm, BootstrapSetPasswordForm,
                           EnterpriseSettingsForm, InviteForm, LoginForm, RoleForm, SignupForm)
from tenants.industries import INDUSTRY_NAMES, industry_search
from tenants.models import Domain, Enterprise, Role, User
from tenants.signup_steps import signup_next_path


def _activate_language(response, language: str):
    if language in dict(settings.LANGUAGES):
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                            secure=settings.LANGUAGE_COOKIE_SECURE, samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    return response


def _handoff_redirect(request, enterprise: Enterprise, next_path: str = "/"):
    token = services.login_handoff_issue(user=request.user, enterprise=enterprise)
    base = selectors.enterprise_base_url(slug=enterprise.slug, request=request)
    if not next_path.startswith("/") or next_path.startswith("//"):
        next_path = "/"
    return HttpResponseRedirect(f"{base}/auth/handoff/?{urlencode({'t': token, 'next': next_path})}")


def _enterprise_for_next(next_url: str) -> tuple[Enterprise | None, str]:
    """If ``next`` is an absolute URL on an enterprise host, return that enterprise and the path."""
    parts = urlsplit(next_url)
    if not parts.hostname:
        return None, next_url
    domain = Domain.objects.select_related("tenant").filter(domain=parts.hostname.lower()).first()
    if domain is None:
        return None, "/"
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return domain.tenant, path


# ---- public site ---------------------------------------------------------------------------


def home(request):
    stats = {
        "enterprises": Enterprise.objects.filter(status=Enterprise.Status.ACTIVE).count(),
    }
    return render(request, "tenants/home.html", {"stats": stats})


def login_view(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.user.is_authenticated and request.method == "GET" and not next_url:
        return redirect("home")
    form = LoginForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        response = None
        enterprise, path = _enterprise_for_next(next_url)
        if enterprise is not None:
            if selectors.membership_get(user=form.user, enterprise=enterprise) is not None:
                response = _handoff_redirect(request, enterprise, path)
        elif next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            response = HttpResponseRedirect(next_url)
        if response is None:
            memberships = list(selectors.membership_list_for_user(user=form.user))
            if len(memberships) == 1 and not form.user.is_office and not form.user.is_platform_admin:
                response = _handoff_redirect(request, memberships[0].enterprise)
            else:
                response = redirect("home")
        return _activate_language(response, form.user.language)
    return render(request, "tenants/login.html", {"form": form, "next": next_url})


def login_locked_out(request, response=None, credentials=None):
    """django-axes' lock-out page (AXES_LOCKOUT_CALLABLE) for the log-in forms and the hand-off."""
    minutes = max(1, int(get_cool_off(request).total_seconds() // 60))
    message = ngettext(
        "Too many failed log-in attempts for this account or from your network address. For your security, "
        "logging in is blocked for %(minutes)d minute.",
        "Too many failed log-in attempts for this account or from your network address. For your security, "
        "logging in is blocked for %(minutes)d minutes.", minutes) % {"minutes": minutes}
    return render(request, "tenants/locked_out.html", {"message": message}, status=settings.AXES_HTTP_RESPONSE_CODE)


class PasswordResetView(auth_views.PasswordResetView):
    """Asking for a reset mail is limited per network address and per account (core.throttle)."""

    form_class = BootstrapPasswordResetForm

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        window = settings.PASSWORD_RESET_WINDOW
        within = [  # both counted, always
            throttle_hit(scope="password_reset:address", key=client_ip(self.request) or "",
                         limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS, window=window),
            throttle_hit(scope="password_reset:account", key=email,
                         limit=settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT, window=window),
        ]
        if all(within):
            return super().form_valid(form)
        minutes = max(1, int(window.total_seconds() // 60))
        form.add_error(None, ValidationError(ngettext(
            "Too many password-reset requests. Please check your mailbox (and its spam folder) and try again "
            "in %(minutes)d minute.",
            "Too many password-reset requests. Please check your mailbox (and its spam folder) and try again "
            "in %(minutes)d minutes.", minutes) % {"minutes": minutes}, code="throttled"))
        return self.render_to_response(self.get_context_data(form=form), status=429)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password set through the mailed link also lifts a log-in lock on that account: the link
    proves the person holds the mailbox. The failures recorded against the account are deleted (an
    address keeps the failures it made against other accounts)."""

    form_class = BootstrapSetPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        AxesProxyHandler.reset_attempts(username=form.user.get_username().lower())
        return response


@require_POST
def logout_view(request):
    """Logs the user out on every host (their sessions are all invalidated)."""
    if request.user.is_authenticated:
        services.user_logout_everywhere(user=request.user)
    logout(request)
    messages.info(request, _("You have logged out."))
    return HttpResponseRedirect(f"{selectors.site_base_url(request=request)}/")


def signup(request):
    form = SignupForm(request.POST or None, user=request.user, base_domain=settings.BASE_DOMAIN)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owner_fields = {"owner_email": data.pop("email", ""), "owner_password": data.pop("password", ""),
                        "owner_name": data.pop("full_name", "")}
        try:
            enterprise, owner = services.enterprise_signup(user=request.user, **owner_fields, **data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            if not request.user.is_authenticated:
                login(request, owner, backend="django.contrib.auth.backends.ModelBackend")
            # Messages live in the session of a host: the welcome is shown on the enterprise's own host.
            # A module may ask the new owner something first (tenants.signup_steps: billing's plan choice).
            next_path = signup_next_path(enterprise=enterprise, request=request) or "/?welcome=1"
            return _handoff_redirect(request, enterprise, next_path)
    return render(request, "tenants/signup.html", {"form": form})


SEARCH_RESULTS = 30


@require_GET
def industry_search_results(request):
    """The industry classes matching ``q`` (the sign-up and settings pages' picker asks with htmx as
    ``industry_q``): public data, the same on both hosts."""
    query = (request.GET.get("q") or request.GET.get("industry_q") or "").strip()[:50]
    matches = industry_search(query, limit=SEARCH_RESULTS + 1)
    return render(request, "tenants/_industry_results.html",
                  {"query": query, "matches": matches[:SEARCH_RESULTS], "more": len(matches) > SEARCH_RESULTS})


def go_to_enterprise(request, slug: str):
    """Switch to one of the user's enterprises (from either host) without logging in again."""
    if not request.user.is_authenticated:
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{selectors.site_base_url(request=request)}/login/?{query}")
    enterprise = Enterprise.objects.filter(slug=slug, status=Enterprise.Status.ACTIVE).first()
    if enterprise is None or selectors.membership_get(user=request.user, enterprise=enterprise) is None:
        raise Http404
    return _handoff_redirect(request, enterprise, request.GET.get("next", "/"))


def invitation_accept(request, token: str):
    try:
        invitation = services.invitation_get_open(token=token)
    except ValidationError as exc:
        return render(request, "tenants/invitation_invalid.html", {"message": exc.messages[0]}, status=404)
    existing = User.objects.filter(email=invitation.email).first()
    form = AcceptInvitationForm(request.POST or None) if existing is None else None
    if request.method == "POST":
        try:
            if existing is None:
                if form.is_valid():
                    user = services.invitation_signup(token=token, full_name=form.cleaned_data["full_name"],
                                                      password=form.cleaned_data["password"])
                    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                    return _handoff_redirect(request, invitation.enterprise)
            elif request.user.is_authenticated:
                services.invitation_accept(token=token, user=request.user)
                return _handoff_redirect(request, invitation.enterprise)
            else:
                return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': request.path})}")
        except ValidationError as exc:
            if form is not None:
                form_errors_from(form, exc)
            else:
                messages.error(request, exc.messages[0])
    return render(request, "tenants/invitation_accept.html",
                  {"invitation": invitation, "form": form, "existing": existing})


@require_POST
def language_set(request):
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        _activate_language(response, language)
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
    return response


# ---- enterprise host -----------------------------------------------------------------------


def handoff_redeem(request):
    """A hand-off logs in like a password does, so it is throttled like one: a locked address gets the
    lock-out page, and a bad ticket counts as a failed log-in of the address (django-axes)."""
    enterprise = request.enterprise
    if not AxesProxyHandler.is_allowed(request):
        return login_locked_out(request)
    try:
        user, language = services.login_handoff_redeem(token=request.GET.get("t", ""), enterprise=enterprise)
    except ValidationError as exc:
        user_login_failed.send(sender=__name__, credentials={}, request=request)  # axes may lock the address
        return render(request, "tenants/handoff_failed.html", {"message": exc.messages[0]}, status=400)
    if selectors.membership_get(user=user, enterprise=enterprise) is None:
        raise Http404
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    next_path = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_path, allowed_hosts={request.get_host()}):
        next_path = "/"
    return _activate_language(HttpResponseRedirect(next_path), user.language or language)


@role_required(Role.VIEWER)
def dashboard(request):
    """The enterprise's page: its cards come from the modules that own their data (core.dashboard)."""
    enterprise = request.enterprise
    if request.GET.get("welcome") == "1":
        messages.success(request, _("%(name)s is ready.") % {"name": enterprise.display_name})
        return redirect("dashboard")
    context = {
        "industry_name": INDUSTRY_NAMES.get(enterprise.industry, ""),
        "cards": dashboard_cards_for(request),
        "modules": [(m, m.label, enterprise.has_module(m.value)) for m in Enterprise.Module],
    }
    return render(request, "tenants/dashboard.html", context)


@role_required(Role.VIEWER)
def members(request):
    enterprise = request.enterprise
    invite_form = InviteForm(request.POST or None)
    can_manage = request.membership.has_role(Role.ADMIN)
    if request.method == "POST":
        refusal = role_refusal(request, Role.ADMIN)
        if refusal is not None:
            return refusal
        if invite_form.is_valid():
            try:
                services.invitation_create(actor=request.membership, email=invite_form.cleaned_data["email"],
                                           role=invite_form.cleaned_data["role"],
                                           base_url=selectors.site_base_url(request=request))
            except ValidationError as exc:
                form_errors_from(invite_form, exc)
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": invite_form.cleaned_data["email"]})
                return redirect("members")
    context = {
        "member_list": selectors.membership_list_for_enterprise(enterprise=enterprise),
        "invitations": selectors.invitation_list_open(enterprise=enterprise),
        "invite_form": invite_form,
        "can_manage": can_manage,
        "roles": Role.choices,
    }
    return render(request, "tenants/members.html", context)


@require_POST
@role_required(Role.ADMIN)
def member_change_role(request, membership_id: int):
    form = RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Unknown role."))
        services.membership_change_role(actor=request.membership, membership_id=membership_id,
                                        role=form.cleaned_data["role"])
        messages.success(request, _("Role changed."))
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("members")


@require_POST
@role_required(Role.VIEWER)
def member_remove(request, membership_id: int):
    leaving = membership_id == request.membership.pk
    try:
        services.membership_remove(actor=request.membership, membership_id=membership_id)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("members")
    if leaving:
        return HttpResponseRedirect(f"{selectors.site_base_url(request=request)}/")
    messages.success(request, _("Member removed."))
    return redirect("members")


@require_POST
@role_required(Role.ADMIN)
def invitation_revoke(request, invitation_id: int):
    try:
        services.invitation_revoke(actor=request.membership, invitation_id=invitation_id)
        messages.success(request, _("Invitation withdrawn."))
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("members")


@role_required(Role.VIEWER)
def enterprise_settings(request):
    enterprise = request.enterprise
    can_edit = request.membership.has_role(Role.ADMIN)
    initial = {f: getattr(enterprise, f) for f in ("name", "short_name", "uscc", "industry", "sales_band", "address",
                                                   "town", "contact_name", "contact_phone", "contact_email", "modules")}
    form = EnterpriseSettingsForm(request.POST or None, initial=initial)
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST":
        refusal = role_refusal(request, Role.ADMIN)
        if refusal is not None:
            return refusal
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "uscc"}
            try:
                services.enterprise_update(enterprise=enterprise, data=data)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Settings saved."))
                return redirect("enterprise_settings")
    return render(request, "tenants/settings.html", {"form": form, "can_edit": can_edit})
