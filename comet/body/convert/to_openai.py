"""Gemini native -> OpenAI-compatible (Chat Completions)."""

from __future__ import annotations

import copy
import json
from typing import Any, Mapping

from comet.body import spelling
from comet.core.call import Route

from .common import (AUDIO_FORMATS, BUDGETS, LEVELS, SAMPLING, UNKNOWN_GEMINI, Conversion, _at, _camelize, _effort,
                     _is_gemini3, _Report, gemini_only)


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
                self.r.dropped(path, gemini_only(key, UNKNOWN_GEMINI), value)
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
        for i, turn in spelling.turns(Route.GEMINI, self.src, every=True):  # a non-object is dropped below
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
                why = gemini_only(key, "this part field has no Chat Completions form")
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
                r.dropped(kpath, gemini_only(key, UNKNOWN_GEMINI), value)
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
                r.dropped(_at(path, key), gemini_only(key, UNKNOWN_GEMINI), value)

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
                    why = gemini_only(key, "this tool has no Chat Completions form")
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
