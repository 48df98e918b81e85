"""The setup check: ``python -m comet doctor`` and the sidebar's *Check setup*.

CometAPI's guide ("Gemini native vs OpenAI-compatible", Troubleshooting) lists what goes wrong
first: the key, an SDK pointed at the wrong service, a model ID that is not available to the
account or not on the route being called, native fields sent to Chat Completions. :func:`run`
checks each with the smallest requests that can answer:

1. the base URL, with nothing sent: an http(s) URL, CometAPI's host (or this machine), and no
   ``/v1`` left on it (the app adds ``/v1`` and ``/v1beta`` itself; ``/v1/v1`` is doubled);
2. the key: present, and accepted by ``GET /v1/models`` (no tokens spent);
3. each model on each route: one plain request for one output token (prompt ``"hi"``), no
   retries, so a rate limit shows as one;
4. the optional endpoints the app uses (:data:`ENDPOINTS`: ``:countTokens`` today, which
   CometAPI's documentation does not list): each *offered* or *not offered* (a warning: the app
   then estimates instead, marked *est.*), asked with a model that works on the Gemini route.

Every failure carries its fix in the guide's words. The result is a :class:`Report`: the
:class:`Check` rows, the tokens the probes spent, a text table, a JSON-ready dict and the
model-by-route matrix the page shows. No Streamlit here; the only network code is the client.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from ipaddress import ip_address
from typing import Any, Iterable
from urllib.parse import urlsplit

from comet.body.features import thinking_spec
from comet.core.call import ROUTE_LABELS, Call, Route, simple_body
from comet.core.config import BASE_URL_ENV, DEFAULT_BASE_URL, KEY_ENV, normalise_base_url
from comet.core.errors import FIXES, CometError, ConfigError, ErrorInfo
from comet.runs import tokens

OK, WARN, FAIL, SKIPPED = "ok", "warn", "fail", "skipped"
DEFAULT_MODELS = ("gemini-2.5-flash",)
COMET_HOSTS = ("api.cometapi.com",)
PROMPT = "hi"

# The guide's words (its Prerequisites and Troubleshooting sections), one per failure.
GUIDE_KEY = f"You need a CometAPI API key stored in {KEY_ENV}."
GUIDE_BASE_URL = ("For Google GenAI SDK requests, set the base URL to https://api.cometapi.com. "
                  "For OpenAI SDK requests, set base_url in Python or baseURL in Node.js to "
                  "https://api.cometapi.com/v1.")
GUIDE_MODEL = ("Confirm that the model ID is available to your account and supports the route you "
               "are calling. Use the Models page to find current model IDs.")
GUIDE_FIELDS = ("Send contents, parts, generationConfig, and streamGenerateContent requests to the "
                "Gemini native endpoint. The OpenAI-compatible route expects messages and Chat "
                "Completions parameters.")
GUIDE_RETRY = "Add retry and rate-limit handling (CometAPI's Error codes and retry strategy)."

FIX_KEY_MISSING = f"{GUIDE_KEY} Set {KEY_ENV} (or type the key in the sidebar)."
FIX_KEY_REFUSED = f"{GUIDE_KEY} The service refused this one: copy the key again from your account."
FIX_BASE_URL = (f"Set {BASE_URL_ENV} to {DEFAULT_BASE_URL} (this app adds /v1 and /v1beta "
                f"itself). {GUIDE_BASE_URL}")

# The optional endpoints the app uses, each with what uses it: probed, reported offered or not.
ENDPOINTS = {"countTokens": "Count tokens (and the input tokens a batch estimate would count)"}
FIX_NOT_OFFERED = ("Nothing to fix: where the service does not offer it, the app estimates input tokens "
                   "instead (about four characters a token, media by their documented cost), marked est.")

# error kind -> (what the matrix says, the fix)
OUTCOMES = {
    "auth": ("key refused", FIX_KEY_REFUSED),
    "not_found": ("not found", f"{GUIDE_MODEL} (python -m comet models lists them.)"),
    "rate_limited": ("rate limited", f"{GUIDE_RETRY} Wait a moment and check again."),
    "bad_request": ("bad request", GUIDE_FIELDS),
    "server": ("server error", FIXES["server"]),
    "timeout": ("no answer", FIX_BASE_URL),
    "network": ("unreachable", FIX_BASE_URL),
    "protocol": ("not the API", FIX_BASE_URL),
}


@dataclass(frozen=True)
class Check:
    """One row: a setup item (``Base URL``, ``API key``) or a model on a route."""

    subject: str
    route: str | None  # "gemini" / "openai" for a model probe
    status: str  # ok, warn, fail, skipped
    outcome: str  # works, not found, not on this route, key refused, rate limited, ...
    detail: str = ""
    fix: str = ""
    latency_ms: float | None = None
    tokens: int | None = None

    @property
    def where(self) -> str:
        return ROUTE_LABELS.get(self.route or "", "")

    @property
    def name(self) -> str:
        return f"{self.subject} on {self.where}" if self.route else self.subject


@dataclass(frozen=True)
class Report:
    base_url: str
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        """Every check passed (a warning passes; a failure or a skipped check does not)."""
        return all(c.status in (OK, WARN) for c in self.checks)

    @property
    def requests(self) -> int:
        return sum(1 for c in self.checks if c.route and c.status != SKIPPED)

    @property
    def tokens(self) -> int:
        return sum(c.tokens or 0 for c in self.checks)

    @property
    def problems(self) -> list[Check]:
        return [c for c in self.checks if c.status in (WARN, FAIL)]

    def fixes(self) -> list[tuple[tuple[str, str], list[str]]]:
        """Each (outcome, fix) once, with the checks it applies to, in the order they failed."""
        grouped: dict[tuple[str, str], list[str]] = {}
        for c in self.problems:
            grouped.setdefault((c.outcome, c.fix), []).append(c.name)
        return list(grouped.items())

    def spent(self) -> str:
        n = self.requests
        return (f"Spent {self.tokens} tokens on {n} one-token request{'s' * (n != 1)}."
                if n else "No model request was sent.")

    def verdict(self) -> str:
        if self.ok:
            return "Every check passed." + (" Read the warnings above." if self.problems else "")
        failed = sum(1 for c in self.checks if c.status == FAIL)
        return f"{failed} check{'s' * (failed != 1)} failed: the fixes are above."

    @property
    def endpoints(self) -> dict[str, bool | None]:
        """Each optional endpoint: True offered, False not offered, None not known."""
        return {c.subject: {"offered": True, "not offered": False}.get(c.outcome)
                for c in self.checks if c.subject in ENDPOINTS}

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "base_url": self.base_url, "requests": self.requests,
                "tokens": self.tokens, "endpoints": self.endpoints, "checks": [asdict(c) for c in self.checks]}

    def table(self) -> str:
        """The CLI's text: one line per check, then each problem's fix, then the tokens spent."""
        head = ("CHECK", "ROUTE", "RESULT", "LATENCY", "TOKENS", "DETAIL")
        rows = [head] + [(c.subject, c.where or "-", f"{c.status}: {c.outcome}",
                          "-" if c.latency_ms is None else f"{c.latency_ms:.0f} ms",
                          "-" if c.tokens is None else str(c.tokens), c.detail)
                         for c in self.checks]
        widths = [max(len(r[i]) for r in rows) for i in range(len(head) - 1)]
        lines = [f"Setup check of {self.base_url}", ""]
        lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)) + "  " + r[-1] for r in rows]
        if self.problems:
            lines += ["", "How to fix:"]
            lines += [f"- {', '.join(names)} ({outcome}): {fix}" for (outcome, fix), names in self.fixes()]
        return "\n".join(lines + ["", self.spent(), self.verdict()])


def matrix(report: Report) -> list[dict[str, str]]:
    """The page's table: one row per model, one column per route, each cell its outcome."""
    rows: dict[str, dict[str, str]] = {}
    for c in report.checks:
        if c.route:
            row = rows.setdefault(c.subject, {"Model": c.subject})
            ms = "" if c.latency_ms is None else f" · {c.latency_ms:.0f} ms"
            row[c.where] = f"{MARKS[c.status]} {c.outcome}{ms}"
    return list(rows.values())


