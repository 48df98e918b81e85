"""OpenAI-compatible (Chat Completions) -> Gemini native."""

from __future__ import annotations

import copy
import json
import mimetypes
from typing import Any, Mapping

from comet.body import spelling
from comet.core.call import Route

from .common import (_DATA_URL, BUDGETS, GENERATED_ID, OPENAI_ONLY, SAMPLING, UNKNOWN_OPENAI, Conversion, _at,
                     _is_gemini3, _Report)


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
        for i, msg in spelling.turns(Route.OPENAI, self.src, every=True):  # a non-object is dropped below
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
        if not isinstance(value, str):  # a list or an object is no effort level (and unhashable)
            r.dropped(path, f"`reasoning_effort` must be a string, not {type(value).__name__}", value)
        elif value in exact:
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
        elif isinstance(value, dict) and value.get("type") == "function" and _function_name(value):
            config = {"mode": "ANY", "allowedFunctionNames": [_function_name(value)]}
        elif isinstance(value, dict) and value.get("type") == "allowed_tools" \
                and isinstance(value.get("allowed_tools"), dict):
            allowed = value["allowed_tools"]
            listed = allowed.get("tools")
            names = [_function_name(t) for t in listed if _function_name(t)] if isinstance(listed, list) else []
            mode = "ANY" if allowed.get("mode") == "required" else "AUTO"
            config = {"mode": mode, "allowedFunctionNames": names} if names else None
        if config is None:
            r.dropped(path, "no Gemini calling mode matches this tool_choice", value)
            return
        self.out["toolConfig"] = {"functionCallingConfig": config}
        r.mapped(path, "$.toolConfig.functionCallingConfig")


def _function_name(tool: Any) -> str | None:
    """The name in ``{"type": "function", "function": {"name": ...}}``; None when any level
    has another shape (a list, a number, a missing name)."""
    function = tool.get("function") if isinstance(tool, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    return name if isinstance(name, str) else None
