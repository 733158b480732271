"""`make run` and `make test`: start what the platform needs, then the platform (or the tests).

    python -m core.runner run            embedded services (unless *_URL set), migrate, demo data,
                                         gunicorn + Celery worker + Celery beat; Ctrl-C stops all
    python -m core.runner test [ARGS]    embedded services for tests (DATA_DIR/test), then pytest ARGS
    python -m core.runner env            start the embedded services, print their URLs (for a shell)
                                         and leave them running
    python -m core.runner setup          (used by `run`) migrate, demo data, static files in one process

With DATABASE_URL / REDIS_URL / CELERY_BROKER_URL set, the given servers are used and no
embedded server is started. localstripe (a fake Stripe, a dev extra) is started unless STRIPE_API_KEY
is set (then that Stripe is used); web, worker, beat and pytest get STRIPE_API_BASE / STRIPE_API_KEY /
STRIPE_WEBHOOK_SECRET, and `run` points localstripe's webhook at the platform's endpoint, signed.
This module must not import Django before the environment is set.

Stopping. SIGTERM, SIGINT (Ctrl-C) and SIGHUP only record that a stop was asked for: the handler
never raises and never prints, so a second or third signal (`make` passes a SIGTERM sent to its
group on to the runner, which got it already) cannot interrupt the shutdown. Every wait of the
runner polls that request; the shutdown then runs once, in order: web, worker and beat get SIGTERM
(SIGKILL to their process groups after 10 s), then localstripe, then Redis, then PostgreSQL with a fast shutdown, then
anything else still descending from the runner. (`run` also starts the local tracking server of the
logistics demo, `python -m logistics.tracking.devserver`, with the same parent-death signal and stop.)

Children cannot outlive the runner: each is started with a parent-death signal (see
core.embedded.dies_with_parent), so a runner killed by SIGKILL still takes gunicorn and beat (SIGTERM),
the Celery worker (SIGINT: cold shutdown), localstripe and Redis (SIGTERM) and PostgreSQL (SIGINT: fast shutdown) with it. The runner is a child subreaper:
descendants orphaned on the way (a gunicorn worker, the tests' Celery worker) are re-parented to it
and stopped at the end.

One runner per data directory: DATA_DIR/runner.lock is held with flock() for the runner's lifetime
(the kernel drops it when the runner dies, however it dies) and names its pid and port. A second
runner on the same directory, or on a port that is taken, says who holds it and exits before it
starts anything. Servers a killed runner left behind are stopped cleanly and stale files cleared
before a start (core.embedded.leftovers_stop, start_postgres).
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import io
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from core.embedded import (
    LOCALSTRIPE_API_KEY,
    EmbeddedLocalstripe,
    EmbeddedPostgres,
    EmbeddedRedis,
    become_subreaper,
    env_is_set,
    leftovers_stop,
    spawn,
    start_localstripe,
    start_postgres,
    start_redis,
)

BASE_DIR = Path(__file__).resolve().parent.parent
PY = sys.executable
# Where localstripe delivers its (signed) webhooks on the platform's public host (billing/urls_webhooks.py).
STRIPE_WEBHOOK_PATH = "/billing/webhooks/stripe/"
DEMO_LOGINS_FILE = "demo-logins.json"
# Web, worker and beat get this long after SIGTERM; a Celery task still running then is killed (its
# message was not acknowledged yet (acks_late), so the broker delivers it again later).
STOP_GRACE_S = 10


def _say(message: str) -> None:
    print(f"[digitalbridge] {message}", flush=True)


class Shutdown:
    """Records SIGTERM / SIGINT / SIGHUP; the runner's loops poll `requested`.

    The handler neither raises (a KeyboardInterrupt from a second signal used to abort the shutdown
    half-way, leaving every process running) nor prints (a print that interrupts another print of
    the same stream fails with "reentrant call").
    """

    SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

    def __init__(self) -> None:
        self.signum: int | None = None
        self.count = 0

    def install(self) -> Shutdown:
        for signum in self.SIGNALS:
            if signal.getsignal(signum) is not signal.SIG_IGN:  # `nohup make run` keeps ignoring SIGHUP
                signal.signal(signum, self._on_signal)
        return self

    def _on_signal(self, signum: int, _frame) -> None:
        self.count += 1
        if self.signum is None:
            self.signum = signum

    @property
    def requested(self) -> bool:
        return self.signum is not None

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name if self.signum else "none"

    def sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.requested and time.monotonic() < deadline:
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))


class DataDirLock:
    """DATA_DIR/runner.lock, held with flock() while a runner uses the directory.

    The kernel releases it when the holder dies, even by SIGKILL, so it is never stale; children do
    not inherit it (the descriptor is close-on-exec). The file names the holder for the message.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "runner.lock"
        self.fd: int | None = None

    def acquire(self, **info) -> dict | None:
        """None once held; else what the holder wrote ({} if it has not written yet)."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return self._holder()
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), **info}).encode())
        self.fd = fd
        return None

    def _holder(self) -> dict:
        for _ in range(10):  # the holder writes right after it locks
            try:
                return json.loads(self.path.read_text() or "null") or {}
            except (OSError, ValueError):
                time.sleep(0.05)
        return {}

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # drops the lock; the file stays (unlinking a locked file invites races)
            self.fd = None


def _refuse_data_dir(holder: dict, data_dir: Path, variable: str) -> int:
    pid = holder.get("pid", "unknown")
    what = "`make test`" if holder.get("command") == "test" else "`make run`"
    where = f" on port {holder['port']}" if holder.get("port") else ""
    _say(f"{data_dir} is in use by another {what} (pid {pid}{where}); nothing was started. "
         f"Stop it first (kill {pid}), or set {variable} to another directory.")
    return 1


def _port_in_use(bind: str, port: int) -> str | None:
    """None if bind:port is free; else a sentence naming the process that listens on it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((bind, port))
            return None
        except OSError:
            pass
    detail = ""
    try:
        import psutil

        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
                proc = psutil.Process(conn.pid)
                detail = f" by pid {proc.pid} ({' '.join(proc.cmdline()[:3])})"
                for parent in proc.parents():
                    if "core.runner" in " ".join(parent.cmdline()):
                        detail += f", started by the runner pid {parent.pid} (`make run`)"
                        break
                break
    except Exception:  # psutil may not see other users' sockets; the port is enough then
        pass
    return f"port {port} on {bind} is in use{detail}"


