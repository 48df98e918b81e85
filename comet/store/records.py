"""What a store keeps of a run, and how a run comes back: the same for every backend.

:func:`build` turns an :class:`~comet.core.exchange.Exchange` into a :class:`Record` (a narrow row
for the list, the large values, the media stored once by SHA-256, and the Call's attachment
links), with every key blanked; :func:`rebuild` turns a stored row back into the Exchange the
client produced. A backend only moves records in and out of its tables.

No key is ever stored: an Exchange holds none, and :func:`scrub` still blanks key headers,
``Bearer`` tokens and the configured key wherever they appear in what a server sent back. A base
URL is stored without user name and password (:func:`public_url`).
"""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import json
import os
import re
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timezone
from typing import Any, Iterable, Sequence, TextIO
from urllib.parse import urlsplit, urlunsplit

from comet import __version__
from comet.core.call import ATTACHMENT_TOKEN, Attachment, Call, Origin, Route, user_text
from comet.core.errors import ErrorInfo
from comet.core.exchange import Candidate, CodeRun, Exchange, FunctionCall, InlineImage, Reply, Timing, Usage
from comet.core.exports import csv_writer
from comet.http.redact import MASK as REDACTED, known_secrets, scrub
from comet.runs.stamp import request_hash

from .base import Run
from .presets import Preset

PREVIEW_CHARS = 160

LIST_COLUMNS = ("id", "created_at", "group_id", "label", "route", "model", "served_model", "host", "stream",
                "status", "http_status", "error_kind", "error_message", "finish_reason", "input_tokens",
                "output_tokens", "thinking_tokens", "total_tokens", "cost", "ttft_ms", "latency_ms", "attempts",
                "stopped", "partial", "prompt_preview", "reply_preview", "request_hash", "app_version", "response_id",
                "cached_tokens", "tool_use_prompt_tokens", "created_by", "prompt_name", "prompt_version",
                "prompt_modified", "rating", "rating_comment")
DETAIL_COLUMNS = ("prompt", "reply", "thoughts", "request_json", "response_json", "chunk_ms_json", "error_json",
                  "exchange_json")
EXPORT_COLUMNS = ("id", "time", "group_id", "label", "route", "model", "served_model", "host", "stream", "status",
                  "http_status", "error_kind", "error_message", "finish_reason", "input_tokens", "output_tokens",
                  "thinking_tokens", "total_tokens", "cost", "ttft_ms", "latency_ms", "attempts", "stopped",
                  "partial", "request_hash", "app_version", "response_id", "cached_tokens", "tool_use_prompt_tokens",
                  "created_by", "prompt_name", "prompt_version", "prompt_modified", "rating", "rating_comment", "prompt",
                  "reply")
STATUSES = ("ok", "error", "stopped")
BOOLS = ("stream", "stopped", "partial", "prompt_modified")


_SUSPECT = ("bearer", "authorization", "api-key", "api_key", "key=")


def stored_json(value: Any, blobs: dict, secrets: Sequence[str], *, patterns: bool) -> str | None:
    """``value`` as stored: media moved out, keys blanked. The walks run only when the JSON
    text shows they could change something (most runs carry neither media nor headers)."""
    if value is None:
        return None
    text = dumps(value)
    if "base64," in text or '"data"' in text:
        value, text = extract_blobs(value, blobs), None
    probe = (text or dumps(value)).lower() if patterns else ""
    if any(s in (text or dumps(value)) for s in secrets) or any(s in probe for s in _SUSPECT):
        value, text = scrub(value, secrets, patterns=patterns), None
    return text or dumps(value)


def public_url(url: str) -> str:
    """``url`` without user name, password or a ``key=`` query: what may be stored and shown."""
    parts = urlsplit(url or "")
    if not parts.hostname:
        return url or ""
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc += f":{parts.port}" if parts.port else ""
    query = re.sub(r"(?i)(^|&)key=[^&]*", r"\1key=" + REDACTED, parts.query)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


# ---- attachments -------------------------------------------------------------------------------

STORED = re.compile(r"<stored sha256:([0-9a-f]{64})>")
_BLOB_KEYS = ("inlineData", "inline_data", "input_audio")
_DATA_URL = re.compile(r"(data:([^;,]*);base64,)(.+)\Z", re.S)


