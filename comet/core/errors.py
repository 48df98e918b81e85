"""Every failure the ``comet`` package reports, and the one table that classifies answers.

::

    CometError               a message a person can read as-is
    ├── ConfigError          missing key, bad base URL (nothing sent)
    ├── RequestError         the body is not valid for the route: JSON path, field, fix (nothing sent)
    ├── TransportError       kind network: refused, reset, stream cut short
    │   └── Timeout          kind timeout
    ├── APIError             a non-2xx answer: status, provider code/status/message, raw body,
    │   │                    request id, retry_after
    │   └── BadRequest  AuthError  NotFound  RateLimited  ServerError
    └── ProtocolError        kind protocol: 3xx, HTML or non-JSON body, malformed SSE, error mid-stream

:func:`classify` maps an HTTP status and body to one of these; it is the only place that
does. ``ErrorInfo`` is the plain, storable form kept in an ``Exchange`` and in history.
No httpx2 type ever leaves this package.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Mapping

ROUTE_LABELS = {"gemini": "Gemini native", "openai": "OpenAI-compatible"}  # also comet.core.call's

KINDS = ("config", "bad_input", "auth", "bad_request", "not_found", "rate_limited", "server",
         "timeout", "network", "protocol")

# What a person can do about each kind of failure.
FIXES = {
    "config": "set COMETAPI_KEY (or run without it to use the local emulator) and check COMETAPI_BASE_URL",
    "bad_input": "correct the field named above; nothing was sent",
    "auth": "check the API key: the service rejected it (401/403). Set COMETAPI_KEY to a valid key",
    "bad_request": "correct the request field the message names; retrying the same body will fail again",
    "not_found": "check the model ID (python -m comet models lists them) and that it supports this route",
    "rate_limited": "wait and retry, or lower the request rate",
    "server": "retry in a moment; keep the request id if you contact support",
    "timeout": "retry, or raise the timeout; the service did not answer in time",
    "network": "check the base URL and the network connection",
    "protocol": "check the base URL and path: the answer was not the API's JSON (a redirect, HTML page or broken stream)",
}


@dataclass(frozen=True)
class ErrorInfo:
    """The storable description of a failure (what an Exchange and history keep)."""

    kind: str
    message: str
    status: int | None = None
    retryable: bool = False
    code: str | None = None  # provider code, e.g. "invalid_request" or 429
    provider_status: str | None = None  # Google's status name, e.g. "RESOURCE_EXHAUSTED"
    request_id: str | None = None
    retry_after: float | None = None  # seconds
    raw_body: str | None = None
    fix: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class CometError(Exception):
    """Base class. ``str(err)`` is a sentence a person can read as-is."""

    kind = "protocol"
    retryable = False

    def __init__(self, message: str, *, status: int | None = None, raw_body: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.raw_body = raw_body

    @property
    def fix(self) -> str:
        return FIXES.get(self.kind, "")

    def info(self) -> ErrorInfo:
        return ErrorInfo(kind=self.kind, message=self.message, status=self.status,
                         retryable=self.retryable, raw_body=self.raw_body, fix=self.fix)


class ConfigError(CometError):
    """Nothing was sent, or a part (a store) cannot be used; ``fix`` says what to change when the
    general one (the key and base URL) is not it."""

    kind = "config"

    def __init__(self, message: str, *, fix: str = "", **kw: Any):
        super().__init__(message, **kw)
        self._fix = fix

    @property
    def fix(self) -> str:
        return self._fix or FIXES["config"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a body, located by JSON path (``$.generationConfig.temperature``)."""

    route: str  # "gemini" or "openai"
    path: str
    message: str
    fix: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line}, column {self.column})" if self.line else ""
        return f"{self.path}{where}: {self.message}. Fix: {self.fix}"


class RequestError(CometError):
    """The body failed the route's checks; nothing was sent."""

    kind = "bad_input"

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        route = self.problems[0].route if self.problems else ""
        label = ROUTE_LABELS.get(route, route)
        lines = [str(p) for p in self.problems]
        super().__init__(f"invalid request for the {label} route: " + "; ".join(lines))

    @property
    def fix(self) -> str:
        return "; ".join(p.fix for p in self.problems) or FIXES["bad_input"]


class TransportError(CometError):
    kind = "network"
    retryable = True


class Timeout(TransportError):
    kind = "timeout"


class ProtocolError(CometError):
    kind = "protocol"


class APIError(CometError):
    """A non-2xx answer from the service."""

    kind = "server"

    def __init__(self, message: str, *, status: int | None, code: str | None = None,
                 provider_status: str | None = None, provider_message: str | None = None,
                 raw_body: str | None = None, request_id: str | None = None,
                 retry_after: float | None = None):
        super().__init__(message, status=status, raw_body=raw_body)
        self.code = code
        self.provider_status = provider_status
        self.provider_message = provider_message
        self.request_id = request_id
        self.retry_after = retry_after

    def info(self) -> ErrorInfo:
        return ErrorInfo(kind=self.kind, message=self.message, status=self.status,
                         retryable=self.retryable, code=self.code,
                         provider_status=self.provider_status, request_id=self.request_id,
                         retry_after=self.retry_after, raw_body=self.raw_body, fix=self.fix)


class BadRequest(APIError):
    kind = "bad_request"


class AuthError(APIError):
    kind = "auth"


class NotFound(APIError):
    kind = "not_found"


class RateLimited(APIError):
    kind = "rate_limited"
    retryable = True


class ServerError(APIError):
    kind = "server"
    retryable = True


# The code column's value for an answer without the API's error JSON (an HTML or text page).
NOT_JSON = "<not the API's JSON>"

