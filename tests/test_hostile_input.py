"""No input breaks the platform (issue 11 §1): every URL pattern of both URL confs, walked with hostile
query strings and every form posted with hostile values per field type, answers without a server error,
logs no traceback, and a request that is refused writes no row.

Nothing here lists pages: the patterns come from the resolvers (tests.walker.iter_patterns), path
parameters are filled with real ids of a world of demo objects (tests.walker.build_world; a pattern
that cannot be filled fails the test), the query parameters and forms come from the pages themselves
(GET forms, links, the <form>s that post to each pattern, the Django form classes a view names).

Who asks: on an enterprise host, the owner (the highest role). On the public host, for each pattern
the first of the enterprise's owner, the informatization office and the platform admin that the page
does not turn away (probed in a savepoint that is rolled back).

Order: a plain GET of every pattern (collecting forms and links), then hostile GETs, then POSTs;
POSTs that end things (delete, cancel, close, log out …) come last so the others find live objects.
"""

from __future__ import annotations

import logging
import re
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.contrib.messages import constants as message_levels
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.http import QueryDict
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils.datastructures import MultiValueDict

from tests.walker import (COMMON_QUERY_PARAMS, HOSTILE, NUL_VALUES, PUBLIC_HOST, URLCONFS, DbWatch, HtmlField,
                          HtmlForm, Pattern, _view_path, build_world, field_kinds, fill_all, hostile_for,
                          iter_patterns, page_forms, page_links, query_kind, view_form_classes)

pytestmark = pytest.mark.django_db

GET_ROUNDS = 5  # for a page that reads query parameters (one round for a page that reads none)
ALL_HOSTILE_POST_ROUNDS = 2
ONE_FIELD_POSTS = 10  # at most, per form: one hostile value in one number/date/id field, the rest plausible
# Django's own admin (generic code, ~200 patterns) is walked lighter: one hostile query, forms posted
# with every field hostile at once; the platform's pages get every round.
LIGHT = re.compile(r"^/admin/")
ENDING = re.compile(r"(delete|remove|revoke|cancel|close|withdraw|archive|logout|reverse|clawback|password)",
                    re.I)
ERROR_MARKERS = (b"invalid-feedback", b"is-invalid", b"alert-danger", b"errorlist", b'role="alert"')


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@dataclass
class Target:
    pattern: Pattern
    path: str
    host: str
    actor: object = None
    get_status: int | None = None
    reads: set = field(default_factory=set)  # query/form keys the view read on its plain GET
    query: dict = field(default_factory=dict)  # name -> kind
    forms: dict = field(default_factory=dict)  # key -> HtmlForm (posting to this path)