def _blob(text: str, mime: str | None, found: dict[str, tuple[str | None, bytes]]) -> str:
    """Base64 text -> a ``<stored sha256:...>`` reference (recorded in ``found``)."""
    if ATTACHMENT_TOKEN.search(text) or STORED.search(text):
        return text  # already a reference: a Call attachment token, or stored before
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        return text
    if base64.b64encode(raw).decode("ascii") != text:
        return text  # not canonical base64 (line breaks, no padding): kept as typed
    digest = hashlib.sha256(raw).hexdigest()
    found.setdefault(digest, (mime, raw))
    return f"<stored sha256:{digest}>"


def extract_blobs(value: Any, found: dict[str, tuple[str | None, bytes]]) -> Any:
    """A copy of a body or response with inline base64 (``inlineData.data``, ``input_audio.data``,
    ``data:...;base64,`` URLs) replaced by references; the bytes land in ``found``."""
    if isinstance(value, dict):
        out = {}
        for key, v in value.items():
            if key in _BLOB_KEYS and isinstance(v, dict) and isinstance(v.get("data"), str):
                mime = v.get("mimeType") or v.get("mime_type") or (
                    f"audio/{v['format']}" if isinstance(v.get("format"), str) else None)
                v = {**v, "data": _blob(v["data"], mime, found)}
                out[key] = {k: (x if k == "data" else extract_blobs(x, found)) for k, x in v.items()}
            else:
                out[key] = extract_blobs(v, found)
        return out
    if isinstance(value, list):
        return [extract_blobs(v, found) for v in value]
    if isinstance(value, str) and value.startswith("data:"):
        m = _DATA_URL.match(value)
        if m:
            return m.group(1) + _blob(m.group(3), m.group(2) or None, found)
    return value


def inline_blobs(value: Any, blobs: dict[str, bytes]) -> Any:
    """The inverse of :func:`extract_blobs`."""
    if isinstance(value, str):
        if "<stored sha256:" not in value:
            return value
        return STORED.sub(lambda m: base64.b64encode(blobs[m.group(1)]).decode("ascii")
                          if m.group(1) in blobs else m.group(0), value)
    if isinstance(value, list):
        return [inline_blobs(v, blobs) for v in value]
    if isinstance(value, dict):
        return {k: inline_blobs(v, blobs) for k, v in value.items()}
    return value


# ---- small values ------------------------------------------------------------------------------

def search_words(text: str | None) -> list[str]:
    """The words of a search: every one must match, the last may be a prefix (both backends).
    Quotes, operators and brackets are separators, so no input can raise."""
    return re.findall(r"\w+", text or "")


def timestamp(value: Any) -> float:
    """Unix seconds from seconds, a datetime (naive means UTC), a date or an ISO string."""
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc).timestamp()
    raise TypeError(f"not a time: {value!r}")


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[:PREVIEW_CHARS - 1] + "…"


def _host(base_url: str) -> str | None:
    parts = urlsplit(base_url or "")
    if not parts.hostname:
        return None
    return parts.hostname + (f":{parts.port}" if parts.port else "")  # never user:password@


def new_uid() -> str:
    """A run's identity across stores: ``history copy`` skips a run whose uid is already there."""
    return uuid.uuid4().hex


def dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ---- a run in, a run out -----------------------------------------------------------------------

@dataclass
class Record:
    """One run as stored: ``run`` (the list columns, no id), ``details`` (the large values, as
    :data:`DETAIL_COLUMNS`), ``blobs`` (sha256 -> (mime type, bytes), each stored once) and
    ``links`` ((sha256, attachment name or '') for this run)."""

    run: dict[str, Any]
    details: dict[str, Any]
    blobs: dict[str, tuple[str | None, bytes]] = field(default_factory=dict)
    links: list[tuple[str, str]] = field(default_factory=list)


