"""Every run as an OpenTelemetry span, exported over OTLP/HTTP in the background (docs/tracing.md).

Off unless ``COMET_OTEL_ENDPOINT`` (or the standard ``OTEL_EXPORTER_OTLP_ENDPOINT`` /
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) is set; then :class:`comet.http.client.Client` hands each
run to :func:`traced`, which makes it a CLIENT span following OpenTelemetry's GenAI semantic
conventions (``{gen_ai.operation.name} {gen_ai.request.model}``, the ``gen_ai.*`` request, response
and usage attributes, ``error.type``, ``server.*``) plus the playground's own under ``comet.``.
A comparison or a batch is one parent span over its runs (:class:`Group`); who ran it
(:func:`set_user`), its price and its group come from :func:`scope`, captured when the run is
asked for, so a run read in another thread still knows them.

Prompt and reply text are recorded only with ``COMET_OTEL_CAPTURE_CONTENT=true``; every string
recorded goes through :mod:`comet.http.redact` with the client's keys, so a key never reaches a
span. The SDK's :class:`BatchSpanProcessor` exports from its own thread with a bounded timeout: a
slow or dead collector never slows or fails a send; :func:`flush` (the CLI calls it before it
exits) waits a bounded time. Without the ``otel`` extra installed nothing is traced and
``comet`` works as before (one warning says why).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import sys
import threading
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator, Mapping
from urllib.parse import urlsplit

from comet.core.call import Call
from comet.core.exchange import Exchange

from . import redact
from .span_attributes import OPERATION, request_attributes, response_attributes

ENDPOINT_ENV = "COMET_OTEL_ENDPOINT"
STANDARD_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"
TRACES_ENV = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"  # the standard one for traces alone: a full URL
CAPTURE_ENV = "COMET_OTEL_CAPTURE_CONTENT"
TRACES_PATH = "/v1/traces"
EXPORT_TIMEOUT_S = 5.0  # one export, retries included, in the processor's thread
FLUSH_S = 1.5  # what flush() waits at most (the CLI's exit)
SCHEDULE_MS = 1000  # how often the processor sends what ended

log = logging.getLogger(__name__)


# ---- who, which group, what price: captured when a run is asked for ----------------------------

@dataclass(frozen=True)
class Scope:
    """What a run's span takes from where it was asked for."""

    user: str | None = None
    group: "Group | None" = None
    price: Callable[[Exchange], float | None] | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    parent: str | None = None  # a W3C traceparent: the span of a group in another process (a stored batch)


_SCOPE: contextvars.ContextVar[Scope] = contextvars.ContextVar("comet_trace_scope", default=Scope())
_who: str | Callable[[], str | None] | None = None


def set_user(user: str | Callable[[], str | None] | None) -> None:
    """Who the runs are made by, for the whole process: a name (the CLI's --user), or a function
    asked when a run or group starts without one in its scope (the app's: the session's signed-in
    person; Streamlit runs pages and fragments in threads and contexts of their own)."""
    global _who
    _who = user


def current() -> Scope:
    found = _SCOPE.get()
    return found if found.user or _who is None else replace(found, user=_asked(_who))


def _asked(who: str | Callable[[], str | None]) -> str | None:
    if isinstance(who, str):
        return who
    try:
        return who() or None
    except Exception:  # no session here (a thread of its own): the span says no person
        return None


@contextlib.contextmanager
def scope(*, group: "Group | None" = None, price: Callable[[Exchange], float | None] | None = None,
          user: str | None = None, parent: str | None = None, **attributes: Any) -> Iterator[Scope]:
    """Runs asked for inside get these (on top of the enclosing scope's); a group's user and
    attributes come along with it. ``parent`` (a traceparent, :meth:`Group.traceparent`) makes
    the runs children of a group's span that another process started."""
    outer = _SCOPE.get()
    if group is not None:
        user = user or group.scope.user
        attributes = {**group.attributes, **attributes}
    inner = Scope(user=user or outer.user, group=group or outer.group, price=price or outer.price,
                  attributes={**outer.attributes, **attributes}, parent=parent or outer.parent)
    token = _SCOPE.set(inner)
    try:
        yield inner
    finally:
        _SCOPE.reset(token)


def within(work: Callable[[], Any], **where: Any) -> Callable[[], Any]:
    """``work`` run inside ``scope(**where)`` (a worker thread's whole life, say)."""
    def scoped() -> Any:
        with scope(**where):
            return work()

    return scoped


# ---- the exporter: built on first use, again when the settings change --------------------------