class Services:
    """The embedded servers this process started, so that it can stop exactly those."""

    def __init__(self) -> None:
        self.postgres: EmbeddedPostgres | None = None
        self.redis: EmbeddedRedis | None = None
        self.localstripe: EmbeddedLocalstripe | None = None

    def start(self, data_dir: Path, *, for_tests: bool = False, detached: bool = False,
              localstripe_port: int | None = None) -> dict[str, str]:
        env: dict[str, str] = {}
        if not env_is_set("DATABASE_URL"):
            t0 = time.monotonic()
            self.postgres = start_postgres(data_dir, fast_unsafe=for_tests, detached=detached)
            env["DATABASE_URL"] = self.postgres.url()
            _say(f"embedded PostgreSQL 16 ready in {time.monotonic() - t0:.1f}s (data in {self.postgres.pgdata})")
        if not env_is_set("REDIS_URL"):
            self.redis = start_redis(data_dir, detached=detached)
            env["REDIS_URL"] = self.redis.url(db=0)
            _say(f"embedded Redis ready on {self.redis.socket_path}")
        if env_is_set("STRIPE_API_KEY"):  # the given Stripe (STRIPE_API_BASE, default Stripe's) is used
            pass
        elif importlib.util.find_spec("localstripe") is None:  # located, not imported (GPLv3, a dev extra)
            _say("localstripe (a dev extra: pip install '.[dev]') is not installed and STRIPE_API_KEY is not set: "
                 "payments by card are unavailable")
        else:
            port = localstripe_port or _free_port()
            if _port_in_use("127.0.0.1", port):
                port = _free_port()
            self.localstripe = start_localstripe(data_dir, port=port, persistent=not for_tests, detached=detached)
            env["STRIPE_API_BASE"] = self.localstripe.url
            env["STRIPE_API_KEY"] = LOCALSTRIPE_API_KEY
            env["STRIPE_WEBHOOK_SECRET"] = os.environ.get("STRIPE_WEBHOOK_SECRET") or f"whsec_{secrets.token_hex(24)}"
            _say(f"localstripe (a fake Stripe) ready on {self.localstripe.url}")
        return env

    def exited(self) -> str | None:
        for name, server in (("PostgreSQL", self.postgres), ("Redis", self.redis), ("localstripe", self.localstripe)):
            process = server.process if server is not None else None
            if process is not None and process.poll() is not None:
                return f"embedded {name} exited with code {process.returncode}"
        return None

    def pids(self) -> set[int]:
        return {s.process.pid for s in (self.postgres, self.redis, self.localstripe)
                if s is not None and s.process is not None}

    def stop(self) -> None:
        """localstripe, Redis, then PostgreSQL (fast shutdown). Idempotent."""
        if self.localstripe is not None:
            self.localstripe.stop()
        if self.redis is not None:
            self.redis.stop()
        if self.postgres is not None:
            self.postgres.stop()
            if self.postgres.owned:
                _say("embedded PostgreSQL stopped (fast shutdown)")