MARKS = {OK: "✅", WARN: "⚠️", FAIL: "❌", SKIPPED: "⏭️"}


def check_base_url(raw: str | None) -> tuple[Check, str | None]:
    """The base URL row, and the URL to send to (None when nothing can be sent)."""
    raw = (raw or "").strip() or DEFAULT_BASE_URL
    try:
        base = normalise_base_url(raw)
    except ConfigError as err:
        return Check("Base URL", None, FAIL, "not a URL", str(err), FIX_BASE_URL), None
    given, kept = urlsplit(raw).path.rstrip("/"), urlsplit(base).path
    host = urlsplit(base).hostname or ""
    if "/v1" in kept:
        return Check("Base URL", None, FAIL, "/v1 doubled",
                     f"{raw}: requests would go to {base}/v1/chat/completions",
                     FIX_BASE_URL), base
    if given != kept:
        return Check("Base URL", None, WARN, f"ends in {given[len(kept):]}",
                     f"{raw}: this app strips {given[len(kept):]}, but an SDK given this value adds "
                     "its own path after it", FIX_BASE_URL), base
    if host in COMET_HOSTS:
        return Check("Base URL", None, OK, "CometAPI's", base), base
    if _local(host):
        return Check("Base URL", None, OK, "this machine", f"{base} (a local emulator or proxy)"), base
    return Check("Base URL", None, WARN, "not CometAPI's host",
                 f"{base} is not {DEFAULT_BASE_URL}; fine for a proxy you trust", FIX_BASE_URL), base


