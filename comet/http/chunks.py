"""Reading answers, per route: a plain response JSON or a stream of chunks -> deltas and a Reply.

Pure functions over parsed JSON; no I/O. One :class:`Accumulator` serves both routes; the
route-specific reading is a pair of functions per route in :data:`ROUTES` (one reads a Gemini
``GenerateContentResponse`` or an OpenAI ``chat.completion`` / ``chat.completion.chunk``, the
other its usage object).
A plain answer is read as a stream of one chunk, so both paths agree by construction.

Sources (wire-formats.md): Gemini responses B.4 (candidates, parts with ``thought``,
``functionCall``, ``groundingMetadata``, ``promptFeedback``, ``usageMetadata``; proto3 omits
zero fields, so everything is optional), Gemini streaming B.6 (each chunk carries new parts;
usage is cumulative; the last chunk has ``finishReason``); OpenAI responses C.2 and chunks
C.3 (``delta.content``, ``tool_calls`` whose ``arguments`` arrive in fragments, the usage chunk
with ``choices: []``), CometAPI quirks A.4, and ``reasoning_content`` for thoughts (B.9).

Usage means the same on both routes (issue 2 section 4): ``output_tokens`` is the visible
answer without thinking (Gemini ``candidatesTokenCount``; OpenAI ``completion_tokens`` minus
``completion_tokens_details.reasoning_tokens``); ``total_tokens`` is as reported.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable

from comet.core.call import Route
from comet.core.exchange import (Candidate, CodeRun, FunctionCall, InlineImage, Reply, TextDelta, ThoughtDelta, Usage,
                                 normalise_finish)

Delta = TextDelta | ThoughtDelta
_EMPTY: dict[str, Any] = {}


class ShapeError(ValueError):
    """A chunk is not shaped as the route's answers are; ``deltas`` holds those of the chunks
    before it in the same :meth:`Accumulator.extend` call."""

    def __init__(self, message: str, deltas: list[Delta]):
        super().__init__(message)
        self.deltas = deltas


@dataclass(slots=True)
class _Slot:
    """One candidate (Gemini) or choice (OpenAI) being assembled."""

    text: list[str] = field(default_factory=list)
    thoughts: list[str] = field(default_factory=list)
    finish: str | None = None
    calls: list[FunctionCall] = field(default_factory=list)  # complete calls (Gemini)
    tool_parts: dict[int, dict[str, str]] = field(default_factory=dict)  # OpenAI fragments
    grounding: dict[str, Any] | None = None
    safety: tuple[dict[str, Any], ...] = ()
    images: list[InlineImage] = field(default_factory=list)
    drafts: list[InlineImage] = field(default_factory=list)  # thought images
    code: list[dict[str, Any]] = field(default_factory=list)  # CodeRun fields, filled in turn
    url_context: tuple[dict[str, Any], ...] = ()

    def function_calls(self) -> tuple[FunctionCall, ...]:
        if not self.tool_parts:
            return tuple(self.calls)
        streamed = [FunctionCall(name=p["name"], args=_arguments(p["arguments"]),
                                 id=p["id"] or None)
                    for _, p in sorted(self.tool_parts.items())]
        return tuple(self.calls + streamed)


class Accumulator:
    """Feed response chunks with :meth:`add` (each returns its text/thought deltas); read the
    finished (or partial) :class:`Reply` with :meth:`reply`."""

    def __init__(self, route: Route):
        self.route = route
        self._absorb, self._usage = ROUTES[route]
        self.chunks: list[Any] = []
        self.slots: dict[int, _Slot] = {}
        self.usage_raw: dict[str, Any] | None = None  # the latest usage object (cumulative)
        self.model_version: str | None = None
        self.response_id: str | None = None
        self.prompt_feedback: dict[str, Any] | None = None

    def add(self, chunk: Any) -> list[Delta]:
        """Read one chunk (or a whole plain answer). Raises ValueError when its shape is not
        the route's (a list where an object belongs, and so on)."""
        return self.extend((chunk,))

    def extend(self, chunks: Iterable[Any], deltas: bool = True) -> list[Delta] | None:
        """Read the chunks one network read delivered; their deltas, in order (None with
        ``deltas=False``: a caller that hands none out saves making them). One call per read,
        not per chunk: this is the per-chunk path of every stream."""
        made: list[Delta] | None = [] if deltas else None
        absorb, keep = self._absorb, self.chunks.append
        for chunk in chunks:
            if type(chunk) is not dict:
                raise ShapeError(f"expected a JSON object, got {type(chunk).__name__}", made or [])
            keep(chunk)
            try:
                absorb(self, chunk, made)
            except (AttributeError, TypeError) as exc:
                raise ShapeError(f"unexpected {self.route.label} response shape: {exc}",
                                 made or []) from None
        return made

    def slot(self, index: int) -> _Slot:
        slot = self.slots.get(index)
        if slot is None:
            slot = self.slots[index] = _Slot()
        return slot

    @property
    def usage(self) -> Usage:
        raw = self.usage_raw
        return self._usage(raw) if type(raw) is dict else Usage()

    @property
    def has_content(self) -> bool:
        """Something the user has seen (text, thoughts, a function call)."""
        return any(s.text or s.thoughts or s.calls or s.tool_parts or s.images or s.code
                   for s in self.slots.values())

    @property
    def finished(self) -> bool:
        """The answer says it is complete: a finish reason, or a blocked prompt."""
        return any(s.finish for s in self.slots.values()) or bool(
            self.prompt_feedback and self.prompt_feedback.get("blockReason"))

    def reply(self, raw: Any = None) -> Reply:
        candidates = tuple(
            Candidate(index=i, text="".join(s.text), thoughts="".join(s.thoughts),
                      finish_reason=normalise_finish(s.finish), raw_finish_reason=s.finish,
                      function_calls=s.function_calls())
            for i, s in sorted(self.slots.items()))
        first = candidates[0] if candidates else Candidate(index=0)
        first_slot = self.slots[first.index] if candidates else _Slot()
        # A blocked prompt gets no candidates, only promptFeedback.blockReason (B.4).
        blocked = None if candidates else (self.prompt_feedback or {}).get("blockReason")
        return Reply(
            text=first.text, thoughts=first.thoughts,
            finish_reason="safety" if blocked else first.finish_reason,
            raw_finish_reason=str(blocked) if blocked else first.raw_finish_reason,
            usage=self.usage, model_version=self.model_version,
            response_id=self.response_id, candidates=candidates,
            function_calls=first.function_calls, grounding=first_slot.grounding,
            prompt_feedback=self.prompt_feedback, safety_ratings=first_slot.safety,
            raw=list(self.chunks) if raw is None else raw, images=tuple(first_slot.images),
            drafts=tuple(first_slot.drafts),
            code=tuple(CodeRun(**c) for c in first_slot.code), url_context=first_slot.url_context,
        )


