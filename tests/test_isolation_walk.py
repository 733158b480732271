"""Tenant isolation of every page (issue 19), on the machinery of tests/walker.py.

Every URL pattern of both URL confs comes from the resolvers (tests.walker.iter_patterns); path
parameters are filled with ids of enterprise B's objects (tests.walker.build_world, plus the few
objects below that only a third enterprise C and B share). A pattern that cannot be filled fails the
test. Asked by a member of enterprise A in every role and anonymously, GET and POST (the POST replays
the form B's own owner sees on that page):

- on B's host, every pattern: 404 (the host of an enterprise one is not a member of), or the log-in
  redirect for an anonymous visitor;
- on A's own host, every pattern that takes an id, with B's ids: 404 — or, where the page refuses the
  role before looking anything up, exactly the answer a missing id gets (403, 405, log-in);
- on the public host, every pattern that takes an enterprise's object (board drafts, quotations,
  conversations, office and government-data pages, invitation and admin pages), with B's private
  objects: exactly the answer a missing id gets; with B's public objects (a visible listing, its
  image and file, its enterprise's profile), only what PUBLIC_BY_DESIGN allows.

And after each request not one row of B's schema or of the public schema has changed (tests.walker.
DbWatch; every request runs in a savepoint that is rolled back), no stored file of B has changed, and
no answer holds B's private text. A's schema holds its own objects with ids from TENANT_ID_OFFSET on, so
an id of B never names an object of A.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django_tenants.utils import tenant_context

from tests.isolation_world import (MARK, TENANT_ID_OFFSET, enterprise_make, erp_objects_make,
                                   sequences_start_at)
from tests.walker import (PUBLIC_HOST, DbWatch, Ids, Unfillable, build_world, fill_all, iter_patterns, page_forms,
                          param_kind)

pytestmark = pytest.mark.django_db

ROLES = ("owner", "admin", "manager", "clerk", "viewer")
MISSING = {"int": "987654321", "str": "no-such-thing", "slug": "no-such-thing", "path": "no-such-thing/",
           "re": "987654321", "uuid": "00000000-0000-0000-0000-000000000000"}

# Patterns that answer on any enterprise's host without a membership, by design.
HOST_EXEMPT = {
    "document_version_link": "a signed 5-minute download link of one version: whoever holds it downloads that file "
                             "on the host it was made for, without a membership; on another host (A's with B's "
                             "link) it is a 404 (pdm/vault/links.py, api/graphql/tests/test_pdm.py)",
    "healthz": "the health check: no data of the enterprise",
    "handoff_redeem": "the log-in hand-off takes a one-time ticket made for a member; without one it answers 400 "
                      "(tests/test_accounts.py)",
    "graphql": "the API authenticates itself; a non-member's session gets the host's 404, a token of another "
               "enterprise a 401 (api/graphql/tests/test_isolation_walk.py walks every field)",
    "tracking": "the buyer's tracking page of a shipment: its unguessable link is the key, on the shipment's own "
                "host; on another host (A's with B's link) it is a 404 (logistics/shipments/tests/test_views.py)",
    "push_callback": "the tracking aggregator's signed pushes: no membership; a push without the subscription's "
                     "signature is refused (403) and only logged (tests.walker.WATCH_EXCLUDED); another enterprise's token is unknown (404) "
                     "(logistics/tracking/tests)",
}
# Patterns that reach B's PUBLIC objects on purpose (a visible listing, its image and file, B's profile).
# Every other answer with B's public objects must be a refusal, and B's private objects always get the
# answer of a missing id.
PUBLIC_BY_DESIGN = {
    "listing_detail": "a visible listing is public",
    "image": "the images of a visible listing are public",
    "image_thumb": "the images of a visible listing are public",
    "attachment": "the files of a visible listing are for members of any enterprise",
    "enterprise": "an enterprise's profile on the boards is public",
    "inquiry_start": "any enterprise may ask about a visible listing (a POST makes A's own conversation with B)",
    "quotation_submit": "any other enterprise may quote on an open RFQ (a POST makes A's own quotation)",
}
# Kinds that are not an enterprise's object at all.
NOT_ENTERPRISE_KINDS = {"board_code": "an industry board (the same for everyone)"}
# Refusals that differ from a missing id's: they tell that an id exists, though nothing of it is shown or
# changed. Reported (issue 19); the test fails when one no longer happens, so that it is taken off.
KNOWN_EXISTENCE_ORACLES: dict[tuple[str, str], str] = {}
# Kinds that name something public in itself: the enterprise (its profile on the boards shows its slug,
# credit code and id) or an office programme (not an enterprise's object). A refusal may show it exists.
PUBLIC_KINDS = {"enterprise_slug", "uscc", "enterprise_pk", "programme_code"}
# Pages whose link is the secret: whoever holds it may open it (B's invitation, a password-reset link).
LINK_IS_THE_KEY = {"invitation_accept": "an invitation is opened by whoever holds its link",
                   "password_reset_confirm": "a password-reset link is opened by whoever holds it"}


# ---- the world ------------------------------------------------------------------------------------


def _make_user(email: str | None = None, password: str = "pw-for-tests-1", **extra):
    from tenants.models import User

    return User.objects.create_user(email=email or f"walk{time.monotonic_ns()}@example.test", password=password,
                                    **extra)


def _make_enterprise(*, slug: str, owner, **_fields):
    return enterprise_make(slug, f"慈溪市巡检{slug}电器有限公司", owner)


@dataclass
class Walked:
    world: object
    c: object
    private: Ids  # B's ids of every kind; on the boards those of objects only B and C share
    public: Ids  # B's objects that are public on purpose
    markers: list = field(default_factory=list)  # text only B's (or C's) private rows hold
    files: list = field(default_factory=list)  # stored files of the world (deleted afterwards)


def _third_party_and_drafts(world) -> tuple:
    """Enterprise C with what only B and C share (quotations both ways with a file, a conversation), and
    B's draft with an image and a file: the private objects of B on the boards."""
    from ecommerce import services as boards
    from ecommerce.models import Listing
    from tests.isolation_world import board_post, board_quote, png_upload

    b = world.b
    c_owner = _make_user(email="owner-walk-c@example.test")
    c = _make_enterprise(slug="walkc", owner=c_owner)
    b_rfq = Listing.objects.get(pk=b.ids["rfq_listing"])
    c_rfq = board_post(c, c_owner, title="C 询价 电机", kind="demand", is_rfq=True)
    c_on_b = board_quote(b_rfq, c, c_owner, f"{MARK} C 报价",
                    attachment=SimpleUploadedFile("c.pdf", f"%PDF-1.4 {MARK} C".encode()))
    b_on_c = board_quote(c_rfq, b.enterprise, b.owner, f"{MARK} B 报价")
    thread = boards.inquiry_send(listing=Listing.objects.get(pk=b.ids["listing"]), enterprise=c, user=c_owner,
                                 body=f"{MARK} C 问 B")
    draft = board_post(b.enterprise, b.owner, title=f"{MARK} B 草稿", publish=False)
    image = boards.listing_image_add(listing=draft, user=b.owner, file=png_upload("draft.png"))
    attachment = boards.listing_attachment_add(listing=draft, user=b.owner,
                                               file=SimpleUploadedFile("d.pdf", f"%PDF-1.4 {MARK} d".encode()))
    private = Ids(b.ids)
    private.update({"listing": draft.pk, "listing_image": image.pk, "listing_attachment": attachment.pk,
                    "rfq_listing": draft.pk, "board_quotation_received": c_on_b.pk, "board_quotation_sent": b_on_c.pk,
                    "inquiry_thread": thread.pk})
    public = Ids({"listing": b.ids["listing"], "listing_image": b.ids["listing_image"],
                  "listing_attachment": b.ids["listing_attachment"], "enterprise_slug": b.ids["enterprise_slug"]})
    return c, private, public


