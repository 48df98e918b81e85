"""The only network code: one ``httpx2.Client`` (keep-alive) behind :class:`Client`.

``Client.stream(call, cancel)`` validates the call (raising :class:`RequestError`, nothing
sent), then yields :class:`TextDelta` / :class:`ThoughtDelta` / :class:`Retrying` events and
finally one :class:`Exchange`. ``Client.send`` runs the same and returns only the Exchange (no
delta events: nobody would read them). API, transport and protocol failures never raise out of
either: they end in an Exchange with ``error`` set and whatever arrived kept (``partial``;
``stopped`` after a cancel). Every error is classified by :func:`comet.core.errors.classify` or
mapped from an httpx2 exception here; no httpx2 type or exception leaves this module.

Retries (issue 2 section 5, :class:`comet.http.retry.RetryPolicy`): the retryable kinds of the table
in :mod:`comet.core.errors`, with capped exponential backoff and jitter, honouring ``Retry-After`` /
``retry-after-ms`` and Gemini's ``RetryInfo.retryDelay``; never once a stream has delivered
content, never past the policy's total budget.

Cancelling: with a :class:`CancelToken`, each attempt runs in a reader thread that feeds a
queue, so ``cancel.set()`` ends the run at once, even while the server has sent nothing yet or
during a retry wait. Without a token the attempt runs inline, with no thread or queue.
"""

from __future__ import annotations

import functools
import json
import queue
import ssl
import threading
import time
from time import perf_counter
from typing import Any, Callable, Iterator
from urllib.request import getproxies

import httpx2

from comet.body.rules import validate
from comet.core import limits
from comet.core.call import Call, Prepared, Route, auth_headers, endpoint, prepare, wire_body
from comet.core.cancel import CancelToken
from comet.core.config import KEY_ENV, Settings, normalise_base_url
from comet.core.errors import (CometError, ConfigError, ErrorInfo, Problem, ProtocolError, RequestError, Timeout,
                               TransportError, classify)
from comet.core.exchange import Event, Exchange, Retrying, Timing

from . import redact, tracing
from .answer import BODY, DATA, DONE, OPEN, error_body, read_answer, read_limited, response_object
from .chunks import Accumulator, ShapeError, unfinished
from .deadline import WATCHDOG, opening, shut, transport
from .models import ModelInfo, merge
from .retry import RetryPolicy

__all__ = ["Client", "CancelToken", "RetryPolicy"]


@functools.lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    """One TLS context for every Client: building one loads the CA bundle from disk."""
    return httpx2.create_ssl_context()


@functools.lru_cache(maxsize=256)  # the same few endpoints, on every request
def _url(text: str) -> httpx2.URL:
    """An endpoint parsed once: httpx2 parses and checks a URL given as text on every request,
    and only copies a parsed one. A test checks that every send still goes to exactly the
    prepared path and query."""
    return httpx2.URL(text)


_END, _CANCELLED = object(), object()  # what the reader thread adds to an attempt's items


class _Stopped(Exception):
    """The cancel token was set (internal)."""


