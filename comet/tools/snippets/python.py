"""python: raw HTTP with httpx2 (the maintained continuation of httpx, same API).

httpx2 rather than requests: the app already depends on it (no new package for anyone who runs
the playground), it has a real streaming API (``httpx2.stream`` + ``iter_lines``, which handles
LF and CRLF framing), and its defaults are sane for long answers once ``timeout`` is raised.
"""

from __future__ import annotations

from comet.core.call import KEY_HEADER, Call, Prepared, Route

from . import images, keys
from . import literals as lit

GEMINI_TEXT = '''
def text_of(response):
    """The answer in a response or a stream chunk (thought summaries left out)."""
    for candidate in response.get("candidates", []):
        if candidate.get("index", 0) == 0:
            parts = candidate.get("content", {}).get("parts", [])
            return "".join(part.get("text", "") for part in parts if not part.get("thought"))
    return ""
'''

OPENAI_TEXT = '''
def text_of(chunk):
    """The answer text in a stream chunk."""
    for choice in chunk.get("choices", []):
        if choice.get("index", 0) == 0:
            return choice.get("delta", {}).get("content") or ""
    return ""
'''

PLAIN = '''
response = httpx2.post(url, headers=headers, json=body, timeout=120)
if response.is_error:
    raise SystemExit(f"HTTP {response.status_code}: {response.text}")
'''

STREAM = '''
with httpx2.stream("POST", url, headers=headers, json=body, timeout=120) as response:
    if response.is_error:
        raise SystemExit(f"HTTP {response.status_code}: {response.read().decode()}")
    for line in response.iter_lines():
        if line.startswith("data:") and line[5:].strip() != "[DONE]":
            EACH_CHUNK
print()
'''
EACH_CHUNK = 'print(text_of(json.loads(line[5:])), end="", flush=True)'
SAVING_CHUNK = """chunk = json.loads(line[5:])
            save_images(chunk)
            print(text_of(chunk), end="", flush=True)"""


def render(call: Call, prepared: Prepared, base_url: str) -> tuple[str, list[str]]:
    names = lit.used_attachments(call.body, {a.name for a in call.attachments})
    variables = lit.variable_names(names, "snake", "b64")
    body = lit.link_attachments(lit.source_body(call, prepared), variables, lit.PYTHON)
    gemini = call.route is Route.GEMINI

    key = keys.python(base_url)
    if KEY_HEADER[call.route] == "Authorization":
        key = 'f"Bearer {' + keys.python(base_url, quote="'") + '}"'
    headers = {**prepared.headers, KEY_HEADER[call.route]: lit.Code(key)}

    saves = images.makes_images(call)
    imports = ["import base64"] * (bool(names) or saves) + ["import json"] * prepared.stream + ["import os"]
    imports += ["import sys"] * saves + ["from pathlib import Path"] * (bool(names) or saves)
    needs = keys.NOTE if keys.local(base_url) else "needs COMETAPI_KEY in the environment"
    sections = [f"# pip install httpx2; {needs}.\n" + "\n".join(imports) + "\n\nimport httpx2"]
    if gemini or prepared.stream:
        sections.append("\n" + (GEMINI_TEXT if gemini else OPENAI_TEXT).strip("\n") + "\n")
    if saves:
        sections.append(images.python(sdk=False))
    lines = [f"{variables[name]} = base64.b64encode(Path({lit.quote(name, lit.PYTHON)})"
             ".read_bytes()).decode()" for name in names]
    lines.append(f"url = {lit.quote(prepared.url, lit.PYTHON)}")
    lines.append(f"headers = {lit.literal(headers, lit.PYTHON, used=10)}")
    lines.append(f"body = {lit.literal(body, lit.PYTHON, used=7)}")
    sections.append("\n".join(lines))
    if prepared.stream:
        sections.append(STREAM.strip("\n").replace("EACH_CHUNK", SAVING_CHUNK if saves else EACH_CHUNK))
    elif saves:
        sections.append(PLAIN.strip("\n") + "\nreply = response.json()\nsave_images(reply)\nprint(text_of(reply))")
    elif gemini:
        sections.append(PLAIN.strip("\n") + "\nprint(text_of(response.json()))")
    else:
        sections.append(PLAIN.strip("\n") + '\nprint(response.json()["choices"][0]["message"]["content"])')
    return "\n\n".join(sections) + "\n", []