# --------------------------------------------------------------------------------------------
# The table. Rows are checked in order; the first match wins. Each row has a test.
#   (statuses, provider code, NOT_JSON or None for any JSON envelope, class)
# An answer that is not the API's JSON and matches no NOT_JSON row is a ProtocolError.
# --------------------------------------------------------------------------------------------
TABLE: list[tuple[frozenset[int], str | None, type[APIError]]] = [
    (frozenset({502, 503, 504}), NOT_JSON, ServerError),  # a gateway's own page: retried
    (frozenset({500}), "invalid_request", BadRequest),  # CometAPI reports validation as 500
    (frozenset({503}), "model_not_found", NotFound),  # CometAPI: unknown model is a 503
    (frozenset({400, 413, 422}), None, BadRequest),
    (frozenset({401, 403}), None, AuthError),
    (frozenset({404}), None, NotFound),
    (frozenset({429}), None, RateLimited),
    (frozenset({500, 502, 503, 504, 524}), None, ServerError),
]

_REQUEST_ID = re.compile(r"\(request id: ([^)]+)\)")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def parse_envelope(body: Any) -> dict[str, Any] | None:
    """Read Google's ``{error:{code,message,status,details}}`` or OpenAI/CometAPI's
    ``{error:{message,type,param,code}}`` (also wrapped in a one-element list)."""
    if isinstance(body, list) and len(body) == 1:
        body = body[0]
    if not isinstance(body, Mapping):
        return None
    err = body.get("error")
    if isinstance(err, str):
        return {"message": err}
    if not isinstance(err, Mapping):
        return None
    return dict(err)


def retry_delay_from(envelope: Mapping[str, Any] | None, headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait: ``retry-after-ms``/``Retry-After`` headers, else Gemini's
    ``google.rpc.RetryInfo.retryDelay`` (a protobuf Duration such as ``"38s"``)."""
    if headers:
        low = {k.lower(): v for k, v in headers.items()}
        if "retry-after-ms" in low:
            try:
                return max(0.0, float(low["retry-after-ms"]) / 1000)
            except ValueError:
                pass
        if "retry-after" in low:
            value = low["retry-after"].strip()
            try:
                return max(0.0, float(value))
            except ValueError:
                try:
                    when = parsedate_to_datetime(value)
                    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
                except (TypeError, ValueError):
                    pass
    if envelope:
        for detail in envelope.get("details") or []:
            if isinstance(detail, Mapping) and "retryDelay" in detail:
                m = _DURATION.match(str(detail["retryDelay"]))
                if m:
                    return float(m.group(1))
    return None


def classify(status: int, body: bytes | str | None, headers: Mapping[str, str] | None = None,
             *, route_label: str = "") -> CometError:
    """Turn a non-2xx (or a 2xx that carries an error) answer into the right error."""
    text = body.decode("utf-8", "replace") if isinstance(body, (bytes, bytearray)) else (body or "")
    where = f" on the {route_label} route" if route_label else ""
    if 300 <= status < 400:
        location = (headers or {}).get("location") or (headers or {}).get("Location") or ""
        return ProtocolError(
            f"HTTP {status} redirect{where}" + (f" to {location}" if location else "")
            + ": the base URL or path is probably wrong", status=status, raw_body=text)
    try:
        parsed = json.loads(text) if text.strip() else None
    except ValueError:
        parsed = None
    envelope = parse_envelope(parsed)
    if envelope is None:
        snippet = " ".join(text.split())[:120]
        what = "an HTML page" if "<html" in text[:500].lower() or "<!doctype" in text[:500].lower() else "a body that is not the API's JSON"
        gateway = _row(status, NOT_JSON)
        if gateway is not None:
            return gateway(f"HTTP {status} {gateway.kind}{where}: a gateway answered with {what}: {snippet!r}",
                           status=status, code=None, raw_body=text,
                           retry_after=retry_delay_from(None, headers))
        return ProtocolError(f"HTTP {status}{where} answered with {what}: {snippet!r}",
                             status=status, raw_body=text)
    code = envelope.get("code")
    code_str = None if code in (None, "") else str(code)
    message = str(envelope.get("message") or "").strip() or f"HTTP {status}"
    m = _REQUEST_ID.search(message)
    request_id = m.group(1) if m else None
    if headers and not request_id:
        low = {k.lower(): v for k, v in headers.items()}
        request_id = low.get("x-request-id") or low.get("request-id")
    cls = _row(status, code_str) or (BadRequest if 400 <= status < 500 else ServerError)
    provider_status = envelope.get("status") if isinstance(envelope.get("status"), str) else None
    label = provider_status or code_str
    return cls(
        f"HTTP {status} {cls.kind}{where}: {message}" + (f" [{label}]" if label else ""),
        status=status, code=code_str, provider_status=provider_status, provider_message=message,
        raw_body=text, request_id=request_id, retry_after=retry_delay_from(envelope, headers),
    )


def _row(status: int, code: str | None) -> type[APIError] | None:
    """The class of the first TABLE row for ``status`` and ``code`` (a provider code, or
    NOT_JSON for a page that is not the API's JSON), or None."""
    for statuses, want_code, row_cls in TABLE:
        if status in statuses and (want_code == code or (want_code is None and code != NOT_JSON)):
            return row_cls
    return None


def error_in_payload(payload: Any, *, route_label: str = "") -> ProtocolError | None:
    """An error object inside a 200 stream (``data: {"error": ...}``) is a protocol error that
    still carries the provider's message."""
    envelope = parse_envelope(payload)
    if envelope is None:
        return None
    message = str(envelope.get("message") or "error")
    where = f" on the {route_label} route" if route_label else ""
    return ProtocolError(f"the stream carried an error{where}: {message}",
                         raw_body=json.dumps(payload, ensure_ascii=False))
