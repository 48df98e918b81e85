"""What one run produced: the values every view reads (the reply pane, Compare, history, CLI).

``Client.stream`` yields :class:`TextDelta`, :class:`ThoughtDelta` and :class:`Retrying`
events, and finally one :class:`Exchange`. ``Client.send`` returns that Exchange.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

from . import body as spelling
from . import schema
from .call import Call
from .errors import ErrorInfo
from .stamp import request_hash

FINISH_REASONS = ("stop", "length", "safety", "tool_calls", "other")

# Gemini finishReason / OpenAI finish_reason -> our five values.
_FINISH = {
    "STOP": "stop", "stop": "stop",
    "MAX_TOKENS": "length", "length": "length",
    "SAFETY": "safety", "RECITATION": "safety", "BLOCKLIST": "safety", "PROHIBITED_CONTENT": "safety",
    "SPII": "safety", "IMAGE_SAFETY": "safety", "IMAGE_PROHIBITED_CONTENT": "safety",
    "content_filter": "safety",
    "tool_calls": "tool_calls", "function_call": "tool_calls",
    "MALFORMED_FUNCTION_CALL": "tool_calls", "UNEXPECTED_TOOL_CALL": "tool_calls",
    "TOO_MANY_TOOL_CALLS": "tool_calls",
}


def normalise_finish(raw: str | None) -> str | None:
    if raw is None or raw == "" or raw == "FINISH_REASON_UNSPECIFIED":
        return None
    return _FINISH.get(raw, "other")


@dataclass(frozen=True)
class Usage:
    """Token counts with one meaning on both routes.

    ``output_tokens`` is the visible answer only (Gemini's ``candidatesTokenCount``; OpenAI's
    ``completion_tokens`` minus ``reasoning_tokens``); ``total_tokens`` is as reported.
    ``cached_tokens`` are the part of ``input_tokens`` read from a cache (Gemini's
    ``cachedContentTokenCount``; OpenAI's ``prompt_tokens_details.cached_tokens``);
    ``tool_use_prompt_tokens`` are Gemini's ``toolUsePromptTokenCount``, the prompt a built-in
    tool (search, URL context, code execution) added, on top of ``input_tokens``.
    """

    input_tokens: int | None = None
    output_tokens: int | None = None
    thinking_tokens: int | None = None
    total_tokens: int | None = None
    cached_tokens: int | None = None
    tool_use_prompt_tokens: int | None = None

    def to_dict(self) -> dict[str, int | None]:
        return asdict(self)


@dataclass(frozen=True)
class FunctionCall:
    name: str
    args: dict[str, Any]
    id: str | None = None


@dataclass(frozen=True)
class InlineImage:
    """An image part of a reply (Gemini ``inlineData``); ``at`` is where it sits in the reply's
    text (characters of text before it)."""

    mime_type: str
    data: bytes
    at: int = 0

    @property
    def extension(self) -> str:
        sub = self.mime_type.partition("/")[2].lower()
        return {"jpeg": "jpg", "svg+xml": "svg"}.get(sub, sub or "bin")


@dataclass(frozen=True)
class CodeRun:
    """Gemini code execution: an ``executableCode`` part and the ``codeExecutionResult`` that
    followed it (``outcome`` None until it arrived); ``at`` as for :class:`InlineImage`."""

    language: str
    code: str
    outcome: str | None = None
    output: str = ""
    at: int = 0


@dataclass(frozen=True)
class Candidate:
    index: int
    text: str = ""
    thoughts: str = ""
    finish_reason: str | None = None
    raw_finish_reason: str | None = None
    function_calls: tuple[FunctionCall, ...] = ()


@dataclass(frozen=True)
class Reply:
    """The parsed answer. ``text`` and ``thoughts`` are those of the first candidate."""

    text: str = ""
    thoughts: str = ""
    finish_reason: str | None = None
    raw_finish_reason: str | None = None
    usage: Usage = field(default_factory=Usage)
    model_version: str | None = None
    response_id: str | None = None
    candidates: tuple[Candidate, ...] = ()
    function_calls: tuple[FunctionCall, ...] = ()
    grounding: dict[str, Any] | None = None  # Gemini groundingMetadata, as sent
    prompt_feedback: dict[str, Any] | None = None  # Gemini promptFeedback (blocked prompts)
    safety_ratings: tuple[dict[str, Any], ...] = ()
    raw: Any = None  # the response JSON (plain) or the list of chunk JSON objects (stream)
    images: tuple[InlineImage, ...] = ()  # inlineData parts, in order
    code: tuple[CodeRun, ...] = ()  # code execution, in order
    url_context: tuple[dict[str, Any], ...] = ()  # urlContextMetadata.urlMetadata, as sent


@dataclass(frozen=True)
class Timing:
    """All durations in milliseconds. ``ttft_ms`` is measured from the start of the attempt
    that succeeded; ``latency_ms`` from the start of the first attempt."""

    started_at: float  # Unix time, seconds
    ttfb_ms: float | None = None
    ttft_ms: float | None = None
    latency_ms: float | None = None
    chunk_ms: tuple[float, ...] = ()  # arrival of each chunk, from the successful attempt's start


@dataclass(frozen=True)
class Exchange:
    """One run, finished: succeeded, failed, stopped or cut short."""

    call: Call
    base_url: str
    status: int | None
    reply: Reply | None
    error: ErrorInfo | None
    timing: Timing
    attempts: int = 1
    stopped: bool = False  # the user pressed Stop; reply holds the partial text
    partial: bool = False  # the stream ended before it finished (cut, stopped or errored)
    # the app that recorded the run (the store fills it in; None while live): not part of what
    # the run was, so a stored run still equals the Exchange the client produced
    app_version: str | None = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.stopped and self.reply is not None

    @property
    def text(self) -> str:
        return self.reply.text if self.reply else ""

    @property
    def thoughts(self) -> str:
        return self.reply.thoughts if self.reply else ""

    def summary(self) -> dict[str, Any]:
        """The CLI's JSON object (``python -m comet send``)."""
        usage = (self.reply.usage if self.reply else Usage()).to_dict()
        summary = {
            "ok": self.ok,
            "status": self.status,
            "text": self.text,
            "thoughts": self.thoughts,
            "finish_reason": self.reply.finish_reason if self.reply else None,
            "usage": usage,
            "latency_ms": _round(self.timing.latency_ms),
            "ttft_ms": _round(self.timing.ttft_ms),
            "attempts": self.attempts,
            "model_version": self.reply.model_version if self.reply else None,
            "response_id": self.reply.response_id if self.reply else None,
            "request_hash": request_hash(self.call),
            "stopped": self.stopped,
            "partial": self.partial,
            "error": None if self.error is None else {
                "kind": self.error.kind, "message": self.error.message,
                "status": self.error.status, "retryable": self.error.retryable,
            },
        }
        summary.update(_parts(self.reply))
        asked = schema.requested(self.call.route, self.call.body)
        if asked.schema is not None and self.reply is not None and not self.partial:
            summary["schema"] = schema.verdict(self.text, asked).to_dict()
        return summary


def _parts(reply: Reply | None) -> dict[str, Any]:
    """What a reply holds besides its text, for the CLI: images, code runs, URL context, and
    for a blocked prompt its reason and ratings."""
    if reply is None:
        return {"images": [], "code": [], "url_context": [], "block_reason": None, "safety_ratings": []}
    feedback = reply.prompt_feedback or {}
    return {
        "images": [{"mime_type": i.mime_type, "bytes": len(i.data)} for i in reply.images],
        "code": [{"language": c.language, "code": c.code, "outcome": c.outcome, "output": c.output}
                 for c in reply.code],
        "url_context": [{"url": u.get("retrievedUrl") or u.get("retrieved_url"),
                         "status": u.get("urlRetrievalStatus") or u.get("url_retrieval_status")}
                        for u in reply.url_context if isinstance(u, dict)],
        "block_reason": feedback.get("blockReason"),
        "safety_ratings": list(feedback.get("safetyRatings") or reply.safety_ratings),
    }


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


# ---- stream events ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of streamed answer text, of candidate ``candidate``. Equal only to a delta of
    the same kind: ``TextDelta("a") != ThoughtDelta("a")``."""

    text: str
    candidate: int = 0


@dataclass(frozen=True, slots=True)
class ThoughtDelta:
    """A piece of a streamed thought summary."""

    text: str
    candidate: int = 0


@dataclass(frozen=True)
class Retrying:
    """The previous attempt failed with a retryable error; the next starts in ``delay_s``."""

    attempt: int  # the attempt that is about to start (2, 3, ...)
    delay_s: float
    error: ErrorInfo


Event = TextDelta | ThoughtDelta | Retrying | Exchange


# ---- reading grounding metadata out of a reply ---------------------------------------------------

@dataclass(frozen=True)
class Source:
    number: int  # 1-based, as the reply view lists them
    title: str
    uri: str


@dataclass(frozen=True)
class Support:
    """A stretch of the answer and the sources that back it."""

    text: str
    sources: tuple[int, ...]  # Source.number values
    scores: tuple[float, ...] = ()


@dataclass(frozen=True)
class Grounding:
    queries: tuple[str, ...]
    sources: tuple[Source, ...]
    supports: tuple[Support, ...]


def read_grounding(meta: Any, answer: str = "") -> Grounding | None:
    """``groundingMetadata`` (wire-formats B.4) as what the reply view lists: the search
    queries, the sources (web or retrieved context: title and link) and which stretch of the
    answer each support backs. A segment without ``text`` is cut from the answer by its
    UTF-8 byte offsets."""
    if not isinstance(meta, Mapping):
        return None
    queries = tuple(q for q in spelling.get(meta, "webSearchQueries", []) or [] if isinstance(q, str))
    sources = []
    for n, chunk in enumerate(spelling.get(meta, "groundingChunks", []) or [], start=1):
        ref = (spelling.get(chunk, "web") or spelling.get(chunk, "retrievedContext") or spelling.get(chunk, "maps")) \
            if isinstance(chunk, Mapping) else None
        ref = ref if isinstance(ref, Mapping) else {}
        uri = str(ref.get("uri") or "")
        sources.append(Source(n, str(ref.get("title") or uri or f"source {n}"), uri))
    raw = answer.encode("utf-8")
    supports = []
    for item in spelling.get(meta, "groundingSupports", []) or []:
        if not isinstance(item, Mapping):
            continue
        segment = spelling.get(item, "segment") or {}
        text = segment.get("text") if isinstance(segment, Mapping) else None
        if not isinstance(text, str):
            start, end = spelling.get(segment, "startIndex", 0), spelling.get(segment, "endIndex", 0)
            text = raw[start:end].decode("utf-8", "replace") if isinstance(start, int) and isinstance(end, int) else ""
        indices = tuple(i + 1 for i in spelling.get(item, "groundingChunkIndices", []) or [] if isinstance(i, int))
        scores = tuple(float(s) for s in spelling.get(item, "confidenceScores", []) or [] if isinstance(s, (int, float)))
        supports.append(Support(text, indices, scores))
    return Grounding(queries, tuple(sources), tuple(supports))