def parse_reply(route: Route, data: Any) -> Reply:
    """A plain (non-streaming) response JSON -> Reply."""
    acc = Accumulator(route)
    acc.add(data)
    return acc.reply(raw=data)


# ---- Gemini ---------------------------------------------------------------------------------

def _gemini(acc: Accumulator, chunk: dict[str, Any], deltas: list[Delta] | None) -> None:
    candidates = chunk.get("candidates")
    if candidates:
        slots = acc.slots
        for position, cand in enumerate(candidates):
            index = cand.get("index", position)
            if type(index) is not int:  # proto3 omits index 0: the position stands in
                index = position
            slot = slots.get(index) or acc.slot(index)
            content = cand.get("content")
            if content:
                for part in content.get("parts") or ():
                    text = part.get("text")
                    if text and type(text) is str:
                        if part.get("thought") is True:
                            slot.thoughts.append(text)
                            if deltas is not None:
                                deltas.append(ThoughtDelta(text, index))
                        else:
                            slot.text.append(text)
                            if deltas is not None:
                                deltas.append(TextDelta(text, index))
                    elif "functionCall" in part:
                        call = part["functionCall"] or _EMPTY
                        args = call.get("args")
                        slot.calls.append(FunctionCall(name=str(call.get("name") or ""),
                                                       args=args if isinstance(args, dict) else {},
                                                       id=call.get("id")))
                    elif not part.get("thought"):  # images and code execution: rare parts
                        _other_part(slot, part)
                    else:  # an image model's draft: a thought image
                        draft = _image(slot, part)
                        if draft is not None:
                            slot.drafts.append(draft)
            finish = cand.get("finishReason")
            if finish:
                slot.finish = str(finish)
            grounding = cand.get("groundingMetadata")
            if grounding:
                slot.grounding = grounding
            url_context = cand.get("urlContextMetadata")
            if url_context:
                slot.url_context = tuple(url_context.get("urlMetadata") or ())
            safety = cand.get("safetyRatings")
            if safety:
                slot.safety = tuple(safety)
    usage = chunk.get("usageMetadata")
    if usage:
        acc.usage_raw = usage
    version = chunk.get("modelVersion")
    if version:
        acc.model_version = version
    response_id = chunk.get("responseId")
    if response_id:
        acc.response_id = response_id
    if acc.prompt_feedback is None:
        feedback = chunk.get("promptFeedback")
        if type(feedback) is dict:
            acc.prompt_feedback = feedback  # sent in the first chunk only (B.4)