def _local(host: str) -> bool:
    try:
        return host == "localhost" or ip_address(host).is_loopback
    except ValueError:
        return False


def check_key(client: Any) -> tuple[Check, set[str] | None]:
    """The key row from ``GET /v1/models`` (no tokens), and the IDs it lists (None on failure)."""
    try:
        ids = client.listed_ids()
    except CometError as err:
        outcome, fix = OUTCOMES.get(err.kind, ("failed", err.fix))
        return Check("API key", None, FAIL, outcome, _short(err.message), fix), None
    return Check("API key", None, OK, "accepted",
                 f"GET /v1/models lists {len(ids)} model{'s' * (len(ids) != 1)}"), set(ids)


def probe_body(route: Route, model: str) -> dict[str, Any]:
    """The smallest request that can answer: ``hi``, one output token, and the least thinking
    the model allows (off where it can be, else its lowest budget or level)."""
    body = simple_body(route, PROMPT)
    spec = thinking_spec(model)
    if route is Route.GEMINI:
        body["generationConfig"] = {"maxOutputTokens": 1}
        if spec is not None:
            least = ({"thinkingLevel": spec.levels[0]} if spec.kind == "level" and spec.levels else
                     {"thinkingBudget": 0 if spec.can_disable else spec.min})
            body["generationConfig"]["thinkingConfig"] = least
    else:
        body["max_completion_tokens"] = 1
        if spec is not None:
            body["reasoning_effort"] = ("none" if spec.can_disable else
                                        "minimal" if "MINIMAL" in spec.levels else "low")
    return body


def probe(client: Any, model: str, route: Route) -> Check:
    """One model on one route: works, or what went wrong and its fix."""
    try:
        exchange = client.send(Call(route, model, probe_body(route, model), stream=False))
    except CometError as err:  # nothing was sent (a model ID the route's checks refuse)
        return Check(model, route.value, FAIL, "not sent", _short(str(err)), err.fix)
    latency = exchange.timing.latency_ms
    if exchange.error is not None:
        return _failed(model, route, exchange.error, latency)
    usage = exchange.reply.usage if exchange.reply else None
    tokens = None if usage is None else usage.total_tokens if usage.total_tokens is not None else \
        sum(n or 0 for n in (usage.input_tokens, usage.output_tokens, usage.thinking_tokens))
    served = exchange.reply.model_version if exchange.reply else None
    return Check(model, route.value, OK, "works", f"served by {served}" if served else "",
                 latency_ms=latency, tokens=tokens)


