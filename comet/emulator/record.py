"""``--record FILE``: every request the emulator receives, one JSON object per line.

A user's CI test reads the file to assert what their code sent: ``method``, ``path``,
``query``, ``headers`` (names lower-case) and ``body`` (the JSON value, or the text when the
body is not JSON, or null when empty). The key never reaches the file: the headers and the
query parameter that carry it on CometAPI's routes keep only their names (and the auth
scheme), with the value replaced by ``[redacted]``.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import IO, Any

REDACTED = "[redacted]"
KEY_HEADERS = frozenset({"authorization", "proxy-authorization", "x-goog-api-key", "x-api-key", "api-key"})
KEY_PARAMS = frozenset({"key"})


def _header(name: str, value: str) -> str:
    if name not in KEY_HEADERS:
        return value
    scheme, _, rest = value.strip().partition(" ")
    return f"{scheme} {REDACTED}" if rest and scheme.lower() in ("bearer", "basic") else REDACTED


def entry(received: Any) -> dict[str, Any]:
    """One received request (:class:`~comet.emulator.server.Received`) as its record line."""
    if received.json is not None:
        body: Any = received.json
    elif received.body:
        body = received.body.decode("utf-8", errors="replace")
    else:
        body = None
    return {
        "method": received.method,
        "path": received.path,
        "query": {k: REDACTED if k in KEY_PARAMS else v for k, v in received.query.items()},
        "headers": {k: _header(k, v) for k, v in received.headers.items()},
        "body": body,
    }


class Recorder:
    """Appends record lines to one file (created or emptied on open), flushed per request so a
    test can read it while the emulator runs."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self._file: IO[str] | None = self.path.open("w", encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"--record: cannot write {self.path}: {exc.strerror or exc}") from None
        self._lock = threading.Lock()

    def write(self, received: Any) -> None:
        line = json.dumps(entry(received), ensure_ascii=False) + "\n"
        with self._lock:
            if self._file is not None:
                self._file.write(line)
                self._file.flush()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
