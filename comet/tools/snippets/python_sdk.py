"""python-sdk: google-genai on the Gemini route, openai on the OpenAI route.

Body fields become SDK parameters (see :mod:`comet.tools.snippets.sdkargs`); the rest rides in the
SDK's ``extra_body``, spelled as in the body. google-genai's models accept camelCase and
snake_case alike; the snippet writes the Pythonic snake_case (the user's own names, such as
function arguments and schema properties, are kept).
"""

from __future__ import annotations

from comet.core.call import Call, Prepared, Route

from . import images, keys
from . import literals as lit
from .sdkargs import fold_keys, gemini_args, openai_args, snake

GEMINI_CLIENT = '''
client = genai.Client(
    api_key=API_KEY,
    http_options={"base_url": BASE_URL, "api_version": "v1beta"},
)
'''


def render(call: Call, prepared: Prepared, base_url: str) -> tuple[str, list[str]]:
    if call.route is Route.GEMINI:
        return _gemini(call, base_url)
    return _openai(call, base_url)


def _kwargs(pairs: list[tuple[str, object]]) -> str:
    """Keyword arguments, one per line."""
    return "\n".join(f"    {name}={lit.literal(value, lit.PYTHON, level=1, used=len(name) + 1)},"
                     for name, value in pairs)


def _attachments(call: Call, value: object, *, as_bytes: bool) -> tuple[object, list[str], set[str]]:
    """The value with its attachment tokens turned into variables, the lines that read the
    files, and the imports they need. With ``as_bytes`` an ``inlineData.data`` that is just a
    token becomes the file's bytes (google-genai base64-encodes bytes itself); any other token
    becomes the file's base64 text, as prepare() puts it."""
    known = {a.name for a in call.attachments}
    reads: list[str] = []
    if as_bytes:
        variables = lit.variable_names(lit.used_attachments(value, known), "snake", "bytes")
        used: list[str] = []
        value = _bytes_data(value, variables, used)
        reads += [f"{variables[n]} = Path({lit.quote(n, lit.PYTHON)}).read_bytes()" for n in used]
    names = lit.used_attachments(value, known)
    variables = lit.variable_names(names, "snake", "b64")
    reads += [f"{variables[n]} = base64.b64encode(Path({lit.quote(n, lit.PYTHON)}).read_bytes()).decode()"
              for n in names]
    imports = ({"from pathlib import Path"} if reads else set()) | ({"import base64"} if names else set())
    return lit.link_attachments(value, variables, lit.PYTHON), reads, imports


def _bytes_data(value: object, variables: dict[str, str], used: list[str]) -> object:
    if isinstance(value, list):
        return [_bytes_data(v, variables, used) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for k, v in value.items():
        data = v.get("data") if k in ("inlineData", "inline_data") and isinstance(v, dict) else None
        name = next((n for n in variables if data == f"<attachment:{n}>"), None)
        if name is not None:
            out[k] = {**v, "data": lit.Code(variables[name])}
            used.extend([name] * (name not in used))
        else:
            out[k] = _bytes_data(v, variables, used)
    return out


def _needs(base_url: str) -> str:
    return keys.NOTE if keys.local(base_url) else "needs COMETAPI_KEY in the environment"


def _imports(extra: set[str]) -> str:
    """Standard-library imports, plain ones first (isort's order)."""
    return "\n".join(sorted(extra | {"import os"}, key=lambda s: (s.startswith("from"), s)))


def _gemini(call: Call, base_url: str) -> tuple[str, list[str]]:
    args = gemini_args(call.body)
    config = fold_keys(args.config, snake)
    if args.extra:
        config["http_options"] = {"extra_body": args.extra}
    params = {"contents": fold_keys(args.contents, snake), "config": config}
    params, reads, imports = _attachments(call, params, as_bytes=True)
    saves = images.makes_images(call)
    if saves:
        imports |= {"import sys", "from pathlib import Path"}
    out = [f"# pip install google-genai; {_needs(base_url)}.\n"
           + _imports(imports) + "\n\nfrom google import genai"]
    if saves:
        out.append("\n" + images.python(sdk=True))
    out.append(GEMINI_CLIENT.strip("\n").replace("BASE_URL", lit.quote(base_url, lit.PYTHON))
               .replace("API_KEY", keys.python(base_url)))
    pre = reads + [lit.comment(note, lit.PYTHON) for note in args.notes("http_options.extra_body")]
    call_args = [("model", call.model), ("contents", params["contents"])]
    if params["config"]:
        call_args.append(("config", params["config"]))
    method = "generate_content_stream" if call.stream else "generate_content"
    head = "\n".join(pre + [""]) if pre else ""
    if call.stream:
        out.append(f"{head}for chunk in client.models.{method}(\n{_kwargs(call_args)}\n):\n"
                   + "    save_images(chunk)\n" * saves + '    print(chunk.text or "", end="", flush=True)\nprint()')
    else:
        out.append(f"{head}response = client.models.{method}(\n{_kwargs(call_args)}\n)\n"
                   + "save_images(response)\n" * saves + "print(response.text)")
    return "\n\n".join(out) + "\n", args.warnings()


def _openai(call: Call, base_url: str) -> tuple[str, list[str]]:
    args = openai_args(call.body)
    params = dict(args.params)
    if args.extra:
        params["extra_body"] = args.extra
    params, reads, imports = _attachments(call, params, as_bytes=False)
    out = [f"# pip install openai; {_needs(base_url)}.\n"
           + _imports(imports) + "\n\nfrom openai import OpenAI"]
    out.append(f'client = OpenAI(api_key={keys.python(base_url)}, '
               f'base_url={lit.quote(base_url + "/v1", lit.PYTHON)})')
    warnings = []
    if "messages" not in params:
        params = {"messages": [], **params}
        warnings.append("$.messages is missing; the openai SDK needs it, so the snippet sends []")
    pre = reads + (["# extra_body carries the fields the SDK has no parameter for."] if args.extra else [])
    head = "\n".join(pre + [""]) if pre else ""
    create = f"client.chat.completions.create(\n{_kwargs(list(params.items()))}\n)"
    if call.stream:
        out.append(f"{head}stream = {create}\nfor chunk in stream:\n"
                   "    if chunk.choices and chunk.choices[0].delta.content:\n"
                   '        print(chunk.choices[0].delta.content, end="", flush=True)\nprint()')
    else:
        out.append(f"{head}completion = {create}\nprint(completion.choices[0].message.content)")
    return "\n\n".join(out) + "\n", warnings