def _b_markers() -> list[str]:
    """Names in B's ERP (the range-hood demo) that A's schema does not have, and the boards' marker."""
    from erp_modules.workspace.demo import CUSTOMERS, ITEMS, SUPPLIERS

    return [MARK] + [name for _code, name, *_rest in SUPPLIERS] + [name for _code, name, _terms in CUSTOMERS] + [
        row[1] for row in ITEMS[:6]]


def _stored_files() -> list[str]:
    from ecommerce.models import ListingAttachment, ListingImage, Quotation

    paths = []
    for image in ListingImage.objects.all():
        paths += [f.path for f in (image.image, image.thumbnail) if f]
    paths += [a.file.path for a in ListingAttachment.objects.all() if a.file]
    paths += [q.attachment.path for q in Quotation.objects.exclude(attachment="") if q.attachment]
    return paths


@pytest.fixture(scope="module")
def walked(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        result = None
        try:
            world = build_world(_make_enterprise, _make_user, full=("b",), slug_prefix="isowalk")
            sequences_start_at(world.a.schema, TENANT_ID_OFFSET)  # A's own objects never share an id with B's
            with tenant_context(world.a.enterprise):
                erp_objects_make("A", "A")
            connection.set_schema_to_public()
            c, private, public = _third_party_and_drafts(world)
            result = Walked(world=world, c=c, private=private, public=public, markers=_b_markers(),
                            files=_stored_files())
            yield result
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            connection.set_schema_to_public()
            if result is not None:
                import shutil

                for enterprise in (result.world.a.enterprise, result.world.b.enterprise, result.c):
                    shutil.rmtree(Path(settings.MEDIA_ROOT) / enterprise.schema_name, ignore_errors=True)
                for path in result.files:
                    Path(path).unlink(missing_ok=True)


# ---- one request, checked -------------------------------------------------------------------------


@dataclass
class Walk:
    walked: Walked
    watch: DbWatch
    failures: list = field(default_factory=list)
    requests: int = 0
    patterns: set = field(default_factory=set)
    answers: dict = field(default_factory=dict)  # status -> count
    like_missing: dict = field(default_factory=dict)  # refused as a missing id is, not with 404: what, by whom
    oracles: set = field(default_factory=set)  # KNOWN_EXISTENCE_ORACLES seen

    def send(self, client: Client, method: str, path: str, host: str, data=None):
        """The request in a savepoint that is rolled back; B's rows and A's answer are checked."""
        self.requests += 1
        sid = transaction.savepoint()
        try:
            if method == "GET":
                response = client.get(path, HTTP_HOST=host)
            else:
                response = client.post(path, data or {}, HTTP_HOST=host)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            written = self.watch.changed()
        finally:
            transaction.savepoint_rollback(sid)
            connection.set_schema_to_public()
            self.watch.changed()  # the rollback is the baseline again
        self.answers[response.status_code] = self.answers.get(response.status_code, 0) + 1
        return response, body, written

    def send_get(self, client: Client, path: str, host: str, query: dict):
        """A GET with a query string (in a savepoint that is rolled back)."""
        self.requests += 1
        sid = transaction.savepoint()
        try:
            response = client.get(path, query, HTTP_HOST=host)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            written = self.watch.changed()
        finally:
            transaction.savepoint_rollback(sid)
            connection.set_schema_to_public()
            self.watch.changed()
        self.answers[response.status_code] = self.answers.get(response.status_code, 0) + 1
        return response, body, written

    def leak_check(self, label: str, body: bytes, written: list, *, allow_writes=False, status: int = 200) -> None:
        if status >= 500 and "/healthz" not in label:
            self.failures.append(f"{label}: server error {status}")
        text = body.decode("utf-8", errors="replace")
        found = [m for m in self.walked.markers if m in text]
        if found:
            self.failures.append(f"LEAK {label}: the answer holds B's private text {found[:3]}")
        if written and not allow_writes:
            self.failures.append(f"LEAK {label}: rows changed in {', '.join(written)}")


def _answer(response) -> tuple:
    """Status and where it sends to (the path only: a log-in redirect carries the asked path in ?next=)."""
    return response.status_code, urlsplit(response.get("Location", "")).path


def _login_redirect(response) -> bool:
    return response.status_code == 302 and "/login/" in response.get("Location", "")


def _clients(walked: Walked) -> dict:
    side = walked.world.a
    clients = {}
    for role in ROLES:
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(side.users[role])
    clients["anonymous"] = Client(raise_request_exception=False)
    return clients


def _targets(pattern, ids: Ids) -> list[tuple[str, str]] | None:
    """(path with the ids, the same path with ids that name nothing) for every value of a choice
    parameter; None when `ids` lacks a kind the pattern needs."""
    try:
        paths = fill_all(pattern, ids)
    except Unfillable:
        return None
    missing = Ids(ids)
    for name, converter in pattern.params.items():
        kind = param_kind(pattern, name)
        if kind != "choices" and not kind.startswith("choice:"):
            missing[kind] = MISSING[converter]
    return list(zip(paths, fill_all(pattern, missing)))


def _form_data(client: Client, path: str, host: str) -> dict:
    """What B's owner would post to `path`: the fields of the first form on its page that posts there."""
    response = client.get(path, HTTP_HOST=host)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return {"name": "isolation", "note": "isolation", "reason": "isolation", "quantity": "1", "body": "isolation"}
    for form in page_forms(response.content.decode("utf-8", errors="replace"), path):
        if form.method == "post" and form.action.split("?")[0] == path:
            data = {}
            for f in form.fields:
                if f.type in ("file", "submit") or f.name == "csrfmiddlewaretoken":
                    continue
                data.setdefault(f.name, f.value or (f.options[0] if f.options else "1"))
            return data
    return {"name": "isolation", "note": "isolation", "reason": "isolation", "quantity": "1", "body": "isolation"}


def _media_state(walked: Walked) -> dict:
    root = Path(settings.MEDIA_ROOT)
    state = {}
    for folder in (root / walked.world.b.schema, root / walked.c.schema_name):
        for path in sorted(folder.rglob("*")) if folder.exists() else []:
            if path.is_file():
                state[str(path)] = hashlib.md5(path.read_bytes()).hexdigest()
    for path in walked.files:
        if Path(path).exists():
            state[path] = hashlib.md5(Path(path).read_bytes()).hexdigest()
    return state


def _print_like_missing(walk: Walk) -> None:
    for what, how in sorted(walk.like_missing.items()):
        print(f"\n  refused like a missing id (not 404): {what}: {', '.join(sorted(how))}")


# ---- the walks ------------------------------------------------------------------------------------


def _posts_of(walked: Walked, patterns, host_of) -> dict:
    """{path: data} B's owner's forms, collected before the watch starts (B's own GETs may mark things read)."""
    owner = Client()
    owner.force_login(walked.world.b.owner)
    forms = {}
    for pattern, path in patterns:
        forms[path] = _form_data(owner, path, host_of(pattern))
    return forms


def test_every_enterprise_page_with_b_ids_is_not_found_for_a(walked):
    """Every pattern of the enterprise URL conf, on B's host and on A's host with B's ids."""
    world = walked.world
    a_host, b_host = world.a.host, world.b.host
    clients = _clients(walked)
    unfillable, targets = [], []
    for pattern in iter_patterns("config.urls_tenants"):
        pairs = _targets(pattern, walked.private)
        if pairs is None:
            unfillable.append(str(pattern))
            continue
        targets += [(pattern, path, missing) for path, missing in pairs]
    assert not unfillable, "patterns the world cannot fill with B's ids:\n" + "\n".join(unfillable)
    forms = _posts_of(walked, [(p, path) for p, path, _m in targets], lambda p: b_host)
    media = _media_state(walked)
    walk = Walk(walked, DbWatch([world.b.schema, "public"]))
    for pattern, path, missing in targets:
        walk.patterns.add(str(pattern))
        exempt = pattern.name in HOST_EXEMPT
        takes_object = any(param_kind(pattern, n) not in ("choices",) and not param_kind(pattern, n).startswith(
            "choice:") for n in pattern.params)
        for who, client in clients.items():
            for method in ("GET", "POST"):
                data = forms[path] if method == "POST" else None
                # B's host: not a member (anonymous: the log-in page)
                response, body, written = walk.send(client, method, path, b_host, data)
                label = f"{who} {method} {b_host}{path}"
                walk.leak_check(label, body, written, status=response.status_code)
                if not exempt and not (response.status_code == 404 or (who == "anonymous" and _login_redirect(
                        response))):
                    walk.failures.append(f"{label}: HTTP {response.status_code}, expected 404")
                if not takes_object:
                    continue
                # A's own host with B's ids
                response, body, written = walk.send(client, method, path, a_host, data)
                label = f"{who} {method} {a_host}{path}"
                walk.leak_check(label, body, written, status=response.status_code)
                if response.status_code == 404 or (who == "anonymous" and _login_redirect(response)):
                    continue
                absent, _b, _w = walk.send(client, method, missing, a_host, data)
                if _answer(response) == _answer(absent) and response.status_code != 200:
                    walk.like_missing.setdefault(f"{method} {pattern.route}", set()).add(
                        f"{who}:{response.status_code}")
                    continue
                walk.failures.append(f"{label}: HTTP {response.status_code} (a missing id gets {absent.status_code})"
                                     f", expected 404")
    if _media_state(walked) != media:
        walk.failures.append("LEAK: B's stored files changed")
    _print_like_missing(walk)
    with_ids = sum(1 for p in iter_patterns("config.urls_tenants") if p.params)
    print(f"\nPage isolation, enterprise URL conf: {len(walk.patterns)} patterns on B's host, {with_ids} with B's "
          f"ids on A's host, {len(ROLES)} roles + anonymous, GET and POST: {walk.requests} requests, "
          f"answers {dict(sorted(walk.answers.items()))}")
    assert not walk.failures, "\n".join(walk.failures[:80]) + f"\n({len(walk.failures)} failures)"


def test_every_public_page_of_an_enterprise_object_is_refused_to_a(walked):
    """Every pattern of the public URL conf that takes an object, with B's private and public objects."""
    world = walked.world
    clients = _clients(walked)
    clients["no enterprise"] = Client(raise_request_exception=False)
    clients["no enterprise"].force_login(world.other_user)
    unfillable, targets = [], []
    public = Ids({**walked.private, **walked.public})
    for pattern in iter_patterns("config.urls_public"):
        kinds = [param_kind(pattern, n) for n in pattern.params]
        if all(k == "choices" or k.startswith("choice:") or k in NOT_ENTERPRISE_KINDS for k in kinds):
            continue  # takes no enterprise's object (its pages are walked by the hostile-input walk)
        pairs = _targets(pattern, walked.private)
        if pairs is None:
            unfillable.append(str(pattern))
            continue
        public_only = all(k in PUBLIC_KINDS or k == "choices" or k.startswith("choice:") for k in kinds)
        targets += [(pattern, path, missing, public_only) for path, missing in pairs]
        if not public_only and any(k in walked.public for k in kinds):
            targets += [(pattern, path, missing, True) for path, missing in _targets(pattern, public)]
    assert not unfillable, "patterns the world cannot fill with B's ids:\n" + "\n".join(unfillable)
    forms = _posts_of(walked, [(p, path) for p, path, _m, _pub in targets], lambda p: PUBLIC_HOST)
    media = _media_state(walked)
    walk = Walk(walked, DbWatch([world.b.schema, "public"]))
    admin_clients = {k: v for k, v in clients.items() if k in ("owner", "anonymous")}
    for pattern, path, missing, is_public in targets:
        walk.patterns.add(str(pattern))
        if pattern.name in LINK_IS_THE_KEY:
            continue
        admin = pattern.route.startswith("admin/")
        for who, client in (admin_clients if admin else clients).items():
            for method in ("GET", "POST"):
                data = forms[path] if method == "POST" else None
                by_design = is_public and pattern.name in PUBLIC_BY_DESIGN
                response, body, written = walk.send(client, method, path, PUBLIC_HOST, data)
                label = f"{who} {method} {PUBLIC_HOST}{path}{' (public object)' if is_public else ''}"
                walk.leak_check(label, body, written, allow_writes=by_design, status=response.status_code)
                status = response.status_code
                if by_design or status == 404 or (who == "anonymous" and _login_redirect(response)):
                    continue
                if is_public and (status in (403, 405) or _login_redirect(response)):
                    continue  # B's public object: a refusal may say it exists
                absent, _b, _w = walk.send(client, method, missing, PUBLIC_HOST, data)
                if status != 200 and _answer(response) == _answer(absent):
                    if status != 403 and not _login_redirect(response):
                        walk.like_missing.setdefault(f"{method} {pattern.route}", set()).add(f"{who}:{status}")
                    continue
                if (pattern.name, method) in KNOWN_EXISTENCE_ORACLES and status == 403 and absent.status_code == 404:
                    walk.oracles.add((pattern.name, method))
                    continue
                walk.failures.append(f"{label}: HTTP {status} (a missing id gets {absent.status_code}), "
                                     f"expected the same refusal")
    if _media_state(walked) != media:
        walk.failures.append("LEAK: B's stored files changed")
    for gone in set(KNOWN_EXISTENCE_ORACLES) - walk.oracles:
        walk.failures.append(f"{gone}: no longer tells that an id exists: take it off KNOWN_EXISTENCE_ORACLES")
    for (name, method), why in KNOWN_EXISTENCE_ORACLES.items():
        print(f"\nKnown existence oracle (reported): {method} {name}: {why}")
    _print_like_missing(walk)
    admin_count = sum(1 for p in walk.patterns if ":/admin/" in p)
    print(f"\nPage isolation, public URL conf: {len(walk.patterns)} patterns taking an enterprise's object "
          f"({admin_count} of the platform admin), {walk.requests} requests, "
          f"answers {dict(sorted(walk.answers.items()))}")
    assert not walk.failures, "\n".join(walk.failures[:80]) + f"\n({len(walk.failures)} failures)"


# Query parameters that name an object, and the kind of B's object to give them (others that look like
# ids get B's item id; words get the code of one of B's items).
QUERY_KINDS = {"item": "item", "partner": "partner", "customer": "partner", "supplier": "partner",
               "order": "sales_order", "run": "mrp_run", "compare": "mrp_run", "programme": "programme_code",
               "enterprise": "enterprise_pk", "board": "board_code"}


def _readable(response, body: bytes) -> bytes:
    """The text of an answer; for a spreadsheet, the XML inside the zip."""
    if body[:2] == b"PK" and "spreadsheet" in response.get("Content-Type", ""):
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return b"".join(archive.read(name) for name in archive.namelist() if name.endswith(".xml"))
    return body


def test_lists_of_a_with_b_ids_in_the_query_show_nothing_of_b(walked):
    """Every page of A's host without a path parameter, with B's ids and B's item code in every query
    parameter a page may read (and as an Excel export): nothing of B in the answer, nothing written."""
    from django.utils import timezone

    from tests.walker import COMMON_QUERY_PARAMS, query_kind

    world = walked.world
    b_ids = walked.private
    query = {}
    for name in COMMON_QUERY_PARAMS:
        kind = query_kind(name)
        if name in QUERY_KINDS:
            query[name] = str(b_ids[QUERY_KINDS[name]])
        elif kind == "int":
            query[name] = str(b_ids["item"])
        elif kind == "date":
            query[name] = timezone.localdate().isoformat()
        elif kind == "decimal":
            query[name] = "1"
        else:
            query[name] = "CXW-200-A1"  # an item code of B's, not of A's
    query.pop("export", None)
    query.pop("page", None)
    query.pop("next", None)
    walk = Walk(walked, DbWatch([world.b.schema, "public"]))
    clients = _clients(walked)
    pages = [p for p in iter_patterns("config.urls_tenants") if not p.params and p.name not in HOST_EXEMPT]
    for pattern in pages:
        walk.patterns.add(str(pattern))
        for who in ("owner", "viewer"):
            for extra in ({}, {"export": "xlsx"}):
                path = "/" + pattern.route
                response, body, written = walk.send_get(clients[who], path, world.a.host, {**query, **extra})
                walk.leak_check(f"{who} GET {world.a.host}{path} (B's ids in the query{', export' if extra else ''})",
                                _readable(response, body), written, status=response.status_code)
    print(f"\nPage isolation, query strings: {len(pages)} list pages of A with B's ids in {len(query)} query "
          f"parameters, {walk.requests} requests, answers {dict(sorted(walk.answers.items()))}")
    assert not walk.failures, "\n".join(walk.failures[:80]) + f"\n({len(walk.failures)} failures)"


def test_the_walk_tables_name_existing_patterns():
    names = {p.name for conf in ("config.urls_tenants", "config.urls_public") for p in iter_patterns(conf)}
    for table in (HOST_EXEMPT, LINK_IS_THE_KEY, PUBLIC_BY_DESIGN, {name for name, _m in KNOWN_EXISTENCE_ORACLES}):
        assert set(table) <= names, set(table) - names
    assert re.match(r"^\w+$", MARK)
