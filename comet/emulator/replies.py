"""Deterministic answers, and their wire shapes on both routes.

:func:`compose` turns an :class:`~.intake.Ask` into one :class:`Answer` per candidate: a pure
function of the request (no clock, no randomness), so the same body always gets the same
bytes. The render functions give the Gemini ``GenerateContentResponse`` (wire-formats B.4)
and the OpenAI ``chat.completion`` / ``chat.completion.chunk`` objects (C.2, C.3).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any, Iterator
from urllib.parse import quote_plus

from . import judge
from .catalog import CREATED
from .intake import TOKEN, Ask, count_tokens

FILLER = (
    "This answer comes from the local emulator, so it costs nothing and never leaves your machine.",
    "The same request always gets the same words back, which keeps tests and screenshots stable.",
    "Streaming sends these words in small chunks, just as the real service does.",
    "Change the prompt or the settings and the reply changes with them.",
    "Every word and every punctuation mark counts as one token here.",
    "Output limits, stop sequences and thinking settings are all honoured.",
)
WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
         "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango")
SEARCH_SENTENCE = "Sources on example.com and example.org were consulted for this answer."
PIECE = re.compile(r"\s*\S+")
SENTENCE = re.compile(r"\S.*?[.!?](?=\s|$)", re.S)  # "gemini-2.5" is not a sentence end
WORDS_PER_PIECE = 4
SAFETY_RATINGS = [
    {"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT", "probability": "NEGLIGIBLE"},
    {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"},
    {"category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE"},
    {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": True},
]


@dataclass
class Answer:
    """One candidate. ``finish`` is "stop", "length", "tool_calls" or "safety"."""

    text: str = ""
    thought: str = ""
    finish: str = "stop"
    call: dict | None = None  # {"name", "args"}
    pieces: list[str] = field(default_factory=list)
    thought_pieces: list[str] = field(default_factory=list)
    tokens: int = 0
    grounding: dict | None = None
    tail: list[dict] = field(default_factory=list)  # Gemini parts after the text (code, an image)
    url_context: dict | None = None  # Gemini urlContextMetadata
    no_text: bool = False  # an image-only answer: no text part at all


def digest(*parts: bytes | str) -> bytes:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode() if isinstance(p, str) else p)
        h.update(b"\0")
    return h.digest()


def short(text: str, words: int) -> str:
    seq = text.split()
    return " ".join(seq[:words]) + (" …" if len(seq) > words else "")


def subject(prompt: str) -> str:
    """A word the prompt is about: its last capitalised word after the first, else its longest."""
    words = re.findall(r"[A-Za-z][\w-]*", prompt)
    named = [w for w in words[1:] if w[0].isupper() and w != "BLOCKME"]
    if named:
        return named[-1]
    return max(words, key=len) if words else "the emulator"


def cut_tokens(text: str, n: int) -> str:
    for i, m in enumerate(TOKEN.finditer(text)):
        if i == n - 1:
            return text[:m.end()]
    return text


def split_pieces(text: str, per: int = WORDS_PER_PIECE) -> list[str]:
    words = PIECE.findall(text)
    pieces = ["".join(words[i:i + per]) for i in range(0, len(words), per)]
    rest = text[len("".join(pieces)):]  # trailing whitespace: keep the pieces' sum == text
    if rest and pieces:
        pieces[-1] += rest
    return pieces or [text]


# ------------------------------------------------------------------------- JSON from a schema

def _schema_type(schema: dict) -> str | None:
    t = schema.get("type")
    if isinstance(t, list):
        t = next((x for x in t if str(x).lower() != "null"), None)
    if t is None:
        if "properties" in schema:
            return "object"
        if "items" in schema:
            return "array"
        return None
    return str(t).lower()


def _seq(v: Any) -> list:
    return v if isinstance(v, list) else []


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _int(v: Any, default: Any) -> Any:
    return int(v) if _num(v) else default


def fake(schema: Any, name: str, about: str, index: int, root: dict, *, depth: int = 0,
         label: bool = True) -> Any:
    """A value that fits the common schema subset: object, array, string, number, integer,
    boolean, enum, required (all properties are filled), ``$ref`` to ``$defs``, anyOf/oneOf.
    Gemini's upper-case types ("OBJECT") and JSON Schema's lower-case ones are both read."""
    if not isinstance(schema, dict) or depth > 8:
        return f"{name} about {about}" if label else about
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for key in ref[2:].split("/"):
            target = target.get(key, {}) if isinstance(target, dict) else {}
        return fake(target, name, about, index, root, depth=depth + 1, label=label)
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        options = schema["enum"]
        return options[index % len(options)]
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf", "allOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            options = [s for s in schema[key] if not (isinstance(s, dict) and str(s.get("type")).lower() == "null")]
            return fake((options or schema[key])[0], name, about, index, root, depth=depth + 1, label=label)
    kind = _schema_type(schema)
    if kind == "object":
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        order = [k for k in _seq(schema.get("propertyOrdering")) if isinstance(k, str) and k in props]
        order += [k for k in props if k not in order]
        return {k: fake(props[k], k, about, index, root, depth=depth + 1, label=label) for k in order}
    if kind == "array":
        lo = _int(schema.get("minItems"), 0)
        hi = _int(schema.get("maxItems"), None)
        count = max(lo, 2 if hi is None else min(2, hi))
        item = schema.get("items") or {}
        return [fake(item, name, about, index + i, root, depth=depth + 1, label=label) for i in range(min(count, 10))]
    if kind in ("integer", "number"):
        value: float = 3 + index if kind == "integer" else 1.5 + index
        if _num(schema.get("minimum")):
            value = max(value, schema["minimum"])
        if _num(schema.get("maximum")):
            value = min(value, schema["maximum"])
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return index % 2 == 0
    if kind == "null":
        return None
    fmt = schema.get("format")
    if fmt == "date-time":
        return "2026-01-01T00:00:00Z"
    if fmt == "date":
        return "2026-01-01"
    words = str(name).replace("_", " ").strip() or "text"
    return f"{words} about {about}" if label else about


# ------------------------------------------------------------------------- [[fail=K/N]]

FAIL_DIRECTIVE = re.compile(r"\[\[fail=(\d{1,4})/(\d{1,4})\]\]")


def fail_directive(prompt: str) -> tuple[int, int] | None:
    """``[[fail=K/N]]`` in the prompt: (K, N), else None (N of 0 is no directive)."""
    found = FAIL_DIRECTIVE.search(prompt)
    return None if found is None or int(found[2]) == 0 else (int(found[1]), int(found[2]))


def wrong(answers: list[Answer], call: int, fail: int, every: int) -> list[Answer]:
    """Call ``call`` (from 0) of one request marked ``[[fail=K/N]]``: the first K calls of every
    N get a wrong answer (a 200 whose text says so and repeats nothing of the prompt, so a check
    on the reply fails and no retry hides it); the others get ``answers`` unchanged."""
    if call % every >= fail:
        return answers
    text = (f"A wrong answer, on purpose: [[fail={fail}/{every}]] makes call {call % every + 1} of every "
            f"{every} of this request answer wrong.")
    for a in answers:
        a.text, a.pieces, a.tokens, a.finish = text, split_pieces(text), count_tokens(text), "stop"
        a.call, a.grounding, a.tail, a.url_context = None, None, [], None
    return answers


# ------------------------------------------------------------------------- composing

def _prose(ask: Ask, index: int, seed: int) -> str:
    lead = f"Following the system instruction \"{short(ask.system, 8)}\": " if ask.system else ""
    if index:
        lead = f"Candidate {index + 1}. " + lead
    if ask.function_result is not None:
        name, result = ask.function_result
        shown = json.dumps(result, ensure_ascii=False, sort_keys=True)
        shown = shown if len(shown) <= 120 else shown[:117] + "..."
        about = f" to \"{short(ask.prompt, 10)}\"" if ask.prompt else ""
        body = (f"{ask.model} (emulated) got the result of {name}: {shown}. "
                f"Using that result, here is the answer{about}. ")
    else:
        said = (f"You wrote: \"{short(ask.prompt, 12)}\". " if ask.prompt.strip() else "You sent no text. ")
        body = f"{ask.model} here (emulated). {said}"
    if ask.attachments:
        body += "I received " + "; ".join(a.describe() for a in ask.attachments) + ". "
    if ask.search:
        body += SEARCH_SENTENCE + " "
    picked = [FILLER[(seed + index + k) % len(FILLER)] for k in range(2)]
    return lead + body + " ".join(picked)


def _thought(ask: Ask, index: int) -> str:
    plan = [f"I will answer as {ask.model}"]
    if ask.system:
        plan.append("follow the system instruction")
    if ask.json_mode or ask.enum_mode:
        plan.append("reply with JSON that fits the requested shape")
    if ask.search:
        plan.append("check what the web sources say")
    if ask.call:
        plan.append(f"call {ask.call['name']} to get the facts")
    if ask.function_result:
        plan.append(f"use what {ask.function_result[0]} returned")
    about = short(ask.prompt, 8) or "no text"
    extra = f" (candidate {index + 1})" if index else ""
    return (f"**Planning the reply{extra}**\n\nThe user wrote \"{about}\". " + ", ".join(plan)
            + ". A short, friendly answer that repeats the key words should do.")


def _grounding(ask: Ask, text: str) -> dict:
    """Google Search grounding (B.4): sources on example.com/.org, never real sites; segment
    offsets are UTF-8 byte offsets into the answer text."""
    query = short(ask.prompt, 8).rstrip(" …").lower() or ask.model
    slug = quote_plus(subject(ask.prompt).lower())
    chunks = [{"web": {"uri": f"https://example.com/search?q={slug}", "title": "example.com"}},
              {"web": {"uri": f"https://example.org/articles/{slug}", "title": "example.org"}}]
    supports = []
    raw = text.encode("utf-8")
    for k, m in enumerate(SENTENCE.finditer(text)):
        if len(supports) == 3:
            break
        start, end = len(text[:m.start()].encode()), len(text[:m.end()].encode())
        indices = [[0], [1], [0, 1]][k % 3]
        supports.append({"segment": {"startIndex": start, "endIndex": end,
                                     "text": raw[start:end].decode("utf-8")},
                         "groundingChunkIndices": indices,
                         "confidenceScores": [0.9 - 0.1 * j for j in range(len(indices))]})
    return {"webSearchQueries": [query], "groundingChunks": chunks, "groundingSupports": supports,
            "searchEntryPoint": {"renderedContent": f"<div class=\"search-entry\">Search: {query}</div>"}}


def _limit(text: str, ask: Ask) -> tuple[str, str]:
    """Stop sequences cut before the stop string (finish stop); the token limit cuts after N
    tokens (finish length); whichever comes first in the text wins."""
    finish = "stop"
    cut = min((i for i in (text.find(s) for s in ask.stops) if i >= 0), default=-1)
    if cut >= 0:
        text = text[:cut].rstrip()
    if ask.max_tokens is not None and count_tokens(text) > ask.max_tokens:
        text, finish = cut_tokens(text, ask.max_tokens), "length"
    return text, finish


def compose(ask: Ask, salt: int | None = None) -> list[Answer]:
    """The answers; ``salt`` (the emulator's ``--seed``) picks other filler words, the same
    ones for the same salt and request."""
    if ask.blocked:
        return []
    seed = digest(ask.model, ask.prompt, ask.system, *(() if salt is None else (str(salt),)))[0]
    answers = []
    about = subject(ask.prompt)
    for i in range(ask.n):
        a = Answer()
        if ask.include_thoughts:
            a.thought = _thought(ask, i)
            a.thought_pieces = split_pieces(a.thought, 6)
        if ask.call is not None:
            params = ask.call.get("parameters") or {}
            args = fake(params, ask.call["name"], about, i, params, label=False)
            a.call = {"name": ask.call["name"], "args": args if isinstance(args, dict) else {}}
            a.tokens = count_tokens(a.call["name"] + json.dumps(a.call["args"], ensure_ascii=False))
            a.finish = "tool_calls"
            answers.append(a)
            continue
        if (verdict := judge.verdict(ask.prompt, ask.model)) is not None:  # a model-graded check's judge
            text, pieces = verdict, None
        elif ask.chunks:
            words = [WORDS[k % len(WORDS)] for k in range(ask.chunks)]
            text = " ".join(words)
            pieces = [w if k == 0 else " " + w for k, w in enumerate(words)]
        elif ask.enum_mode and isinstance(ask.schema, dict) and ask.schema.get("enum"):
            text, pieces = str(fake(ask.schema, "", about, i, ask.schema)), None
        elif ask.json_mode or ask.enum_mode:
            if isinstance(ask.schema, dict) and ask.schema:
                value = fake(ask.schema, "value", about, i, ask.schema)
            else:
                value = {"model": ask.model, "prompt": short(ask.prompt, 12), "answer": _prose(ask, i, seed)}
            text, pieces = json.dumps(value, ensure_ascii=False), None
        else:
            text, pieces = _prose(ask, i, seed), None
        a.text, a.finish = _limit(text, ask)
        if pieces is not None and a.text != text:  # a cut [[chunks=N]] answer: still a word per chunk
            pieces = split_pieces(a.text, 1)
        a.pieces = pieces if pieces is not None else split_pieces(a.text)
        a.tokens = count_tokens(a.text)
        if ask.search and ask.route == "gemini":
            a.grounding = _grounding(ask, a.text)
        if ask.route == "gemini":
            _gemini_extras(ask, a, seed)
        answers.append(a)
    return answers


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real PNG of one colour (8-bit RGB), small enough to send inline."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _gemini_extras(ask: Ask, a: Answer, seed: int) -> None:
    """What Gemini's tools and image models add after the text: a code run and what it
    printed, an image (its colour from the prompt), each URL's retrieval status."""
    if ask.code_execution:
        n = count_tokens(ask.prompt)
        result = sum(range(n))
        a.tail += [{"executableCode": {"language": "PYTHON", "code": f"print(sum(range({n})))"}},
                   {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": f"{result}\n"}},
                   {"text": f" The code printed {result}."}]
        a.tokens += count_tokens(a.tail[-1]["text"])
    if ask.record.get("model_type") == "image":
        _image_parts(ask, a)
    if ask.url_context:
        a.url_context = {"urlMetadata": [
            {"retrievedUrl": url, "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_ERROR"
             if ".invalid" in url.split("/")[2] else "URL_RETRIEVAL_STATUS_SUCCESS"} for url in ask.url_context]}


SIDES = {"512": 12, "1K": 16, "2K": 24, "4K": 32}  # the longest side, in pixels, by imageSize


def image_shape(ratio: str | None, size: str | None) -> tuple[int, int]:
    """A small stand-in for the image's shape: the aspect ratio kept, the size setting scaling it."""
    side = SIDES.get(size or "1K", 16)
    w, _, h = (ratio or "1:1").partition(":")
    w_, h_ = int(w), int(h)
    scale = side / max(w_, h_)
    return max(1, round(w_ * scale)), max(1, round(h_ * scale))


def _image_parts(ask: Ask, a: Answer) -> None:
    """An image model's parts: a draft (a thought image, ``thought: true``), then the final image
    in the colour the prompt picks, shaped by the aspect ratio and size; no text part when the
    request asked for images only; no image when it asked for text only."""
    if "TEXT" not in ask.modalities:
        a.text, a.pieces, a.tokens, a.no_text = "", [], 0, True
    if "IMAGE" not in ask.modalities:
        return
    width, height = image_shape(ask.image_ratio, ask.image_size)
    colour = tuple(digest(ask.prompt)[:3])
    draft = tuple(255 - c for c in colour)
    a.tail.append({"inlineData": {"mimeType": "image/png", "data": base64.b64encode(png(8, 8, draft)).decode()},
                   "thought": True})
    final = base64.b64encode(png(width, height, colour)).decode()
    a.tail.append({"inlineData": {"mimeType": "image/png", "data": final},  # a signature to send back (Gemini 3)
                   "thoughtSignature": base64.b64encode(digest("signature", ask.model, ask.prompt)[:12]).decode()})
    a.tokens += 2000 if ask.image_size == "4K" else 1120  # an output image's tokens (Gemini 3 Pro Image's pricing)


# ------------------------------------------------------------------------- Gemini shapes (B.4)

GEMINI_FINISH = {"stop": "STOP", "length": "MAX_TOKENS", "tool_calls": "STOP", "safety": "SAFETY"}


def response_id(ask: Ask, body: bytes) -> str:
    return base64.urlsafe_b64encode(digest(ask.model, body)[:15]).decode()


def gemini_usage(ask: Ask, answers: list[Answer], done: bool = True) -> dict:
    thoughts = ask.thinking_tokens * len(answers)
    out = {"promptTokenCount": ask.prompt_tokens}
    total = ask.prompt_tokens + thoughts + ask.tool_use_tokens
    if ask.cached_tokens:
        out["cachedContentTokenCount"] = ask.cached_tokens  # part of promptTokenCount
    if ask.tool_use_tokens:
        out["toolUsePromptTokenCount"] = ask.tool_use_tokens  # on top of promptTokenCount
    if done:
        cand = sum(a.tokens for a in answers)
        out["candidatesTokenCount"] = cand
        total += cand
    out["totalTokenCount"] = total
    if thoughts:
        out["thoughtsTokenCount"] = thoughts
    out["promptTokensDetails"] = [{"modality": m, "tokenCount": c} for m, c in ask.prompt_details.items() if c]
    return out


def _blocked(ask: Ask, rid: str) -> dict:
    return {"promptFeedback": {"blockReason": "SAFETY", "safetyRatings": SAFETY_RATINGS},
            "usageMetadata": {"promptTokenCount": ask.prompt_tokens, "totalTokenCount": ask.prompt_tokens,
                              "promptTokensDetails": [{"modality": m, "tokenCount": c}
                                                      for m, c in ask.prompt_details.items() if c]},
            "modelVersion": ask.model, "responseId": rid}


def _call_part(a: Answer) -> dict:
    return {"functionCall": {"name": a.call["name"], "args": a.call["args"]}}


def gemini_plain(ask: Ask, answers: list[Answer], rid: str) -> dict:
    if ask.blocked:
        return _blocked(ask, rid)
    candidates = []
    for i, a in enumerate(answers):
        parts = [{"text": a.thought, "thought": True}] if a.thought else []
        if a.call or not a.no_text:
            parts.append(_call_part(a) if a.call else {"text": a.text})
        parts += a.tail
        cand = {"content": {"parts": parts, "role": "model"}, "finishReason": GEMINI_FINISH[a.finish], "index": i}
        if a.grounding:
            cand["groundingMetadata"] = a.grounding
        if a.url_context:
            cand["urlContextMetadata"] = a.url_context
        candidates.append(cand)
    return {"candidates": candidates, "usageMetadata": gemini_usage(ask, answers),
            "modelVersion": ask.model, "responseId": rid}


def gemini_events(ask: Ask, answers: list[Answer], rid: str) -> Iterator[dict]:
    """Stream chunks: thought pieces, then answer pieces; the last piece of each candidate
    carries finishReason (and groundingMetadata); the last chunk carries the full usage."""
    if ask.blocked:  # promptFeedback comes in the first (here the only) chunk (B.4)
        yield _blocked(ask, rid)
        return
    seqs = []
    for a in answers:
        seq: list[dict] = [{"text": p, "thought": True} for p in a.thought_pieces]
        seq += [_call_part(a)] if a.call else [{"text": p} for p in a.pieces]
        seqs.append(seq + a.tail)
    steps = max(len(s) for s in seqs)
    partial = gemini_usage(ask, answers, done=False)
    for k in range(steps):
        candidates = []
        for i, (a, seq) in enumerate(zip(answers, seqs)):
            if k >= len(seq):
                continue
            cand: dict[str, Any] = {"content": {"parts": [seq[k]], "role": "model"}}
            if k == len(seq) - 1:
                cand["finishReason"] = GEMINI_FINISH[a.finish]
                if a.grounding:
                    cand["groundingMetadata"] = a.grounding
                if a.url_context:
                    cand["urlContextMetadata"] = a.url_context
            cand["index"] = i
            candidates.append(cand)
        last = k == steps - 1
        yield {"candidates": candidates, "usageMetadata": gemini_usage(ask, answers) if last else partial,
               "modelVersion": ask.model, "responseId": rid}


def count_response(total: int, details: dict[str, int]) -> dict:
    return {"totalTokens": total,
            "promptTokensDetails": [{"modality": m, "tokenCount": c} for m, c in details.items() if c]}


# ------------------------------------------------------------------------- OpenAI shapes (C.2, C.3)

OPENAI_FINISH = {"stop": "stop", "length": "length", "tool_calls": "tool_calls", "safety": "content_filter"}


def completion_id(ask: Ask, body: bytes) -> str:
    return "chatcmpl-" + digest(ask.model, body).hex()[:29]


def openai_usage(ask: Ask, answers: list[Answer]) -> dict:
    reasoning = ask.thinking_tokens * len(answers)
    completion = sum(a.tokens for a in answers) + reasoning
    return {"prompt_tokens": ask.prompt_tokens, "completion_tokens": completion,
            "total_tokens": ask.prompt_tokens + completion,
            "prompt_tokens_details": {"cached_tokens": ask.cached_tokens, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": reasoning, "audio_tokens": 0,
                                          "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}}


def _tool_call(a: Answer, cid: str, i: int) -> dict:
    return {"id": f"call_{cid[9:21]}{i}", "type": "function",
            "function": {"name": a.call["name"], "arguments": json.dumps(a.call["args"], ensure_ascii=False)}}


def openai_plain(ask: Ask, answers: list[Answer], cid: str) -> dict:
    if ask.blocked:  # a refused prompt: empty content, finish content_filter
        answers = [Answer(finish="safety") for _ in range(ask.n)]
    choices = []
    for i, a in enumerate(answers):
        message: dict[str, Any] = {"role": "assistant", "content": None if a.call else a.text,
                                   "refusal": None, "annotations": []}
        if a.thought:
            message["reasoning_content"] = a.thought
        if a.call:
            message["tool_calls"] = [_tool_call(a, cid, i)]
        choices.append({"index": i, "message": message, "logprobs": None,
                        "finish_reason": OPENAI_FINISH[a.finish]})
    return {"id": cid, "object": "chat.completion", "created": CREATED, "model": ask.model,
            "choices": choices, "usage": openai_usage(ask, answers), "service_tier": "default",
            "system_fingerprint": None}


def openai_events(ask: Ask, answers: list[Answer], cid: str) -> Iterator[dict]:
    """A role chunk per choice, reasoning/content/tool-call deltas, a finish chunk per choice
    with ``delta: {}``, then the usage chunk (``choices: []``) when include_usage (C.3)."""
    if ask.blocked:
        answers = [Answer(finish="safety") for _ in range(ask.n)]
    head = {"id": cid, "object": "chat.completion.chunk", "created": CREATED, "model": ask.model,
            "system_fingerprint": None}
    extra = {"usage": None} if ask.include_usage else {}

    def chunk(i: int, delta: dict, finish: str | None = None) -> dict:
        return {**head, "choices": [{"index": i, "delta": delta, "logprobs": None, "finish_reason": finish}], **extra}

    seqs = []
    for i, a in enumerate(answers):
        seq = [{"role": "assistant", "content": ""}]
        seq += [{"reasoning_content": p} for p in a.thought_pieces]
        if a.call:
            call = _tool_call(a, cid, i)
            seq.append({"tool_calls": [{"index": 0, "id": call["id"], "type": "function",
                                        "function": {"name": call["function"]["name"], "arguments": ""}}]})
            seq.append({"tool_calls": [{"index": 0, "function": {"arguments": call["function"]["arguments"]}}]})
        elif a.text:
            seq += [{"content": p} for p in a.pieces]
        seqs.append(seq)
    for k in range(max(len(s) for s in seqs)):
        for i, seq in enumerate(seqs):
            if k < len(seq):
                yield chunk(i, seq[k])
    for i, a in enumerate(answers):
        yield chunk(i, {}, OPENAI_FINISH[a.finish])
    if ask.include_usage:
        yield {**head, "choices": [], "usage": openai_usage(ask, answers)}