@dataclass
class Walk:
    client: Client
    watch: DbWatch
    log: _Collect
    failures: list = field(default_factory=list)
    requests: int = 0
    refused_checked: int = 0
    current_actor: object = None
    logged_in: bool = False

    def login(self, user) -> None:
        """Log in as `user` unless already (a request may have logged out or ended the session)."""
        if self.current_actor is user and self.logged_in:
            return
        self.client.force_login(user)
        self.current_actor = user
        self.logged_in = True

    def send(self, method: str, target: Target, path: str, data=None, *, note: str = "", expect_refusal=False):
        """One request in a savepoint (a server error rolls back what it did); checks the answer."""
        before = len(self.log.records)
        self.requests += 1
        response = None
        error = None
        sid = transaction.savepoint()
        try:
            if method == "GET":
                response = self.client.get(path, HTTP_HOST=target.host)
            else:
                response = self.client.post(path, data or {}, HTTP_HOST=target.host)
        except Exception as exc:  # raise_request_exception is off; this is the client or the savepoint
            error = f"{type(exc).__name__}: {exc}"[:300]
        status = response.status_code if response is not None else 599
        if status >= 500 or error:
            transaction.savepoint_rollback(sid)
            connection.set_schema_to_public()
        else:
            try:
                transaction.savepoint_commit(sid)
            except Exception as exc:  # the transaction was broken by a database error the view swallowed
                transaction.savepoint_rollback(sid)
                error = f"transaction left broken: {exc}"[:300]
        if response is None or "/logout/" in path or "password" in path or (
                response.status_code in (301, 302) and "/login/" in response.get("Location", "")):
            self.logged_in = False
        records = [r for r in self.log.records[before:] if _is_server_error(r)]
        if status == 500 or status == 599 or error or records:
            self.failures.append(self._describe(method, target, path, data, status, error, records, note))
            self.watch.reset()
            return response
        if self._refused(response):
            self.refused_checked += 1
            written = self.watch.changed()
            if written:
                self.failures.append(f"{method} {target.host}{path[:200]} [{note}] answered {status} (refused) "
                                     f"but wrote rows in {', '.join(written)}; sent {_short(data)}")
        else:
            self.watch.reset()
        return response

    @staticmethod
    def _refused(response) -> bool:
        if 400 <= response.status_code < 500:
            return True
        request = getattr(response, "wsgi_request", None)
        storage = getattr(request, "_messages", None)
        if storage is not None and any(m.level >= message_levels.ERROR for m in getattr(
                storage, "_queued_messages", [])):
            return True
        if response.status_code == 200 and not getattr(response, "streaming", False):
            content_type = response.get("Content-Type", "")
            if "html" in content_type and any(marker in response.content for marker in ERROR_MARKERS):
                return True
        return False

    @staticmethod
    def _describe(method, target, path, data, status, error, records, note) -> str:
        lines = [f"{method} {target.host}{path[:200]} [{note}] as {getattr(target.actor, 'email', '?')} "
                 f"({target.pattern}) → {status}"]
        if error:
            lines.append(f"    {error}")
        for record in records[:2]:
            summary = record.getMessage()[:200]
            if record.exc_info and record.exc_info[1] is not None:
                exc = record.exc_info[1]
                tb = record.exc_info[2]
                while tb is not None and tb.tb_next is not None:
                    tb = tb.tb_next
                where = f"{tb.tb_frame.f_code.co_filename.split('/work/main/')[-1]}:{tb.tb_lineno}" if tb else "?"
                summary += f" | {type(exc).__name__}: {str(exc)[:200]} at {where}"
            lines.append(f"    log {record.name} {record.levelname}: {summary}")
        if data:
            lines.append(f"    sent {_short(data)}")
        return "\n".join(lines)


def _is_server_error(record: logging.LogRecord) -> bool:
    """A traceback or a 500 in the log. Django's own refusals (django.security.*: a redirect too long, a
    field the admin may not reference …) answer 400 by design; a deliberate 503 (health check) is no error."""
    if record.name.startswith("django.security."):
        return False
    if record.exc_info and record.exc_info[0] is not None:
        return True
    return getattr(record, "status_code", None) == 500


def _short(data) -> str:
    if not data:
        return "{}"
    items = data.items() if isinstance(data, dict) else data
    return "{" + ", ".join(f"{k!r}: {str(v)[:24]!r}" for k, v in list(items)[:12]) + "}"


# ---------------------------------------------------------------------------------------------------


def _targets(world) -> list[Target]:
    side = world.a
    out = []
    for urlconf in URLCONFS:
        host = side.host if urlconf == "config.urls_tenants" else PUBLIC_HOST
        for pattern in iter_patterns(urlconf):
            for path in fill_all(pattern, side.ids):  # Unfillable fails the test
                out.append(Target(pattern=pattern, path=path, host=host))
    return out


def _pattern_key(urlconf: str, path: str):
    try:
        match = resolve(urlsplit(path).path, urlconf)
    except Resolver404:
        return None
    return urlconf, _view_path(match.func), match.url_name, frozenset(match.kwargs)


