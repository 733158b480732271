"""Sign-up, log-in, the hand-off between hosts, log-out, invitations, roles and language."""

import re
import time

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from core.uscc import uscc_make
from tenants import services
from tenants.models import Enterprise, Invitation, LoginHandoff, Membership, Role, User
from tenants.signup_steps import signup_next_step_register, signup_next_step_unregister

SIGNUP = {
    "name": "慈溪市新光厨房电器有限公司", "short_name": "新光厨电", "uscc": uscc_make(org_body="20261126"),
    "slug": "xinguang", "industry": "3854", "sales_band": "5m_20m", "address": "慈溪市新浦镇", "town": "新浦镇",
    "contact_phone": "0574-1", "full_name": "张伟", "email": "zhang@xinguang.test", "password": "Kitchen-Hood-2026!",
}


def _follow_handoff(client, response):
    """Follow a redirect to an enterprise host as a browser would (the test client ignores hosts)."""
    assert response.status_code == 302, response.content[:500]
    match = re.match(r"http://([a-z0-9-]+\.localhost)(:\d+)?(/auth/handoff/\?.*)$", response["Location"])
    assert match, response["Location"]
    return client.get(match.group(3), HTTP_HOST=match.group(1))


def test_sign_up_creates_owner_and_enterprise_and_lands_on_its_dashboard(client, db):
    # no step asks anything first (no plan is offered here: billing's plan choice has nothing to ask;
    # with plans, sign-up lands on the plan page first: billing/tests/test_welcome.py)
    response = client.post("/signup/", SIGNUP)
    landed = _follow_handoff(client, response)
    assert landed.status_code == 302 and landed["Location"] == "/?welcome=1"
    welcome = client.get("/?welcome=1", HTTP_HOST="xinguang.localhost")
    assert welcome.status_code == 302 and welcome["Location"] == "/"
    dashboard = client.get("/", HTTP_HOST="xinguang.localhost")
    assert "已开通" in dashboard.content.decode()  # the welcome message, on the enterprise's own host
    assert dashboard.status_code == 200
    assert "慈溪市新光厨房电器有限公司" in dashboard.content.decode()
    enterprise = Enterprise.objects.get(slug="xinguang")
    assert enterprise.uscc == SIGNUP["uscc"]
    assert Membership.objects.get(enterprise=enterprise).role == Role.OWNER
    assert User.objects.get(email="zhang@xinguang.test").check_password("Kitchen-Hood-2026!")


@pytest.fixture
def signup_steps():
    """Two steps registered for the test (tenants.signup_steps), removed after it: the first has nothing to
    ask, the second sends to the members page; each records what it was given."""
    seen = []

    def nothing(enterprise, request):
        seen.append(("nothing", enterprise.slug, request.user.email))
        return None

    def outside(enterprise, request):
        return "//evil.test/"  # not a path on the enterprise's host: ignored

    def members(enterprise, request):
        seen.append(("members", enterprise.slug, request.user.email))
        return "/members/"

    for key, order, step in (("test-nothing", -3, nothing), ("test-outside", -2, outside),
                             ("test-members", -1, members)):
        signup_next_step_register(key=key, order=order, step=step)
    yield seen
    for key in ("test-nothing", "test-outside", "test-members"):
        signup_next_step_unregister(key=key)


def test_sign_up_lands_first_where_a_registered_step_asks(client, db, signup_steps):
    response = client.post("/signup/", SIGNUP)
    landed = _follow_handoff(client, response)
    assert landed.status_code == 302 and landed["Location"] == "/members/"
    assert signup_steps == [("nothing", "xinguang", SIGNUP["email"]), ("members", "xinguang", SIGNUP["email"])]
    assert client.get("/members/", HTTP_HOST="xinguang.localhost").status_code == 200


