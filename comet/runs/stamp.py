"""A reproducibility stamp on every run, and what a rerun says about the run it repeats.

    >>> stamp = of(exchange)                          # doctest: +SKIP
    >>> stamp.request_hash, stamp.app_version, stamp.served_model, stamp.response_id

:mod:`comet.runs.diff` compares a rerun with the run it repeats.

The request hash is the SHA-256 of route, model and the canonical body (keys sorted, compact,
UTF-8), with each attachment placeholder replaced by its file's SHA-256: the same request hashes
the same wherever it is built (the Playground, a preset, a curl import, the CLI), whatever the
attached file is called, and a different file changes it. ``stream`` is not part of it: a
streamed and a plain run ask the same question. Only the key is never part of anything hashed
(a Call holds none).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from comet.core.digest import canonical, request_hash

__all__ = ["canonical", "request_hash", "Stamp", "of"]


@dataclass(frozen=True)
class Stamp:
    request_hash: str
    app_version: str | None
    served_model: str | None
    response_id: str | None

    def to_dict(self) -> dict[str, str | None]:
        return {"request_hash": self.request_hash, "app_version": self.app_version,
                "served_model": self.served_model, "response_id": self.response_id}

    def line(self) -> str:
        """One line for a caption: the hash shortened, the rest as is."""
        return " · ".join([f"request {self.request_hash[:12]}", f"app {self.app_version or 'unknown'}",
                           f"served {self.served_model or 'unknown'}",
                           f"response id {self.response_id or 'none'}"])


def of(exchange: Any, app_version: str | None = None) -> Stamp:
    """The stamp of an :class:`~comet.core.exchange.Exchange` (exchange.py imports this module, so
    it is not imported here). A run read back from a store carries the version that recorded
    it; a live one gets ``app_version`` (the running app's ``comet.__version__``)."""
    reply = exchange.reply
    return Stamp(request_hash(exchange.call), exchange.app_version or app_version,
                 reply.model_version if reply else None, reply.response_id if reply else None)