class Children:
    """The runner's own processes (set-up, web, worker, beat): each in a session of its own, so that
    the runner stops them in order, and each with a parent-death signal."""

    def __init__(self, env: dict[str, str], log_dir: Path | None) -> None:
        self.env = env
        self.log_dir = log_dir
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, argv: list[str], *, log: bool = True,
              death_signal: int = signal.SIGTERM) -> subprocess.Popen:
        log_path = self.log_dir / f"{name}.log" if log and self.log_dir is not None else None
        proc = spawn(argv, log_path=log_path, death_signal=death_signal, env=self.env, cwd=BASE_DIR)
        self.procs.append((name, proc))
        return proc

    def forget(self, proc: subprocess.Popen) -> None:
        """A one-off step that finished: no longer watched."""
        self.procs = [(name, p) for name, p in self.procs if p is not proc]

    def exited(self) -> tuple[str, subprocess.Popen] | None:
        for name, proc in self.procs:
            if proc.poll() is not None:
                return name, proc
        return None

    def stop(self, grace: float = STOP_GRACE_S) -> None:
        """SIGTERM to each; SIGKILL to the process group of any still running after `grace`. Idempotent."""
        for _name, proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for name, proc in self.procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _say(f"{name} did not stop within {grace:.0f}s; killing it")
        for _name, proc in self.procs:
            try:  # the leader's group (its pid, start_new_session): also what it left behind
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            proc.wait()


def _descendants_stop(*, keep: set[int] = frozenset(), timeout: float = 5) -> None:
    """SIGTERM, then SIGKILL, to every process still descending from this one, except `keep` and theirs."""
    import psutil

    me = psutil.Process()
    try:
        everyone = me.children(recursive=True)
    except psutil.NoSuchProcess:
        return
    kept: set[int] = set(keep)
    for proc in everyone:
        if proc.pid in keep:
            try:
                kept.update(child.pid for child in proc.children(recursive=True))
            except psutil.NoSuchProcess:
                pass
    strays = [proc for proc in everyone if proc.pid not in kept]
    for proc in strays:
        try:
            proc.terminate()
        except psutil.NoSuchProcess:
            pass
    _gone, alive = psutil.wait_procs(strays, timeout=timeout)
    for proc in alive:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=timeout)


def _data_dir(default: Path) -> Path:
    path = Path(os.environ.get("DATA_DIR") or default).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _wait_child(proc: subprocess.Popen, shutdown: Shutdown) -> int | None:
    """The child's exit code, or None when a stop was asked for first."""
    while True:
        try:
            return proc.wait(0.1)
        except subprocess.TimeoutExpired:
            if shutdown.requested:
                return None