class Client:
    """Sends :class:`Call` values. ``base_url`` and ``api_key`` default to
    ``COMETAPI_BASE_URL`` / ``COMETAPI_KEY``; a missing key raises :class:`ConfigError`.
    ``timeout`` bounds a whole call, from connecting to the last byte, retries and their waits
    included: past it the run ends with kind ``timeout`` and the text that had arrived.
    ``read_timeout`` (default: ``timeout``) is the longest silence one attempt waits out
    before it fails (and is retried while time is left)."""

    def __init__(self, base_url: str | None = None, api_key: str | None = None, *,
                 timeout: float = 60.0, connect_timeout: float = 10.0,
                 read_timeout: float | None = None,
                 retry: RetryPolicy = RetryPolicy(), follow_redirects: bool = False):
        settings = Settings.from_env() if base_url is None or api_key is None else None
        self.base_url = normalise_base_url(base_url) if base_url is not None else settings.base_url
        key = (api_key if api_key is not None else settings.api_key or "").strip()
        if not key:
            raise ConfigError(f"no API key: set {KEY_ENV} (or pass api_key=...); nothing was sent")
        self._key = key
        self._keys = redact.known_keys(key)  # masked in whatever a server's answer says
        self.timeout = float("inf") if timeout is None else float(timeout)
        if not self.timeout > 0:  # NaN included
            raise ConfigError(f"timeout must be a positive number of seconds (or None), not {timeout!r}")
        self._limits = (float(read_timeout or self.timeout), float(connect_timeout))
        self._auth = {route: auth_headers(route, key) for route in Route}  # per request: a copy
        self.retry = retry
        # through a proxy named in the environment httpx2 keeps its own transports (and a per-read bound)
        proxied = bool({"http", "https", "all"} & set(getproxies()))
        self._http = httpx2.Client(timeout=httpx2.Timeout(_bounded(self.timeout), connect=connect_timeout),
                                  follow_redirects=follow_redirects, verify=_tls(),
                                  transport=None if proxied else transport(_tls()))

    @property
    def key_id(self) -> str:
        """A hash that names the key without showing it (the rate-limit hold batch workers share)."""
        import hashlib

        return hashlib.sha256(b"comet-key-id\0" + self._key.encode()).hexdigest()[:24]

    def __repr__(self) -> str:
        return f"Client(base_url={self.base_url!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ---- runs -----------------------------------------------------------------------------

    def send(self, call: Call, cancel: CancelToken | None = None) -> Exchange:
        """Run ``call`` and return its Exchange (see :meth:`stream`). Nobody reads the deltas
        here, so none are handed out: the Exchange holds the whole reply."""
        prepared, headers = self._prepare(call)
        for event in tracing.traced(call, self.base_url, self._keys,
                                    self._run(call, prepared, headers, cancel, deltas=False)):
            pass
        return event  # the last event is always the Exchange

    def stream(self, call: Call, cancel: CancelToken | None = None, *,
               reader_thread: bool = True) -> Iterator[Event]:
        """Validate now (RequestError, nothing sent); then, as iterated, deltas, retry notices
        and finally one Exchange. With ``cancel`` the attempt runs in a reader thread, so a
        cancel ends the run at once even before the first byte; a caller that already reads
        in a thread of its own (the Playground) passes ``reader_thread=False``: the run is then
        read inline, and a cancel shuts the answer's socket, which ends a blocked read."""
        prepared, headers = self._prepare(call)
        return tracing.traced(call, self.base_url, self._keys, self._run(call, prepared, headers, cancel, reader_thread))

    def _prepare(self, call: Call) -> tuple[Prepared, dict[str, str]]:
        """Prepare, then validate (reusing the encoded body), then add the key."""
        prepared = prepare(call, self.base_url)
        validate(call, prepared.content)
        return prepared, {**prepared.headers, **self._auth[call.route]}

    def _run(self, call: Call, prepared: Prepared, headers: dict[str, str],
             cancel: CancelToken | None, reader_thread: bool = True, *,
             deltas: bool = True) -> Iterator[Event]:
        started_at, first_start = time.time(), perf_counter()
        deadline = first_start + self.timeout
        for attempt in range(1, max(1, self.retry.attempts) + 1):
            run = _Attempt(call.route, perf_counter(), self._keys, deltas)

            def finish(**outcome: Any) -> Iterator[Event]:
                yield from run.flush()
                yield run.exchange(call, self.base_url, started_at, first_start, attempt, **outcome)

            if cancel is not None and cancel.is_set():
                yield from finish(stopped=True)
                return
            items = self._attempt(prepared, headers, deadline, cancel, run.watch)
            if cancel is not None:
                items = _pumped(items, cancel, deadline, self._overdue) if reader_thread else _checked(items, cancel)
            try:
                yield from run.consume(items)
            except _Stopped:
                yield from finish(stopped=True)
                return
            except CometError as err:
                if cancel is not None and cancel.is_set():  # the read ended because Stop shut it
                    yield from finish(stopped=True)
                    return
                elapsed = perf_counter() - first_start
                wait = None if run.acc.has_content else self.retry.delay(err, attempt, elapsed)
                if wait is not None and elapsed + wait >= self.timeout:
                    wait = None  # the next attempt could not finish in time
                info = redact.error_info(err.info(), self._keys)
                if wait is None:
                    yield from finish(error=info)
                    return
                yield Retrying(attempt=attempt + 1, delay_s=wait, error=info)
                if cancel is None:
                    time.sleep(wait)
                elif cancel.wait(wait):
                    yield from finish(stopped=True)
                    return
                continue
            yield from finish()
            return

    def _attempt(self, prepared: Prepared, headers: dict[str, str], deadline: float,
                 cancel: CancelToken | None = None, watch: redact.Watch | None = None) -> Iterator[tuple]:
        """One HTTP exchange as items: the status, then stream payloads or the body. Raises
        CometError (classified) for what went wrong; past ``deadline``, a timeout. Once the
        answer has begun, a cancel shuts its socket (a blocked read then ends at once)."""
        left = max(0.001, deadline - perf_counter())
        read, connect = self._limits
        read = _bounded(min(read, left))
        try:  # the timeouts as httpx2's (connect, read, write, pool) tuple: it makes the one Timeout
            request = self._http.build_request(
                prepared.method, _url(prepared.url), headers=headers, content=prepared.content,
                timeout=(_bounded(min(connect, left)), read, read, read))
            opening(deadline)  # connecting, sending and the headers end at the deadline too
            try:
                response = self._http.send(request, stream=True)
            finally:
                opening(None)
        except httpx2.HTTPError as exc:
            overdue = isinstance(exc, httpx2.TimeoutException) and perf_counter() >= deadline
            raise (self._overdue() if overdue else _from_httpx(exc)) from None
        guard = WATCHDOG.at(deadline, response)
        unlisten = cancel._listen(lambda: shut(response)) if cancel is not None else None
        try:
            yield from read_answer(prepared, response, watch)
        except httpx2.HTTPError as exc:
            raise (self._overdue() if guard.fired else _from_httpx(exc)) from None
        finally:
            overdue = WATCHDOG.cancel(guard)
            if unlisten is not None:
                unlisten()
            response.close()
        if overdue:  # cut off between two reads: the stream looked complete or cut short
            raise self._overdue()

    def _overdue(self) -> Timeout:
        return Timeout(f"the call took longer than its {self.timeout:g} s timeout (connecting, "
                       "every attempt and the waits between them)")

    # ---- other endpoints ------------------------------------------------------------------

    def models(self) -> list[ModelInfo]:
        """``/v1/models`` merged with the public catalog ``/api/models`` (Gemini first).
        Raises CometError when neither answers."""
        listed = catalog = None
        failure: CometError | None = None
        for path, auth in (("/v1/models", True), ("/api/models", False)):
            try:
                value = self._json("GET", self.base_url + path, auth=auth)
            except CometError as err:
                failure = failure or err
                continue
            if auth:
                listed = value
            else:
                catalog = value
        if listed is None and catalog is None and failure is not None:
            raise failure
        return merge(listed, catalog)

    def listed_ids(self) -> list[str]:
        """The model IDs ``GET /v1/models`` lists for this key (the setup check's "is the key
        accepted"): a refused key raises AuthError, a wrong address NotFound or ProtocolError."""
        return [m.id for m in merge(self._json("GET", self.base_url + "/v1/models", auth=True), None)]

    def count_tokens(self, call: Call) -> int:
        """Tokens in a Gemini call's prompt (``:countTokens``, wire-formats.md B.8)."""
        if call.route is not Route.GEMINI:
            raise RequestError(Problem(call.route.value, "route",
                                       "counting tokens works on the Gemini native route only",
                                       "switch to the Gemini native route"))
        validate(call)
        body = wire_body(call)  # attachments resolved, as generateContent would send them
        if set(body) - {"contents"}:  # anything beyond contents goes in a generateContentRequest
            body = {"generateContentRequest": {"model": f"models/{call.model}", **body}}
        url = endpoint(Route.GEMINI, call.model, False, self.base_url, operator="countTokens")
        answer = self._json("POST", url, auth=True, route=Route.GEMINI, body=body)
        total = answer.get("totalTokens", 0) if isinstance(answer, dict) else None
        if not isinstance(total, int):
            raise ProtocolError(f"countTokens answered without totalTokens: {str(answer)[:120]!r}")
        return total

    def _json(self, method: str, url: str, *, auth: bool, route: Route = Route.OPENAI,
              body: Any = None) -> Any:
        headers = auth_headers(route, self._key) if auth else {}
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            request = self._http.build_request(method, url, headers=headers,
                                               content=None if body is None else json.dumps(body))
            response = self._http.send(request, stream=True)
            try:
                if not 200 <= response.status_code < 300:
                    raise redact.error(error_body(response.status_code, response), self._keys)
                content, more = read_limited(response, limits.MAX_REPLY_BYTES)
            finally:
                response.close()
        except httpx2.HTTPError as exc:
            raise _from_httpx(exc) from None
        if more:
            raise ProtocolError(f"HTTP {response.status_code}: the answer is over the "
                                f"{limits.MAX_REPLY_BYTES // 2 ** 20} MiB a reply may have; it was not read further",
                                status=response.status_code)
        try:
            return redact.reply(limits.mend(json.loads(content)), self._keys)
        except ValueError:
            raise redact.error(classify(response.status_code, content), self._keys) from None