def _image(slot: _Slot, part: dict[str, Any]) -> InlineImage | None:
    """An ``inlineData`` part as an image placed after the text so far, or None."""
    blob = part.get("inlineData") or part.get("inline_data")
    if not (isinstance(blob, dict) and isinstance(blob.get("data"), str)):
        return None
    try:
        data = base64.b64decode(blob["data"], validate=True)
    except ValueError:
        raise TypeError("inlineData.data is not base64") from None
    mime = blob.get("mimeType") or blob.get("mime_type") or "application/octet-stream"
    signature = part.get("thoughtSignature") or part.get("thought_signature")
    return InlineImage(str(mime), data, sum(map(len, slot.text)),
                       signature if isinstance(signature, str) and signature else None)


def _other_part(slot: _Slot, part: dict[str, Any]) -> None:
    """``inlineData`` (an image the model made), ``executableCode`` and the
    ``codeExecutionResult`` that follows it (B.4), each placed after the text so far."""
    at = sum(map(len, slot.text))
    image = _image(slot, part)
    if image is not None:
        slot.images.append(image)
        return
    code = part.get("executableCode") or part.get("executable_code")
    if isinstance(code, dict):
        slot.code.append({"language": str(code.get("language") or "PYTHON"), "code": str(code.get("code") or ""),
                          "at": at})
        return
    result = part.get("codeExecutionResult") or part.get("code_execution_result")
    if isinstance(result, dict):
        if not slot.code or "outcome" in slot.code[-1]:  # a result without its code
            slot.code.append({"language": "", "code": "", "at": at})
        slot.code[-1].update(outcome=str(result.get("outcome") or "OUTCOME_UNSPECIFIED"),
                             output=str(result.get("output") or ""))


def _gemini_usage(u: dict[str, Any]) -> Usage:
    # proto3 JSON omits zero counts (B.4): inside a usageMetadata object, missing means 0.
    return Usage(input_tokens=_int(u.get("promptTokenCount"), 0),
                 output_tokens=_int(u.get("candidatesTokenCount"), 0),
                 thinking_tokens=_int(u.get("thoughtsTokenCount"), 0),
                 total_tokens=_int(u.get("totalTokenCount")),
                 cached_tokens=_int(u.get("cachedContentTokenCount")),  # None: not reported
                 tool_use_prompt_tokens=_int(u.get("toolUsePromptTokenCount")))


# ---- OpenAI-compatible ----------------------------------------------------------------------

