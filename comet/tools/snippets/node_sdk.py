"""node-sdk: @google/genai on the Gemini route, openai on the OpenAI route (ES modules).

The openai package sends every member of the params object, so the body goes in whole.
@google/genai copies only the fields it knows, in camelCase: the body's keys are written in
camelCase (the user's own names, such as function arguments and schema properties, are kept)
and the rest rides in ``httpOptions.extraBody``, which the SDK deep-merges into the body.
"""

from __future__ import annotations

from comet.core.call import Call, Prepared, Route

from . import images, keys
from . import literals as lit
from .node import file_reads, js_warnings
from .sdkargs import camel, fold_keys, gemini_args


def _head(package: str, reads: list[str], imports: str, base_url: str, saves: bool = False) -> str:
    head = f"// npm install {package}; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs"
    if keys.local(base_url):
        head = f"// npm install {package}; save as comet.mjs and run: node comet.mjs\n// {keys.NOTE}."
    head += images.node_fs(bool(reads), saves)
    return f"{head}\n{imports}"


def _before(lines: list[str]) -> str:
    """Lines that go before the request statement (file reads, notes), then a newline."""
    return "".join(line + "\n" for line in lines)


def render(call: Call, prepared: Prepared, base_url: str) -> tuple[str, list[str]]:
    if call.route is Route.GEMINI:
        return _gemini(call, base_url)
    return _openai(call, prepared, base_url)


def _gemini(call: Call, base_url: str) -> tuple[str, list[str]]:
    args = gemini_args(call.body)
    config = fold_keys(args.config, camel)
    if args.extra:
        config["httpOptions"] = {"extraBody": args.extra}
    params = {"model": call.model, "contents": fold_keys(args.contents, camel)}
    if config:
        params["config"] = config
    params, reads = file_reads(call, params)
    saves = images.makes_images(call)
    sections = [_head("@google/genai", reads, 'import { GoogleGenAI } from "@google/genai";', base_url, saves)]
    if saves:
        sections.append(images.JS.strip("\n"))
    sections.append(f"const ai = new GoogleGenAI({{\n  apiKey: {keys.js(base_url)},\n"
                    f"  httpOptions: {{ baseUrl: {lit.quote(base_url, lit.JS)}, apiVersion: \"v1beta\" }},\n}});")
    pre = _before(reads + [lit.comment(note, lit.JS) for note in args.notes("httpOptions.extraBody")])
    if call.stream:
        sections.append(f"{pre}const stream = await ai.models.generateContentStream("
                        f"{lit.literal(params, lit.JS, used=55)});\n"
                        "for await (const chunk of stream) {\n" + "  saveImages(chunk);\n" * saves
                        + '  process.stdout.write(chunk.text ?? "");\n}\nprocess.stdout.write("\\n");')
    else:
        sections.append(f"{pre}const response = await ai.models.generateContent("
                        f"{lit.literal(params, lit.JS, used=49)});\n" + "saveImages(response);\n" * saves
                        + "console.log(response.text);")
    return "\n\n".join(sections) + "\n", args.warnings() + js_warnings(params)


def _openai(call: Call, prepared: Prepared, base_url: str) -> tuple[str, list[str]]:
    body = lit.source_body(call, prepared)
    first = {k: body[k] for k in ("model", "messages") if k in body}
    params, reads = file_reads(call, {**first, **body})
    sections = [_head("openai", reads, 'import OpenAI from "openai";', base_url)]
    sections.append(f"const client = new OpenAI({{\n  apiKey: {keys.js(base_url)},\n"
                    f"  baseURL: {lit.quote(base_url + '/v1', lit.JS)},\n}});")
    create = f"await client.chat.completions.create({lit.literal(params, lit.JS, used=56)});"
    if call.stream:
        sections.append(f"{_before(reads)}const stream = {create}\nfor await (const chunk of stream) {{\n"
                        '  process.stdout.write(chunk.choices[0]?.delta?.content ?? "");\n}\n'
                        'process.stdout.write("\\n");')
    else:
        sections.append(f"{_before(reads)}const completion = {create}\nconsole.log(completion.choices[0].message.content);")
    return "\n\n".join(sections) + "\n", js_warnings(params)