@dataclass
class _Setup:
    endpoint: str
    capture: bool
    provider: Any = None
    tracer: Any = None


_lock = threading.Lock()
_setup: _Setup | None = None
_warned: set[str] = set()


def endpoint(environ: Mapping[str, str] | None = None) -> str | None:
    """The OTLP/HTTP traces URL the settings name, or None (tracing off)."""
    env = os.environ if environ is None else environ
    full = (env.get(TRACES_ENV) or "").strip()
    base = (env.get(ENDPOINT_ENV) or env.get(STANDARD_ENV) or "").strip()
    if not base:
        return full or None
    base = base.rstrip("/")
    return base if base.endswith(TRACES_PATH) else base + TRACES_PATH


def capture_content(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return (env.get(CAPTURE_ENV) or "").strip().lower() in ("true", "1", "yes", "on")


def _current_setup() -> _Setup | None:
    """The exporter for the settings now in the environment (None: tracing is off)."""
    global _setup
    url = endpoint()
    if url is None:
        return None
    capture = capture_content()
    found = _setup
    if found is not None and found.endpoint == url and found.capture == capture:
        return found if found.tracer is not None else None
    with _lock:
        if _setup is None or (_setup.endpoint, _setup.capture) != (url, capture):
            old, _setup = _setup, _build(url, capture)
            if old is not None and old.provider is not None:  # its spans go on leaving, never on this run's time
                threading.Thread(target=old.provider.shutdown, name="comet-trace-old", daemon=True).start()
        return _setup if _setup.tracer is not None else None


def _build(url: str, capture: bool) -> _Setup:
    setup = _Setup(url, capture)
    problem = _check_url(url)
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as exc:
        problem = problem or (f"tracing is off: OpenTelemetry is not installed ({exc.name}); "
                              "pip install 'comet-playground[otel]' or -r requirements.txt")
    if problem:
        _warn_once(problem)
        return setup
    version = getattr(sys.modules.get("comet"), "__version__", None)  # the package above, loaded before us
    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME") or "comet-playground",
                                "service.version": version or "unknown"})
    setup.provider = TracerProvider(resource=resource, shutdown_on_exit=False)  # flush() bounds the exit
    exporter = OTLPSpanExporter(endpoint=url, timeout=EXPORT_TIMEOUT_S)
    setup.provider.add_span_processor(BatchSpanProcessor(
        exporter, schedule_delay_millis=SCHEDULE_MS, export_timeout_millis=EXPORT_TIMEOUT_S * 1000))
    setup.tracer = setup.provider.get_tracer("comet.http.tracing", version)
    return setup


