"""Helpers for tests that run on both history backends."""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

import pytest

POSTGRES_ENV = "COMET_TEST_POSTGRES_URL"


def postgres_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set (bash .ci/run starts a PostgreSQL server and sets it)")
    return url


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL whose connections live in a new, empty schema (dropped at the end)."""
    import psycopg

    base = postgres_url()
    name = "t_" + secrets.token_hex(6)
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    joiner = "&" if "?" in base else "?"
    try:
        yield f"{base}{joiner}options={quote(f'-csearch_path={name}')}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE")


def sql(store: Any, query: str, *args: Any) -> list[tuple]:
    """Rows of a query in the store's own database (``?`` placeholders on both backends)."""
    store = getattr(store, "store", store)
    if hasattr(store, "url"):
        import psycopg

        with psycopg.connect(store.url) as conn:
            return [tuple(r) for r in conn.execute(query.replace("?", "%s"), args)]
    import sqlite3

    with sqlite3.connect(store.path) as conn:
        return conn.execute(query, args).fetchall()


def stored_bytes(store: Any) -> bytes:
    """Everything the store holds: a SQLite file and its write-ahead log, or every row of every
    table of the PostgreSQL schema as text."""
    store = getattr(store, "store", store)
    if not hasattr(store, "url"):
        path = Path(store.path)
        return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))
    tables = [r[0] for r in sql(store, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
    return "\n".join(str(r) for t in tables for r in sql(store, f"SELECT t::text FROM {t} t")).encode()


class Cluster:
    """A PostgreSQL cluster of one test's own (.ci/postgres), so it can be stopped, restarted or
    frozen (SIGSTOP of all its processes) without touching the cluster other tests share."""

    BIN = Path("/usr/lib/postgresql/15/bin")
    SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "postgres"

    def __init__(self) -> None:
        import subprocess

        if os.geteuid() != 0 or not (self.BIN / "initdb").exists():
            pytest.skip("needs root and Debian's PostgreSQL 15 to start a cluster of its own")
        out = subprocess.run(["bash", str(self.SCRIPT), "start"], capture_output=True, text=True, timeout=120,
                             check=True)
        self.url = out.stdout.strip()
        self.dir = Path(out.stderr.strip().splitlines()[-1])

    def _ctl(self, *args: str) -> None:
        import subprocess

        # -l: a server started here writes to its log, not to a pipe this test would wait on
        subprocess.run(["runuser", "-u", "postgres", "--", str(self.BIN / "pg_ctl"), "-D", str(self.dir / "data"),
                        "-l", str(self.dir / "log"), "-w", *args], capture_output=True, timeout=120, check=True)

    def pids(self) -> list[int]:
        """The postmaster and every process it started."""
        main = int((self.dir / "data" / "postmaster.pid").read_text().split()[0])
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == main:  # the field after the state is the parent's pid
                children.append(int(stat.parent.name))
        return [main, *children]

    def _signal(self, number: int) -> None:
        for pid in self.pids():
            try:
                os.kill(pid, number)
            except ProcessLookupError:  # a backend that ended since it was listed
                pass

    def freeze(self) -> None:
        import signal

        self._signal(signal.SIGSTOP)

    def thaw(self) -> None:
        import signal

        self._signal(signal.SIGCONT)

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")

    def restart(self) -> None:
        """Stop, then start with the options it first started with (pg_ctl keeps them)."""
        self._ctl("-m", "fast", "restart")

    def remove(self) -> None:
        import subprocess

        if (self.dir / "data" / "postmaster.pid").exists():
            self.thaw()  # a frozen server would not stop
        subprocess.run(["bash", str(self.SCRIPT), "stop", str(self.dir)], capture_output=True, timeout=120,
                       check=False)


@contextmanager
def own_cluster() -> Iterator[Cluster]:
    cluster = Cluster()
    try:
        yield cluster
    finally:
        cluster.remove()


BROKEN = ("corrupt", "read-only", "locked")  # what a history file can be that the CLI must explain


@contextmanager
def broken_sqlite(kind: str, folder: Path) -> Iterator[Path]:
    """A history file in ``folder`` that is ``kind``: "corrupt" (random bytes), "read-only"
    (``chattr +i`` as root, whom permission bits do not stop; ``chmod`` otherwise) or "locked"
    (another connection holds an exclusive lock; set COMET_HISTORY_TIMEOUT low to wait less)."""
    import sqlite3
    import subprocess

    from comet.store import open_store

    path = folder / f"{kind}.sqlite3"
    if kind == "corrupt":
        path.write_bytes(secrets.token_bytes(16_384))
        yield path
        return
    open_store(path).close()
    if kind == "locked":
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield path
        finally:
            holder.close()
        return
    if os.geteuid() != 0:
        path.chmod(0o444)
        try:
            yield path
        finally:
            path.chmod(0o644)
        return
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False).returncode:
        pytest.skip("root ignores permission bits, and chattr +i does not work on this file system")
    try:
        yield path
    finally:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)
