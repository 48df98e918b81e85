"""Drafts in PostgreSQL, with the semantics of :class:`comet.store.drafts.Drafts`: a ``?draft=`` link
opens on every replica, and a save that passes the version it read never overwrites a newer one
(the row is locked while it is compared, so two replicas cannot both win)."""

from __future__ import annotations

import json
import time
from typing import Any, Callable, ContextManager, Iterable

from comet.core.call import Attachment

from .drafts import KEEP_DAYS, DraftConflict, check_id, decode


class PostgresDrafts:
    """``drafts``, ``draft_files`` (each file once by SHA-256) and ``draft_links``."""

    def __init__(self, connection: Callable[[], ContextManager[Any]]):
        self._conn = connection  # a pooled connection in one transaction (PostgresStore._conn)

    def read(self, draft_id: str) -> tuple[dict[str, Any] | None, int]:
        check_id(draft_id)  # PostgreSQL would refuse a NUL itself, with an error of its own
        with self._conn() as conn:
            row = conn.execute("SELECT data, version FROM drafts WHERE id = %s", (draft_id,)).fetchone()
        return (None, 0) if row is None else (decode(row["data"]), row["version"])

    def load(self, draft_id: str) -> dict[str, Any] | None:
        return self.read(draft_id)[0]

    def ids(self) -> list[str]:
        with self._conn() as conn:
            return [r["id"] for r in conn.execute("SELECT id FROM drafts ORDER BY updated_at")]

    def attachments(self, draft_id: str) -> list[Attachment]:
        check_id(draft_id)
        with self._conn() as conn:
            rows = conn.execute("SELECT l.name, f.mime_type, f.data FROM draft_links l JOIN draft_files f "
                                "ON f.sha256 = l.sha256 WHERE l.draft_id = %s ORDER BY l.position",
                                (draft_id,)).fetchall()
        return [Attachment(r["name"], r["mime_type"], bytes(r["data"])) for r in rows]

    def save(self, draft_id: str, data: dict[str, Any], attachments: Iterable[Attachment] | None = None, *,
             base: int | None = None) -> int:
        check_id(draft_id)
        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
        now = time.time()
        with self._conn() as conn:
            # a new draft's row may be inserted by another replica between the SELECT and the
            # INSERT: ON CONFLICT then updates only if that row is still at `base`
            row = conn.execute("SELECT version FROM drafts WHERE id = %s FOR UPDATE", (draft_id,)).fetchone()
            current = row["version"] if row else 0
            if base is not None and base != current:
                raise DraftConflict(draft_id, base, current)
            done = conn.execute(
                "INSERT INTO drafts (id, version, updated_at, data) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at, "
                "data = excluded.data WHERE drafts.version = %s RETURNING version",
                (draft_id, current + 1, now, text, current)).fetchone()
            if done is None:
                raise DraftConflict(draft_id, current, current + 1)
            if attachments is not None:
                self._link(conn, draft_id, list(attachments))
            conn.execute("DELETE FROM drafts WHERE updated_at < %s", (now - KEEP_DAYS * 86400,))
        return current + 1

    @staticmethod
    def _link(conn: Any, draft_id: str, files: list[Attachment]) -> None:
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO draft_files (sha256, mime_type, data) VALUES (%s, %s, %s) "
                            "ON CONFLICT DO NOTHING", [(a.sha256, a.mime_type, a.data) for a in files])
            cur.execute("DELETE FROM draft_links WHERE draft_id = %s", (draft_id,))
            cur.executemany("INSERT INTO draft_links (draft_id, name, sha256, position) VALUES (%s, %s, %s, %s) "
                            "ON CONFLICT (draft_id, name) DO UPDATE SET sha256 = excluded.sha256",
                            [(draft_id, a.name, a.sha256, i) for i, a in enumerate(files)])

    def delete(self, draft_id: str) -> None:
        check_id(draft_id)
        with self._conn() as conn:
            conn.execute("DELETE FROM drafts WHERE id = %s", (draft_id,))
            conn.execute("DELETE FROM draft_files f WHERE NOT EXISTS "
                         "(SELECT 1 FROM draft_links l WHERE l.sha256 = f.sha256)")