class _Attempt:
    """Timing and accumulated reply of one attempt, turned into events and an Exchange."""

    __slots__ = ("acc", "start", "status", "ttfb", "ttft", "chunks", "done", "plain_body", "keys",
                 "key_seen", "emit", "hold", "watch")

    def __init__(self, route: Route, start: float, keys: tuple[str, ...] = (), emit: bool = True):
        self.keys = keys  # masked wherever they show up in the answer
        self.emit = emit  # hand out the deltas (the Exchange masks the whole reply either way)
        self.key_seen = False
        self.hold = redact.Held(keys) if emit and keys else None  # a key split between deltas
        self.watch = redact.Watch(keys) if keys else None  # a key whole anywhere in a stream's bytes
        self.acc = Accumulator(route)
        self.start = start
        self.status: int | None = None
        self.ttfb: float | None = None
        self.ttft: float | None = None
        self.chunks: list[float] = []
        self.done = False
        self.plain_body: Any = None

    def consume(self, items: Iterator[tuple]) -> Iterator[Event]:
        route_label = self.acc.route.label
        extend, arrivals, start, emit = self.acc.extend, self.chunks, self.start, self.emit  # per-read path
        try:
            for kind, t, value in items:
                if kind == DATA:  # the payloads one read of the body completed
                    arrivals += [t - start] * len(value)
                    try:
                        deltas = extend(value, emit)
                    except ShapeError as exc:
                        if emit:  # what the chunks before it said
                            yield from self._masked(exc.deltas)
                        raise ProtocolError(f"unexpected stream payload on the {route_label} "
                                            f"route: {exc}", status=self.status) from None
                    if self.ttft is None and (deltas or self.acc.has_content):  # a function call too
                        self.ttft = t - start
                    if deltas and emit:
                        yield from self._masked(deltas)
                elif kind == OPEN:
                    self.status, self.ttfb = value, t - start
                elif kind == DONE:
                    self.done = True
                elif kind == BODY:
                    arrivals.append(t - start)
                    yield from self._plain(value, t, route_label)
                    return
        finally:
            items.close()
        if not (self.done or self.acc.finished):
            raise TransportError(f"the {route_label} stream ended before the model finished "
                                 "(cut short)", status=self.status)

    def _plain(self, body: bytes, t: float, route_label: str) -> Iterator[Event]:
        data = self.plain_body = response_object(body, self.status, route_label)
        try:
            deltas = self.acc.extend((data,), self.emit)
        except ShapeError as exc:
            raise ProtocolError(f"the {route_label} route answered with an unexpected shape: "
                                f"{exc}", status=self.status) from None
        if deltas or self.acc.has_content:  # a reply that only calls a function has a first token too
            self.ttft = t - self.start
        self.key_seen = redact.mentions(body, self.keys)
        if self.emit:
            yield from self._masked(deltas)

    def _masked(self, deltas: list) -> list:
        """The deltas with any key the server echoed masked, also one split between deltas."""
        return deltas if self.hold is None else self.hold.deltas(deltas)

    def flush(self) -> list:
        """The text still held back as a possible key's beginning: the run has ended."""
        return [] if self.hold is None else self.hold.flush()

    def exchange(self, call: Call, base_url: str, started_at: float, first_start: float,
                 attempts: int, *, error: ErrorInfo | None = None, stopped: bool = False
                 ) -> Exchange:
        latency = perf_counter() - first_start
        acc = self.acc
        partial = stopped or (error is not None and bool(acc.chunks))
        reply = acc.reply(raw=self.plain_body) if acc.chunks else None
        if partial and reply is not None:
            reply = unfinished(reply)  # no "0 output tokens" beside the text that arrived
        seen = self.key_seen or (self.watch is not None and self.watch.seen)
        if reply is not None and (seen or redact.in_reply(reply, self.keys)):
            reply = redact.stream_reply(reply, self.keys)
        timing = Timing(started_at=started_at, ttfb_ms=None if self.ttfb is None else self.ttfb * 1000,
                        ttft_ms=None if self.ttft is None else self.ttft * 1000, latency_ms=latency * 1000,
                        chunk_ms=tuple([c * 1000 for c in self.chunks]))
        return Exchange(call=call, base_url=base_url, status=self.status, reply=reply, error=error,
                        timing=timing, attempts=attempts, stopped=stopped, partial=partial)


