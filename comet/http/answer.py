"""One HTTP answer read as items: what :class:`comet.http.client.Client` turns into a run.

:func:`read_answer` reads an ``httpx2.Response`` (already open) as ``(kind, perf_counter time,
value)`` tuples: ``OPEN`` with the status, then ``DATA`` with the payloads each read of a stream
completed (a list: batches, not items, to keep generator hops off the per-chunk path), ``DONE``
for the OpenAI stream's ``[DONE]``, or ``BODY`` with a plain answer's bytes. A provider's error
(a non-2xx status, an error object inside a 2xx stream, a malformed payload) is raised as a
classified :class:`~comet.core.errors.CometError` after the payloads that came before it. httpx2's own
exceptions pass through: :mod:`comet.http.client` maps them, so no httpx2 type leaves it.

Bodies are read within :mod:`comet.core.limits`: a plain answer over ``MAX_REPLY_BYTES`` is a
ProtocolError, of an error body only the first ``MAX_ERROR_BODY_BYTES`` are read and kept.
"""

from __future__ import annotations

import json
from itertools import chain
from time import perf_counter
from typing import TYPE_CHECKING, Any, Iterator

from comet.core import limits
from comet.core.call import Prepared
from comet.core.errors import CometError, ProtocolError, classify, error_in_payload

from .sse import EventTooLarge, JSONArrayDecoder, SSEDecoder

if TYPE_CHECKING:
    import httpx2

__all__ = ["OPEN", "DATA", "DONE", "BODY", "read_answer", "read_limited", "error_body", "response_object",
           "loads", "snippet"]

# The kinds of item an answer produces
OPEN, DATA, DONE, BODY = "open", "data", "done", "body"


def read_answer(prepared: Prepared, response: httpx2.Response, watch: Any = None) -> Iterator[tuple]:
    """The items of one answer (see the module's docstring); httpx2 errors pass through.
    ``watch.read`` (:class:`comet.http.redact.Watch`) is given each read of a stream's body."""
    label = prepared.route.label
    status = response.status_code
    yield OPEN, perf_counter(), status
    if not 200 <= status < 300:
        raise error_body(status, response, label)
    if not prepared.stream:
        yield BODY, perf_counter(), _reply_body(response, status, label)
        return
    ctype = response.headers.get("content-type", "").lower()
    if "event-stream" in ctype:
        yield from _sse_items(response, label, watch)
    elif "json" in ctype:  # Gemini's JSON-array stream (no alt=sse), or a plain object
        try:
            for t, payloads in _json_batches(response, watch):
                payloads, error = _until_error(payloads, label)
                if payloads:
                    yield DATA, t, payloads
                if error is not None:
                    raise error
        except ValueError as exc:
            raise ProtocolError(f"malformed JSON stream on the {label} route: {exc}",
                                status=status) from None
    else:
        body, _ = read_limited(response, limits.MAX_ERROR_BODY_BYTES)
        raise ProtocolError(
            f"HTTP {status} on the {label} route answered a stream request with "
            f"{ctype or 'no content type'}, not an event stream: {snippet(body)!r}",
            status=status, raw_body=body.decode("utf-8", "replace"))


def read_limited(response: httpx2.Response, limit: int) -> tuple[bytes, bool]:
    """At most ``limit`` bytes of the body, and whether the server sent more. Reading stops
    there (the client then closes the connection instead of reusing it)."""
    parts: list[bytes] = []
    size = 0
    for raw in _reads(response):
        parts.append(raw)
        size += len(raw)
        if size > limit:
            parts[-1] = raw[:len(raw) - (size - limit)]
            return b"".join(parts), True
    return b"".join(parts), False