def _wait_healthy(port: int, host_header: str, shutdown: Shutdown, timeout: float = 60.0) -> dict | None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline and not shutdown.requested:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": f"{host_header}:{port}"})
        try:
            with urllib.request.urlopen(request, timeout=3) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:  # 503 while the worker starts
            last = json.loads(exc.read() or b"{}")
        except (OSError, ValueError):
            pass
        shutdown.sleep(0.5)
    return last


def run() -> int:
    shutdown = Shutdown().install()
    become_subreaper()
    data_dir = _data_dir(BASE_DIR / ".data")
    port = int(os.environ.get("PORT", "8000"))
    bind = os.environ.get("HOST", "127.0.0.1")
    lock = DataDirLock(data_dir)
    holder = lock.acquire(command="run", port=port, data_dir=str(data_dir))
    if holder is not None:
        return _refuse_data_dir(holder, data_dir, "DATA_DIR")
    taken = _port_in_use(bind, port)
    if taken:
        lock.release()
        _say(f"{taken}; nothing was started. Stop it, or set PORT to a free port.")
        return 1
    services = Services()
    children: Children | None = None
    try:
        leftovers_stop(data_dir)
        if shutdown.requested:
            return 0
        env = dict(os.environ)
        env.update(services.start(data_dir, localstripe_port=int(os.environ.get("LOCALSTRIPE_PORT") or port + 420)))
        if services.localstripe is not None:  # its webhooks go to the platform's endpoint, signed
            services.localstripe.webhook_register(name="platform", url=f"http://127.0.0.1:{port}{STRIPE_WEBHOOK_PATH}",
                                                  secret=env["STRIPE_WEBHOOK_SECRET"])
        env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
        env["DATA_DIR"] = str(data_dir)
        env["PORT"] = str(port)
        env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
        env.setdefault("PYTHONUNBUFFERED", "1")
        log_dir = data_dir / "logs"
        log_dir.mkdir(exist_ok=True)
        children = Children(env, log_dir)
        if shutdown.requested:
            return 0

        t0 = time.monotonic()
        step = children.start("set-up", [PY, "-m", "core.runner", "setup"], log=False)
        code = _wait_child(step, shutdown)
        if code is None:
            return 0
        children.forget(step)
        if code != 0:
            _say(f"set-up (migrate, demo data, static files) failed with code {code}")
            return code
        _say(f"database migrated and demo data loaded in {time.monotonic() - t0:.1f}s")

        tracking = _start_tracking_devserver(children, env, port=port, data_dir=data_dir)
        if tracking:
            _say(f"local tracking server (kuaidi100 shape) started on {tracking}")
        _start_web_worker_beat(children, bind=bind, port=port, data_dir=data_dir)
        _say(f"web (gunicorn), Celery worker and Celery beat started; logs in {log_dir}")

        base_domain = env.get("BASE_DOMAIN", "localhost")
        health = _wait_healthy(port, base_domain, shutdown)
        if shutdown.requested:
            return 0
        _print_banner(port, base_domain, health, data_dir, env)
        while not shutdown.requested:
            gone = children.exited()
            if gone is not None:
                name, proc = gone
                _say(f"{name} exited with code {proc.returncode} (see {log_dir / (name + '.log')}); "
                     "stopping everything")
                return 1
            failed = services.exited()
            if failed:
                _say(f"{failed}; stopping everything")
                return 1
            shutdown.sleep(0.5)
        return 0
    finally:
        _say(f"stopping ({shutdown.name}) ..." if shutdown.requested else "stopping ...")
        if children is not None:
            children.stop()
        _descendants_stop(keep=services.pids())
        services.stop()
        _descendants_stop()
        lock.release()
        extra = shutdown.count - 1
        _say("stopped" + (f" ({extra} further signal(s) during the shutdown were ignored)" if extra > 0 else ""))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_tracking_devserver(children: Children, env: dict[str, str], *, port: int, data_dir: Path) -> str | None:
    """The demo's local tracking server (logistics.tracking.devserver, started by its module name: core
    imports no domain), on TRACKING_PORT (else the web port + 421, else any free port), its state in
    DATA_DIR; web, worker and beat get its URL as TRACKING_AGGREGATOR_URL. None when that URL is set
    already (a real aggregator): nothing is started then."""
    if env_is_set("TRACKING_AGGREGATOR_URL"):
        return None
    tracking_port = int(env.get("TRACKING_PORT") or port + 421)
    if _port_in_use("127.0.0.1", tracking_port):
        if env.get("TRACKING_PORT"):
            _say(f"TRACKING_PORT {tracking_port} is in use; the local tracking server takes another port")
        tracking_port = _free_port()
    children.start("tracking", [
        PY, "-m", "logistics.tracking.devserver", "--port", str(tracking_port),
        "--state", str(data_dir / "tracking-devserver.json"), "--speed", env.get("TRACKING_SPEED", "60")])
    env["TRACKING_AGGREGATOR_URL"] = env["TRACKING_DEVSERVER_URL"] = f"http://127.0.0.1:{tracking_port}"
    return env["TRACKING_DEVSERVER_URL"]


