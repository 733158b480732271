"""`make run` and `make test`: start what the platform needs, then the platform (or the tests).

    python -m core.runner run            embedded services (unless *_URL set), migrate, demo data,
                                         gunicorn + Celery worker + Celery beat; Ctrl-C stops all
    python -m core.runner test [ARGS]    embedded services for tests (DATA_DIR/test), then pytest ARGS
    python -m core.runner env            start the embedded services and print their URLs (for a shell)

With DATABASE_URL / REDIS_URL / CELERY_BROKER_URL set, the given servers are used and no
embedded server is started. This module must not import Django before the environment is set.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from core.embedded import EmbeddedPostgres, EmbeddedRedis, env_is_set, start_postgres, start_redis

BASE_DIR = Path(__file__).resolve().parent.parent
PY = sys.executable


def _say(message: str) -> None:
    print(f"[digitalbridge] {message}", flush=True)


class Services:
    """The embedded servers this process started, so that it can stop exactly those."""

    def __init__(self) -> None:
        self.postgres: EmbeddedPostgres | None = None
        self.redis: EmbeddedRedis | None = None

    def start(self, data_dir: Path, *, for_tests: bool = False) -> dict[str, str]:
        env: dict[str, str] = {}
        if not env_is_set("DATABASE_URL"):
            t0 = time.monotonic()
            self.postgres = start_postgres(data_dir, fast_unsafe=for_tests)
            env["DATABASE_URL"] = self.postgres.url()
            _say(f"embedded PostgreSQL 16 ready in {time.monotonic() - t0:.1f}s (data in {self.postgres.pgdata})")
        if not env_is_set("REDIS_URL"):
            self.redis = start_redis(data_dir)
            env["REDIS_URL"] = self.redis.url(db=0)
            _say(f"embedded Redis ready on {self.redis.socket_path}")
        return env

    def stop(self) -> None:
        if self.redis is not None:
            self.redis.stop()
            self.redis = None
        if self.postgres is not None:
            self.postgres.stop()
            self.postgres = None


def _data_dir(default: Path) -> Path:
    path = Path(os.environ.get("DATA_DIR") or default).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([PY, str(BASE_DIR / "manage.py"), *args], env=env, check=True, cwd=BASE_DIR)


def _wait_healthy(port: int, host_header: str, timeout: float = 60.0) -> dict | None:
    import json

    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": f"{host_header}:{port}"})
        try:
            with urllib.request.urlopen(request, timeout=3) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:  # 503 while the worker starts
            last = json.loads(exc.read() or b"{}")
        except OSError:
            pass
        time.sleep(0.5)
    return last


def _raise_keyboard_interrupt(*_args) -> None:
    raise KeyboardInterrupt


def run() -> int:
    data_dir = _data_dir(BASE_DIR / ".data")
    port = int(os.environ.get("PORT", "8000"))
    bind = os.environ.get("HOST", "127.0.0.1")
    services = Services()
    children: list[tuple[str, subprocess.Popen]] = []
    stopping = False

    def stop_all(*_args) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        _say("stopping ...")
        for name, proc in children:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for name, proc in children:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _say(f"{name} did not stop in time; killing it")
                proc.kill()
        services.stop()
        _say("stopped")

    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        env = dict(os.environ)
        env.update(services.start(data_dir))
        env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
        env["DATA_DIR"] = str(data_dir)
        env["PORT"] = str(port)
        env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
        env.setdefault("PYTHONUNBUFFERED", "1")
        t0 = time.monotonic()
        _manage("migrate_schemas", "--noinput", "-v", "0", env=env)
        _manage("seed_demo", env=env)
        _manage("collectstatic", "--noinput", "-v", "0", env=env)
        _say(f"database migrated and demo data loaded in {time.monotonic() - t0:.1f}s")

        bin_dir = Path(PY).parent
        log_dir = data_dir / "logs"
        log_dir.mkdir(exist_ok=True)

        def spawn(name: str, argv: list[str]) -> None:
            log = open(log_dir / f"{name}.log", "ab")
            children.append((name, subprocess.Popen(argv, env=env, cwd=BASE_DIR, start_new_session=True,
                                                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)))

        spawn("web", (
            [str(bin_dir / "gunicorn"), "config.wsgi:application", "--bind", f"{bind}:{port}",
             "--workers", os.environ.get("WEB_CONCURRENCY", "2"), "--threads", "4", "--timeout", "120",
             "--access-logfile", "-", "--graceful-timeout", "10"]))
        spawn("worker", [str(bin_dir / "celery"), "-A", "config", "worker", "--loglevel", "INFO", "--concurrency",
                         os.environ.get("CELERY_CONCURRENCY", "2"), "--hostname", "worker@%h"])
        spawn("beat", [str(bin_dir / "celery"), "-A", "config", "beat", "--loglevel", "INFO",
                       "--schedule", str(data_dir / "celerybeat-schedule"), "--pidfile", ""])
        _say(f"web (gunicorn), Celery worker and Celery beat started; logs in {log_dir}")

        base_domain = env.get("BASE_DOMAIN", "localhost")
        health = _wait_healthy(port, base_domain)
        _print_banner(port, base_domain, health, data_dir, env)
        while True:
            for name, proc in children:
                if proc.poll() is not None:
                    _say(f"{name} exited with code {proc.returncode} (see {log_dir / (name + '.log')}); stopping everything")
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    except subprocess.CalledProcessError as exc:
        _say(f"set-up step failed: {' '.join(map(str, exc.cmd))}")
        return exc.returncode or 1
    finally:
        stop_all()


def _print_banner(port: int, base_domain: str, health: dict | None, data_dir: Path, env: dict[str, str]) -> None:
    from tenants.demo import DEMO_ENTERPRISES, DEMO_PASSWORD, PLATFORM_USERS

    suffix = "" if port == 80 else f":{port}"
    lines = ["", "=" * 72, " 数码桥 Digital Bridge is running", "=" * 72,
             f" Public site      http://{base_domain}{suffix}/",
             f" Platform admin   http://{base_domain}{suffix}/admin/",
             f" Health           http://{base_domain}{suffix}/healthz  ->  "
             + ("ok" if health and health.get("status") == "ok" else f"{(health or {}).get('failing', 'no answer')}")]
    for spec in DEMO_ENTERPRISES:
        lines.append(f" {spec['short_name']:<8}      http://{spec['slug']}.{base_domain}{suffix}/")
    lines += ["", f" Demo logins (password for all: {DEMO_PASSWORD})"]
    for email, name, _role, _admin in PLATFORM_USERS:
        lines.append(f"   {email:<24} {name}")
    for spec in DEMO_ENTERPRISES:
        for email, _name, role in spec["people"]:
            lines.append(f"   {email:<24} {spec['short_name']} · {role}")
    lines += ["", f" Data: {data_dir}   Logs: {data_dir / 'logs'}   Mail sent by the platform: {data_dir / 'mail'}",
              " Ctrl-C stops web, worker, beat and the embedded servers.", "=" * 72, ""]
    print("\n".join(lines), flush=True)


def test(args: list[str]) -> int:
    # Tests get their own cluster (TEST_DATA_DIR), so `make test` can run beside `make run`.
    data_dir = Path(os.environ.get("TEST_DATA_DIR") or BASE_DIR / ".data" / "test").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    services = Services()
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        env = dict(os.environ)
        env.update(services.start(data_dir, for_tests=True))
        env["DATA_DIR"] = str(data_dir)
        env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
        env.setdefault("PYTHONUNBUFFERED", "1")
        return subprocess.run([PY, "-m", "pytest", *args], env=env, cwd=BASE_DIR).returncode
    except KeyboardInterrupt:
        return 130
    finally:
        services.stop()


def print_env() -> int:
    data_dir = _data_dir(BASE_DIR / ".data")
    services = Services()
    for key, value in services.start(data_dir).items():
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
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
