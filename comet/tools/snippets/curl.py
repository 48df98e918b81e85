"""curl: the prepared request as one shell command; prints the response body as it arrives.

The body goes through a quoted here-document (``--data-binary @- <<'JSON'``): nothing inside
is expanded, any size fits (no argument-length limit), and the delimiter is chosen so that it
is no line of the body. With attachments the here-document is unquoted so that
``${CAT_PNG_B64}`` expands; then ``\\``, ``$`` and backquotes in the body are escaped, which is
all an unquoted here-document interprets.
"""

from __future__ import annotations

from comet.core.call import KEY_HEADER, Call, Prepared

from . import keys
from . import literals as lit


def render(call: Call, prepared: Prepared, base_url: str) -> tuple[str, list[str]]:
    names = lit.used_attachments(call.body, {a.name for a in call.attachments})
    variables = lit.variable_names(names, "upper", "b64")
    body = lit.literal(lit.source_body(call, prepared), lit.JSON)
    lines = [f"# {keys.NOTE}." if keys.local(base_url) else "# Needs COMETAPI_KEY in the environment."]
    for name in names:
        lines.append(f"{variables[name]}=$(base64 < {lit.sh_quote(name)} | tr -d '\\n')")
    if names:
        body = body.replace("\\", "\\\\").replace("$", "\\$").replace("`", "\\`")
        for name in names:
            token = lit.quote(f"<attachment:{name}>", lit.JSON)[1:-1]
            token = token.replace("\\", "\\\\").replace("$", "\\$").replace("`", "\\`")
            body = body.replace(token, "${" + variables[name] + "}")

    key_header = KEY_HEADER[call.route]
    key_value = ("Bearer " if key_header == "Authorization" else "") + keys.shell(base_url)
    delimiter = lit.heredoc_delimiter(body)
    opener = delimiter if names else f"'{delimiter}'"
    command = ["curl -sS" + (" -N" if prepared.stream else "") + " " + lit.sh_quote(prepared.url)]
    command += [f"-H {lit.sh_quote(f'{k}: {v}')}" for k, v in prepared.headers.items()]
    command += [f'-H "{key_header}: {key_value}"', f"--data-binary @- <<{opener}"]
    lines.append(" \\\n  ".join(command))
    return "\n".join(lines) + f"\n{body}\n{delimiter}\n", []
