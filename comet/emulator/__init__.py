"""A local CometAPI: a real HTTP server on loopback that speaks both text routes.

Used for the app's offline demo mode (:func:`shared`), by every test that needs a server, by
the benchmarks, and from the shell: ``python -m comet emulator [--port 0]`` prints its base URL
as the first line on stdout and serves until SIGINT/SIGTERM.

    >>> from comet.emulator import Emulator
    >>> with Emulator(ttft_ms=0, chunk_ms=0) as emu:          # doctest: +SKIP
    ...     httpx2.post(emu.base_url + "/v1/chat/completions", ...)

Routes (wire-formats.md is the reference for every shape):

=========================================================  ============================================
``POST /v1beta/models/{model}:generateContent``            Gemini answer (camelCase out; camel- or
                                                           snake_case in, at any depth)
``POST /v1beta/models/{model}:streamGenerateContent``      ``?alt=sse``: ``data: {...}`` + blank line,
                                                           no ``[DONE]``, CRLF with ``crlf=True``;
                                                           without ``alt=sse``: a JSON array written
                                                           as it grows
``POST /v1beta/models/{model}:countTokens``                ``{totalTokens, promptTokensDetails}``
``GET  /v1beta/models``, ``GET /v1beta/models/{model}``    Gemini model list (``pageSize``/``pageToken``)
``POST /v1/chat/completions``                              OpenAI-compatible; ``"stream": true`` gives SSE
                                                           ending in ``data: [DONE]``
``GET  /v1/models``, ``GET /v1/models/{id}``               OpenAI list shape + ``description``
``GET  /api/models``                                       CometAPI's public catalog (no auth, prices)
=========================================================  ============================================

Auth: ``x-goog-api-key``, ``Authorization: Bearer`` or ``?key=`` on ``/v1beta``; Bearer on
``/v1``; any non-empty key works, a missing one is a 401 in the route's envelope, and so is a
key starting with ``refused`` (a key the service does not accept). Errors on
``/v1beta`` use Google's envelope (``gemini_errors="comet"`` switches to CometAPI's); on ``/v1``
CometAPI's ``{error:{message: "... (request id: ...)", type: "comet_api_error", param, code}}``,
with its odd statuses (500 ``invalid_request`` for a body it cannot read, 503
``model_not_found`` for an unknown model). Unknown path: 404; wrong method: 405.

Replies are a pure function of the request body and model (the same body gets the same bytes):
a 25-60 word text that names the model and echoes the prompt, shaped by the request:
system instruction (a visible prefix), max output tokens (cut, finish MAX_TOKENS / length),
stop sequences (cut before, STOP / stop), candidateCount / n (distinct candidates), JSON mode
(valid JSON shaped by responseSchema / responseJsonSchema / json_schema), thinking (thought
parts or ``reasoning_content`` only when asked; thought tokens from budget, level or effort),
Google Search grounding (example.com / example.org sources, byte offsets into the answer),
attachments (checked, and described in the reply), function calling (a call with arguments
filled from the schema; a function response gets a text answer), ``include_usage``.
Tokens: every word and every punctuation mark is one token; an image or PDF is 258.
Image models (``model_type`` image): a draft (an ``inlineData`` part with ``thought: true``) then
the final PNG, its shape from ``imageConfig`` (aspect ratio kept; 12 to 32 pixels on the long side
from 512 to 4K), text only if ``responseModalities`` asks for it (both by default); ratios, sizes
and reference images beyond ``comet.core.capabilities.IMAGE`` are a 400, and an image asked of a
text model is Google's "Model does not support the requested response modalities: image". A
retired ID (``capabilities.RETIRED``) gets the 404 NOT_FOUND of a model the service has shut down.

Prompt directives:

* ``[[chunks=N]]`` (N up to 5000): the answer is exactly N stream chunks of one short word each
  (Gemini: N events; OpenAI: N content chunks between the role chunk and the finish chunk).
* ``[[fail=K/N]]`` (say ``[[fail=1/3]]``): the emulator counts the calls of each distinct request
  (path and body) and answers the first K of every N with a wrong reply (a 200 whose text says it
  is wrong on purpose and repeats nothing of the prompt), the others as usual: call 1 of 3 fails,
  2 and 3 pass, 4 fails... A flaky model for ``batch --repeat``; ``clear()`` restarts the count.
* ``BLOCKME`` anywhere in the last user text: the prompt is blocked for safety (Gemini:
  ``promptFeedback`` and no candidates; OpenAI: empty content, finish ``content_filter``).

Models served on one route only: the non-Gemini ones (``gpt-5.1``, ``gpt-4.1-nano``,
``deepseek-v4-pro``) answer on ``/v1/chat/completions`` and are not found on ``/v1beta``.

Fault models (model IDs on both routes; listed with their descriptions by both model lists;
when they answer, they answer like gemini-2.5-flash):

* ``fault-rate-limit``: always 429; Google's body carries ``RetryInfo.retryDelay`` = 1 s x
  time_scale (e.g. "0.1s"); no Retry-After header.
* ``fault-rate-limit-once``: 429 for the first attempt of a body, success when the same body
  comes again (a counter per body hash: the emulator's only state; ``clear()`` resets it).
* ``fault-server-error`` (500), ``fault-unavailable`` (503).
* ``fault-slow``: no first byte for 30 s x time_scale; other requests go on, ``stop()`` ends it.
* ``fault-drop-stream``: a few events, then the connection is cut without the end of the body
  (plain requests: half the body, then the cut).
* ``fault-bad-sse``: a malformed event (``data: {not json``) mid-stream; plain: a 200 whose body
  is half a JSON document.
* ``fault-html``: a 404 HTML page (``text/html``), like a base URL that is a web site.
* ``fault-gateway``: a 502 HTML page from a proxy (a ``server`` error, retried).

Faults apply to answers (generateContent, streamGenerateContent, chat completions), after
auth and body checks; countTokens and the model lists answer normally for fault models.

``count_tokens=False`` (``--no-count-tokens``, ``COMET_EMULATOR_COUNT_TOKENS=off``) answers
``:countTokens`` with a 404, as a service that does not offer that endpoint.

Options for users' CI: ``seed`` (other reply words, still deterministic), ``record`` (every
request received as a JSON line, the key redacted: ``record.py``) and ``fault`` (every answer
behaves as that fault model, whatever model the code under test asks for).

Latency: ``ttft_ms`` before the first byte of an answer (plain or stream), ``chunk_ms`` between
stream events; defaults from ``COMET_EMULATOR_TTFT_MS`` / ``COMET_EMULATOR_CHUNK_MS``, else 20
and 10. Fault delays are nominal x ``time_scale`` (default ``ttft_ms / 20``), so tests that set a
small ttft get small fault delays too.
"""

from __future__ import annotations

import threading

from .catalog import FAULTS, MODELS
from .server import Emulator, Received

__all__ = ["Emulator", "Received", "MODELS", "FAULTS", "shared"]

_shared: Emulator | None = None
_shared_lock = threading.Lock()


def shared() -> Emulator:
    """One emulator per process, started on first call (the app's demo mode)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Emulator(max_received=500).start()  # a long-lived server: bounded memory
        return _shared