def _check_url(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return None
    return (f"tracing is off: {ENDPOINT_ENV} (or {STANDARD_ENV}) must be an http(s) URL such as "
            f"http://localhost:4318, not {url!r}")


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        log.warning(message)


def _flush_in_time(provider: Any, seconds: float) -> bool:
    """Ask ``provider`` to export what has ended, waiting at most ``seconds`` (the SDK's own
    force_flush waits for the exporter, whose timeout may be longer)."""
    worker = threading.Thread(target=provider.force_flush, name="comet-trace-flush", daemon=True)
    worker.start()
    worker.join(seconds)
    return not worker.is_alive()


def flush(seconds: float = FLUSH_S) -> bool:
    """Export the spans that have ended, waiting at most ``seconds``: True when it finished
    (also when tracing is off). A dead or silent collector costs at most ``seconds``."""
    found = _setup
    if found is None or found.provider is None:
        return True
    return _flush_in_time(found.provider, seconds)


def unsent() -> str:
    """What the CLI says when :func:`flush` ran out of time (the collector, without credentials)."""
    found = _setup
    parts = urlsplit(found.endpoint if found is not None else "")
    where = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return (f"tracing: the spans did not reach the collector at {where} within {FLUSH_S:g} s and were dropped "
            f"(check {ENDPOINT_ENV}); the command's result is as printed")


def enabled() -> bool:
    return _current_setup() is not None


# ---- a comparison or a batch: one parent span over its runs ------------------------------------

class Group:
    """A parent span (``comet compare`` or ``comet batch``) over the runs asked for in
    ``scope(group=...)``. It ends after ``expected`` runs (or at :meth:`end`, whichever comes
    first). With tracing off it is an inert value."""

    def __init__(self, kind: str, group_id: str, *, expected: int | None = None, **attributes: Any):
        self.kind, self.id = kind, group_id
        self.attributes = {f"comet.{kind}.id": group_id}
        self._left = expected
        self._lock = threading.Lock()
        self.span = None
        self.scope = Scope()
        setup = _current_setup()
        if setup is not None:
            self.scope = current()  # the person who asked, on the thread that asked
            keys = redact.known_keys()
            extra = {f"comet.{k}": v for k, v in attributes.items() if v is not None}
            values = _masked({**self.attributes, **extra, **_user(self.scope.user)}, keys)
            self.span = setup.tracer.start_span(f"comet {kind}", attributes=values)
        if expected == 0:
            self.end()

    def context(self) -> Any:
        if self.span is None:
            return None
        from opentelemetry import trace

        return trace.set_span_in_context(self.span)

    def traceparent(self) -> str | None:
        """The span's W3C ``traceparent``, for runs made in other processes (:func:`scope`'s
        ``parent``), or None with tracing off."""
        context = self.context()
        if context is None:
            return None
        from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

        carrier: dict[str, str] = {}
        TraceContextTextMapPropagator().inject(carrier, context=context)
        return carrier.get("traceparent")

    def run_done(self) -> None:
        with self._lock:
            if self._left is None:
                return
            self._left -= 1
            last = self._left <= 0
        if last:
            self.end()

    def end(self) -> None:
        with self._lock:
            span, self.span = self.span, None
        if span is not None:
            span.end()


# ---- one run ----------------------------------------------------------------------------------

def traced(call: Call, base_url: str, keys: tuple[str, ...], events: Iterator[Any]) -> Iterator[Any]:
    """``events`` (a run's, ending in its Exchange) as a span, when tracing is on; else
    ``events`` itself, untouched. The scope is taken now, in the thread that asks for the run."""
    setup = _current_setup()
    if setup is None:
        return events
    where = current()
    try:
        attributes = _masked({**request_attributes(call, base_url, setup.capture), **where.attributes,
                              **_user(where.user)}, keys)
    except Exception as exc:  # tracing never fails a run: this one goes untraced
        _warn_once(f"a run was not traced: {type(exc).__name__}")
        return events
    return _spanned(setup, call, where, attributes, keys, events)


def _spanned(setup: _Setup, call: Call, where: Scope, attributes: dict[str, Any], keys: tuple[str, ...],
             events: Iterator[Any]) -> Iterator[Any]:
    from opentelemetry.trace import SpanKind

    group = where.group
    span = setup.tracer.start_span(f"{OPERATION[call.route]} {call.model}", kind=SpanKind.CLIENT,
                                   context=group.context() if group is not None else _remote(where.parent),
                                   attributes=attributes)
    outcome: Exchange | None = None
    try:
        for event in events:
            if isinstance(event, Exchange):
                outcome = event
            yield event
    finally:
        try:
            _finish(span, outcome, where, keys, setup.capture)
        except Exception as exc:  # tracing never fails a run: the span ends with what it had
            _warn_once(f"a run's span could not be finished: {type(exc).__name__}")
            span.end()
        finally:
            if group is not None:
                group.run_done()


def _remote(traceparent: str | None) -> Any:
    """The context of a span another process started, from its traceparent (None: no parent)."""
    if not traceparent:
        return None
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    return TraceContextTextMapPropagator().extract({"traceparent": traceparent})


def _finish(span: Any, exchange: Exchange | None, where: Scope, keys: tuple[str, ...], capture: bool) -> None:
    """End ``span`` with what the run produced (nothing: the reader went away first)."""
    from opentelemetry.trace import Status, StatusCode

    if exchange is None:
        span.set_attribute("error.type", "abandoned")
        span.set_status(Status(StatusCode.ERROR, "the run was not read to its end"))
        span.end()
        return
    cost = None
    if where.price is not None:
        try:
            cost = where.price(exchange)
        except Exception:  # a missing price is not worth losing the span over
            cost = None
    span.set_attributes(_masked(response_attributes(exchange, cost, capture), keys))
    if exchange.error is not None:
        message = redact.text(exchange.error.message or exchange.error.kind, keys)
        span.set_status(Status(StatusCode.ERROR, message[:500]))
    span.end()


def _user(user: str | None) -> dict[str, str]:
    return {"comet.user": user, "user.id": user} if user else {}


def _masked(values: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The attributes with every key masked, None values dropped, sequences as lists."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            value = [redact.text(v, keys) if isinstance(v, str) else v for v in value]
        elif isinstance(value, str):
            value = redact.text(value, keys)
        out[name] = value
    return out