@pytest.mark.parametrize("field, value, message_part", [
    ("uscc", "91330282671205242X", "18"),  # check character wrong
    ("uscc", "9133028267120524", "18"),  # too short
    ("slug", "www", None),
    ("slug", "Has Space", None),
    ("password", "123", None),
    ("industry", "0000", None),
])
def test_sign_up_errors_name_the_field_and_create_nothing(client, db, field, value, message_part):
    data = dict(SIGNUP, **{field: value})
    response = client.post("/signup/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    if message_part:
        assert message_part in str(form.errors[field])
    assert not Enterprise.objects.filter(slug=data["slug"]).exists()
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


def test_sign_up_with_a_registered_code_or_taken_slug(client, make_enterprise):
    make_enterprise(slug="xinguang", uscc=SIGNUP["uscc"])
    response = client.post("/signup/", SIGNUP)
    errors = response.context["form"].errors.as_data()
    assert errors["uscc"][0].code == "uscc_taken"
    assert errors["slug"][0].code == "slug_taken"
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


def test_logged_in_user_adds_a_second_enterprise_without_new_login(client, make_enterprise, make_user):
    owner = make_user(email="multi@example.test")
    make_enterprise(owner=owner)
    client.force_login(owner)
    data = {k: v for k, v in SIGNUP.items() if k not in ("full_name", "email", "password")}
    _follow_handoff(client, client.post("/signup/", data))
    assert Membership.objects.filter(user=owner).count() == 2


def test_log_in_with_next_on_an_enterprise_host_hands_the_session_over(client, make_enterprise, make_user):
    user = make_user(email="li@example.test", password="Right-pass-1")
    enterprise = make_enterprise(slug="handover", owner=user)
    bad = client.post("/login/", {"email": "li@example.test", "password": "wrong"})
    assert bad.status_code == 200 and bad.context["form"].non_field_errors()
    response = client.post("/login/", {"email": "LI@example.test", "password": "Right-pass-1",
                                       "next": "http://handover.localhost:8000/files/?q=x"})
    landed = _follow_handoff(client, response)
    assert landed["Location"] == "/files/?q=x"
    assert client.get("/files/", HTTP_HOST="handover.localhost").status_code == 200
    assert LoginHandoff.objects.filter(enterprise=enterprise, used_at__isnull=False).count() == 1


def test_a_hand_off_ticket_works_once_and_only_on_its_enterprise(make_enterprise, make_user):
    user = make_user()
    a = make_enterprise(owner=user, slug="ticket-a")
    b = make_enterprise(owner=user, slug="ticket-b")
    token = services.login_handoff_issue(user=user, enterprise=a)
    wrong_host = Client().get(f"/auth/handoff/?t={token}", HTTP_HOST="ticket-b.localhost")
    assert wrong_host.status_code == 400
    first = Client().get(f"/auth/handoff/?t={token}", HTTP_HOST="ticket-a.localhost")
    assert first.status_code == 302
    second = Client().get(f"/auth/handoff/?t={token}", HTTP_HOST="ticket-a.localhost")
    assert second.status_code == 400
    forged = Client().get(f"/auth/handoff/?t={token[:-2]}xx", HTTP_HOST="ticket-a.localhost")
    assert forged.status_code == 400
    assert b is not None


def test_an_expired_hand_off_ticket_is_refused(make_enterprise, make_user, settings):
    user = make_user()
    enterprise = make_enterprise(owner=user, slug="ticket-old")
    token = services.login_handoff_issue(user=user, enterprise=enterprise)
    settings.LOGIN_HANDOFF_MAX_AGE = 0
    time.sleep(1.1)
    response = Client().get(f"/auth/handoff/?t={token}", HTTP_HOST="ticket-old.localhost")
    assert response.status_code == 400


def test_no_ticket_for_an_enterprise_the_user_is_not_in(client, make_enterprise, make_user):
    outsider = make_user()
    enterprise = make_enterprise(slug="closed")
    client.force_login(outsider)
    assert client.get("/go/closed/").status_code == 404
    assert not LoginHandoff.objects.filter(enterprise=enterprise).exists()


def test_switcher_goes_to_another_enterprise_without_logging_in_again(client, make_enterprise, make_user):
    user = make_user()
    make_enterprise(owner=user, slug="first-co")
    make_enterprise(owner=user, slug="second-co")
    client.force_login(user)
    page = client.get("/", HTTP_HOST="first-co.localhost").content.decode()
    assert 'href="/go/second-co/"' in page
    response = client.get("/go/second-co/", HTTP_HOST="first-co.localhost")
    assert _follow_handoff(client, response).status_code == 302


def test_log_out_ends_the_sessions_on_every_host(make_enterprise, make_user):
    user = make_user(password="Right-pass-1")
    make_enterprise(owner=user, slug="logout-co")
    public, tenant = Client(), Client()
    public.force_login(user)
    tenant.force_login(user)
    assert tenant.get("/", HTTP_HOST="logout-co.localhost").status_code == 200
    public.post("/logout/")
    assert tenant.get("/", HTTP_HOST="logout-co.localhost").status_code == 302  # back to log-in


def _owner_client(enterprise_owner):
    client = Client()
    client.force_login(enterprise_owner)
    return client


def test_invite_a_new_person_who_signs_up_from_the_email(make_enterprise, make_user,
                                                          django_capture_on_commit_callbacks):
    owner = make_user()
    enterprise = make_enterprise(owner=owner, slug="inviting")
    client = _owner_client(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/members/", {"email": "New.Clerk@Example.test", "role": "clerk"},
                               HTTP_HOST="inviting.localhost")
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.clerk@example.test"]
    link = re.search(r"http://localhost(:\d+)?(/invite/[^/\s]+/)", mail.outbox[0].body).group(2)
    newcomer = Client()
    assert newcomer.get(link).status_code == 200
    response = newcomer.post(link, {"full_name": "王芳", "password": "Clerk-pass-2026!"})
    _follow_handoff(newcomer, response)
    membership = Membership.objects.get(enterprise=enterprise, user__email="new.clerk@example.test")
    assert membership.role == Role.CLERK
    assert newcomer.get(link).status_code == 404  # used up


def test_an_existing_user_accepts_after_logging_in(make_enterprise, make_user):
    owner = make_user()
    enterprise = make_enterprise(owner=owner, slug="inviting2")
    invitee = make_user(email="known@example.test")
    invitation = services.invitation_create(actor=Membership.objects.get(user=owner), email="known@example.test",
                                            role=Role.MANAGER, base_url="http://localhost")
    someone_else = Client()
    someone_else.force_login(make_user())
    response = someone_else.post(f"/invite/{invitation.token}/")
    assert not Membership.objects.filter(enterprise=enterprise, user=invitee).exists()
    assert response.status_code == 200
    invited = Client()
    invited.force_login(invitee)
    _follow_handoff(invited, invited.post(f"/invite/{invitation.token}/"))
    assert Membership.objects.get(enterprise=enterprise, user=invitee).role == Role.MANAGER


def test_invitation_errors(make_enterprise, make_user):
    owner = make_user(email="own@example.test")
    enterprise = make_enterprise(owner=owner, slug="inv-err")
    client = _owner_client(owner)
    response = client.post("/members/", {"email": "own@example.test", "role": "clerk"}, HTTP_HOST="inv-err.localhost")
    assert response.context["invite_form"].errors.as_data()["email"][0].code == "already_member"
    response = client.post("/members/", {"email": "not-an-email", "role": "clerk"}, HTTP_HOST="inv-err.localhost")
    assert "email" in response.context["invite_form"].errors
    assert Invitation.objects.filter(enterprise=enterprise).count() == 0


def test_roles_the_last_owner_stays_and_admins_cannot_make_owners(make_enterprise, make_user):
    owner = make_user()
    enterprise = make_enterprise(owner=owner, slug="roles")
    admin = make_user()
    Membership.objects.create(user=admin, enterprise=enterprise, role=Role.ADMIN)
    clerk = make_user()
    clerk_membership = Membership.objects.create(user=clerk, enterprise=enterprise, role=Role.CLERK)
    owner_membership = Membership.objects.get(user=owner)
    admin_client = _owner_client(admin)
    admin_client.post(f"/members/{clerk_membership.pk}/role/", {"role": "owner"}, HTTP_HOST="roles.localhost")
    assert Membership.objects.get(pk=clerk_membership.pk).role == Role.CLERK
    admin_client.post(f"/members/{clerk_membership.pk}/role/", {"role": "manager"}, HTTP_HOST="roles.localhost")
    assert Membership.objects.get(pk=clerk_membership.pk).role == Role.MANAGER
    admin_client.post(f"/members/{owner_membership.pk}/remove/", HTTP_HOST="roles.localhost")
    assert Membership.objects.filter(pk=owner_membership.pk).exists()
    owner_client = _owner_client(owner)
    owner_client.post(f"/members/{owner_membership.pk}/remove/", HTTP_HOST="roles.localhost")  # the last owner
    assert Membership.objects.filter(pk=owner_membership.pk).exists()
    clerk_client = _owner_client(clerk)
    assert clerk_client.post(f"/members/{owner_membership.pk}/role/", {"role": "viewer"},
                             HTTP_HOST="roles.localhost").status_code == 403


def test_settings_are_saved_by_admins_and_the_credit_code_is_fixed(make_enterprise, make_user):
    owner = make_user()
    enterprise = make_enterprise(owner=owner, slug="settings-co")
    client = _owner_client(owner)
    data = {"name": "慈溪市改名电器有限公司", "short_name": "改名", "uscc": "91330282671205242Y", "industry": "3853",
            "sales_band": "gt500m", "address": "新地址", "town": "", "contact_name": "赵", "contact_phone": "",
            "contact_email": "", "modules": ["erp", "pdm"]}
    assert client.post("/settings/", data, HTTP_HOST="settings-co.localhost").status_code == 302
    enterprise.refresh_from_db()
    assert (enterprise.name, enterprise.industry, enterprise.modules) == ("慈溪市改名电器有限公司", "3853", ["erp", "pdm"])
    assert enterprise.uscc != "91330282671205242Y"


def test_language_defaults_to_chinese_and_switches_to_english(make_enterprise, make_user):
    user = make_user()
    make_enterprise(owner=user, slug="lang-co")
    client = _owner_client(user)
    page = client.get("/members/", HTTP_HOST="lang-co.localhost").content.decode()
    assert '<html lang="zh-hans">' in page and "成员" in page
    client.post("/language/", {"language": "en", "next": "/members/"}, HTTP_HOST="lang-co.localhost")
    page = client.get("/members/", HTTP_HOST="lang-co.localhost").content.decode()
    assert '<html lang="en">' in page and "Members" in page
    user.refresh_from_db()
    assert user.language == "en"


def test_public_pages_render(client, db):
    for url in ("/", "/login/", "/signup/"):
        assert client.get(url).status_code == 200
    with schema_context("public"):
        assert client.get("/admin/").status_code == 302


def test_csrf_is_enforced_and_works_on_enterprise_hosts(make_enterprise, make_user):
    user = make_user()
    make_enterprise(owner=user, slug="csrf-co")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get("/settings/", HTTP_HOST="csrf-co.localhost").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = {"name": "慈溪市令牌电器有限公司", "industry": "3854", "sales_band": "lt5m"}
    assert client.post("/settings/", data, HTTP_HOST="csrf-co.localhost").status_code == 403
    ok = client.post("/settings/", dict(data, csrfmiddlewaretoken=token), HTTP_HOST="csrf-co.localhost")
    assert ok.status_code == 302


def test_platform_admin_creates_an_enterprise_in_the_admin(client, make_user):
    admin_user = make_user(email="root@platform.test", is_staff=True, is_superuser=True)
    owner = make_user(email="admin-made@example.test")
    client.force_login(admin_user)
    data = {"name": "慈溪市后台轴承有限公司", "slug": "admin-made", "uscc": uscc_make(org_body="99887766"),
            "industry": "3451", "sales_band": "lt5m", "owner": owner.pk, "modules": ["erp"]}
    bad = client.post("/admin/tenants/enterprise/add/", dict(data, uscc="91330282671205242X"))
    assert bad.status_code == 200 and "uscc" in bad.context["adminform"].form.errors
    response = client.post("/admin/tenants/enterprise/add/", data)
    assert response.status_code == 302, response.content[:2000]
    enterprise = Enterprise.objects.get(slug="admin-made")
    assert Membership.objects.get(enterprise=enterprise).user == owner
    assert enterprise.schema_name.startswith("e")


def test_forgotten_password_by_email(client, make_user):
    make_user(email="forgot@example.test", password="Old-pass-2026!")
    client.post("/password-reset/", {"email": "forgot@example.test"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://[^/\s]+(/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    client.post(form_page.redirect_chain[-1][0], {"new_password1": "New-pass-2026!", "new_password2": "New-pass-2026!"})
    assert User.objects.get(email="forgot@example.test").check_password("New-pass-2026!")
