"""Translate a request body between the Gemini-native and the OpenAI-compatible route.

    >>> conv = convert({"contents": [{"role": "user", "parts": [{"text": "hi"}]}],
    ...                 "generationConfig": {"topK": 40}}, "openai", model="gemini-2.5-flash")
    >>> conv.body
    {'model': 'gemini-2.5-flash', 'messages': [{'role': 'user', 'content': 'hi'}]}
    >>> [(r.field, r.status) for r in conv.report]
    [('$.contents[0]', 'mapped'), ('$.generationConfig.topK', 'dropped')]
    >>> back = convert(conv.body, "gemini").body
    >>> restore(back, conv.leftover)["generationConfig"]
    {'topK': 40}

Every field of the source lands in the report: ``mapped`` (same meaning), ``approximated``
(the note says how) or ``dropped`` (the note says why). ``leftover`` keeps the source values
that did not carry over exactly, by JSON path, and :func:`restore` puts them back after the
round trip, so switching routes loses nothing the user typed. A leftover is restored only when
it does not change what the other route would be sent: an edit made on the other route wins.

The field mapping follows Google's OpenAI-compatibility layer and the gateways cited in
wire-formats.md B.9; effort levels follow Google's table (low/medium/high = 1024/8192/24576
thinking tokens). Gemini input may be camelCase or snake_case (proto3 JSON accepts both, B.3);
Gemini output is camelCase. ``includeThoughts`` is dropped rather than sent as Google's
``extra_body.google.thinking_config``, and an ``extra_body`` in an OpenAI body stays on that
route: CometAPI does not document the field (B.9).

Known normalisations a round trip does not undo (nothing is lost, the spelling changes): a turn
without ``role`` comes back with ``"role": "user"``, snake_case keys come back in camelCase,
and several ``tools`` entries holding function declarations come back as one.
"""

from __future__ import annotations

import copy
import json
import mimetypes
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

from . import body as spelling
from .call import Route

MAPPED, APPROXIMATED, DROPPED = "mapped", "approximated", "dropped"


@dataclass(frozen=True)
class FieldReport:
    """What happened to one source field. Paths are JSON paths (``$.generationConfig.topK``)."""

    field: str  # where it was in the source
    status: str  # mapped | approximated | dropped
    target: str | None = None  # where it went in the result
    note: str = ""  # how (approximated) or why (dropped)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Conversion:
    body: dict[str, Any]
    report: tuple[FieldReport, ...] = ()
    leftover: dict[str, Any] = field(default_factory=dict)  # source values by path, for restore()


# ---- JSON paths ---------------------------------------------------------------------------------

