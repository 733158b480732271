"""`make run` and `make test` stop every process they started, every time, and start again after a crash.

Real processes, no mocks: `python -m core.runner run` is started in a process group of its own on a
free port, with its data directory under this session's DATA_DIR (`lifecycle/`, migrated once and
reused: a start on a migrated directory only re-checks the migrations). Once /healthz answers ok,
every process it started is collected from /proc — its descendants, and any process whose working
directory or command line names the data directory (PostgreSQL, Redis) — then it is signalled the
way an operator, a supervisor or a crash would, and every one of those processes must be gone
within 20 s.

The plain suite runs each case once; the repetitions that let a race show are marked `slow`
(`make test-slow`; LIFECYCLE_REPEAT sets how many of each, default 2).
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from core.embedded import dies_with_parent, postgres_binary

BASE_DIR = Path(__file__).resolve().parent.parent
GONE_WITHIN_S = 20
REPEAT = int(os.environ.get("LIFECYCLE_REPEAT", "2"))
START_TIMES: list[float] = []  # seconds from start to healthy, for signals at a random moment of a start
# What the outer test run set for itself must not leak into the runner under test (STRIPE_*: it starts its own
# localstripe).
_NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "DJANGO_SETTINGS_MODULE",
                  "TEST_DATA_DIR", "CELERY_TASK_DEFAULT_QUEUE", "PYTEST_ADDOPTS", "PYTEST_CURRENT_TEST",
                  "STRIPE_API_BASE", "STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET")


def _slow_selected(config) -> bool:
    return "slow" in (config.getoption("markexpr") or "")


def _skip_unless_slow(request) -> None:
    if not _slow_selected(request.config):
        pytest.skip("repetitions run with `make test-slow` (-m slow)")


# --- /proc -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Proc:
    pid: int
    start: int  # clock ticks after boot: a pid reused by another process has another start
    command: str = field(compare=False)


def _stat(pid: int) -> tuple[int, str, int] | None:
    """(ppid, state, start time) of pid, from /proc/<pid>/stat; None if there is no such process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = raw[raw.rindex(")") + 2:].split()
    return int(fields[1]), fields[0], int(fields[19])


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def _cwd(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return ""


def _all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def processes_of(root_pid: int | None, data_dir: Path) -> set[Proc]:
    """Descendants of root_pid (itself included) and every process naming data_dir in its cwd or command."""
    parents: dict[int, int] = {}
    found: set[Proc] = set()
    marker = str(data_dir) + "/"
    for pid in _all_pids():
        info = _stat(pid)
        if info is None:
            continue
        parents[pid] = info[0]
        command = _command(pid)
        if info[1] != "Z" and (marker in command + " " or (_cwd(pid) + "/").startswith(marker)):
            found.add(Proc(pid, info[2], command))
    if root_pid is not None:
        for pid in parents:
            ancestor, hops = pid, 0
            while ancestor and ancestor != root_pid and hops < 64:
                ancestor, hops = parents.get(ancestor, 0), hops + 1
            info = _stat(pid)
            if ancestor == root_pid and info is not None and info[1] != "Z":
                found.add(Proc(pid, info[2], _command(pid)))
    return found


def catches(pid: int, sig: int) -> bool:
    """Whether pid has a handler for sig installed (the SigCgt mask of /proc/<pid>/status)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    for line in status.splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    return False


def alive(procs: set[Proc]) -> set[Proc]:
    """Those still running (a zombie has exited: only its parent's wait is missing)."""
    left = set()
    for proc in procs:
        info = _stat(proc.pid)
        if info is not None and info[2] == proc.start and info[1] != "Z":
            left.add(proc)
    return left


def assert_all_gone(procs: set[Proc], data_dir: Path, what: str, within: float = GONE_WITHIN_S) -> float:
    """Waits until none of procs, nor any process naming data_dir, runs; returns how long that took."""
    t0 = time.monotonic()
    while True:
        left = alive(procs) | processes_of(None, data_dir)
        if not left:
            return time.monotonic() - t0
        if time.monotonic() - t0 > within:
            pytest.fail(f"{what}: still running after {within:.0f}s:\n" +
                        "\n".join(f"  {p.pid} {p.command[:160]}" for p in sorted(left, key=lambda p: p.pid)))
        time.sleep(0.1)


# --- a runner under test -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def runner_env(data_dir: Path, port: int | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    env.update(DATA_DIR=str(data_dir), WEB_CONCURRENCY="1", CELERY_CONCURRENCY="1", PYTHONUNBUFFERED="1", **extra)
    if port is not None:
        env["PORT"] = str(port)
    return env


class Runner:
    """`python -m core.runner run` in a process group of its own; output in data_dir/runner-<n>.out."""

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        self.out: Path | None = None
        self.started = 0.0

    def start(self) -> Runner:
        self.out = self.data_dir / f"runner-{uuid.uuid4().hex[:8]}.out"
        with open(self.out, "wb") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "core.runner", "run"], cwd=BASE_DIR,
                                         env=runner_env(self.data_dir, self.port), stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                         preexec_fn=_as_from_a_terminal)  # never outlives the test run
        self.started = time.monotonic()
        return self

    def output(self) -> str:
        return self.out.read_text(errors="replace") if self.out and self.out.exists() else ""

    def health(self) -> dict | None:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/healthz",
                                         headers={"Host": f"localhost:{self.port}"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return json.loads(exc.read() or b"{}")
        except (OSError, ValueError):
            return None

    def wait_healthy(self, timeout: float = 600) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"runner exited with {self.proc.returncode} before it was healthy:\n"
                            f"{self.output()[-4000:]}")
            body = self.health()
            if body and body.get("status") == "ok":
                START_TIMES.append(time.monotonic() - self.started)
                return START_TIMES[-1]
            time.sleep(0.3)
        self.kill_everything()
        pytest.fail(f"not healthy within {timeout:.0f}s:\n{self.output()[-4000:]}")

    def processes(self) -> set[Proc]:
        return processes_of(self.proc.pid, self.data_dir)

    def signal_group(self, sig: int) -> None:
        os.killpg(self.proc.pid, sig)

    def wait_exit(self, timeout: float = GONE_WITHIN_S) -> int:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"runner did not exit within {timeout:.0f}s:\n{self.output()[-3000:]}")

    def kill_everything(self) -> None:
        """Clean-up after a failure, so that a failing test leaves nothing behind."""
        procs = self.processes() if self.proc else set()
        for proc in alive(procs):
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc:
            self.proc.wait()

    def kill_leftovers(self) -> None:
        """kill_everything() if the runner, or anything it started, is still alive."""
        if self.proc.poll() is None or alive(self.processes()):
            self.kill_everything()