def _reply_body(response: httpx2.Response, status: int, label: str) -> bytes:
    """A plain answer's body, refused unread when it says it is over the limit."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.MAX_REPLY_BYTES:
        body, more = b"", True
    else:
        body, more = read_limited(response, limits.MAX_REPLY_BYTES)
    if more:
        raise ProtocolError(f"HTTP {status} on the {label} route: the answer is over the "
                            f"{limits.MAX_REPLY_BYTES // 2 ** 20} MiB a reply may have; it was not "
                            "read further", status=status)
    return body


def error_body(status: int, response: httpx2.Response, label: str = "") -> CometError:
    """A non-2xx answer as its classified error, from at most the first
    ``MAX_ERROR_BODY_BYTES`` of its body (the provider's message is at the start)."""
    body, more = read_limited(response, limits.MAX_ERROR_BODY_BYTES)
    error = classify(status, body, response.headers, route_label=label)
    if more:
        error.message += (f" (the body went on past {limits.MAX_ERROR_BODY_BYTES // 2 ** 20} MiB: "
                          "its start is kept, the rest was not read)")
        error.args = (error.message, *error.args[1:])
    return error


def _json_batches(response: httpx2.Response, watch: Any = None) -> Iterator[tuple[float, list]]:
    """A JSON-array stream as (arrival time, the items that piece of the body completed), then
    what is left at the end. Batches, not items, to keep generator hops off the per-chunk path
    (the event-stream reader, :func:`_sse_items`, keeps its own loop)."""
    decoder = JSONArrayDecoder()
    for raw in _reads(response):
        if watch is not None:
            watch.read(raw)
        yield perf_counter(), decoder.feed(raw)
    yield perf_counter(), decoder.close()


def _reads(response: httpx2.Response) -> Iterator[bytes]:
    """The body as the network delivers it: the raw reads when it has no content encoding
    (``iter_bytes`` would run every read through a decoder and a re-chunker for nothing), gzip
    and the rest through ``iter_bytes``."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    return response.iter_raw() if encoding in ("", "identity") else response.iter_bytes()


def _sse_items(response: httpx2.Response, label: str, watch: Any = None) -> Iterator[tuple]:
    """Payloads of an event stream (wire-formats.md B.6, C.3), a list per read of the body:
    JSON per ``data``; ``[DONE]`` ends the OpenAI stream (the rest of the body is drained so
    the connection is reused); ``event: error`` or an ``error`` object is the provider's error
    (C.3, D.1), raised after the payloads that came before it."""
    decoder = SSEDecoder()
    seen = done = False
    for raw in chain(_reads(response), (None,)):  # None: the end of the body
        t = perf_counter()
        if watch is not None and raw is not None:
            watch.read(raw)
        try:
            events = decoder.feed(raw) if raw is not None else decoder.close()
        except EventTooLarge as exc:  # memory stays bounded by one event (MAX_EVENT)
            raise ProtocolError(f"the {label} stream sent too much at once: {exc}",
                                status=response.status_code) from None
        if not events or done:
            continue
        seen = True
        payloads: list[Any] = []
        failure: CometError | None = None
        for data, name, _, _ in events:
            if data == "[DONE]":
                done = True
                break
            try:
                payload = loads(data)
            except ValueError:
                failure = ProtocolError(f"malformed SSE event on the {label} route: "
                                        f"{data[:120]!r}", raw_body=data[:limits.MAX_ERROR_BODY_BYTES])
                break
            if name == "error" and error_in_payload(payload) is None:
                payload = {"error": payload}
            failure = _error_object(payload, label)
            if failure is not None:
                break
            payloads.append(payload)
        if payloads:
            yield DATA, t, payloads
        if failure is not None:
            raise failure
        if done:
            yield DONE, t, None
    if not seen:
        stray = "\n".join(decoder.stray)
        try:  # Google's SDK reads error JSON sent as bare lines (B.6); so do we
            error = error_in_payload(json.loads(stray), route_label=label) if stray else None
        except ValueError:
            error = None
        raise error or ProtocolError(
            f"the {label} stream ended without any event"
            + (f": {stray[:120]!r}" if stray else ""), status=response.status_code,
            raw_body=stray or None)


def response_object(body: bytes, status: int | None, label: str) -> dict[str, Any]:
    """A plain answer's body (the ``BODY`` item) as its response object, or the classified
    :class:`~comet.core.errors.CometError`: text that is not JSON is classified by its status, as an
    error page is; JSON that is not an object is a ProtocolError; so is an ``error`` field in a
    2xx body unless it is the provider's error envelope (then that error). A stream payload is
    read more leniently (:func:`_error_object`): there an ``error`` field that is no provider
    error passes on as data, since it cannot stop the chunks before it."""
    try:
        data = loads(body.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError included
        raise classify(status or 200, body, route_label=label) from None
    if type(data) is not dict:
        raise ProtocolError(f"the {label} route answered with JSON that is not a "
                            f"response object: {snippet(body)!r}", status=status)
    if "error" in data:  # an error envelope with a 2xx status
        raise error_in_payload(data, route_label=label) or ProtocolError(
            f"the {label} route answered 2xx with an error field: {snippet(body)!r}",
            status=status)
    return data


def _until_error(payloads: list[Any], label: str) -> tuple[list[Any], CometError | None]:
    """The payloads before the first error object among them, and that error (or None)."""
    for i, payload in enumerate(payloads):
        error = _error_object(payload, label)
        if error is not None:
            return payloads[:i], error
    return payloads, None


def _error_object(payload: Any, label: str) -> CometError | None:
    """The provider's error if ``payload`` is an error object inside a 2xx stream (C.3, D.1)."""
    if type(payload) is dict and "error" in payload:
        return error_in_payload(payload, route_label=label)
    return None


_scan_once = json.JSONDecoder().scan_once


def loads(text: str) -> Any:
    """``json.loads`` of one payload, lone surrogates mended (:func:`comet.core.limits.mend`).
    Every chunk of a stream comes here, so it calls the C scanner directly, without
    ``json.loads``'s Python-level wrapping; what the scanner does not take whole (whitespace
    around, an error) goes to ``json.loads``."""
    try:
        value, end = _scan_once(text, 0)
    except (StopIteration, ValueError):
        value, end = json.loads(text), len(text)
    if end != len(text):
        value = json.loads(text)
    return limits.mend(value) if "\\u" in text else value  # a lone "\\ud83d" is no text


def snippet(body: bytes) -> str:
    """The start of an answer's body on one line, for an error message."""
    return " ".join(body[:400].decode("utf-8", "replace").split())[:120]
