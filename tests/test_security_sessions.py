"""A session works only on the host it was made on (docs/security.md › Headers and sessions): the log-in
on the public host and the hand-off to an enterprise host each make a session bound to that host, and
a cookie copied to another host logs no one in there (core.middleware.SessionHostMiddleware).

Each test uses one Client per host, as a browser keeps one cookie jar per host."""

import re

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from core.middleware import SESSION_HOST_KEY

PASSWORD = "Right-pass-2026!"


def _hand_off(response) -> tuple[str, str]:
    """(host, path) of the hand-off redirect to an enterprise host."""
    assert response.status_code == 302, response.content[:300]
    match = re.match(r"http://([a-z0-9-]+\.localhost)(:\d+)?(/auth/handoff/\?.*)$", response["Location"])
    assert match, response["Location"]
    return match.group(1), match.group(3)


def _log_in_and_hand_off(email: str, slug: str) -> tuple[Client, Client]:
    """Log in on the public host with ``next`` on the enterprise; follow the hand-off in that host's own jar."""
    public = Client()
    host, path = _hand_off(public.post("/login/", {"email": email, "password": PASSWORD,
                                                   "next": f"http://{slug}.localhost:8000/"}))
    enterprise = Client()
    landed = enterprise.get(path, HTTP_HOST=host)
    assert landed.status_code == 302 and landed["Location"] == "/"
    return public, enterprise


def _cookie(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _with_cookie(value: str) -> Client:
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = value
    return thief


def test_a_session_cookie_copied_to_another_enterprise_host_does_not_log_in(make_enterprise, make_user):
    # given: a member of two enterprises, logged in and handed off to the first
    user = make_user(email="both@example.test", password=PASSWORD)
    make_enterprise(slug="first-host", owner=user)
    make_enterprise(slug="second-host", owner=user)
    public, first = _log_in_and_hand_off("both@example.test", "first-host")
    assert first.get("/", HTTP_HOST="first-host.localhost").status_code == 200
    assert first.get("/", HTTP_HOST="first-host.localhost:8123").status_code == 200  # the port is no host
    stolen = _cookie(first)
    assert Session.objects.get(session_key=stolen).get_decoded()[SESSION_HOST_KEY] == "first-host.localhost"

    # when: its session cookie is replayed on the second enterprise's host
    response = _with_cookie(stolen).get("/", HTTP_HOST="second-host.localhost")

    # then: no one is logged in there (sent to log in), and the copied session is ended everywhere
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Session.objects.filter(session_key=stolen).exists()
    assert first.get("/", HTTP_HOST="first-host.localhost").status_code == 302
    # ... while the public host's own session is untouched
    assert "both@example.test" in public.get("/").content.decode()


def test_the_public_session_does_not_work_on_an_enterprise_host_nor_the_reverse(make_enterprise, make_user):
    user = make_user(email="hosts@example.test", password=PASSWORD)
    make_enterprise(slug="own-host", owner=user)
    public, enterprise = _log_in_and_hand_off("hosts@example.test", "own-host")

    on_enterprise = _with_cookie(_cookie(public)).get("/", HTTP_HOST="own-host.localhost")
    assert on_enterprise.status_code == 302 and "/login/" in on_enterprise["Location"]

    on_public = _with_cookie(_cookie(enterprise)).get("/")
    assert on_public.status_code == 200 and "hosts@example.test" not in on_public.content.decode()
    assert not on_public.wsgi_request.user.is_authenticated


def test_the_switcher_makes_a_session_of_its_own_on_the_other_host(make_enterprise, make_user):
    user = make_user(email="switch@example.test", password=PASSWORD)
    make_enterprise(slug="switch-a", owner=user)
    make_enterprise(slug="switch-b", owner=user)
    _, first = _log_in_and_hand_off("switch@example.test", "switch-a")

    host, path = _hand_off(first.get("/go/switch-b/", HTTP_HOST="switch-a.localhost"))
    second = Client()
    assert second.get(path, HTTP_HOST=host).status_code == 302

    assert second.get("/", HTTP_HOST="switch-b.localhost").status_code == 200
    assert first.get("/", HTTP_HOST="switch-a.localhost").status_code == 200
    assert _cookie(first) != _cookie(second)


def test_the_admin_log_in_binds_its_session_to_the_public_host(make_enterprise, make_user):
    admin = make_user(email="root@hosts.test", password=PASSWORD, is_staff=True, is_superuser=True,
                      platform_role="platform_admin")
    make_enterprise(slug="admin-elsewhere", owner=admin)
    client = Client()
    assert client.post("/admin/login/?next=/admin/", {"username": "root@hosts.test", "password": PASSWORD}).status_code == 302
    assert client.session[SESSION_HOST_KEY] == "testserver"
    assert client.get("/admin/").status_code == 200

    replayed = _with_cookie(_cookie(client)).get("/", HTTP_HOST="admin-elsewhere.localhost")
    assert replayed.status_code == 302 and "/login/" in replayed["Location"]


def test_a_logged_in_session_without_a_host_is_ended(settings, make_enterprise, make_user):
    # given: production's rule (the tests' force_login makes sessions without a host)
    settings.SESSION_REQUIRE_HOST = True
    user = make_user()
    make_enterprise(slug="no-host", owner=user)
    client = Client()
    client.force_login(user)
    key = _cookie(client)

    response = client.get("/", HTTP_HOST="no-host.localhost")

    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Session.objects.filter(session_key=key).exists()


def test_without_the_rule_a_session_without_a_host_still_works(make_enterprise, make_user):
    user = make_user()
    make_enterprise(slug="relaxed-host", owner=user)
    client = Client()
    client.force_login(user)
    assert client.get("/", HTTP_HOST="relaxed-host.localhost").status_code == 200


def test_an_anonymous_visitor_is_not_affected(make_enterprise):
    make_enterprise(slug="anon-host")
    client = Client()
    assert client.get("/login/").status_code == 200
    assert client.get("/", HTTP_HOST="anon-host.localhost").status_code == 302