def _reply_extra(reply: Reply) -> dict[str, Any]:
    """What an Exchange's Reply holds beyond the columns (read back by :func:`_reply`)."""
    return {
        "raw_finish_reason": reply.raw_finish_reason, "response_id": reply.response_id,
        "candidates": [{"index": c.index, "text": c.text, "thoughts": c.thoughts, "finish_reason": c.finish_reason,
                        "raw_finish_reason": c.raw_finish_reason,
                        "function_calls": [_call_dict(f) for f in c.function_calls]} for c in reply.candidates],
        "function_calls": [_call_dict(f) for f in reply.function_calls],
        "grounding": reply.grounding, "prompt_feedback": reply.prompt_feedback,
        "safety_ratings": list(reply.safety_ratings),
        # an image's bytes are stored once, shared with the response JSON's inlineData
        "images": [_inline_image(i) for i in reply.images], "drafts": [_inline_image(i) for i in reply.drafts],
        "code": [asdict(c) for c in reply.code], "url_context": list(reply.url_context),
    }


def _inline_image(i: InlineImage) -> dict[str, Any]:
    return {"inlineData": {"mimeType": i.mime_type, "data": base64.b64encode(i.data).decode("ascii")}, "at": i.at,
            **({"thoughtSignature": i.signature} if i.signature else {})}


def _inline_images(items: Any) -> tuple[InlineImage, ...]:
    """:func:`_inline_image`'s dicts read back."""
    return tuple(InlineImage(i["inlineData"]["mimeType"], base64.b64decode(i["inlineData"]["data"]), i["at"],
                             i.get("thoughtSignature")) for i in items or ())


def _call_dict(f: FunctionCall) -> dict[str, Any]:
    return {"name": f.name, "args": f.args, "id": f.id}


def creators(created_by: Any) -> Iterable[str]:
    """``record_many``'s ``created_by``: one name for every run, or one per run."""
    if created_by is None or isinstance(created_by, str):
        return itertools.repeat(created_by or "")
    return iter(created_by)


def build(ex: Exchange, group_id: str | None, label: str | None, cost: float | None,
          secrets: Sequence[str], created_by: str | None = "") -> Record:
    """The record of one run, keys blanked and media moved out; ``created_by`` is who sent it
    (an email, the OS login name, or empty: unknown)."""
    call, reply, error = ex.call, ex.reply, ex.error
    usage = reply.usage if reply else Usage()
    prompt = scrub(user_text(call.body, call.route), secrets, patterns=False)
    text = scrub(reply.text if reply else "", secrets, patterns=False)
    blobs: dict[str, tuple[str | None, bytes]] = {}
    request = stored_json(call.body, blobs, secrets, patterns=False)
    response = stored_json(reply.raw, blobs, secrets, patterns=True) if reply else None
    extra = {"base_url": public_url(ex.base_url), "ttfb_ms": ex.timing.ttfb_ms,
             "reply": _reply_extra(reply) if reply else None}
    exchange_json = stored_json(extra, blobs, secrets, patterns=False)
    links = [(digest, "") for digest in blobs]
    for att in call.attachments:
        blobs.setdefault(att.sha256, (att.mime_type, att.data))
        links.append((att.sha256, att.name))
    error_info = scrub(error.to_dict(), secrets) if error else None
    run = {
        "created_at": ex.timing.started_at, "group_id": group_id, "label": label, "created_by": created_by or "",
        "route": call.route.value, "model": call.model, "served_model": reply.model_version if reply else None,
        "host": _host(ex.base_url), "stream": bool(call.stream),
        "status": "stopped" if ex.stopped else "ok" if ex.ok else "error", "http_status": ex.status,
        "error_kind": error.kind if error else None,
        "error_message": error_info["message"] if error_info else None,
        "finish_reason": reply.finish_reason if reply else None,
        "input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
        "thinking_tokens": usage.thinking_tokens, "total_tokens": usage.total_tokens,
        "cached_tokens": usage.cached_tokens, "tool_use_prompt_tokens": usage.tool_use_prompt_tokens,
        "cost": cost, "ttft_ms": ex.timing.ttft_ms, "latency_ms": ex.timing.latency_ms,
        "attempts": ex.attempts, "stopped": bool(ex.stopped), "partial": bool(ex.partial),
        "prompt_preview": _preview(prompt), "reply_preview": _preview(text),
        # the reproducibility stamp (comet.runs.stamp); the app version is the running one unless
        # the Exchange was recorded before (an import of old runs keeps theirs)
        "request_hash": request_hash(call), "app_version": ex.app_version or __version__,
        "response_id": reply.response_id if reply else None,
        # the saved prompt version it was sent from (comet.store.prompts), and whether it was edited since
        "prompt_name": call.origin.prompt if call.origin else None,
        "prompt_version": call.origin.version if call.origin else None,
        "prompt_modified": bool(call.origin.modified) if call.origin else None,
    }
    details = {
        "prompt": prompt, "reply": text, "thoughts": scrub(reply.thoughts, secrets, patterns=False) if reply else "",
        "request_json": request, "response_json": response,
        "chunk_ms_json": dumps(list(ex.timing.chunk_ms)) if ex.timing.chunk_ms else None,
        "error_json": dumps(error_info), "exchange_json": exchange_json,
    }
    return Record(run, details, blobs, links)