def _openai(acc: Accumulator, chunk: dict[str, Any], deltas: list[Delta] | None) -> None:
    choices = chunk.get("choices")
    if choices:
        slots = acc.slots
        for position, choice in enumerate(choices):
            index = choice.get("index", position)
            if type(index) is not int:
                index = position
            slot = slots.get(index) or acc.slot(index)
            message = choice.get("delta") if "delta" in choice else choice.get("message")
            if message:
                thought = message.get("reasoning_content") or message.get("reasoning")
                if thought and type(thought) is str:
                    slot.thoughts.append(thought)
                    if deltas is not None:
                        deltas.append(ThoughtDelta(thought, index))
                text = message.get("content")
                if text:
                    if type(text) is not str:
                        text = _content_text(text)
                    if text:
                        slot.text.append(text)
                        if deltas is not None:
                            deltas.append(TextDelta(text, index))
                tool_calls = message.get("tool_calls")
                if tool_calls:
                    _tool_fragments(slot, tool_calls)
            finish = choice.get("finish_reason")
            if finish:
                slot.finish = str(finish)
    usage = chunk.get("usage")
    if usage:
        acc.usage_raw = usage
    model = chunk.get("model")
    if model:
        acc.model_version = model
    response_id = chunk.get("id")
    if response_id:
        acc.response_id = response_id


def _tool_fragments(slot: _Slot, tool_calls: list[dict[str, Any]]) -> None:
    """OpenAI streams a function call's name and arguments in fragments, keyed by index."""
    for n, call in enumerate(tool_calls):
        part = slot.tool_parts.setdefault(_int(call.get("index"), n),
                                          {"id": "", "name": "", "arguments": ""})
        part["id"] = call.get("id") or part["id"]
        fn = call.get("function") or _EMPTY
        part["name"] += fn.get("name") or ""
        part["arguments"] += fn.get("arguments") or ""


def _openai_usage(u: dict[str, Any]) -> Usage:
    completion = _int(u.get("completion_tokens"))
    details = u.get("completion_tokens_details") or {}
    reasoning = _int(details.get("reasoning_tokens") if isinstance(details, dict) else None, 0)
    prompt_details = u.get("prompt_tokens_details")
    cached = prompt_details.get("cached_tokens") if isinstance(prompt_details, dict) else None
    return Usage(input_tokens=_int(u.get("prompt_tokens")),
                 output_tokens=None if completion is None else completion - reasoning,
                 thinking_tokens=reasoning,
                 total_tokens=_int(u.get("total_tokens")),
                 cached_tokens=_int(cached),
                 tool_use_prompt_tokens=None)  # Chat Completions has no tool-use prompt count


def _content_text(content: Any) -> str:
    if isinstance(content, list):  # content parts, as some gateways send them
        return "".join(p.get("text", "") for p in content
                       if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


# ---- shared -------------------------------------------------------------------------------

ROUTES: dict[Route, tuple[Callable[[Accumulator, dict[str, Any], list[Delta]], None],
                          Callable[[dict[str, Any]], Usage]]] = {
    Route.GEMINI: (_gemini, _gemini_usage),
    Route.OPENAI: (_openai, _openai_usage),
}


def _int(value: Any, default: int | None = None) -> int | None:
    if type(value) is int:  # the usual case first
        return value
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return default


def _arguments(text: str) -> dict[str, Any]:
    """OpenAI sends function arguments as a JSON string; keep it whole if it does not parse."""
    try:
        value = json.loads(text) if text.strip() else {}
    except ValueError:
        return {"_raw": text}
    return value if isinstance(value, dict) else {"_raw": text}


def unfinished(reply: Reply) -> Reply:
    """A reply whose stream ended early: its output (and total) count is unknown, unless the
    final chunk (the one with the finish reason, which carries the full usage) had arrived."""
    if reply.finish_reason is not None or reply.raw_finish_reason:
        return reply
    return replace(reply, usage=replace(reply.usage, output_tokens=None, total_tokens=None))
