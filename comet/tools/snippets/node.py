"""node: the built-in fetch of Node 18+, as an ES module (top-level await)."""

from __future__ import annotations

from comet.core.call import KEY_HEADER, Call, Prepared, Route

from . import images, keys
from . import literals as lit

GEMINI_TEXT = '''
function textOf(response) {
  // The answer in a response or a stream chunk (thought summaries left out).
  const parts = response.candidates?.[0]?.content?.parts ?? [];
  return parts.filter((part) => !part.thought).map((part) => part.text ?? "").join("");
}
'''

OPENAI_TEXT = '''
function textOf(chunk) {
  return chunk.choices?.[0]?.delta?.content ?? "";
}
'''

REQUEST = '''
const response = await fetch(url, {
  method: "POST",
  headers,
  body: JSON.stringify(body),
});
if (!response.ok) {
  throw new Error(`HTTP ${response.status}: ${await response.text()}`);
}
'''

STREAM = '''
const decoder = new TextDecoder();
let buffer = "";
for await (const bytes of response.body) {
  buffer += decoder.decode(bytes, { stream: true });
  const lines = buffer.split("\\n");
  buffer = lines.pop();
  for (const line of lines) {
    const data = line.startsWith("data:") ? line.slice(5).trim() : "";
    if (data && data !== "[DONE]") {
      EACH_CHUNK
    }
  }
}
process.stdout.write("\\n");
'''
EACH_CHUNK = "process.stdout.write(textOf(JSON.parse(data)));"
SAVING_CHUNK = """const chunk = JSON.parse(data);
      saveImages(chunk);
      process.stdout.write(textOf(chunk));"""


def file_reads(call: Call, value: object) -> tuple[object, list[str]]:
    """The value with attachment tokens linked to base64 strings read from the files, and the
    lines that read them (shared with the node-sdk snippets)."""
    names = lit.used_attachments(value, {a.name for a in call.attachments})
    variables = lit.variable_names(names, "camel", "base64")
    reads = [f'const {variables[n]} = readFileSync({lit.quote(n, lit.JS)}, "base64");' for n in names]
    return lit.link_attachments(value, variables, lit.JS), reads


def render(call: Call, prepared: Prepared, base_url: str) -> tuple[str, list[str]]:
    body, reads = file_reads(call, lit.source_body(call, prepared))
    key = keys.js(base_url)
    if KEY_HEADER[call.route] == "Authorization":
        key = f"`Bearer ${{{key}}}`"
    headers = {**prepared.headers, KEY_HEADER[call.route]: lit.Code(key)}

    head = "// Node 18+, no packages; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs"
    if keys.local(base_url):
        head = f"// Node 18+, no packages; save as comet.mjs and run: node comet.mjs\n// {keys.NOTE}."
    saves = images.makes_images(call)
    head += images.node_fs(bool(reads), saves)
    sections = [head]
    if call.route is Route.GEMINI or prepared.stream:
        text_of = GEMINI_TEXT if call.route is Route.GEMINI else OPENAI_TEXT
        sections.append(text_of.strip("\n"))
    if saves:
        sections.append(images.JS.strip("\n"))
    lines = reads + [f"const url = {lit.quote(prepared.url, lit.JS)};",
                     f"const headers = {lit.literal(headers, lit.JS, used=16)};",
                     f"const body = {lit.literal(body, lit.JS, used=13)};"]
    sections.append("\n".join(lines))
    if prepared.stream:
        each = SAVING_CHUNK if saves else EACH_CHUNK
        sections.append(REQUEST.strip("\n") + "\n" + STREAM.strip("\n").replace("EACH_CHUNK", each))
    elif saves:
        sections.append(REQUEST.strip("\n") + "\nconst reply = await response.json();\nsaveImages(reply);\n"
                        "console.log(textOf(reply));")
    elif call.route is Route.GEMINI:
        sections.append(REQUEST.strip("\n") + "\nconsole.log(textOf(await response.json()));")
    else:
        sections.append(REQUEST.strip("\n") + "\nconst data = await response.json();\n"
                        "console.log(data.choices[0].message.content);")
    return "\n\n".join(sections) + "\n", js_warnings(body)


def js_warnings(value: object) -> list[str]:
    """JavaScript numbers are doubles: integers beyond 2**53 change on the way."""
    return [f"{v} is beyond JavaScript's exact integers; Node sends a rounded number"
            for v in lit.leaves(value) if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2 ** 53]