_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")
_TOKEN = re.compile(r'\.([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def _at(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if _IDENT.match(key) else f"{path}[{json.dumps(key)}]"


def split_path(path: str) -> list[str | int]:
    """``$.a[0]["b c"]`` -> ``["a", 0, "b c"]``."""
    if not path.startswith("$"):
        raise ValueError(f"not a JSON path: {path!r}")
    tokens: list[str | int] = []
    pos = 1
    while pos < len(path):
        m = _TOKEN.match(path, pos)
        if not m:
            raise ValueError(f"not a JSON path: {path!r}")
        name, index, quoted = m.groups()
        tokens.append(name if name is not None else int(index) if index is not None else json.loads(quoted))
        pos = m.end()
    return tokens


# ---- snake_case Gemini input ----------------------------------------------------------------------

def _camel(key: str) -> str:
    if key == "_responseJsonSchema":  # the proto's json_name quirk (wire-formats B.2)
        return "responseJsonSchema"
    return spelling.camel(key)


def _camelize(value: Any) -> Any:
    """Gemini structure keys in camelCase; user data (arguments, schemas' property names) untouched.
    A key given in both spellings keeps its second spelling as is, so it is reported, not lost."""
    if isinstance(value, list):
        return [_camelize(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for key, v in value.items():
        name = _camel(key) if isinstance(key, str) else key
        if name in out:  # both spellings: the second one stays as typed (and is reported)
            if key != name:
                name = key
            else:
                out[spelled[name]] = out.pop(name)
        spelled[name] = key
        if name in spelling.USER_DATA:  # the user's own data: kept verbatim
            out[name] = v
        elif name == "properties" and isinstance(v, dict):
            out[name] = {prop: _camelize(schema) for prop, schema in v.items()}
        else:
            out[name] = _camelize(v)
    return out


def _as_typed(source: Any, path: str) -> str:
    """The path as the user spelled it (snake_case keys stay snake_case)."""
    out, node = "$", source
    for token in split_path(path):
        key: str | int = token
        if isinstance(token, str) and isinstance(node, dict) and token not in node:
            key = next((k for k in node if isinstance(k, str) and _camel(k) == token), token)
        out = _at(out, key)
        node = node.get(key) if isinstance(node, dict) else (
            node[key] if isinstance(node, list) and isinstance(key, int) and key < len(node) else None)
    return out


class _Report:
    """Collects report rows and leftovers while one body is translated."""

    def __init__(self, typed: Any = None):
        self.rows: list[FieldReport] = []
        self.leftover: dict[str, Any] = {}
        self._typed = typed  # the Gemini source as typed, to name fields in its own spelling

    def _field(self, path: str) -> str:
        return _as_typed(self._typed, path) if self._typed is not None else path

    def mapped(self, path: str, target: str | None, note: str = "") -> None:
        self.rows.append(FieldReport(self._field(path), MAPPED, target, note))

    def approximated(self, path: str, target: str | None, note: str, *original: Any) -> None:
        """``original``, when given, is kept in the leftover: the round trip would not give it back."""
        self.rows.append(FieldReport(self._field(path), APPROXIMATED, target, note))
        if original:
            self.keep(path, original[0])

    def dropped(self, path: str, why: str, value: Any, *, keep_at: str | None = None) -> None:
        self.rows.append(FieldReport(self._field(path), DROPPED, None, why))
        self.keep(keep_at or path, value)

    def keep(self, path: str, value: Any) -> None:
        if path in self.leftover:
            return
        for inner in [p for p in self.leftover if p.startswith((path + ".", path + "["))]:
            del self.leftover[inner]  # the whole element is kept: its parts must not come back twice
        self.leftover[path] = copy.deepcopy(value)

    def extras(self, obj: Mapping[str, Any], path: str, known: set[str], why: str) -> None:
        for key, value in obj.items():
            if key not in known:
                self.dropped(_at(path, key), why, value)


# ---- shared tables ------------------------------------------------------------------------------

# generationConfig key <-> top-level Chat Completions key, same meaning and value.
SAMPLING = {
    "temperature": "temperature", "topP": "top_p", "maxOutputTokens": "max_completion_tokens",
    "candidateCount": "n", "seed": "seed", "presencePenalty": "presence_penalty",
    "frequencyPenalty": "frequency_penalty", "responseLogprobs": "logprobs", "logprobs": "top_logprobs",
}

GEMINI_ONLY = {
    "topK": "Chat Completions has no top-k sampling",
    "safetySettings": "Chat Completions has no safety settings",
    "cachedContent": "cached content lives on the Gemini side; Chat Completions cannot refer to it",
    "googleSearch": "Google Search grounding has no Chat Completions field",
    "googleSearchRetrieval": "Google Search grounding has no Chat Completions field",
    "codeExecution": "code execution has no Chat Completions field",
    "urlContext": "URL context has no Chat Completions field",
    "fileSearch": "file search has no Chat Completions field",
    "googleMaps": "Google Maps grounding has no Chat Completions field",
    "computerUse": "computer use has no Chat Completions field",
    "mcpServers": "MCP servers have no Chat Completions field",
    "responseModalities": "output modalities are not a Chat Completions setting here",
    "speechConfig": "speech output has no Chat Completions field",
    "mediaResolution": "Chat Completions has no media resolution setting",
    "imageConfig": "image output has no Chat Completions field",
    "enableEnhancedCivicAnswers": "Chat Completions has no such setting",
    "includeThoughts": "CometAPI's OpenAI route documents no field for thought summaries "
                       "(Google's own layer takes extra_body.google.thinking_config)",
    "thoughtSignature": "Chat Completions has no place for Gemini's thought signatures",
}
UNKNOWN_GEMINI = "not a Gemini field this converter knows; kept for the Gemini route"

OPENAI_ONLY = {
    "logit_bias": "Gemini has no token bias",
    "stream_options": "Gemini stream chunks always carry usage",
    "user": "Gemini has no end-user id", "safety_identifier": "Gemini has no end-user id",
    "prompt_cache_key": "Gemini caches with cachedContent, not a key",
    "prompt_cache_retention": "Gemini caches with cachedContent, not a retention setting",
    "metadata": "Gemini has no request metadata", "store": "Gemini does not store completions",
    "service_tier": "Gemini has no service tier field",
    "parallel_tool_calls": "Gemini decides on parallel function calls itself",
    "modalities": "not mapped to Gemini's responseModalities", "audio": "Gemini has no audio output settings here",
    "prediction": "Gemini has no predicted outputs", "verbosity": "Gemini has no verbosity setting",
    "web_search_options": "use the Google Search tool on the Gemini route",
    "functions": "legacy functions: use tools",
    "function_call": "legacy function_call: use tool_choice",
    "extra_body": "Google's compatibility-layer field; CometAPI does not document it, so it stays on the OpenAI route",
    "name": "Gemini turns have no participant name", "refusal": "Gemini turns have no refusal field",
    "strict": "Gemini has no strict schema mode", "detail": "Gemini has no per-image detail setting",
}
UNKNOWN_OPENAI = "not a Chat Completions field this converter knows; kept for the OpenAI route"

# reasoning_effort <-> thinking (Google's table, wire-formats B.9)
BUDGETS = {"none": 0, "low": 1024, "medium": 8192, "high": 24576}
LEVELS = ("MINIMAL", "LOW", "MEDIUM", "HIGH")

AUDIO_FORMATS = {"audio/wav": "wav", "audio/x-wav": "wav", "audio/mp3": "mp3", "audio/mpeg": "mp3"}
_DATA_URL = re.compile(r"data:([^;,]+);base64,(.*)\Z", re.S)
GENERATED_ID = re.compile(r"comet_call_\d+\Z")  # ids convert makes up for Chat Completions


def _effort(budget: int) -> str:
    return "none" if budget == 0 else "low" if budget <= 1024 else "medium" if budget <= 8192 else "high"


def _is_gemini3(model: str | None) -> bool:
    return bool(model) and re.match(r"(models/)?gemini-3", model) is not None


# ---- route detection ----------------------------------------------------------------------------

_GEMINI_KEYS = {"contents", "systemInstruction", "generationConfig", "safetySettings", "toolConfig",
                "cachedContent"}
_OPENAI_KEYS = {"messages", "max_completion_tokens", "max_tokens", "response_format", "reasoning_effort",
                "tool_choice", "top_p", "stop", "n", "logit_bias", "stream_options"}


def detect_route(body: Any) -> Route | None:
    """The route a body is written for, from its fields; None when nothing tells."""
    if not isinstance(body, Mapping):
        return None
    keys = {_camel(k) for k in body if isinstance(k, str)}
    gemini, openai = len(keys & _GEMINI_KEYS), len(set(body) & _OPENAI_KEYS)
    if "contents" in keys and "messages" not in body:
        return Route.GEMINI
    if "messages" in body and "contents" not in keys:
        return Route.OPENAI
    if gemini != openai:
        return Route.GEMINI if gemini > openai else Route.OPENAI
    return None


def _other(route: Route) -> Route:
    return Route.OPENAI if route is Route.GEMINI else Route.GEMINI


# ---- Gemini -> OpenAI ---------------------------------------------------------------------------

class _Ids:
    """Tool-call ids: made up where Gemini gave none, matched to function responses by name."""

    def __init__(self) -> None:
        self.count = 0
        self.open: dict[str, list[str]] = {}

    def new(self) -> str:
        self.count += 1
        return f"comet_call_{self.count}"

    def called(self, name: str, call_id: str) -> None:
        self.open.setdefault(name, []).append(call_id)

    def answer(self, name: str) -> str | None:
        waiting = self.open.get(name)
        return waiting.pop(0) if waiting else None


def _part_kind(part: Any, model_turn: bool) -> tuple[str | None, str]:
    """What a Gemini part becomes on Chat Completions, or None and why it cannot."""
    if not isinstance(part, dict):
        return None, "a part must be an object"
    if "text" in part:
        if part.get("thought") is True:
            return None, "a thought summary from an earlier reply; Chat Completions takes no reasoning in requests"
        return ("text", "") if isinstance(part["text"], str) else (None, "text must be a string")
    if "executableCode" in part or "codeExecutionResult" in part:
        return None, "code execution has no Chat Completions field"
    if model_turn:
        if "functionCall" in part and isinstance(part["functionCall"], dict) \
                and isinstance(part["functionCall"].get("name"), str):
            return "call", ""
        return None, "Chat Completions assistant messages hold only text and tool calls"
    if "functionResponse" in part and isinstance(part["functionResponse"], dict) \
            and isinstance(part["functionResponse"].get("name"), str):
        return "response", ""
    blob = part.get("inlineData")
    if isinstance(blob, dict) and isinstance(blob.get("data"), str):
        mime = str(blob.get("mimeType") or "")
        if mime.startswith("image/"):
            return "image", ""
        if mime == "application/pdf":
            return "pdf", ""
        if mime in AUDIO_FORMATS:
            return "audio", ""
        return None, f"Chat Completions takes images, PDFs and wav/mp3 audio inline, not {mime or 'untyped data'}"
    ref = part.get("fileData")
    if isinstance(ref, dict) and isinstance(ref.get("fileUri"), str):
        mime = str(ref.get("mimeType") or "")
        if not mime or mime.startswith("image/"):
            return "image_url", ""
        return None, f"Chat Completions fetches only images by URL, not {mime}"
    if "functionCall" in part:
        return None, "a function call belongs in a model turn"
    return None, "this kind of part has no Chat Completions form"


_PART_KEYS = {"text": {"text", "thought"}, "call": {"functionCall"}, "response": {"functionResponse"},
              "image": {"inlineData"}, "pdf": {"inlineData"}, "audio": {"inlineData"}, "image_url": {"fileData"}}


class _GeminiToOpenAI:
    def __init__(self, typed: Mapping[str, Any], model: str | None):
        self.src = _camelize(copy.deepcopy(dict(typed)))
        self.gemini3 = _is_gemini3(model)  # which thinking field the way back will write
        self.r = _Report(typed)
        self.out: dict[str, Any] = {"model": model} if model else {}
        self.messages: list[dict[str, Any]] = []
        self.out["messages"] = self.messages
        self.ids = _Ids()

    def run(self) -> Conversion:
        if "systemInstruction" in self.src:  # system messages lead, wherever the field was
            self.system(self.src["systemInstruction"], "$.systemInstruction")
        for key, value in self.src.items():
            path = _at("$", key)
            if key == "contents":
                self.contents(value, path)
            elif key == "generationConfig":
                self.generation(value, path)
            elif key == "tools":
                self.tools(value, path)
            elif key == "toolConfig":
                self.tool_config(value, path)
            elif key != "systemInstruction":
                self.r.dropped(path, GEMINI_ONLY.get(key, UNKNOWN_GEMINI), value)
        return Conversion(self.out, tuple(self.r.rows), self.r.leftover)

    @property
    def next_message(self) -> str:
        return f"$.messages[{len(self.messages)}]"

    # -- turns --
    def system(self, value: Any, path: str) -> None:
        r = self.r
        if isinstance(value, str):
            r.approximated(path, self.next_message, "a plain string; comes back as {parts: [{text}]}", value)
            self.messages.append({"role": "system", "content": value})
            return
        if not isinstance(value, dict) or not isinstance(value.get("parts"), list):
            r.dropped(path, "a system instruction must be an object with a parts list", value)
            return
        for j, part in enumerate(value["parts"]):
            ppath = f"{path}.parts[{j}]"
            if _part_kind(part, True)[0] != "text":
                r.dropped(ppath, "only text can go in a system message", part)
                continue
            r.mapped(ppath, self.next_message, "system message")
            r.extras(part, ppath, {"text", "thought"}, "a system message holds only text")
            self.messages.append({"role": "system", "content": part["text"]})
        r.extras(value, path, {"parts"}, "Gemini ignores the role of a system instruction")

    def contents(self, turns: Any, path: str) -> None:
        if not isinstance(turns, list):
            self.r.dropped(path, "`contents` must be a list of turns", turns)
            return
        for i, turn in enumerate(turns):
            tpath = f"{path}[{i}]"
            if not isinstance(turn, dict) or not isinstance(turn.get("parts"), list):
                self.r.dropped(tpath, "a turn needs a parts list", turn)
                continue
            model_turn = turn.get("role") == "model"
            kinds = [_part_kind(p, model_turn) for p in turn["parts"]]
            if all(kind is None for kind, _ in kinds):
                whys = sorted({why for _, why in kinds}) or ["the turn has no parts"]
                self.r.dropped(tpath, "nothing in this turn has a Chat Completions form: " + "; ".join(whys), turn)
                continue
            role = turn.get("role", "user")
            if role not in ("user", "model", "function"):
                self.r.approximated(f"{tpath}.role", None, f"unknown role {role!r} sent as user", role)
            self.r.extras(turn, tpath, {"role", "parts"}, UNKNOWN_GEMINI)
            (self.model_turn if model_turn else self.user_turn)(turn["parts"], kinds, tpath)

    def _extras(self, part: dict, ppath: str, kind: str) -> None:
        for key, value in part.items():
            if key not in _PART_KEYS[kind]:
                why = GEMINI_ONLY.get(key, "this part field has no Chat Completions form")
                self.r.dropped(_at(ppath, key), why, value)

    def model_turn(self, parts: list, kinds: list, tpath: str) -> None:
        r, at = self.r, self.next_message
        texts: list[str] = []
        calls: list[dict[str, Any]] = []
        for j, (part, (kind, why)) in enumerate(zip(parts, kinds)):
            ppath = f"{tpath}.parts[{j}]"
            if kind is None:
                r.dropped(ppath, why, part)
                continue
            self._extras(part, ppath, kind)
            if kind == "text":
                texts.append(part["text"])
                continue
            fc = part["functionCall"]
            call_id = fc["id"] if isinstance(fc.get("id"), str) else self.ids.new()
            self.ids.called(fc["name"], call_id)
            args = fc.get("args") if fc.get("args") is not None else {}
            r.mapped(f"{ppath}.functionCall", f"{at}.tool_calls[{len(calls)}]",
                     "" if "id" in fc else f"id {call_id} made up (Chat Completions needs one)")
            r.extras(fc, f"{ppath}.functionCall", {"name", "args", "id"}, "a tool call has only a name and arguments")
            calls.append({"id": call_id, "type": "function",
                          "function": {"name": fc["name"], "arguments": json.dumps(args, ensure_ascii=False)}})
        message: dict[str, Any] = {"role": "assistant"}
        if texts:
            message["content"] = texts[0] if len(texts) == 1 else [{"type": "text", "text": t} for t in texts]
        else:
            message["content"] = None
        if calls:
            message["tool_calls"] = calls
        r.mapped(tpath, at, "role model -> assistant")
        self.messages.append(message)

    def user_turn(self, parts: list, kinds: list, tpath: str) -> None:
        r = self.r
        answers = [(j, p) for j, (p, (k, _)) in enumerate(zip(parts, kinds)) if k == "response"]
        for j, part in answers:  # tool messages first: they answer the previous assistant turn
            ppath = f"{tpath}.parts[{j}]"
            self._extras(part, ppath, "response")
            fr = part["functionResponse"]
            call_id = fr["id"] if isinstance(fr.get("id"), str) else self.ids.answer(fr["name"])
            if call_id is None:
                call_id = self.ids.new()
                r.approximated(f"{ppath}.functionResponse.name", None,
                               "no earlier functionCall has this name; the tool message gets a new id", fr["name"])
            response = fr.get("response") if fr.get("response") is not None else {}
            plain = isinstance(response, dict) and list(response) == ["output"] and isinstance(response["output"], str)
            result = response["output"] if plain else json.dumps(response, ensure_ascii=False)
            r.mapped(f"{ppath}.functionResponse", self.next_message, "functionResponse -> tool message")
            r.extras(fr, f"{ppath}.functionResponse", {"name", "response", "id"},
                     "a tool message has only the call id and the result")
            self.messages.append({"role": "tool", "tool_call_id": call_id, "content": result})
        at = self.next_message
        content: list[dict[str, Any]] = []
        for j, (part, (kind, why)) in enumerate(zip(parts, kinds)):
            ppath = f"{tpath}.parts[{j}]"
            if kind is None:
                r.dropped(ppath, why, part)
            elif kind != "response":
                self._extras(part, ppath, kind)
                content.append(self.media(part, kind, ppath, f"{at}.content[{len(content)}]"))
        if not content:
            return
        if len(content) == 1 and content[0]["type"] == "text":
            self.messages.append({"role": "user", "content": content[0]["text"]})
        else:
            self.messages.append({"role": "user", "content": content})
        if answers:
            r.approximated(tpath, at, "function responses go first as tool messages and the rest follows as a "
                                      "user message; it comes back as two turns")
        else:
            r.mapped(tpath, at, "user turn")

    def media(self, part: dict, kind: str, ppath: str, target: str) -> dict[str, Any]:
        r = self.r
        if kind == "text":
            return {"type": "text", "text": part["text"]}
        if kind == "image_url":
            ref = part["fileData"]
            r.approximated(f"{ppath}.fileData", target,
                           "sent as an image URL: Chat Completions fetches it itself and the MIME type is not sent")
            if "mimeType" in ref:
                r.keep(f"{ppath}.fileData.mimeType", ref["mimeType"])
            r.extras(ref, f"{ppath}.fileData", {"fileUri", "mimeType"}, "an image URL has no such field")
            return {"type": "image_url", "image_url": {"url": ref["fileUri"]}}
        blob = part["inlineData"]
        mime, data = blob.get("mimeType"), blob["data"]
        r.extras(blob, f"{ppath}.inlineData", {"mimeType", "data"},
                 "Chat Completions content parts carry only the data and its type")
        if kind == "image":
            r.mapped(f"{ppath}.inlineData", target, "image_url with a base64 data URL")
            return {"type": "image_url", "image_url": {"url": f"data:{mime};base64,{data}"}}
        if kind == "pdf":
            r.mapped(f"{ppath}.inlineData", target, "file part with a base64 data URL (filename document.pdf)")
            return {"type": "file", "file": {"filename": "document.pdf", "file_data": f"data:{mime};base64,{data}"}}
        fmt = AUDIO_FORMATS[mime]
        if mime == f"audio/{fmt}":
            r.mapped(f"{ppath}.inlineData", target, f"input_audio, format {fmt}")
        else:
            r.approximated(f"{ppath}.inlineData.mimeType", f"{target}.input_audio.format",
                           f"{mime} sent as format {fmt}", mime)
        return {"type": "input_audio", "input_audio": {"data": data, "format": fmt}}

    # -- settings --
    def generation(self, config: Any, path: str) -> None:
        r, out = self.r, self.out
        if not isinstance(config, dict) or not config:
            r.dropped(path, "empty" if config == {} else "`generationConfig` must be an object", config)
            return
        for key, value in config.items():
            kpath = _at(path, key)
            if key in SAMPLING:
                out[SAMPLING[key]] = value
                r.mapped(kpath, f"$.{SAMPLING[key]}")
            elif key == "stopSequences":
                out["stop"] = value
                r.mapped(kpath, "$.stop")
            elif key == "thinkingConfig":
                self.thinking(value, kpath)
            elif key not in ("responseMimeType", "responseSchema", "responseJsonSchema"):
                r.dropped(kpath, GEMINI_ONLY.get(key, UNKNOWN_GEMINI), value)
        self.response_format(config, path)

    def response_format(self, config: dict, path: str) -> None:
        r = self.r
        mime, schema, js = (config.get(k) for k in ("responseMimeType", "responseSchema", "responseJsonSchema"))
        mpath, spath, jpath = (_at(path, k) for k in ("responseMimeType", "responseSchema", "responseJsonSchema"))
        has_schema = "responseSchema" in config or "responseJsonSchema" in config
        if mime == "application/json":
            r.mapped(mpath, "$.response_format.type",
                     "json_schema" if has_schema else "json_object")
            if not has_schema:
                self.out["response_format"] = {"type": "json_object"}
                return
            if "responseJsonSchema" in config:
                converted = js
                r.mapped(jpath, "$.response_format.json_schema.schema",
                         'named "response" (Chat Completions needs a name)')
                if "responseSchema" in config:
                    r.dropped(spath, "responseJsonSchema is used; Gemini rejects both together", schema)
            else:
                notes: set[str] = set()
                converted = gemini_schema_to_json_schema(schema, notes)
                how = "; ".join(["OpenAPI-subset Schema rewritten as JSON Schema (lower-case types)", *sorted(notes)])
                r.approximated(spath, "$.response_format.json_schema.schema",
                               how + '; comes back as responseJsonSchema', schema)
            self.out["response_format"] = {"type": "json_schema",
                                           "json_schema": {"name": "response", "schema": converted}}
        elif mime == "text/plain":
            r.mapped(mpath, "$.response_format.type", "text")
            self.out["response_format"] = {"type": "text"}
            for key, p in (("responseSchema", spath), ("responseJsonSchema", jpath)):
                if key in config:
                    r.dropped(p, "a schema needs responseMimeType application/json", config[key])
        else:
            if "responseMimeType" in config:
                r.dropped(mpath, f"Chat Completions has no {mime} output mode", mime)
            for key, p in (("responseSchema", spath), ("responseJsonSchema", jpath)):
                if key in config:
                    r.dropped(p, "a schema needs responseMimeType application/json", config[key])

    def thinking(self, config: Any, path: str) -> None:
        r = self.r
        if not isinstance(config, dict) or not config:
            r.dropped(path, "empty" if config == {} else "`thinkingConfig` must be an object", config)
            return
        level, budget = config.get("thinkingLevel"), config.get("thinkingBudget")
        lpath, bpath = _at(path, "thinkingLevel"), _at(path, "thinkingBudget")
        if "thinkingLevel" in config:
            if isinstance(level, str) and level.upper() in LEVELS:
                self.out["reasoning_effort"] = level.lower()
                if level.isupper() and self.gemini3:
                    r.mapped(lpath, "$.reasoning_effort")
                else:
                    r.approximated(lpath, "$.reasoning_effort", "comes back in upper case, as thinkingBudget"
                                   " unless the model is a Gemini 3 one", level)
            else:
                r.dropped(lpath, f"no reasoning_effort matches thinking level {level!r}", level)
            if "thinkingBudget" in config:
                r.dropped(bpath, "thinkingLevel is used; Gemini rejects both together", budget)
        elif "thinkingBudget" in config:
            if isinstance(budget, bool) or not isinstance(budget, (int, float)) or budget < -1:
                r.dropped(bpath, f"{budget!r} is not a thinking budget", budget)
            elif budget == -1:
                r.dropped(bpath, "dynamic thinking is what a model does when reasoning_effort is absent", budget)
            else:
                effort = _effort(int(budget))
                self.out["reasoning_effort"] = effort
                if budget == BUDGETS[effort] and not self.gemini3:
                    r.mapped(bpath, "$.reasoning_effort", f"{budget} tokens = {effort} (Google's table)")
                else:
                    r.approximated(bpath, "$.reasoning_effort",
                                   f"{budget} tokens -> {effort!r} (none 0, low <=1024, medium <=8192, else high);"
                                   f" comes back as {BUDGETS[effort]}", budget)
        for key, value in config.items():
            if key not in ("thinkingLevel", "thinkingBudget"):
                r.dropped(_at(path, key), GEMINI_ONLY.get(key, UNKNOWN_GEMINI), value)

    def tools(self, tools: Any, path: str) -> None:
        r = self.r
        if not isinstance(tools, list) or not tools:
            r.dropped(path, "empty" if tools == [] else "`tools` must be a list", tools)
            return
        converted: list[dict[str, Any]] = []
        for i, tool in enumerate(tools):
            tpath = f"{path}[{i}]"
            if not isinstance(tool, dict):
                r.dropped(tpath, "a tool must be an object", tool)
                continue
            decls = tool.get("functionDeclarations")
            whole = not isinstance(decls, list)  # nothing carries: keep the tool as one element
            for key, value in tool.items():
                if key != "functionDeclarations" or whole:
                    why = GEMINI_ONLY.get(key, "this tool has no Chat Completions form")
                    r.dropped(_at(tpath, key), why, tool if whole else value, keep_at=tpath if whole else None)
            for k, decl in enumerate(decls if not whole else []):
                dpath = f"{tpath}.functionDeclarations[{k}]"
                if not isinstance(decl, dict) or not isinstance(decl.get("name"), str):
                    r.dropped(dpath, "a function declaration needs a name", decl)
                    continue
                converted.append(self.function(decl, dpath, f"$.tools[{len(converted)}]"))
        if converted:
            self.out["tools"] = converted

    def function(self, decl: dict, path: str, target: str) -> dict[str, Any]:
        r = self.r
        fn: dict[str, Any] = {"name": decl["name"]}
        r.mapped(path, target, "function tool")
        for key, value in decl.items():
            kpath = _at(path, key)
            if key in ("name",):
                continue
            if key == "description":
                fn["description"] = value
            elif key == "parametersJsonSchema" and "parameters" not in decl:
                fn["parameters"] = value
                r.mapped(kpath, f"{target}.function.parameters")
            elif key == "parameters":
                notes: set[str] = set()
                fn["parameters"] = gemini_schema_to_json_schema(value, notes)
                how = "; ".join(["OpenAPI-subset Schema rewritten as JSON Schema (lower-case types)", *sorted(notes)])
                r.approximated(kpath, f"{target}.function.parameters",
                               how + "; comes back as parametersJsonSchema", value)
            elif key == "parametersJsonSchema":
                r.dropped(kpath, "parameters is used; Gemini rejects both together", value)
            else:
                r.dropped(kpath, "Chat Completions function tools have no such field", value)
        return {"type": "function", "function": fn}

    def tool_config(self, config: Any, path: str) -> None:
        r = self.r
        if not isinstance(config, dict) or not config:
            r.dropped(path, "empty" if config == {} else "`toolConfig` must be an object", config)
            return
        for key, value in config.items():
            if key != "functionCallingConfig" or not isinstance(value, dict):
                r.dropped(_at(path, key), "Chat Completions has no such tool setting", value)
                continue
            fpath = _at(path, key)
            mode = value.get("mode", "AUTO")
            names = value.get("allowedFunctionNames")
            upper = mode.upper() if isinstance(mode, str) else ""
            choice: Any
            if upper == "ANY" and isinstance(names, list) and len(names) == 1:
                choice = {"type": "function", "function": {"name": names[0]}}
            elif upper in ("ANY", "AUTO") and isinstance(names, list) and names:
                choice = {"type": "allowed_tools", "allowed_tools": {
                    "mode": "required" if upper == "ANY" else "auto",
                    "tools": [{"type": "function", "function": {"name": n}} for n in names]}}
            else:
                choice = {"ANY": "required", "AUTO": "auto", "NONE": "none", "VALIDATED": "auto"}.get(upper)
            if choice is None:
                r.dropped(_at(fpath, "mode"), f"no tool_choice matches mode {mode!r}", mode)
            elif upper == "VALIDATED" or (mode != upper and "mode" in value):
                r.approximated(_at(fpath, "mode"), "$.tool_choice",
                               f"{mode} sent as {json.dumps(choice)}", mode)
            else:
                r.mapped(fpath, "$.tool_choice")
            if choice is not None:
                self.out["tool_choice"] = choice
            r.extras(value, fpath, {"mode", "allowedFunctionNames"}, "Chat Completions has no such tool setting")


def gemini_schema_to_json_schema(schema: Any, notes: set[str] | None = None) -> Any:
    """Gemini's OpenAPI-subset ``Schema`` (``"type": "STRING"``, ``nullable``) as JSON Schema.
    ``notes`` collects what did not carry exactly."""
    notes = set() if notes is None else notes
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "type" and isinstance(value, str):
            if value.upper() != "TYPE_UNSPECIFIED":
                out["type"] = value.lower()
        elif key == "nullable":
            if value is not True:
                notes.add("nullable: false dropped")
        elif key == "properties" and isinstance(value, dict):
            out[key] = {name: gemini_schema_to_json_schema(s, notes) for name, s in value.items()}
        elif key == "items":
            out[key] = gemini_schema_to_json_schema(value, notes)
        elif key == "anyOf" and isinstance(value, list):
            out[key] = [gemini_schema_to_json_schema(s, notes) for s in value]
        elif key == "propertyOrdering":
            notes.add("propertyOrdering dropped (JSON Schema objects are unordered)")
        elif key == "example":
            out["examples"] = [value]
            notes.add("example -> examples")
        else:
            out[key] = value
    if schema.get("nullable") is True:
        notes.add('nullable -> a "null" type')
        kind = out.get("type")
        out["type"] = [kind, "null"] if isinstance(kind, str) else "null" if kind is None else kind
    return out


# ---- OpenAI -> Gemini ---------------------------------------------------------------------------

def _texts(content: Any) -> list[str] | None:
    """A message's text parts, or None when the content holds something other than text."""
    if isinstance(content, str):
        return [content]
    if isinstance(content, list) and all(isinstance(p, dict) and p.get("type") == "text"
                                         and isinstance(p.get("text"), str) for p in content):
        return [p["text"] for p in content]
    return None


def _same_json(parsed: Any, text: str) -> bool:
    return json.dumps(parsed, ensure_ascii=False) == text


class _OpenAIToGemini:
    def __init__(self, body: Mapping[str, Any], model: str | None):
        self.src = copy.deepcopy(dict(body))
        model_in_body = self.src.get("model")
        self.model = model or (model_in_body if isinstance(model_in_body, str) else None)
        self.r = _Report()
        self.contents: list[dict[str, Any]] = []
        self.system: list[dict[str, Any]] = []
        self.gen: dict[str, Any] = {}
        self.out: dict[str, Any] = {}
        self.names: dict[str, str] = {}  # tool_call id -> function name

    def run(self) -> Conversion:
        r, out = self.r, self.out
        out["contents"] = self.contents
        for key, value in self.src.items():
            path = _at("$", key)
            if key == "messages":
                self.messages(value, path)
            elif key == "model":
                r.mapped(path, None, "the model goes in the URL path on the Gemini route")
            elif key == "stream":
                r.mapped(path, None, "streaming is the operator (:streamGenerateContent?alt=sse): "
                                     "the Stream switch keeps it")
            elif key in SAMPLING.values():
                target = next(k for k, v in SAMPLING.items() if v == key)
                self.gen[target] = value
                r.mapped(path, f"$.generationConfig.{target}")
            elif key == "max_tokens":
                if "max_completion_tokens" in self.src:
                    r.dropped(path, "max_completion_tokens is used (max_tokens is its deprecated spelling)", value)
                else:
                    self.gen["maxOutputTokens"] = value
                    r.approximated(path, "$.generationConfig.maxOutputTokens",
                                   "comes back as max_completion_tokens (max_tokens is deprecated)", value)
            elif key == "stop":
                self.stop(value, path)
            elif key == "response_format":
                self.response_format(value, path)
            elif key == "reasoning_effort":
                self.effort(value, path)
            elif key == "tools":
                self.tools(value, path)
            elif key == "tool_choice":
                self.tool_choice(value, path)
            else:
                r.dropped(path, OPENAI_ONLY.get(key, UNKNOWN_OPENAI), value)
        if self.system:
            out["systemInstruction"] = {"parts": self.system}
        if self.gen:
            out["generationConfig"] = self.gen
        for key in ("tools", "toolConfig"):  # settings after the turns, as Gemini's docs write them
            if key in out:
                out[key] = out.pop(key)
        return Conversion(out, tuple(r.rows), r.leftover)

    # -- messages --
    def messages(self, messages: Any, path: str) -> None:
        r = self.r
        if not isinstance(messages, list):
            r.dropped(path, "`messages` must be a list", messages)
            return
        tool_turn = False  # the last turn holds tool results: the next tool message joins it
        leading = True
        for i, msg in enumerate(messages):
            mpath = f"{path}[{i}]"
            role = msg.get("role") if isinstance(msg, dict) else None
            if role not in ("system", "developer"):
                leading = False
            if role in ("system", "developer"):
                self.system_message(msg, mpath, leading)
            elif role == "user":
                at = f"$.contents[{len(self.contents)}]"
                parts = self.user_parts(msg.get("content"), f"{mpath}.content", at)
                if parts:
                    self.contents.append({"role": "user", "parts": parts})
                    r.mapped(mpath, at, "user turn")
                else:
                    r.dropped(mpath, "the message has nothing Gemini can take", msg)
                self.extras(msg, mpath, {"role", "content"})
                tool_turn = False
                continue
            elif role == "assistant":
                self.assistant(msg, mpath)
            elif role == "tool":
                self.tool_message(msg, mpath, tool_turn)
                tool_turn = True
                continue
            else:
                r.dropped(mpath, f"role {role!r} has no Gemini form (legacy function messages: use tool)"
                          if role == "function" else "a message needs a role", msg)
            tool_turn = False

    def extras(self, msg: dict, path: str, known: set[str]) -> None:
        for key, value in msg.items():
            if key not in known:
                self.r.dropped(_at(path, key), OPENAI_ONLY.get(key, UNKNOWN_OPENAI), value)

    def system_message(self, msg: dict, mpath: str, leading: bool) -> None:
        r = self.r
        texts = _texts(msg.get("content"))
        if not texts:
            r.dropped(mpath, "only text can go in Gemini's systemInstruction", msg)
            return
        at = f"$.systemInstruction.parts[{len(self.system)}]"
        self.system.extend({"text": t} for t in texts)
        if not leading:
            r.approximated(mpath, at, "moved into systemInstruction: its place among the turns is lost")
        else:
            r.mapped(mpath, at, "systemInstruction part")
        if msg["role"] == "developer":
            r.approximated(f"{mpath}.role", at, "developer and system both become systemInstruction", "developer")
        if isinstance(msg["content"], list):
            r.approximated(f"{mpath}.content", at, "text parts become systemInstruction parts", msg["content"])
        self.extras(msg, mpath, {"role", "content"})

    def user_parts(self, content: Any, cpath: str, turn: str) -> list[dict[str, Any]]:
        r = self.r
        if isinstance(content, str):
            return [{"text": content}]
        if not isinstance(content, list):
            return []
        if len(content) == 1 and _texts(content):
            r.approximated(cpath, f"{turn}.parts[0]", "a one-part list comes back as a plain string", content)
        parts: list[dict[str, Any]] = []
        for j, item in enumerate(content):
            ipath = f"{cpath}[{j}]"
            target = f"{turn}.parts[{len(parts)}]"
            part = self.content_part(item, ipath, target) if isinstance(item, dict) else None
            if part is None:
                r.dropped(ipath, "this content part has no Gemini form", item)
            else:
                parts.append(part)
        return parts

    def content_part(self, item: dict, path: str, target: str) -> dict[str, Any] | None:
        r, kind = self.r, item.get("type")
        if kind == "text" and isinstance(item.get("text"), str):
            self.extras(item, path, {"type", "text"})
            return {"text": item["text"]}
        if kind == "image_url" and isinstance(item.get("image_url"), dict) \
                and isinstance(item["image_url"].get("url"), str):
            url = item["image_url"]["url"]
            self.extras(item, path, {"type", "image_url"})
            self.extras(item["image_url"], f"{path}.image_url", {"url"})
            m = _DATA_URL.match(url)
            if m:
                r.mapped(path, target, "inlineData (base64 from the data URL)")
                return {"inlineData": {"mimeType": m.group(1), "data": m.group(2)}}
            if url.startswith("data:"):
                return None
            mime = mimetypes.guess_type(url.split("?")[0])[0] or "image/jpeg"
            r.approximated(path, target, f"fileData by URL; MIME type {mime} guessed from the URL")
            return {"fileData": {"mimeType": mime, "fileUri": url}}
        if kind == "file" and isinstance(item.get("file"), dict):
            file = item["file"]
            m = _DATA_URL.match(file.get("file_data") or "") if isinstance(file.get("file_data"), str) else None
            if not m:
                return None  # file ids name OpenAI's file store, which Gemini cannot read
            r.mapped(path, target, "inlineData (base64 from the data URL)")
            for key, value in file.items():
                if key == "filename":
                    r.dropped(f"{path}.file.filename", "Gemini inline data has no file name", value)
                elif key != "file_data":
                    r.dropped(_at(f"{path}.file", key), UNKNOWN_OPENAI, value)
            self.extras(item, path, {"type", "file"})
            return {"inlineData": {"mimeType": m.group(1), "data": m.group(2)}}
        if kind == "input_audio" and isinstance(item.get("input_audio"), dict) \
                and isinstance(item["input_audio"].get("data"), str):
            audio = item["input_audio"]
            fmt = audio.get("format")
            r.mapped(path, target, f"inlineData audio/{fmt}")
            self.extras(item, path, {"type", "input_audio"})
            self.extras(audio, f"{path}.input_audio", {"data", "format"})
            return {"inlineData": {"mimeType": f"audio/{fmt}", "data": audio["data"]}}
        return None

    def assistant(self, msg: dict, mpath: str) -> None:
        r = self.r
        content = msg.get("content")
        calls = msg.get("tool_calls")
        empty = content is None or (content == "" and bool(calls))
        texts = [] if empty else _texts(content)
        at = f"$.contents[{len(self.contents)}]"
        parts: list[dict[str, Any]] = [{"text": t} for t in texts or []]
        if texts is None:
            r.dropped(f"{mpath}.content", "Gemini model turns here carry only text and function calls", content)
        elif isinstance(content, list) and len(content) == 1:
            r.approximated(f"{mpath}.content", at, "a one-part list comes back as a plain string", content)
        elif content == "" and empty or ("content" not in msg and calls):
            r.approximated(f"{mpath}.content", at, "empty content comes back as null",
                           *([content] if "content" in msg else []))
        for j, call in enumerate(calls if isinstance(calls, list) else []):
            part = self.tool_call(call, f"{mpath}.tool_calls[{j}]", f"{at}.parts[{len(parts)}]")
            if part:
                parts.append(part)
        if calls is not None and not isinstance(calls, list):
            r.dropped(f"{mpath}.tool_calls", "`tool_calls` must be a list", calls)
        if not parts:
            r.dropped(mpath, "the message has nothing Gemini can take", msg)
            return
        r.mapped(mpath, at, "role assistant -> model")
        self.extras(msg, mpath, {"role", "content", "tool_calls"})
        self.contents.append({"role": "model", "parts": parts})

    def tool_call(self, call: Any, path: str, target: str) -> dict[str, Any] | None:
        r = self.r
        fn = call.get("function") if isinstance(call, dict) else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) \
                or call.get("type", "function") != "function":
            r.dropped(path, "only function tool calls have a Gemini form", call)
            return None
        raw = fn.get("arguments", "{}")
        try:
            args = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            args = None
        if not isinstance(args, dict):
            r.approximated(f"{path}.function.arguments", f"{target}.functionCall.args",
                           "not a JSON object; sent as {}", raw)
            args = {}
        elif not isinstance(raw, str) or not _same_json(args, raw):
            r.approximated(f"{path}.function.arguments", f"{target}.functionCall.args",
                           "parsed into an object; comes back re-serialised", raw)
        fc: dict[str, Any] = {"name": fn["name"], "args": args}
        call_id = call.get("id")
        if isinstance(call_id, str):
            self.names[call_id] = fn["name"]
            if not GENERATED_ID.match(call_id):
                fc["id"] = call_id
        r.mapped(path, target, "functionCall part")
        self.extras(call, path, {"id", "type", "function"})
        self.extras(fn, f"{path}.function", {"name", "arguments"})
        return {"functionCall": fc}

    def tool_message(self, msg: dict, mpath: str, tool_turn: bool) -> None:
        r = self.r
        call_id = msg.get("tool_call_id")
        content = msg.get("content")
        name = self.names.get(call_id) if isinstance(call_id, str) else None
        if name is None:
            name = str(call_id)
            r.approximated(f"{mpath}.tool_call_id", None,
                           "no earlier tool call has this id; it is used as the function name")
        texts = _texts(content)
        text = "".join(texts) if texts is not None else json.dumps(content, ensure_ascii=False)
        if not isinstance(content, str):
            r.approximated(f"{mpath}.content", None, "joined into one text result", content)
        try:
            response = json.loads(text)
        except ValueError:
            response = None
        if not isinstance(response, dict):
            response = {"output": text}  # the SDK's convention for a plain result (wire-formats B.2)
        elif isinstance(content, str) and not _same_json(response, content):
            r.approximated(f"{mpath}.content", None, "parsed into an object; comes back re-serialised", content)
        fr: dict[str, Any] = {"name": name, "response": response}
        if isinstance(call_id, str) and not GENERATED_ID.match(call_id):
            fr["id"] = call_id
        if tool_turn:
            at = f"$.contents[{len(self.contents) - 1}]"
            self.contents[-1]["parts"].append({"functionResponse": fr})
        else:
            at = f"$.contents[{len(self.contents)}]"
            self.contents.append({"role": "user", "parts": [{"functionResponse": fr}]})
        r.mapped(mpath, at, "functionResponse part in a user turn")
        self.extras(msg, mpath, {"role", "content", "tool_call_id"})

    # -- settings --
    def stop(self, value: Any, path: str) -> None:
        if isinstance(value, str):
            self.gen["stopSequences"] = [value]
            self.r.approximated(path, "$.generationConfig.stopSequences",
                                "one string becomes a one-item list", value)
        elif isinstance(value, list):
            self.gen["stopSequences"] = value
            self.r.mapped(path, "$.generationConfig.stopSequences")
        elif value is not None:
            self.r.dropped(path, "`stop` must be a string or a list", value)

    def response_format(self, value: Any, path: str) -> None:
        r, gen = self.r, self.gen
        kind = value.get("type") if isinstance(value, dict) else None
        if kind == "text":
            gen["responseMimeType"] = "text/plain"
            r.mapped(path, "$.generationConfig.responseMimeType")
        elif kind == "json_object":
            gen["responseMimeType"] = "application/json"
            r.mapped(path, "$.generationConfig.responseMimeType")
        elif kind == "json_schema" and isinstance(value.get("json_schema"), dict) \
                and isinstance(value["json_schema"].get("schema"), dict):
            spec = value["json_schema"]
            gen["responseMimeType"] = "application/json"
            gen["responseJsonSchema"] = spec["schema"]
            r.mapped(f"{path}.type", "$.generationConfig.responseMimeType")
            r.mapped(f"{path}.json_schema.schema", "$.generationConfig.responseJsonSchema")
            for key, v in spec.items():
                if key != "schema":
                    why = {"name": "Gemini's response schema has no name",
                           "description": "Gemini's response schema has no separate description",
                           "strict": "Gemini has no strict schema mode"}.get(key, UNKNOWN_OPENAI)
                    r.dropped(f"{path}.json_schema.{key}", why, v)
            self.extras(value, path, {"type", "json_schema"})
        else:
            r.dropped(path, "no Gemini output mode matches this response_format", value)

    def effort(self, value: Any, path: str) -> None:
        r = self.r
        if _is_gemini3(self.model):
            exact = {"minimal": "MINIMAL", "low": "LOW", "medium": "MEDIUM", "high": "HIGH"}
            near = {"none": "MINIMAL", "xhigh": "HIGH", "max": "HIGH"}
            key, why = "thinkingLevel", "Gemini 3 models cannot turn thinking off" if value == "none" else ""
        else:
            exact = dict(BUDGETS)
            near = {"minimal": 1024, "xhigh": 24576, "max": 24576}
            key, why = "thinkingBudget", ""
        target = f"$.generationConfig.thinkingConfig.{key}"
        if value in exact:
            self.gen.setdefault("thinkingConfig", {})[key] = exact[value]
            r.mapped(path, target, f"{value} = {exact[value]} (Google's table)")
        elif value in near:
            self.gen.setdefault("thinkingConfig", {})[key] = near[value]
            r.approximated(path, target, f"{value} -> {near[value]}" + (f" ({why})" if why else ""), value)
        else:
            r.dropped(path, f"no Gemini thinking setting matches {value!r}", value)

    def tools(self, tools: Any, path: str) -> None:
        r = self.r
        if not isinstance(tools, list) or not tools:
            r.dropped(path, "empty" if tools == [] else "`tools` must be a list", tools)
            return
        decls: list[dict[str, Any]] = []
        for i, tool in enumerate(tools):
            tpath = f"{path}[{i}]"
            fn = tool.get("function") if isinstance(tool, dict) else None
            if not isinstance(fn, dict) or tool.get("type", "function") != "function" \
                    or not isinstance(fn.get("name"), str):
                r.dropped(tpath, "only function tools have a Gemini form", tool)
                continue
            decl: dict[str, Any] = {"name": fn["name"]}
            at = f"$.tools[0].functionDeclarations[{len(decls)}]"
            r.mapped(tpath, at, "function declaration")
            for key, value in fn.items():
                if key == "description":
                    decl["description"] = value
                elif key == "parameters":
                    decl["parametersJsonSchema"] = value
                elif key != "name":
                    r.dropped(_at(f"{tpath}.function", key), OPENAI_ONLY.get(key, UNKNOWN_OPENAI), value)
            self.extras(tool, tpath, {"type", "function"})
            decls.append(decl)
        if decls:
            self.out["tools"] = [{"functionDeclarations": decls}]

    def tool_choice(self, value: Any, path: str) -> None:
        r = self.r
        config: dict[str, Any] | None = None
        if isinstance(value, str) and value in ("auto", "none", "required"):
            config = {"mode": {"auto": "AUTO", "none": "NONE", "required": "ANY"}[value]}
        elif isinstance(value, dict) and value.get("type") == "function" \
                and isinstance((value.get("function") or {}).get("name"), str):
            config = {"mode": "ANY", "allowedFunctionNames": [value["function"]["name"]]}
        elif isinstance(value, dict) and value.get("type") == "allowed_tools" \
                and isinstance(value.get("allowed_tools"), dict):
            allowed = value["allowed_tools"]
            names = [t["function"]["name"] for t in allowed.get("tools") or []
                     if isinstance(t, dict) and isinstance((t.get("function") or {}).get("name"), str)]
            config = {"mode": "ANY" if allowed.get("mode") == "required" else "AUTO", "allowedFunctionNames": names}
        if config is None:
            r.dropped(path, "no Gemini calling mode matches this tool_choice", value)
            return
        self.out["toolConfig"] = {"functionCallingConfig": config}
        r.mapped(path, "$.toolConfig.functionCallingConfig")


# ---- the public functions ----------------------------------------------------------------------

def convert(body: Mapping[str, Any], to: Route | str, *, model: str | None = None) -> Conversion:
    """``body`` rewritten for route ``to``, with a report of every field and the leftover.

    ``model`` is written into an OpenAI body, and picks ``thinkingLevel`` (Gemini 3) or
    ``thinkingBudget`` (others) for a Gemini one (default: the OpenAI body's own ``model``).
    A body already in ``to``'s shape comes back unchanged with an empty report.
    """
    to = Route.parse(to)
    source = detect_route(body) or _other(to)
    if source is to:
        out = copy.deepcopy(dict(body))
        if to is Route.OPENAI and model:
            out["model"] = model
        return Conversion(out)
    if to is Route.OPENAI:
        return _GeminiToOpenAI(body, model).run()
    return _OpenAIToGemini(body, model).run()


# Keys the reverse conversion writes in place of a restored one (restoring one removes the other).
STAND_INS = {
    Route.GEMINI: {"responseSchema": ("responseJsonSchema",), "parameters": ("parametersJsonSchema",),
                   "thinkingBudget": ("thinkingLevel",), "thinkingLevel": ("thinkingBudget",)},
    Route.OPENAI: {"max_tokens": ("max_completion_tokens",)},
}


def _put(body: dict[str, Any], path: str, value: Any, stand_ins: Mapping[str, tuple[str, ...]]) -> dict | None:
    """A copy of ``body`` with ``value`` at ``path`` (a list position is inserted), or None
    when the path cannot be followed."""
    tokens = split_path(path)
    if not tokens:
        return None
    out = copy.deepcopy(body)
    node: Any = out
    for token, nxt in zip(tokens, tokens[1:]):
        if isinstance(node, dict) and isinstance(token, str):
            if token not in node:
                node[token] = [] if isinstance(nxt, int) else {}
            node = node[token]
        elif isinstance(node, list) and isinstance(token, int) and token < len(node):
            node = node[token]
        else:
            return None
    last = tokens[-1]
    if isinstance(node, dict) and isinstance(last, str):
        for other in stand_ins.get(last, ()):
            node.pop(other, None)
        node[last] = copy.deepcopy(value)
    elif isinstance(node, list) and isinstance(last, int) and last <= len(node):
        node.insert(last, copy.deepcopy(value))
    else:
        return None
    return out


def restore(body: Mapping[str, Any], leftover: Mapping[str, Any], *,
            route: Route | str | None = None) -> dict[str, Any]:
    """Put the leftover of an earlier conversion back into ``body`` (a body converted back).

    Each value goes back only if that leaves unchanged what the other route would be sent: a
    dropped field always returns; an approximated one returns unless the user changed the
    value on the other route (their edit wins). Entries inside turns are matched by position.
    """
    route = Route.parse(route) if route else detect_route(body) or detect_route(
        {str(split_path(p)[0]): None for p in leftover if split_path(p)}) or Route.GEMINI
    other = _other(route)
    current = copy.deepcopy(dict(body))
    seen = convert(current, other).body
    for path, value in leftover.items():
        candidate = _put(current, path, value, STAND_INS[route])
        if candidate is not None and convert(candidate, other).body == seen:
            current = candidate
    return current