def postgres_socket_dir(data_dir: Path) -> str:
    lines = (data_dir / "pg" / "postmaster.pid").read_text().splitlines()
    return lines[4].strip()


def psql(data_dir: Path, sql: str) -> str:
    done = subprocess.run([postgres_binary("psql"), "-h", postgres_socket_dir(data_dir), "-U", "postgres",
                           "-d", "digitalbridge", "-v", "ON_ERROR_STOP=1", "-tAc", sql],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def write_probe_row(data_dir: Path) -> str:
    token = uuid.uuid4().hex
    psql(data_dir, "CREATE TABLE IF NOT EXISTS lifecycle_probe (token text PRIMARY KEY, at timestamptz DEFAULT now());"
                   f"INSERT INTO lifecycle_probe (token) VALUES ('{token}')")
    return token


def postgres_log_since(data_dir: Path, offset: int) -> str:
    with open(data_dir / "pg" / "log", "rb") as log:
        log.seek(offset)
        return log.read().decode(errors="replace")


def postgres_log_size(data_dir: Path) -> int:
    path = data_dir / "pg" / "log"
    return path.stat().st_size if path.exists() else 0


# --- fixtures --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lifecycle_dir() -> Path:
    """One data directory for every start of this module (and of `make test-slow` after `make test`)."""
    base = Path(os.environ.get("DATA_DIR") or BASE_DIR / ".data" / "test")
    path = base.resolve() / "lifecycle"
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("runner-*.out"):
        old.unlink()
    return path


@pytest.fixture
def runner(lifecycle_dir):
    """A healthy `core.runner run`; whatever it started is killed if the test failed half-way."""
    started = Runner(lifecycle_dir).start()
    started.wait_healthy(timeout=1800)  # the first start of a fresh directory migrates and seeds
    yield started
    started.kill_leftovers()


@contextmanager
def _started(data_dir: Path):
    """A `core.runner run` just started (not yet healthy); whatever it started is killed on the way out."""
    started = Runner(data_dir).start()
    try:
        yield started
    finally:
        started.kill_leftovers()


def _stop_by_signals(runner: Runner, signals: list[int], gap_s: float = 0.0) -> float:
    procs = runner.processes()
    assert {"gunicorn", "worker", "beat", "postgres", "redis-server", "localstripe"} <= {
        word for p in procs for word in ("gunicorn", "worker", "beat", "postgres", "redis-server", "localstripe")
        if word in p.command
    }, procs
    for i, sig in enumerate(signals):
        if i:
            time.sleep(gap_s)
        runner.signal_group(sig)
    code = runner.wait_exit()
    took = assert_all_gone(procs, runner.data_dir, f"after {'+'.join(signal.Signals(s).name for s in signals)}")
    assert code == 0, runner.output()[-3000:]
    assert "[digitalbridge] stopped" in runner.output()
    assert "Traceback" not in runner.output()
    return took


# --- the cases, once each ------------------------------------------------------------------------------------

def test_sigterm_to_the_group_stops_everything_and_a_second_runner_is_refused_meanwhile(runner, tmp_path):
    other = Runner(runner.data_dir).start()  # same directory, another port
    assert other.wait_exit() == 1
    assert (f"{runner.data_dir} is in use by another `make run` (pid {runner.proc.pid} on port {runner.port})"
            in other.output())

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    same_port = Runner(fresh, port=runner.port).start()  # another directory, the same port
    assert same_port.wait_exit() == 1
    assert f"port {runner.port} on 127.0.0.1 is in use by pid" in same_port.output()
    assert f"started by the runner pid {runner.proc.pid}" in same_port.output()
    assert sorted(p.name for p in fresh.iterdir() if not p.name.startswith("runner-")) == ["runner.lock"]
    assert runner.health()["status"] == "ok"  # the first runner did not notice

    _stop_by_signals(runner, [signal.SIGTERM])


def test_two_sigterms_within_50_ms_stop_everything(runner):
    # What `make run` does: the group's SIGTERM reaches the runner, and make passes it on once more. At least
    # 10 ms apart: two SIGTERMs sent closer than the runner's handler runs are one signal for the kernel (a
    # pending standard signal is not queued twice), so nobody could tell that there were two.
    _stop_by_signals(runner, [signal.SIGTERM, signal.SIGTERM], gap_s=random.uniform(0.01, 0.05))
    assert "further signal(s) during the shutdown were ignored" in runner.output()


def test_sigint_to_the_group_stops_everything(runner):
    _stop_by_signals(runner, [signal.SIGINT])


def test_sigkill_to_the_runner_then_a_crash_of_everything_each_next_start_has_the_data(runner, lifecycle_dir):
    # The runner alone is SIGKILLed: its children follow, PostgreSQL with a clean fast shutdown.
    token = write_probe_row(lifecycle_dir)
    procs = runner.processes()
    log_offset = postgres_log_size(lifecycle_dir)
    os.kill(runner.proc.pid, signal.SIGKILL)
    runner.proc.wait()
    assert_all_gone(procs, lifecycle_dir, "after SIGKILL to the runner")
    pg_log = postgres_log_since(lifecycle_dir, log_offset)
    assert "received fast shutdown request" in pg_log and "database system is shut down" in pg_log, pg_log[-2000:]

    again = Runner(lifecycle_dir).start()
    squatter = None
    try:
        again.wait_healthy()
        assert psql(lifecycle_dir, f"SELECT count(*) FROM lifecycle_probe WHERE token = '{token}'") == "1"

        # A crash: runner and servers SIGKILLed at once, nothing shuts down cleanly ...
        token = write_probe_row(lifecycle_dir)
        procs = again.processes()
        for proc in procs:
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        again.proc.wait()
        assert_all_gone(procs, lifecycle_dir, "after SIGKILL to everything")
        pid_file = lifecycle_dir / "pg" / "postmaster.pid"
        assert pid_file.exists() and (lifecycle_dir / "redis" / "redis.sock").exists()
        # ... and, as after a container restart, postmaster.pid's pid now names another live program.
        squatter = subprocess.Popen(["sleep", "300"])
        lines = pid_file.read_text().splitlines()
        pid_file.write_text("\n".join([str(squatter.pid), *lines[1:]]) + "\n")
        log_offset = postgres_log_size(lifecycle_dir)

        again = Runner(lifecycle_dir).start()
        again.wait_healthy()
        assert f"removed a stale postmaster.pid (pid {squatter.pid}" in again.output()
        assert "database system was interrupted" in postgres_log_since(lifecycle_dir, log_offset)  # crash recovery
        assert psql(lifecycle_dir, f"SELECT count(*) FROM lifecycle_probe WHERE token = '{token}'") == "1"
        _stop_by_signals(again, [signal.SIGTERM])
    finally:
        if squatter is not None:
            squatter.kill()
            squatter.wait()
        again.kill_leftovers()


# --- `make test`'s embedded servers --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def test_runner_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tr")
    (path / "pytest.ini").write_text("[pytest]\n")
    (path / "test_sleeps.py").write_text(
        "import os, pathlib, time\n"
        "def test_sleeps():\n"
        "    pathlib.Path(os.environ['DATA_DIR'], 'pytest-is-running').write_text(str(os.getpid()))\n"
        "    time.sleep(600)\n")
    return path


def _as_from_a_terminal() -> None:
    """In the child before exec: dies with the test run, and takes SIGINT/SIGQUIT as a process started
    from a terminal or a supervisor does. A test run started in the background by a non-interactive
    shell inherits them ignored, and the runner keeps a signal its caller ignores (as `nohup` asks)."""
    _die_with_test_run()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


_die_with_test_run = dies_with_parent(signal.SIGTERM) or (lambda: None)


def _start_test_runner(path: Path) -> subprocess.Popen:
    (path / "pytest-is-running").unlink(missing_ok=True)
    with open(path / "runner.out", "ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "core.runner", "test", "-q", "-p", "no:django", "-p", "no:cacheprovider",
             "-c", str(path / "pytest.ini"), "--rootdir", str(path), str(path / "test_sleeps.py")],
            cwd=BASE_DIR, env=runner_env(path, TEST_DATA_DIR=str(path)), stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_as_from_a_terminal)
    deadline = time.monotonic() + 300
    while not (path / "pytest-is-running").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the test runner did not reach its test:\n{(path / 'runner.out').read_text()[-3000:]}")
        time.sleep(0.2)
    return proc


