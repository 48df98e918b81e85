"""What every SQL backend does the same way: the methods built on a backend's own reads.

A backend (:class:`~comet.store.sqlite.SQLiteStore`, :class:`~comet.store.postgres.PostgresStore`)
inherits :class:`SQLMethods` and gives it three things: ``_tx(write)``, a context manager that
yields a connection inside one transaction; ``PLACEHOLDER``, its parameter marker (``?`` or
``%s``); and ``NAME_ORDER``, the ``ORDER BY`` that sorts names case-insensitively. The queries
here are written with ``?`` and use nothing either dialect lacks; rows are read by column name,
which both ``sqlite3.Row`` and psycopg's ``dict_row`` allow.
"""

from __future__ import annotations

import json
import time
from contextlib import AbstractContextManager
from typing import Any, Iterator

from comet.core.call import Call
from comet.core.exchange import Exchange

from . import records
from .base import Run
from .presets import Preset, PresetError, check_name
from .prompts_sql import PromptMethods
from .ratings_sql import RatingMethods, batch_verdicts


class SQLMethods(PromptMethods, RatingMethods):
    PLACEHOLDER = "?"
    NAME_ORDER = "name"
    secrets: tuple[str, ...]

    # -- what a backend provides --
    def _tx(self, write: bool = False) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def details(self, run_id: int) -> dict[str, Any] | None:
        raise NotImplementedError

    def export_rows(self, *, limit: int | None = None, **filters: Any) -> Iterator[dict[str, Any]]:
        raise NotImplementedError

    def record_many(self, exchanges: Any, **kw: Any) -> list[int | None]:  # kw: group_ids ... created_by
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # -- shared --
    def _run(self, conn: Any, sql: str, params: Any = ()) -> Any:
        """Execute ``sql`` written with ``?`` in this backend's dialect."""
        return conn.execute(sql.replace("?", self.PLACEHOLDER) if self.PLACEHOLDER != "?" else sql, params)

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def record(self, exchange: Exchange, *, group_id: str | None = None, label: str | None = None,
               cost: float | None = None, created_by: str | None = None) -> int:
        """Store one run and return its id; ``created_by`` is who sent it (None or "": unknown)."""
        ids = self.record_many([exchange], group_ids=[group_id], labels=[label], costs=[cost],
                               created_by=created_by)
        return ids[0]  # type: ignore[return-value]

    def get(self, run_id: int) -> Run | None:
        """The stored run with the Exchange the client produced, or None."""
        row = self.details(run_id)
        return None if row is None else records.run_of(row)

    def call(self, run_id: int) -> Call | None:
        """The run's request as a Call, to reopen or rerun it (attachments included)."""
        row = self.details(run_id)
        return None if row is None else records.call_of(row)

    def runs_after(self, after: int = 0, limit: int = 500) -> list[Run]:
        """Runs with an id above ``after``, oldest first (for copying a history)."""
        with self._tx() as conn:
            ids = [r["id"] for r in self._run(conn, "SELECT id FROM runs WHERE id > ? ORDER BY id LIMIT ?",
                                              (after, limit))]
        return [run for run in map(self.get, ids) if run is not None]

    def models_seen(self) -> list[str]:
        """Distinct models, sorted; a skip-scan over the model index (fast at any size)."""
        with self._tx() as conn:
            rows = self._run(conn, """
                WITH RECURSIVE seen(model) AS (
                    SELECT MIN(model) FROM runs
                    UNION ALL
                    SELECT (SELECT MIN(model) FROM runs WHERE model > seen.model) FROM seen
                    WHERE seen.model IS NOT NULL)
                SELECT model FROM seen WHERE model IS NOT NULL""").fetchall()
        return [r["model"] for r in rows]

    def export(self, fmt: str = "csv", *, limit: int | None = None, **filters: Any) -> str:
        """The filtered table as CSV or JSON (full prompt and reply, no request bodies, no key)."""
        if fmt not in ("csv", "json"):
            raise ValueError(f"unknown export format {fmt!r}: use 'csv' or 'json'")
        return records.export_text(list(self.export_rows(limit=limit, **filters)), fmt)

    # -- presets (comet.store.presets): records.PRESET_COLUMNS in table presets, keyed by name --
    def presets(self) -> list[Preset]:
        with self._tx() as conn:
            found = self._run(conn, f"SELECT {','.join(records.PRESET_COLUMNS)} FROM presets "
                                    f"ORDER BY {self.NAME_ORDER}, name").fetchall()
        return [records.preset_of(r) for r in found]

    def preset(self, name: str) -> Preset | None:
        with self._tx() as conn:
            found = self._run(conn, f"SELECT {','.join(records.PRESET_COLUMNS)} FROM presets WHERE name = ?",
                              (name,)).fetchone()
        return None if found is None else records.preset_of(found)

    def save_preset(self, preset: Preset) -> bool:
        row = records.preset_row(preset, records.known_secrets(self.secrets))
        with self._tx(write=True) as conn:
            replaced = self._run(conn, "DELETE FROM presets WHERE name = ?", (preset.name,)).rowcount
            self._run(conn, f"INSERT INTO presets ({','.join(row)}) VALUES (?{',?' * (len(row) - 1)})",
                      list(row.values()))
        return bool(replaced)

    def rename_preset(self, name: str, new_name: str) -> bool:
        new_name = check_name(new_name)
        with self._tx(write=True) as conn:
            if new_name != name and self._run(conn, "SELECT 1 FROM presets WHERE name = ?", (new_name,)).fetchone():
                raise PresetError(f"a preset named {new_name!r} exists already; pick another name or delete it first")
            return bool(self._run(conn, "UPDATE presets SET name = ? WHERE name = ?", (new_name, name)).rowcount)

    def delete_preset(self, name: str) -> bool:
        with self._tx(write=True) as conn:
            return bool(self._run(conn, "DELETE FROM presets WHERE name = ?", (name,)).rowcount)

    # -- batches (comet.runs.batch.report.document): what a batch's runs alone do not hold --
    def save_batch(self, batch_id: str, report: dict[str, Any]) -> None:
        """Keep a batch's results document under its id (replacing an older one), keys blanked."""
        text = json.dumps(records.scrub(report, records.known_secrets(self.secrets), patterns=False),
                          ensure_ascii=False)
        with self._tx(write=True) as conn:
            self._run(conn, "DELETE FROM batches WHERE id = ?", (batch_id,))
            self._run(conn, "INSERT INTO batches (id, created_at, report_json) VALUES (?, ?, ?)",
                      (batch_id, time.time(), text))
        self.save_verdicts(batch_verdicts(batch_id, report), replacing=batch_id)  # for judge agreement

    def batch(self, batch_id: str) -> dict[str, Any] | None:
        """The results document saved for ``batch_id``, or None."""
        with self._tx() as conn:
            found = self._run(conn, "SELECT report_json FROM batches WHERE id = ?", (batch_id,)).fetchone()
        return None if found is None else json.loads(found["report_json"])