def _start_web_worker_beat(children: Children, *, bind: str, port: int, data_dir: Path) -> None:
    bin_dir = Path(PY).parent
    children.start("web", [
        str(bin_dir / "gunicorn"), "config.wsgi:application", "--bind", f"{bind}:{port}",
        "--workers", os.environ.get("WEB_CONCURRENCY", "2"), "--threads", "4", "--timeout", "120",
        "--access-logfile", "-", "--graceful-timeout", "8"])
    # Should the runner die, the worker gets SIGINT, Celery's cold shutdown: a running task is cancelled
    # at once (and delivered again, acks_late) instead of being waited for with nobody left to wait.
    children.start("worker", [
        str(bin_dir / "celery"), "-A", "config", "worker", "--loglevel", "INFO", "--concurrency",
        os.environ.get("CELERY_CONCURRENCY", "2"), "--hostname", "worker@%h"], death_signal=signal.SIGINT)
    children.start("beat", [
        str(bin_dir / "celery"), "-A", "config", "beat", "--loglevel", "INFO",
        "--schedule", str(data_dir / "celerybeat-schedule"), "--pidfile", ""])


def setup() -> int:
    """Migrations, demo data and static files in one Django process (each would start Django again)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate_schemas", interactive=False, verbosity=0)
    connection.set_schema_to_public()
    call_command("seed_demo")
    connection.set_schema_to_public()
    # The demo's enterprises took spares from the pool: refill it now, while nothing else runs, so that the
    # worker's first top-up (beat, at start) finds nothing to clone and a stop right after the start never
    # waits for a clone to finish.
    call_command("spare_pool_top_up", verbosity=0)
    logins = io.StringIO()
    call_command("demo_logins", stdout=logins)
    (_data_dir(BASE_DIR / ".data") / DEMO_LOGINS_FILE).write_text(logins.getvalue(), encoding="utf-8")
    call_command("collectstatic", interactive=False, verbosity=0)
    return 0


def _print_banner(port: int, base_domain: str, health: dict | None, data_dir: Path, env: dict[str, str]) -> None:
    # the set-up step wrote the demo's enterprises and logins (manage.py demo_logins): the runner imports no domain
    try:
        demo = json.loads((data_dir / DEMO_LOGINS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        demo = {"password": "", "platform_users": [], "enterprises": []}
    suffix = "" if port == 80 else f":{port}"
    lines = ["", "=" * 72, " 数码桥 Digital Bridge is running", "=" * 72,
             f" Public site      http://{base_domain}{suffix}/",
             f" Platform admin   http://{base_domain}{suffix}/admin/",
             f" Health           http://{base_domain}{suffix}/healthz  ->  "
             + ("ok" if health and health.get("status") == "ok" else f"{(health or {}).get('failing', 'no answer')}")]
    for spec in demo["enterprises"]:
        lines.append(f" {spec['short_name']:<8}      http://{spec['slug']}.{base_domain}{suffix}/")
    if env.get("TRACKING_DEVSERVER_URL"):
        lines.append(f" Tracking server  {env['TRACKING_DEVSERVER_URL']}/healthz  (parcels advance a step every "
                     f"{env.get('TRACKING_SPEED', '60')}s; POST /_control/advance moves them now)")
    if env.get("STRIPE_API_BASE", "").startswith("http://127.0.0.1"):
        lines.append(f" localstripe      {env['STRIPE_API_BASE']}  (a fake Stripe; test cards: docs/billing.md)")
    lines += ["", f" Demo logins (password for all: {demo['password']})"]
    for user in demo["platform_users"]:
        lines.append(f"   {user['email']:<24} {user['name']}")
    for spec in demo["enterprises"]:
        for person in spec["people"]:
            lines.append(f"   {person['email']:<24} {spec['short_name']} · {person['role']}")
    lines += ["", f" Data: {data_dir}   Logs: {data_dir / 'logs'}   Mail sent by the platform: {data_dir / 'mail'}",
              f" Ctrl-C (or SIGTERM) stops web, worker, beat and the embedded servers; runner pid {os.getpid()}.",
              "=" * 72, ""]
    print("\n".join(lines), flush=True)


def test(args: list[str]) -> int:
    # Tests get their own cluster (TEST_DATA_DIR), so `make test` can run beside `make run`.
    shutdown = Shutdown().install()
    become_subreaper()
    data_dir = Path(os.environ.get("TEST_DATA_DIR") or BASE_DIR / ".data" / "test").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = DataDirLock(data_dir)
    holder = lock.acquire(command="test", data_dir=str(data_dir))
    if holder is not None:
        return _refuse_data_dir(holder, data_dir, "TEST_DATA_DIR")
    services = Services()
    pytest: subprocess.Popen | None = None
    try:
        leftovers_stop(data_dir)
        if shutdown.requested:
            return 128 + shutdown.signum
        env = dict(os.environ)
        env.update(services.start(data_dir, for_tests=True))
        env["DATA_DIR"] = str(data_dir)
        env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
        env.setdefault("PYTHONUNBUFFERED", "1")
        if shutdown.requested:
            return 128 + shutdown.signum
        # In the runner's process group: a terminal's Ctrl-C reaches pytest itself, which reports.
        pytest = spawn([PY, "-m", "pytest", *args], log_path=None, death_signal=signal.SIGTERM, env=env,
                       cwd=BASE_DIR, new_session=False)
        asked = forwarded = None
        while pytest.poll() is None:
            if shutdown.requested:
                now = time.monotonic()
                asked = asked or now
                # SIGINT from a terminal reached pytest too: let it finish its report; others: pass on.
                if forwarded is None and (shutdown.signum != signal.SIGINT or now - asked > 5):
                    pytest.terminate()
                    forwarded = now
                elif forwarded is not None and now - forwarded > STOP_GRACE_S:
                    pytest.kill()
            time.sleep(0.1)
        if shutdown.requested and pytest.returncode <= 0:
            return 128 + shutdown.signum
        return pytest.returncode
    finally:
        if pytest is not None and pytest.poll() is None:
            pytest.kill()
            pytest.wait()
        _descendants_stop(keep=services.pids())  # e.g. the tests' Celery worker, if pytest was killed
        services.stop()
        _descendants_stop()
        lock.release()


def print_env() -> int:
    """The servers stay up after this exits (nothing stops them; the next `make run` on the directory
    stops them cleanly and starts its own). Messages go to stderr, so `eval "$(... env)"` works."""
    data_dir = _data_dir(BASE_DIR / ".data")
    services = Services()
    with contextlib.redirect_stdout(sys.stderr):
        env = services.start(data_dir, detached=True)
    for key, value in env.items():
        print(f"export {key}='{value}'")
    print(f"export DATA_DIR='{data_dir}'")
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] == "run":
        return run()
    if argv[0] == "test":
        return test(argv[1:])
    if argv[0] == "env":
        return print_env()
    if argv[0] == "setup":
        return setup()
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