@pytest.mark.parametrize("how", ["SIGTERM to the group", "SIGINT to the group", "SIGKILL to the runner"])
def test_make_test_never_leaves_its_embedded_servers_behind(test_runner_dir, how):
    proc = _start_test_runner(test_runner_dir)
    procs = processes_of(proc.pid, test_runner_dir)
    assert any("postgres" in p.command for p in procs) and any("redis" in p.command for p in procs), procs
    assert any("localstripe" in p.command for p in procs), procs
    if how == "SIGKILL to the runner":
        os.kill(proc.pid, signal.SIGKILL)
    else:
        os.killpg(proc.pid, signal.SIGTERM if how.startswith("SIGTERM") else signal.SIGINT)
    try:
        proc.wait(GONE_WITHIN_S)
    except subprocess.TimeoutExpired:
        pass
    assert_all_gone(procs, test_runner_dir, f"make test, {how}")
    assert proc.returncode is not None and proc.returncode != 0


# --- repetitions (make test-slow) -----------------------------------------------------------------------------

CASES = {  # a single SIGTERM is the first half of the second case
    "SIGTERM twice within 50 ms": ([signal.SIGTERM, signal.SIGTERM], 0.05),
    "SIGINT": ([signal.SIGINT], 0.0),
}


@pytest.mark.slow
@pytest.mark.parametrize("rep", range(REPEAT))
@pytest.mark.parametrize("case", list(CASES))
def test_repeated_signals_to_the_group(request, lifecycle_dir, case, rep):
    _skip_unless_slow(request)
    with _started(lifecycle_dir) as started:
        started.wait_healthy(timeout=1800)
        signals, gap = CASES[case]
        _stop_by_signals(started, signals, gap_s=random.uniform(0.0, gap))