def row_of(found: Any) -> dict[str, Any]:
    """A list row as the pages read it: booleans as bool, and ``ok``."""
    row = dict(found)
    for key in BOOLS:
        if key in row and row[key] is not None:
            row[key] = bool(row[key])
    if "status" in row:
        row["ok"] = row["status"] == "ok"
    return row


def detail_row(found: Any, used: Sequence[tuple[str, str | None, bytes, str]]) -> dict[str, Any]:
    """Everything about one run from its list and detail columns and its media rows
    ``(sha256, mime type, bytes, name)``: JSON values decoded, media put back."""
    blobs = {sha: bytes(data) for sha, _, data, _ in used}
    row = row_of(found)
    for key in ("request", "response", "chunk_ms", "error", "exchange"):
        raw = row.pop(f"{key}_json", None)
        row[key] = inline_blobs(json.loads(raw), blobs) if raw else None
    row["attachments"] = [Attachment(name, mime or "application/octet-stream", bytes(data))
                          for _, mime, data, name in used if name]
    return row


def call_of(row: dict[str, Any]) -> Call:
    """The run's request as a Call (attachments included), from :func:`detail_row`."""
    origin = Origin(row["prompt_name"], row["prompt_version"], bool(row.get("prompt_modified"))) \
        if row.get("prompt_name") and row.get("prompt_version") else None
    return Call(Route.parse(row["route"]), row["model"], row["request"] or {}, stream=bool(row["stream"]),
                attachments=tuple(row["attachments"]), origin=origin)


def guessed_base_url(host: str | None) -> str:
    """For runs stored before the base URL was: the scheme guessed from the host."""
    host = host or "api.cometapi.com"
    local = host.split(":")[0] in ("127.0.0.1", "localhost", "::1")
    return f"{'http' if local else 'https'}://{host}"


def _function_calls(items: Any) -> tuple[FunctionCall, ...]:
    return tuple(FunctionCall(f["name"], f["args"], f.get("id")) for f in items or ())


def _reply(row: dict[str, Any], extra: dict[str, Any]) -> Reply:
    candidates = tuple(Candidate(c["index"], c["text"], c["thoughts"], c["finish_reason"], c["raw_finish_reason"],
                                 _function_calls(c["function_calls"])) for c in extra.get("candidates") or ())
    return Reply(text=row["reply"] or "", thoughts=row["thoughts"] or "", finish_reason=row["finish_reason"],
                 raw_finish_reason=extra.get("raw_finish_reason"),
                 usage=Usage(row["input_tokens"], row["output_tokens"], row["thinking_tokens"], row["total_tokens"],
                             row.get("cached_tokens"), row.get("tool_use_prompt_tokens")),
                 model_version=row["served_model"], response_id=extra.get("response_id"), candidates=candidates,
                 function_calls=_function_calls(extra.get("function_calls")), grounding=extra.get("grounding"),
                 prompt_feedback=extra.get("prompt_feedback"),
                 safety_ratings=tuple(extra.get("safety_ratings") or ()), raw=row["response"],
                 images=_inline_images(extra.get("images")), drafts=_inline_images(extra.get("drafts")),
                 code=tuple(CodeRun(**c) for c in extra.get("code") or ()),
                 url_context=tuple(extra.get("url_context") or ()))