def _failed(model: str, route: Route, error: ErrorInfo, latency: float | None) -> Check:
    outcome, fix = OUTCOMES.get(error.kind, ("failed", error.fix))
    return Check(model, route.value, FAIL, outcome, _short(error.message), fix, latency_ms=latency)


def _short(message: str, limit: int = 200) -> str:
    text = " ".join(message.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def on_one_route(probes: list[Check], listed: set[str] | None) -> list[Check]:
    """A model not found on one route but working on the other (or listed for the key) is
    "not on this route", with the route where it works named in the fix."""
    works = {(c.subject, c.route) for c in probes if c.status == OK}
    out = []
    for c in probes:
        other = "openai" if c.route == "gemini" else "gemini"
        elsewhere = (c.subject, other) in works
        if c.outcome == "not found" and (elsewhere or (listed is not None and c.subject in listed)):
            hint = (f" {c.subject} works on the {ROUTE_LABELS[other]} route: call it there."
                    if elsewhere else "")
            c = replace(c, outcome="not on this route", fix=GUIDE_MODEL + hint)
        out.append(c)
    return out


def check_endpoints(client: Any, probes: list[Check]) -> list[Check]:
    """Each optional endpoint, asked with a model that works on the Gemini route."""
    model = next((c.subject for c in probes if c.route == "gemini" and c.status == OK), None)
    if model is None:
        return [Check(name, None, SKIPPED, "not checked", "no model works on the Gemini native route to ask with")
                for name in ENDPOINTS]
    offered = tokens.probe(client, model)
    uses = ENDPOINTS["countTokens"]
    if offered:
        return [Check("countTokens", None, OK, "offered", f"POST /v1beta/models/{model}:countTokens answers; {uses} "
                      "uses it")]
    if offered is False:
        return [Check("countTokens", None, WARN, "not offered",
                      f"the service answers POST /v1beta/models/{model}:countTokens with not found; {uses} "
                      "shows an estimate instead", FIX_NOT_OFFERED)]
    return [Check("countTokens", None, WARN, "not known", "countTokens failed for another reason; see the rows "
                  "above", FIX_NOT_OFFERED)]


def _client(base_url: str, key: str) -> Any:
    from comet.http.client import Client, RetryPolicy  # httpx loads only when something is sent

    return Client(base_url, key, timeout=30.0, retry=RetryPolicy(attempts=1))


def _unique(models: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(m.strip() for m in models if m and m.strip()))


def run(base_url: str | None, key: str | None, models: Iterable[str] = DEFAULT_MODELS) -> Report:
    """Check the setup: the base URL, the key, then every model on both routes (concurrently)."""
    models = _unique(models) or list(DEFAULT_MODELS)
    url_row, base = check_base_url(base_url)
    rows = [url_row]
    key = (key or "").strip()
    if not key:
        rows.append(Check("API key", None, FAIL, "missing", f"{KEY_ENV} is not set", FIX_KEY_MISSING))
    if base is None or not key:
        why = "nothing is sent without a key" if not key else "nothing is sent without a base URL"
        rows += [Check(m, r.value, SKIPPED, "not checked", why) for m in models for r in Route]
        return Report(base or (base_url or ""), tuple(rows))
    with _client(base, key) as client:
        key_row, listed = check_key(client)
        pairs = [(m, r) for m in models for r in Route]
        with ThreadPoolExecutor(max_workers=min(6, len(pairs))) as pool:
            probes = list(pool.map(lambda pair: probe(client, *pair), pairs))
        endpoints = check_endpoints(client, probes)
    return Report(base, tuple(rows + [key_row] + on_one_route(probes, listed) + endpoints))