def _bounded(seconds: float) -> float | None:
    return seconds if seconds < float("inf") else None  # httpx2: None is no limit


def _checked(items: Iterator[tuple], cancel: CancelToken) -> Iterator[tuple]:
    """``items`` read inline, ending at the first item after a cancel."""
    try:
        for item in items:
            if cancel.is_set():
                raise _Stopped()
            yield item
    finally:
        items.close()


def _pumped(items: Iterator[tuple], cancel: CancelToken, deadline: float,
            overdue: Callable[[], CometError]) -> Iterator[tuple]:
    """Run ``items`` in a reader thread feeding a queue, so a cancel ends the wait at once,
    and so does the call's deadline (``overdue()`` is raised), even before the answer began.
    The reader stops at its next item once we are gone (a blocked read ends with the server
    or the read timeout; its connection is then closed, never reused mid-answer)."""
    q: queue.SimpleQueue = queue.SimpleQueue()
    gone = threading.Event()

    def read() -> None:
        try:
            for item in items:
                if gone.is_set():
                    break
                q.put(item)
            q.put(_END)
        except BaseException as exc:  # handed over to the consuming thread
            q.put(exc)
        finally:
            items.close()

    unsubscribe = cancel._listen(lambda: q.put(_CANCELLED))
    threading.Thread(target=read, name="comet-reader", daemon=True).start()
    try:
        while True:
            try:
                left = deadline - perf_counter()  # the watchdog cuts first; this is the wait for headers
                item = q.get(timeout=max(0.0, left) + 0.05) if left < 1e6 else q.get()
            except queue.Empty:
                raise overdue() from None
            if item is _END:
                return
            if item is _CANCELLED:
                raise _Stopped()
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        gone.set()
        unsubscribe()