def _turned_away(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    if response.status_code in (301, 302):
        location = response.get("Location", "")
        return "/login/" in location
    return False


@contextmanager
def _reads_recorded(keys: set):
    """Record every key read from a QueryDict (request.GET / POST) while the block runs: the query
    parameters a page actually reads, whatever their names."""
    originals = {name: getattr(MultiValueDict, name) for name in ("get", "getlist", "__getitem__", "__contains__")}

    def recorder(name):
        original = originals[name]

        def wrapped(self, key, *args, **kwargs):
            if isinstance(self, QueryDict) and isinstance(key, str):
                keys.add(key)
            return original(self, key, *args, **kwargs)
        return wrapped

    for name in originals:
        setattr(MultiValueDict, name, recorder(name))
    try:
        yield keys
    finally:
        for name, original in originals.items():
            setattr(MultiValueDict, name, original)


def _choose_actor(walk: Walk, target: Target, actors: list) -> None:
    """The first actor the page does not turn away (probes rolled back)."""
    if len(actors) == 1:
        target.actor = actors[0]
        return
    for actor in actors:
        walk.login(actor)
        if "logout" in target.path or "password" in target.path:
            walk.logged_in = False  # the probe may have ended the session
        sid = transaction.savepoint()
        try:
            response = walk.client.get(target.path, HTTP_HOST=target.host)
            if response.status_code == 405:
                response = walk.client.post(target.path, {}, HTTP_HOST=target.host)
        except Exception:
            response = None
        transaction.savepoint_rollback(sid)
        connection.set_schema_to_public()
        if response is not None and not _turned_away(response):
            target.actor = actor
            return
    target.actor = actors[0]


def _baseline_value(f: HtmlField, kind: str) -> str:
    if f.type == "select":
        return f.value or next((o for o in f.options if o), "")
    if f.value:
        return f.value
    return {"decimal": "1", "int": "1", "date": date.today().isoformat(), "datetime": f"{date.today()}T08:00",
            "month": date.today().strftime("%Y-%m"), "email": "walker@example.test", "bool": "on",
            "choice": "", "json": "{}"}.get(kind, "walker")


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("walker.pdf", b"%PDF-1.4 not really", content_type="application/pdf")


def _payload(form: HtmlForm, kinds: dict, hostile: dict[str, str]) -> dict:
    data: dict = {}
    for f in form.fields:
        if f.name == "csrfmiddlewaretoken" or f.name not in kinds:
            continue
        kind = kinds[f.name]
        if f.type in ("checkbox", "radio") and f.name not in hostile and kind != "bool":
            if f.type == "checkbox" and not f.value:
                continue
        if kind == "file" or f.type == "file":
            data[f.name] = _upload()
            continue
        value = hostile.get(f.name, _baseline_value(f, kind))
        if f.name in data and f.type == "checkbox":
            existing = data[f.name]
            data[f.name] = (existing if isinstance(existing, list) else [existing]) + [value]
        else:
            data[f.name] = value
    return data


def _synthesized_forms(pattern: Pattern, path: str) -> list[HtmlForm]:
    """Forms made from the Django form classes the view names (for a page whose form is not shown)."""
    out = []
    for cls in view_form_classes(pattern):
        fields = getattr(cls, "base_fields", None) or getattr(getattr(cls, "form", None), "base_fields", {})
        html_fields = []
        for name, f in fields.items():
            widget = type(f.widget).__name__.lower()
            html_type = ("select" if "select" in widget else "checkbox" if "checkbox" in widget else
                         "file" if "file" in widget else "textarea" if "textarea" in widget else "text")
            options = []
            if html_type == "select" and hasattr(f, "choices"):
                try:
                    options = [str(v) for v, _label in list(f.choices)[:5]]
                except Exception:
                    options = []
            html_fields.append(HtmlField(name, html_type, options=options))
        if html_fields:
            out.append(HtmlForm(method="post", action=path, fields=html_fields))
    return out


def _dynamic_name_variants(form: HtmlForm) -> list[tuple[str, str]]:
    """Field names that carry an id (deliver-12, line_3, counted-5): the same name with hostile digits."""
    out = []
    for f in form.fields:
        m = re.fullmatch(r"(.*?[-_])(\d+)", f.name)
        if m:
            for digits in ("²", "١", "9" * 40):
                out.append((f.name, m.group(1) + digits))
            break
    return out


def _query_params(target: Target) -> dict[str, str]:
    params = {name: query_kind(name) for name in COMMON_QUERY_PARAMS}
    params.update({name: query_kind(name) for name in target.reads if name != "csrfmiddlewaretoken"})
    params.update(target.query)
    return params


def _hostile_query(params: dict[str, str], round_: int) -> dict[str, str]:
    out = {}
    for i, (name, kind) in enumerate(sorted(params.items())):
        value = hostile_for(kind, round_ + i)
        if len(value) > 2000 and i % 8:
            value = value[:2000]
        out[name] = value
    return out


def _record_page(targets_by_key, urlconf, page_path, response) -> None:
    if getattr(response, "streaming", False) or "html" not in response.get("Content-Type", ""):
        return
    html = response.content.decode("utf-8", "replace")
    for form in page_forms(html, page_path):
        key = _pattern_key(urlconf, form.action)
        if key is None:
            continue
        for target in targets_by_key.get(key, []):
            if form.method == "get":
                kinds = field_kinds(form, view_form_classes(target.pattern))
                for name, kind in kinds.items():
                    target.query.setdefault(name, kind)
            else:
                fkey = (urlsplit(form.action).path, tuple(sorted(form.names())))
                target.forms.setdefault(fkey, form)
    for link in page_links(html, page_path):
        parts = urlsplit(link)
        if not parts.query:
            continue
        key = _pattern_key(urlconf, parts.path)
        for target in targets_by_key.get(key, []) if key else []:
            for name, _value in parse_qsl(parts.query, keep_blank_values=True):
                target.query.setdefault(name, query_kind(name))


def _post_variants(target: Target, form: HtmlForm, form_index: int):
    kinds = field_kinds(form, view_form_classes(target.pattern))
    action = form.action if urlsplit(form.action).path == urlsplit(target.path).path else target.path
    names = [n for n in kinds if kinds[n] != "file"]
    for r in range(ALL_HOSTILE_POST_ROUNDS):
        hostile = {n: hostile_for(kinds[n], r + i + form_index) for i, n in enumerate(names)}
        yield action, _payload(form, kinds, hostile), f"all fields hostile #{r}"
    if LIGHT.match(target.path):
        return
    typed = [n for n in names if kinds[n] not in ("text", "bool")
             or re.search(r"(qty|quantity|price|amount|date|rate|_id$|^id$)", n)]
    seen_bare = set()
    for i, name in enumerate(typed):
        bare = re.sub(r"\d+", "#", name)  # one per column of a repeated line form (line-0-qty, line-1-qty …)
        if bare in seen_bare or len(seen_bare) >= ONE_FIELD_POSTS:
            continue
        seen_bare.add(bare)
        values = HOSTILE.get(kinds[name], HOSTILE["text"])
        value = values[(i + form_index) % len(values)]
        yield action, _payload(form, kinds, {name: value}), f"{name}={value[:12]!r}"
    for original, renamed in _dynamic_name_variants(form):
        data = _payload(form, kinds, {})
        if original in data:
            data[renamed] = data.pop(original)
            yield action, data, f"field name {renamed[:20]!r}"
    data = _payload(form, kinds, {n: NUL_VALUES[i % len(NUL_VALUES)] for i, n in enumerate(names)})
    yield action, data, "NUL in values"


def test_no_server_error_for_hostile_input_on_any_page(make_enterprise, make_user):
    started = time.monotonic()
    world = build_world(make_enterprise, make_user, full=("a",))
    built = time.monotonic() - started
    collector = _Collect()
    loggers = [logging.getLogger("django.request"), logging.getLogger()]
    for logger in loggers:
        logger.addHandler(collector)
    try:
        _walk(world, collector, built, started)
    finally:
        for logger in loggers:
            logger.removeHandler(collector)


def _walk(world, collector, built, started):
    side = world.a
    watch = DbWatch(["public", side.schema, world.b.schema])
    _watch_sees_writes(watch)
    walk = Walk(client=Client(raise_request_exception=False), watch=watch, log=collector)
    targets = _targets(world)
    targets_by_key: dict = defaultdict(list)
    for target in targets:
        key = _pattern_key(target.pattern.urlconf, target.path)
        assert key is not None, f"{target.pattern}: the filled path {target.path} does not resolve"
        targets_by_key[key].append(target)
    public_actors = [side.owner, world.office, world.admin]
    admin_actors = [world.admin]  # Django's admin serves staff only

    # 1. a plain GET of every page (as its actor); forms and links feed the next rounds
    for target in targets:
        _choose_actor(walk, target, [side.owner] if target.host == side.host else
                      admin_actors if LIGHT.match(target.path) else public_actors)
        walk.login(target.actor)
        with _reads_recorded(target.reads):
            response = walk.send("GET", target, target.path, note="plain")
        target.get_status = response.status_code if response is not None else None
        if response is not None and response.status_code == 200:
            _record_page(targets_by_key, target.pattern.urlconf, target.path, response)

    phases = {"plain GET": (time.monotonic() - started - built, walk.requests)}
    # 2. hostile query strings (the parameters each page reads, and the usual ones)
    for target in targets:
        walk.login(target.actor)
        params = _query_params(target)
        light = LIGHT.match(target.path)
        reads_input = bool(target.query) or bool(target.reads - {"next", "csrfmiddlewaretoken"})
        for r in range(GET_ROUNDS if reads_input and not light else 1):
            walk.send("GET", target, f"{target.path}?{urlencode(_hostile_query(params, r))}",
                      note=f"hostile query #{r}")
        if not light:
            walk.send("GET", target, f"{target.path}?q=%00&status=a%00b&page=1%00", note="NUL in query")
            walk.send("GET", target, f"{target.path}?q=%ff%fe&%c3%28=1", note="bad UTF-8 in query")

    phases["hostile GET"] = (time.monotonic() - started - built - sum(t for t, _n in phases.values()),
                             walk.requests - sum(n for _t, n in phases.values()))
    # 3. every form posted with hostile values; forms that end things last
    order = sorted(targets, key=lambda t: (bool(ENDING.search(t.path)), t.path.startswith("/admin/")
                                           and "delete" in t.path))
    posted_forms = 0
    for target in order:
        forms = list(target.forms.values()) or _synthesized_forms(target.pattern, target.path)
        walk.login(target.actor)
        if not forms:
            generic = {name: hostile_for(query_kind(name), i) for i, name in enumerate(COMMON_QUERY_PARAMS[:12])}
            walk.send("POST", target, target.path, generic, note="generic hostile POST")
            continue
        for index, form in enumerate(forms):
            posted_forms += 1
            for action, data, note in _post_variants(target, form, index):
                walk.login(target.actor)
                walk.send("POST", target, action, data, note=note)

    elapsed = time.monotonic() - started
    phases["POST"] = (elapsed - built - sum(t for t, _n in phases.values()),
                      walk.requests - sum(n for _t, n in phases.values()))
    patterns = {t.pattern for t in targets}
    by_conf = {conf: sum(1 for p in patterns if p.urlconf == conf) for conf in URLCONFS}
    print(f"\nhostile-input walk: {len(patterns)} URL patterns "
          f"({', '.join(f'{n} of {conf}' for conf, n in by_conf.items())}; {len(targets)} paths), "
          f"{posted_forms} forms, {walk.requests} requests, {walk.refused_checked} refused requests checked for "
          f"writes; world built in {built:.0f}s, walk in {elapsed - built:.0f}s ("
          + ", ".join(f"{name}: {n} in {t:.0f}s" for name, (t, n) in phases.items()) + ")")
    assert not walk.failures, f"{len(walk.failures)} failures:\n" + "\n".join(walk.failures)


def _watch_sees_writes(watch: DbWatch) -> None:
    """The write watch itself: a row written is seen, one written and rolled back is not."""
    from tenants.models import User

    User.objects.create_user(email="watch-probe@example.test", password="x-x-x-x-1")
    assert watch.changed() == ["public.tenants_user"]
    try:
        with transaction.atomic():
            User.objects.create_user(email="watch-probe-2@example.test", password="x-x-x-x-1")
            raise RuntimeError
    except RuntimeError:
        pass
    assert watch.changed() == []
