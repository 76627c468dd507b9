"""Throw-away redis-server and PostgreSQL servers on 127.0.0.1, for the tests and benchmarks.

`make test` installs Debian's redis-server and postgresql packages. PostgreSQL's
initdb and pg_ctl refuse to run as root, so as root they run as the postgres user.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


class ServiceMissing(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(cmd)]
    return cmd


@contextmanager
def postgres_server(database: str = "citylabel_test") -> Iterator[str]:
    """A new cluster (fsync off) with one database; yields its SQLAlchemy URL."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        raise ServiceMissing("PostgreSQL server binaries not found: run the tests with `make test`, "
                             "which installs Debian's postgresql package")
    bindir = Path(bins[-1]).parent
    tmp = Path(tempfile.mkdtemp(prefix="citylabel-pg-"))
    data = tmp / "data"
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres", "postgres")
    port = free_port()
    subprocess.run(_as_postgres([str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
                                 "--auth=trust", "-E", "UTF8"]),
                   check=True, capture_output=True)
    opts = f"'-c listen_addresses=127.0.0.1 -p {port} -k {tmp} -c fsync=off'"
    subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-o", opts,
                                 "-l", str(tmp / "log"), "-w", "start"]),
                   check=True, capture_output=True)
    try:
        create_database(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", database)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"
    finally:
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast",
                                     "stop"]), capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


def create_database(server_url: str, database: str) -> str:
    """Create a database on the server of ``server_url`` (waiting for it to accept); returns its URL."""
    import psycopg
    from sqlalchemy.engine import make_url
    u = make_url(server_url)
    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(f"host={u.host} port={u.port} user={u.username} dbname=postgres",
                                 autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{database}"')
            return u.set(database=database).render_as_string(hide_password=False)
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@contextmanager
def redis_server() -> Iterator[str]:
    """A redis-server without persistence; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise ServiceMissing("redis-server not found: run the tests with `make test`, which installs "
                             "Debian's redis-server package")
    tmp = Path(tempfile.mkdtemp(prefix="citylabel-redis-"))
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(tmp)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import redis
        client = redis.Redis(host="127.0.0.1", port=port)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
