"""The request hash: the same request hashes the same wherever it is built.

SHA-256 of route, model and the canonical body (keys sorted, compact, UTF-8), with each
attachment placeholder replaced by its file's SHA-256 (see :mod:`comet.runs.stamp`, which
stamps every run with it). It lives in the core layer so that the client's tracing
(:mod:`comet.http.tracing`) can put it on a run's span too.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Mapping

from .call import ATTACHMENT_TOKEN, Call


def canonical(call: Call) -> str:
    """The text that is hashed: ``{"body", "model", "route"}``, keys sorted, compact."""
    digests = {a.name: a.sha256 for a in call.attachments}
    body = _by_content(call.body, digests)
    return json.dumps({"route": call.route.value, "model": call.model, "body": body}, sort_keys=True,
                      ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def request_hash(call: Call) -> str:
    return hashlib.sha256(canonical(call).encode("utf-8")).hexdigest()


def _by_content(value: Any, digests: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        if "<attachment:" not in value:
            return value
        return ATTACHMENT_TOKEN.sub(lambda m: f"<sha256:{digests[m.group(1)]}>" if m.group(1) in digests
                                    else m.group(0), value)
    if isinstance(value, list):
        return [_by_content(v, digests) for v in value]
    if isinstance(value, dict):
        return {k: _by_content(v, digests) for k, v in value.items()}
    return value