@pytest.mark.slow
@pytest.mark.parametrize("rep", range(REPEAT))
def test_repeated_sigkill_to_the_runner(request, lifecycle_dir, rep):
    """Each start finds the row its predecessor wrote just before the SIGKILL."""
    _skip_unless_slow(request)
    token_file = lifecycle_dir / "sigkill-token"
    with _started(lifecycle_dir) as started:
        started.wait_healthy(timeout=1800)
        if token_file.exists():
            token = token_file.read_text()
            assert psql(lifecycle_dir, f"SELECT count(*) FROM lifecycle_probe WHERE token = '{token}'") == "1"
        token_file.write_text(write_probe_row(lifecycle_dir))
        procs = started.processes()
        os.kill(started.proc.pid, signal.SIGKILL)
        started.proc.wait()
        assert_all_gone(procs, lifecycle_dir, "after SIGKILL to the runner")


@pytest.mark.slow
@pytest.mark.parametrize("rep", range(REPEAT))
def test_repeated_sigterm_twice_at_a_random_moment_of_the_start(request, lifecycle_dir, rep):
    """Signals during the set-up, while the servers start, while gunicorn and Celery boot, ..."""
    _skip_unless_slow(request)
    with _started(lifecycle_dir) as started:
        time.sleep(random.uniform(0.0, min(START_TIMES[1:] or [15.0])))  # [0] may be a fresh directory's start
        procs = started.processes()
        # Until the interpreter has run the runner's first lines, SIGTERM has its default action: the
        # runner dies by it (-15) before it has started anything. From then on it must always exit 0.
        handled = catches(started.proc.pid, signal.SIGTERM)
        started.signal_group(signal.SIGTERM)
        time.sleep(random.uniform(0.0, 0.05))
        started.signal_group(signal.SIGTERM)
        procs |= started.processes()
        code = started.wait_exit()
        assert_all_gone(procs, lifecycle_dir, "after SIGTERM twice during the start")
        if handled:
            assert code == 0, started.output()[-3000:]
        else:
            assert code in (0, -signal.SIGTERM), started.output()[-3000:]
        assert "Traceback" not in started.output()