_TIMEOUT_PHASES = {"ConnectTimeout": "connecting", "ReadTimeout": "waiting for the answer",
                   "WriteTimeout": "sending the request", "PoolTimeout": "waiting for a connection"}


def _from_httpx(exc: httpx2.HTTPError) -> CometError:
    """httpx2 exceptions -> the error tree (issue 2 section 5): timeouts -> Timeout; refused,
    reset or cut short -> TransportError (network); anything unreadable -> ProtocolError."""
    try:
        where = f" ({exc.request.url.host})"
    except RuntimeError:  # no request attached
        where = ""
    if isinstance(exc, httpx2.TimeoutException):
        phase = _TIMEOUT_PHASES.get(type(exc).__name__, "talking to the server")
        return Timeout(f"timed out {phase}{where}")
    if isinstance(exc, httpx2.ConnectError):
        return TransportError(f"could not connect{where}: {exc}")
    if isinstance(exc, httpx2.RemoteProtocolError):
        return TransportError(f"the connection closed before the answer was complete{where} "
                              f"(stream cut short): {exc}")
    if isinstance(exc, (httpx2.NetworkError, httpx2.ProxyError)):
        return TransportError(f"the connection failed{where}: {exc}")
    if isinstance(exc, httpx2.UnsupportedProtocol):
        return ConfigError(f"unsupported URL{where}: {exc}")
    if isinstance(exc, httpx2.TooManyRedirects):
        return ProtocolError(f"too many redirects{where}: check the base URL")
    return ProtocolError(f"the answer could not be read{where}: {exc}")
