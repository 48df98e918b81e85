"""What one run produced: the values every view reads (the reply pane, Compare, history, CLI).

``Client.stream`` yields :class:`TextDelta`, :class:`ThoughtDelta` and :class:`Retrying`
events, and finally one :class:`Exchange`. ``Client.send`` returns that Exchange.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .call import Call
from .errors import ErrorInfo

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
    signature: str | None = None  # the part's thoughtSignature (Gemini 3): sent back when the image is edited

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
    images: tuple[InlineImage, ...] = ()  # inlineData parts, in order (the final images)
    drafts: tuple[InlineImage, ...] = ()  # an image model's thought images (thought: true), in order
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
