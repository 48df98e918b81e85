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