def rebuild(row: dict[str, Any]) -> Exchange:
    """The Exchange the client produced, from :func:`detail_row`. A run stored before the
    Exchange was (schema 3) comes back with what was kept: its base URL guessed from the host."""
    extra = row.get("exchange")
    if extra is None:  # an older row: a reply unless the run failed with nothing received
        has_reply = row["status"] != "error" or bool(row["reply"] or row["response"])
        extra = {"base_url": guessed_base_url(row["host"]), "ttfb_ms": None, "reply": {} if has_reply else None}
    known = set(ErrorInfo.__dataclass_fields__)
    error = ErrorInfo(**{k: v for k, v in row["error"].items() if k in known}) if row["error"] else None
    timing = Timing(started_at=row["created_at"], ttfb_ms=extra.get("ttfb_ms"), ttft_ms=row["ttft_ms"],
                    latency_ms=row["latency_ms"], chunk_ms=tuple(row["chunk_ms"] or ()))
    reply = _reply(row, extra["reply"]) if extra.get("reply") is not None else None
    return Exchange(call=call_of(row), base_url=extra["base_url"], status=row["http_status"], reply=reply,
                    error=error, timing=timing, attempts=row["attempts"] if row["attempts"] is not None else 1,
                    stopped=bool(row["stopped"]), partial=bool(row["partial"]), app_version=row.get("app_version"))


def run_of(row: dict[str, Any]) -> Run:
    """The :class:`Run` of a :func:`detail_row`."""
    return Run(row["id"], rebuild(row), row["group_id"], row["label"], row["cost"], row.get("uid"),
               row.get("created_by") or "")


# ---- export ------------------------------------------------------------------------------------

def export_row(found: Any) -> dict[str, Any]:
    """A row of the export query (list columns, ``created_at``, prompt, reply) as exported."""
    row = row_of(found)
    row["time"] = iso(row.pop("created_at"))
    row.pop("ok", None)
    for ms in ("ttft_ms", "latency_ms"):  # 0.1 ms is the clock's honest precision here
        if isinstance(row.get(ms), float):
            row[ms] = round(row[ms], 1)
    return {c: row.get(c) for c in EXPORT_COLUMNS}


def export_text(rows: Sequence[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(list(rows), ensure_ascii=False, indent=1) + "\n"
    buf = io.StringIO()
    writer = csv_writer(buf, EXPORT_COLUMNS)  # formula cells neutralised (comet.core.exports)
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def write_export(rows: Iterable[dict[str, Any]], fmt: str, out: TextIO) -> int:
    """Write rows to ``out`` as they come (CSV, or a JSON array with one row per line), so an
    export of a million runs never holds them all; returns how many were written."""
    if fmt not in ("csv", "json"):
        raise ValueError(f"unknown export format {fmt!r}: use 'csv' or 'json'")
    n = 0
    if fmt == "csv":
        writer = csv_writer(out, EXPORT_COLUMNS)
        writer.writeheader()
        for n, row in enumerate(rows, 1):
            writer.writerow(row)
        return n
    out.write("[")
    for n, row in enumerate(rows, 1):
        out.write(("\n" if n == 1 else ",\n") + json.dumps(row, ensure_ascii=False))
    out.write("\n]\n" if n else "]\n")
    return n


# ---- presets -----------------------------------------------------------------------------------

# A preset as stored (every backend): the body as JSON with keys blanked, the attachments inline
# (base64; presets are few and small), and the time it was last saved. ``name`` is unique.
PRESET_COLUMNS = ("name", "note", "route", "model", "stream", "body_json", "attachments_json", "updated_at",
                  "created_by")


def preset_row(preset: Preset, secrets: Sequence[str]) -> dict[str, Any]:
    data = preset.to_dict()
    return {"name": preset.name, "note": scrub(preset.note, secrets, patterns=False), "route": preset.route.value,
            "model": preset.model, "stream": bool(preset.stream),
            "body_json": dumps(scrub(preset.body, secrets, patterns=False)),
            "attachments_json": dumps(data["attachments"]) if preset.attachments else None,
            "updated_at": preset.updated_at, "created_by": preset.created_by or ""}


def preset_of(row: Any) -> Preset:
    row = dict(row)
    found = Preset.from_dict({**row, "stream": bool(row["stream"]), "body": json.loads(row["body_json"]),
                              "attachments": json.loads(row["attachments_json"] or "[]")}, f"preset {row['name']!r}")
    return replace(found, created_by=row.get("created_by") or "")  # a file's own claim is never read
