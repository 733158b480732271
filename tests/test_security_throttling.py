"""Log-in throttling (docs/security.md › Throttling): django-axes locks an account, and separately a
network address, after AXES_FAILURE_LIMIT failed log-ins on /login/ or /admin/login/ until the cool-off
has passed or the platform admin lifts the lock; bad hand-off tickets count against their address;
password-reset mails are limited per address and per account."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.test import Client, RequestFactory
from django.utils import timezone, translation
from django.utils.translation import ngettext

from core.models import RateCounter
from core.throttle import client_ip
from tenants import services

PASSWORD = "Right-pass-2026!"
LIMIT = settings.AXES_FAILURE_LIMIT


def _locked_message(language: str = "zh-hans") -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    with translation.override(language):
        return ngettext(
            "Too many failed log-in attempts for this account or from your network address. For your security, "
            "logging in is blocked for %(minutes)d minute.",
            "Too many failed log-in attempts for this account or from your network address. For your security, "
            "logging in is blocked for %(minutes)d minutes.", minutes) % {"minutes": minutes}


def _login(client, email, password, **extra):
    return client.post("/login/", {"email": email, "password": password}, **extra)


def _fail_up_to_the_limit(client, email) -> None:
    """LIMIT wrong passwords for ``email`` from ``client``: from the last one on, the account is locked."""
    for n in range(LIMIT):
        _login(client, email, f"wrong-{n}")


def _is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_fifty_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused(make_user):
    # given: an account and a visitor guessing its password from one address
    make_user(email="guessed@example.test", password=PASSWORD)
    client = Client(REMOTE_ADDR="198.51.100.10")

    # when: fifty wrong passwords in a row
    statuses = [_login(client, "guessed@example.test", f"wrong-{n}").status_code for n in range(50)]

    # then: the first failures are answered as wrong passwords, from the limit on the log-in is blocked
    assert statuses == [200] * (LIMIT - 1) + [429] * (50 - LIMIT + 1)
    # ... and the right password is refused too, with the lock-out message
    right = _login(client, "GUESSED@example.test", PASSWORD)
    assert right.status_code == 429
    assert right.context["message"] == _locked_message()
    assert "tenants/locked_out.html" in [t.name for t in right.templates]
    assert 'id="locked-out"' in right.content.decode()
    assert not _is_logged_in(client)
    # ... from another address as well: the account itself is locked
    elsewhere = Client(REMOTE_ADDR="203.0.113.77")
    assert _login(elsewhere, "guessed@example.test", PASSWORD).status_code == 429
    assert not _is_logged_in(elsewhere)
    # the failures are on record for the account, attempts made while locked did not extend the lock
    attempt = AccessAttempt.objects.get(username="guessed@example.test", ip_address="198.51.100.10")
    assert attempt.failures_since_start == LIMIT


def test_the_lock_message_is_translated_with_the_page(make_user):
    make_user(email="english@example.test", password=PASSWORD)
    client = Client(REMOTE_ADDR="198.51.100.11", HTTP_ACCEPT_LANGUAGE="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _fail_up_to_the_limit(client, "english@example.test")
    response = _login(client, "english@example.test", PASSWORD)
    assert response.status_code == 429
    assert response.context["message"] == _locked_message("en")
    assert "logging in is blocked for 15 minutes" in response.content.decode()


def test_an_address_that_tries_many_accounts_is_locked_but_the_accounts_are_not(make_user):
    # given: several accounts, and one address trying one wrong password on each
    emails = [f"spray{n}@example.test" for n in range(LIMIT)]
    for email in emails:
        make_user(email=email, password=PASSWORD)
    sprayer = Client(REMOTE_ADDR="198.51.100.12")
    statuses = [_login(sprayer, email, "Summer2026!").status_code for email in emails]

    # then: the address is locked, even for a right password
    assert statuses == [200] * (LIMIT - 1) + [429]
    assert _login(sprayer, emails[0], PASSWORD).status_code == 429
    # ... while the owners, from their own addresses, log in normally (one failure each is no lock)
    owner = Client(REMOTE_ADDR="203.0.113.12")
    response = _login(owner, emails[0], PASSWORD)
    assert response.status_code == 302 and _is_logged_in(owner)


def test_admin_log_in_is_throttled_the_same_way(make_user):
    make_user(email="root@example.test", password=PASSWORD, is_staff=True, is_superuser=True,
              platform_role="platform_admin")
    client = Client(REMOTE_ADDR="198.51.100.13")
    statuses = [client.post("/admin/login/", {"username": "Root@example.test", "password": f"bad-{n}"}).status_code
                for n in range(LIMIT + 2)]
    assert statuses == [200] * (LIMIT - 1) + [429] * 3
    right = client.post("/admin/login/?next=/admin/", {"username": "root@example.test", "password": PASSWORD})
    assert right.status_code == 429 and right.context["message"] == _locked_message()
    assert not _is_logged_in(client)
    # the admin form and the public form count for the same account
    assert _login(Client(REMOTE_ADDR="203.0.113.13"), "root@example.test", PASSWORD).status_code == 429


def test_the_lock_ends_after_the_cool_off(make_user):
    make_user(email="patient@example.test", password=PASSWORD)
    client = Client(REMOTE_ADDR="198.51.100.14")
    _fail_up_to_the_limit(client, "patient@example.test")
    assert _login(client, "patient@example.test", PASSWORD).status_code == 429

    # when: the cool-off has passed since the last failure
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))

    # then: the right password works again, and the expired failures are gone
    response = _login(client, "patient@example.test", PASSWORD)
    assert response.status_code == 302 and _is_logged_in(client)
    assert not AccessAttempt.objects.filter(username="patient@example.test").exists()


def test_a_lock_is_still_on_just_before_the_cool_off_ends(make_user):
    make_user(email="early@example.test", password=PASSWORD)
    client = Client(REMOTE_ADDR="198.51.100.15")
    _fail_up_to_the_limit(client, "early@example.test")
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME + timedelta(minutes=1))
    assert _login(client, "early@example.test", PASSWORD).status_code == 429


def test_the_platform_admin_sees_the_lock_and_lifts_it(make_user):
    # given: a locked account
    make_user(email="locked@example.test", password=PASSWORD)
    visitor = Client(REMOTE_ADDR="198.51.100.16")
    _fail_up_to_the_limit(visitor, "locked@example.test")
    assert _login(visitor, "locked@example.test", PASSWORD).status_code == 429
    admin = make_user(email="platform@example.test", is_staff=True, is_superuser=True, platform_role="platform_admin")
    staff = Client()
    staff.force_login(admin)

    # when: the platform admin opens the access attempts on the public host's admin
    page = staff.get("/admin/axes/accessattempt/?locked_out=yes")
    assert page.status_code == 200
    assert "locked@example.test" in page.content.decode()
    attempt = AccessAttempt.objects.get(username="locked@example.test")
    # ... and deletes the attempt (the admin's "delete selected" action, confirmed)
    done = staff.post("/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": [attempt.pk],
                                                     "post": "yes"})
    assert done.status_code == 302

    # then: the account logs in again, from the same address
    assert not AccessAttempt.objects.filter(username="locked@example.test").exists()
    response = _login(visitor, "locked@example.test", PASSWORD)
    assert response.status_code == 302 and _is_logged_in(visitor)


def test_only_staff_see_the_access_attempts(make_user):
    member = make_user(email="plain@example.test")
    client = Client()
    client.force_login(member)
    response = client.get("/admin/axes/accessattempt/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_new_password_set_by_email_lifts_the_lock_on_the_account(make_user):
    make_user(email="forgetful@example.test", password=PASSWORD)
    guesser = Client(REMOTE_ADDR="198.51.100.17")
    _fail_up_to_the_limit(guesser, "forgetful@example.test")
    assert _login(Client(REMOTE_ADDR="203.0.113.17"), "forgetful@example.test", PASSWORD).status_code == 429

    owner = Client(REMOTE_ADDR="203.0.113.17")
    owner.post("/password-reset/", {"email": "forgetful@example.test"})
    link = re.search(r"http://[^/\s]+(/reset/\S+/)", mail.outbox[-1].body).group(1)
    form_page = owner.get(link, follow=True)
    owner.post(form_page.redirect_chain[-1][0], {"new_password1": "Brand-new-2026!", "new_password2": "Brand-new-2026!"})

    assert not AccessAttempt.objects.filter(username="forgetful@example.test").exists()
    response = _login(owner, "forgetful@example.test", "Brand-new-2026!")
    assert response.status_code == 302 and _is_logged_in(owner)


def test_password_reset_mails_are_limited_per_account(make_user):
    make_user(email="mailbombed@example.test", password=PASSWORD)
    limit = settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT
    responses = [Client(REMOTE_ADDR=f"198.51.100.{20 + n}").post("/password-reset/", {"email": "MailBombed@example.test"})
                 for n in range(limit + 2)]
    assert [r.status_code for r in responses] == [302] * limit + [429] * 2
    assert len(mail.outbox) == limit
    refused = responses[-1]
    assert [e.code for e in refused.context["form"].non_field_errors().as_data()] == ["throttled"]
    # the refusal reads the same whether or not the account exists
    unknown = [Client(REMOTE_ADDR=f"198.51.100.{40 + n}").post("/password-reset/", {"email": "nobody@example.test"})
               for n in range(limit + 1)]
    assert [r.status_code for r in unknown] == [302] * limit + [429]
    assert list(unknown[-1].context["form"].non_field_errors()) == list(refused.context["form"].non_field_errors())


def test_password_reset_mails_are_limited_per_address(make_user):
    limit = settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
    client = Client(REMOTE_ADDR="198.51.100.60")
    for n in range(limit + 1):
        make_user(email=f"reset{n}@example.test")
    statuses = [client.post("/password-reset/", {"email": f"reset{n}@example.test"}).status_code
                for n in range(limit + 1)]
    assert statuses == [302] * limit + [429]
    assert len(mail.outbox) == limit
    assert RateCounter.objects.get(scope="password_reset:address", key="198.51.100.60").hits == limit + 1
    # another address is not affected
    assert Client(REMOTE_ADDR="198.51.100.61").post("/password-reset/", {"email": "reset0@example.test"}).status_code == 302


def test_a_new_window_starts_a_new_count(make_user):
    make_user(email="later@example.test")
    limit = settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT
    for n in range(limit):
        Client(REMOTE_ADDR=f"198.51.100.{70 + n}").post("/password-reset/", {"email": "later@example.test"})
    assert Client(REMOTE_ADDR="198.51.100.79").post("/password-reset/", {"email": "later@example.test"}).status_code == 429
    RateCounter.objects.update(window_start=timezone.now() - settings.PASSWORD_RESET_WINDOW * 2)
    assert Client(REMOTE_ADDR="198.51.100.79").post("/password-reset/", {"email": "later@example.test"}).status_code == 302
    # the ended windows' rows are gone, for every key of the scope
    assert RateCounter.objects.filter(scope="password_reset:account").count() == 1


def test_bad_hand_off_tickets_lock_the_address(make_enterprise, make_user):
    # given: a member of an enterprise and someone trying forged hand-off tickets from one address
    user = make_user(email="handed@example.test", password=PASSWORD)
    enterprise = make_enterprise(slug="handoff-throttle", owner=user)
    forger = Client(REMOTE_ADDR="198.51.100.90", HTTP_HOST="handoff-throttle.localhost")
    statuses = [forger.get(f"/auth/handoff/?t=forged-{n}").status_code for n in range(LIMIT + 2)]

    # then: bad tickets are refused, and from the limit on the address gets the lock-out page
    assert statuses == [400] * (LIMIT - 1) + [429] * 3
    attempt = AccessAttempt.objects.get(ip_address="198.51.100.90")
    assert attempt.username is None and attempt.path_info == "/auth/handoff/"
    assert "forged" not in attempt.get_data  # the ticket is never stored
    # ... a real ticket from that address is refused as well, without being used up
    token = services.login_handoff_issue(user=user, enterprise=enterprise)
    locked = forger.get(f"/auth/handoff/?t={token}")
    assert locked.status_code == 429 and locked.context["message"] == _locked_message()
    assert not _is_logged_in(forger)
    # ... while the same ticket works from another address, and the account itself is not locked
    other = Client(REMOTE_ADDR="203.0.113.90", HTTP_HOST="handoff-throttle.localhost")
    assert other.get(f"/auth/handoff/?t={token}").status_code == 302 and _is_logged_in(other)
    assert _login(Client(REMOTE_ADDR="203.0.113.91"), "handed@example.test", PASSWORD).status_code in (200, 302)


def test_hand_off_failures_and_password_failures_of_an_address_add_up(make_enterprise, make_user):
    user = make_user(email="mixed@example.test", password=PASSWORD)
    make_enterprise(slug="handoff-mixed", owner=user)
    address = "198.51.100.91"
    for n in range(LIMIT - 1):
        _login(Client(REMOTE_ADDR=address), f"someone{n}@example.test", "wrong")
    last = Client(REMOTE_ADDR=address, HTTP_HOST="handoff-mixed.localhost").get("/auth/handoff/?t=forged")
    assert last.status_code == 429
    assert _login(Client(REMOTE_ADDR=address), "mixed@example.test", PASSWORD).status_code == 429


@pytest.mark.parametrize("proxies, forwarded, remote, expected", [
    (0, "1.2.3.4", "10.0.0.1", "10.0.0.1"),  # no proxy configured: the header is the client's claim
    (1, "1.2.3.4", "10.0.0.1", "1.2.3.4"),
    (1, "6.6.6.6, 1.2.3.4", "10.0.0.1", "1.2.3.4"),  # a spoofed entry on the left is ignored
    (2, "6.6.6.6, 1.2.3.4, 10.0.0.9", "10.0.0.1", "1.2.3.4"),
    (1, "", "10.0.0.1", "10.0.0.1"),  # no header: the direct peer
    (1, "not-an-address", "10.0.0.1", "10.0.0.1"),
    (1, "2001:db8::1", "10.0.0.1", "2001:db8::1"),
])
def test_the_client_address_behind_trusted_proxies(settings, proxies, forwarded, remote, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_failures_behind_the_proxy_count_per_client_not_per_proxy(settings, make_user):
    settings.TRUSTED_PROXY_COUNT = 1
    make_user(email="proxied@example.test", password=PASSWORD)
    attacker = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.99")
    for n in range(LIMIT):
        _login(attacker, f"victim{n}@example.test", "wrong")
    assert _login(attacker, "proxied@example.test", PASSWORD).status_code == 429
    # another client through the same proxy is not locked
    neighbour = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert _login(neighbour, "proxied@example.test", PASSWORD).status_code == 302
