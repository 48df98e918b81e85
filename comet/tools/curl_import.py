"""Import a request from a curl command: route, model, stream, body and where it was going.

    >>> found = parse("curl https://api.cometapi.com/v1/chat/completions "
    ...               "-d '{\\"model\\": \\"gemini-2.5-flash\\", \\"messages\\": []}'")
    >>> found.route.value, found.model, found.stream
    ('openai', 'gemini-2.5-flash', False)

The command is read as bash reads it (:mod:`comet.tools.shell_words`), never run. The route, model and
stream come from the URL (``:generateContent``, ``:streamGenerateContent``,
``/v1/chat/completions`` with ``"stream": true`` in the body); the body from ``-d``,
``--data``, ``--data-raw``, ``--data-binary``, ``--json``, ``@FILE`` (read relative to ``cwd``)
or ``@-`` (a here-document, a here-string or ``< FILE``). Flags that do not change the request
(``-s``, ``-N``, ``-X POST``, ``-H 'Content-Type: ...'`` ...) are accepted and ignored.

A key written into the command (``x-goog-api-key: AIza...``, ``Authorization: Bearer sk-...``,
``?key=...``, ``-u``) is dropped with a warning; no warning or error ever repeats it. A key
read from a variable (``$COMETAPI_KEY``) is simply not needed: the Playground adds its own.
A snippet's ``VAR=$(base64 < FILE ...)`` line becomes the body's ``<attachment:FILE>``
placeholder, so every snippet the project generates imports back to the same request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

from comet.body.validate import parse_json
from comet.core.call import Call, Route
from comet.core.config import DEFAULT_BASE_URL
from comet.core.errors import CometError, RequestError

from .shell_words import ShellSyntaxError, split

COMET_HOSTS = frozenset({urlsplit(DEFAULT_BASE_URL).hostname, "cometapi.com"})
OWN_KEY_VARIABLE = "COMETAPI_KEY"
FIX = ("paste one curl command that POSTs JSON to :generateContent, :streamGenerateContent "
       "or /v1/chat/completions")


class CurlImportError(CometError):
    """The command cannot be imported; nothing was kept. ``fix`` says what to change."""

    kind = "bad_input"

    def __init__(self, message: str, fix: str = FIX):
        super().__init__(message)
        self._fix = fix

    @property
    def fix(self) -> str:
        return self._fix


@dataclass(frozen=True)
class Imported:
    route: Route
    model: str
    stream: bool
    body: dict[str, Any]
    base_url: str
    warnings: tuple[str, ...] = ()
    attachments: tuple[str, ...] = ()  # files the body names with <attachment:NAME>

    def call(self) -> Call:
        return Call.from_body(self.route, self.body, model=self.model, stream=self.stream)

    def to_dict(self) -> dict[str, Any]:
        """The CLI's JSON object."""
        return {"route": self.route.value, "model": self.model, "stream": self.stream,
                "body": self.body, "base_url": self.base_url, "warnings": list(self.warnings)}


# ---- curl's options --------------------------------------------------------------------------

# Short options that take an argument (curl --help all); every other letter is a switch.
_SHORT_WITH_ARG = set("AbcCdDeEFHKmoPQrtTuUwxXyYz")
_BODY = {"-d": "data", "--data": "data", "--data-ascii": "data", "--data-binary": "binary",
         "--data-raw": "raw", "--json": "binary"}
_REFUSED = {"-F": "a multipart form (-F)", "--form": "a multipart form (--form)",
            "--form-string": "a multipart form (--form-string)",
            "--data-urlencode": "a URL-encoded body (--data-urlencode)",
            "-G": "-G (it moves the body into the URL)", "--get": "--get (it moves the body into the URL)",
            "-I": "-I (a HEAD request has no body)", "--head": "--head (a HEAD request has no body)",
            "-T": "an upload (-T)", "--upload-file": "an upload (--upload-file)"}
_CREDENTIALS = {"-u", "--user", "--oauth2-bearer", "--proxy-user", "-U", "--aws-sigv4"}
_LONG_WITH_ARG = {
    "--url", "--request", "--header", "--user-agent", "--output", "--max-time", "--connect-timeout",
    "--retry", "--retry-delay", "--retry-max-time", "--proxy", "--cookie", "--cookie-jar", "--referer",
    "--write-out", "--config", "--cacert", "--capath", "--cert", "--key", "--cert-type", "--key-type",
    "--resolve", "--connect-to", "--interface", "--limit-rate", "--max-filesize", "--dump-header",
    "--trace", "--trace-ascii", "--stderr", "--unix-socket", "--abstract-unix-socket", "--url-query",
    "--variable", "--expect100-timeout", "--keepalive-time", "--dns-servers", "--proxy-header",
    "--range", "--continue-at", "--local-port", "--max-redirs", "--speed-limit", "--speed-time",
    "--time-cond", "--tls-max", "--ciphers", "--pinnedpubkey", "--netrc-file", "--output-dir",
    "--create-file-mode", "--happy-eyeballs-timeout-ms", "--parallel-max", "--rate", "--retry-all-errors",
    *_BODY, *_REFUSED, *_CREDENTIALS,
} - {"-G", "--get", "-I", "--head", "--retry-all-errors"}
_QUIET = {"--silent", "--show-error", "--no-buffer", "--verbose", "--include", "--location", "--insecure",
          "--fail", "--fail-with-body", "--compressed", "--globoff", "--http1.1", "--http2", "--raw",
          "--no-progress-meter", "--progress-bar", "--fail-early", "--tcp-nodelay", "--no-keepalive",
          "--path-as-is", "--retry-all-errors", "--styled-output", "--no-styled-output", "--disable"}
_LONG_SHORT = {"-H": "--header", "-X": "--request", "-u": "--user", "-U": "--proxy-user"}
_IGNORED_HEADERS = {"content-type", "accept", "user-agent", "accept-encoding", "connection", "expect",
                    "content-length", "host", "cache-control", "origin", "referer", "pragma"}
_KEY_HEADERS = {"x-goog-api-key", "authorization", "x-api-key", "api-key", "proxy-authorization"}


@dataclass
class _Parsed:
    urls: list[str] = field(default_factory=list)
    data: list[tuple[str, str]] = field(default_factory=list)  # (kind, argument)
    headers: list[str] = field(default_factory=list)
    method: str | None = None
    warnings: list[str] = field(default_factory=list)


def _options(words: list[str]) -> _Parsed:
    """curl's arguments, read the way curl reads them (options anywhere, ``--`` ends them)."""
    out, i, only_urls = _Parsed(), 1, False
    while i < len(words):
        word = words[i]
        i += 1
        if only_urls or not word.startswith("-") or word == "-":
            out.urls.append(word)
        elif word == "--":
            only_urls = True
        elif word.startswith("--"):
            if word in _LONG_WITH_ARG:
                if i >= len(words):
                    raise CurlImportError(f"{word} needs a value and has none", f"give {word} its value")
                _option(out, word, words[i])
                i += 1
            elif word not in _QUIET and not word.startswith("--no-"):
                out.warnings.append(f"{word} is not known to this import; it was ignored")
            _refuse(word)
        else:
            i = _short(out, word, words, i)
    return out


def _short(out: _Parsed, word: str, words: list[str], i: int) -> int:
    """A cluster of short options (``-sSN``, ``-XPOST``, ``-d@body.json``); the next index."""
    for pos in range(1, len(word)):
        letter = "-" + word[pos]
        _refuse(letter)
        if word[pos] in _SHORT_WITH_ARG:
            value = word[pos + 1:]
            if not value:
                if i >= len(words):
                    raise CurlImportError(f"{letter} needs a value and has none", f"give {letter} its value")
                value, i = words[i], i + 1
            _option(out, letter, value)
            return i
    return i


def _refuse(option: str) -> None:
    if option in _REFUSED:
        raise CurlImportError(f"the command sends {_REFUSED[option]}, not a JSON body",
                              "send the JSON body with -d, --data-binary or --json")


def _option(out: _Parsed, option: str, value: str) -> None:
    option = _LONG_SHORT.get(option, option)
    if option in _BODY:
        out.data.append((_BODY[option], value))
    elif option == "--url":
        out.urls.append(value)
    elif option == "--header":
        out.headers.append(value)
    elif option == "--request":
        out.method = value
    elif option in _CREDENTIALS:
        out.warnings.append(f"credentials given with {option} were dropped (never stored or shown); "
                            "the Playground sends its own key")
    elif option == "--url-query":
        out.warnings.append("--url-query was ignored: the request's query is set by its route")


# ---- the pieces of the request ---------------------------------------------------------------

_GEMINI_PATH = re.compile(r"(?P<prefix>.*?)/(?P<version>v1beta|v1|v1alpha)/models/(?P<model>[^/:]+)"
                          r":(?P<op>[A-Za-z]+)/?\Z")
_OPENAI_PATH = re.compile(r"(?P<prefix>.*?)(?P<version>/v1|/v1beta/openai)/chat/completions/?\Z")
_OPS = {"generateContent": False, "streamGenerateContent": True}


def _route(url: str, warnings: list[str]) -> tuple[Route, str | None, bool, str]:
    """Route, model (Gemini), stream (Gemini) and base URL, from the URL."""
    if "://" not in url:
        url = "http://" + url  # as curl does
    parts = _split(url)
    host = parts.hostname or ""
    if parts.username or parts.password:
        warnings.append("credentials in the URL were dropped (never stored or shown)")
    path = unquote(parts.path)
    gemini, openai = _GEMINI_PATH.match(path), _OPENAI_PATH.match(path)
    if gemini and gemini["op"] not in _OPS:
        raise CurlImportError(f"the URL calls :{gemini['op']}, which is not a request the Playground sends",
                              "use :generateContent or :streamGenerateContent")
    if not gemini and not openai:
        raise CurlImportError(f"the URL path {path or '/'} is neither route",
                              "use /v1beta/models/MODEL:generateContent (Gemini native) or "
                              "/v1/chat/completions (OpenAI-compatible)")
    found = gemini or openai
    origin = f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")
    base_url = origin + found["prefix"]
    if host not in COMET_HOSTS and not host.endswith(".cometapi.com"):
        warnings.append(f"the command sends to {host}, not CometAPI: its path is kept, and the "
                        "Playground sends to its own address")
    if found["version"] not in ("v1beta", "/v1"):
        warnings.append(f"the path's {found['version'].strip('/')} becomes CometAPI's "
                        f"{'/v1beta' if gemini else '/v1'}")
    stream = _query(parts.query, warnings, gemini is not None and _OPS[gemini["op"]])
    if gemini:
        return Route.GEMINI, gemini["model"], stream, base_url
    return Route.OPENAI, None, False, base_url


def _split(url: str) -> SplitResult:
    """The URL's parts, refusing what curl itself rejects; the reason never quotes the URL, which
    may hold a key."""
    if any(c.isspace() or not c.isprintable() for c in url):
        raise CurlImportError("the URL has a space or a control character in it, which curl rejects",
                              "write a space in the path as %20 and keep the host in one piece")
    try:
        parts = urlsplit(url)
        parts.port  # reading it checks it: a number from 0 to 65535
    except ValueError as exc:  # an unclosed [IPv6] host, a port that is not one
        raise CurlImportError(f"the URL is malformed: {exc}",
                              "correct the URL (an IPv6 host goes in brackets: http://[::1]:8000/...)") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise CurlImportError(f"the URL uses {parts.scheme}://, which is not an API's address",
                              "use the API's https:// (or http://) URL")
    if not parts.hostname:
        raise CurlImportError("the URL names no host", "write the host: https://api.cometapi.com/v1/...")
    return parts


def _query(query: str, warnings: list[str], streaming: bool) -> bool:
    """Read the URL's query: ``alt=sse`` and ``key`` (dropped); others are warned about."""
    sse = False
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name == "key":
            if not value.startswith("$"):
                warnings.append("a key written in the URL (?key=) was dropped (never stored or shown); "
                                "the Playground sends its own key")
        elif name == "alt" and value == "sse":
            sse = True
        else:
            warnings.append(f"the URL parameter {name!r} was ignored")
    if streaming and not sse:
        warnings.append(":streamGenerateContent without ?alt=sse streams a JSON array; "
                        "the Playground streams it as server-sent events (alt=sse)")
    return streaming


def _headers(headers: list[str], warnings: list[str]) -> None:
    for header in headers:
        name, _, value = header.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name in _KEY_HEADERS:
            token = value.split(None, 1)[-1] if value.lower().startswith(("bearer ", "basic ")) else value
            if token and not token.startswith("$"):
                warnings.append(f"a key written in the {name} header was dropped (never stored or shown); "
                                "the Playground sends its own key")
            elif token and token.lstrip("${").rstrip("}") != OWN_KEY_VARIABLE:
                warnings.append(f"the command reads its key from {token.split()[0]}; "
                                f"the Playground uses its own ({OWN_KEY_VARIABLE} or the sidebar)")
        elif name == "content-type" and "json" not in value.lower():
            warnings.append(f"the Content-Type {value!r} was ignored: the body is sent as JSON")
        elif name and name not in _IGNORED_HEADERS:
            warnings.append(f"the header {name} is not carried over")


def _body_text(data: list[tuple[str, str]], stdin: str | None, cwd: Path | None) -> str:
    if not data:
        raise CurlImportError("the command has no request body",
                              "give the JSON body with -d, --data-binary, --json or a here-document (@-)")
    if len(data) > 1:
        raise CurlImportError(f"the command has {len(data)} bodies; curl would join them with '&', "
                              "which is not JSON", "keep one -d / --data-binary / --json")
    kind, value = data[0]
    if kind == "raw" or not value.startswith("@"):
        return value
    name = value[1:]
    if name == "-":
        if stdin is None:
            raise CurlImportError("the body is read from standard input (@-), but the command gives none",
                                  "put the JSON in a here-document (--data-binary @- <<'JSON' ... JSON)")
        return stdin
    return _read(name, cwd)


def _read(name: str, cwd: Path | None) -> str:
    if cwd is None:
        raise CurlImportError(f"the body is read from the file {name!r}, which cannot be read here",
                              "paste the file's JSON into the command instead (-d '...' or a here-document)")
    try:
        return (cwd / name).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CurlImportError(f"the body file {name!r} is not UTF-8 text", "save it as UTF-8 JSON") from None
    except OSError as exc:
        raise CurlImportError(f"cannot read the body file {name!r}: {exc.strerror or exc}",
                              "check the path; it is read relative to the current folder") from None


# ---- the whole command -----------------------------------------------------------------------

_BASE64_OF = re.compile(r"""\$\(\s*base64\s+(?:-\w+\s+)*(?:<\s*)?('([^']*)'|"([^"]*)"|([^\s|)]+))""")


def _expander(files: list[str]):
    """``$NAME`` -> its value in the script; a snippet's ``$(base64 < FILE ...)`` -> the
    attachment placeholder for FILE; an unknown variable stays as written."""
    def expand(name: str, variables: Mapping[str, str]) -> str | None:
        value = variables.get(name)
        if value is None:
            return None
        m = _BASE64_OF.match(value)
        if m:
            file = next(g for g in m.groups()[1:] if g is not None)
            files.append(file)
            return f"<attachment:{file}>"
        return value
    return expand


def parse(text: str, *, cwd: Path | str | None = None) -> Imported:
    """The request in a curl command. ``cwd`` is where ``@FILE`` and ``< FILE`` are read from;
    ``None`` refuses to read files (the Playground's box). Raises :class:`CurlImportError`
    (or :class:`~comet.core.errors.RequestError` for a body that is not the route's JSON)."""
    files: list[str] = []
    try:
        script = split(text, _expander(files))
    except ShellSyntaxError as exc:
        raise CurlImportError(f"the command does not read as shell: {exc}",
                              "paste the whole command, with its closing quotes") from None
    curls = [c for c in script.commands if c.words and _program(c.words) in ("curl", "curl.exe")]
    if not curls:
        raise CurlImportError("no curl command found")
    command = curls[0]
    parsed = _options(command.words[_curl_at(command.words):])
    warnings = list(script.notes) + parsed.warnings
    if len(curls) > 1:
        warnings.append(f"only the first of {len(curls)} curl commands was imported")
    if not parsed.urls:
        raise CurlImportError("the curl command has no URL")
    if len(parsed.urls) > 1:
        raise CurlImportError(f"the curl command has {len(parsed.urls)} URLs", "keep one URL")
    route, model, stream, base_url = _route(parsed.urls[0], warnings)
    _headers(parsed.headers, warnings)
    if parsed.method and parsed.method.upper() != "POST":
        warnings.append(f"the method {parsed.method} was ignored: both routes take POST")
    stdin = command.stdin
    if stdin is None and command.stdin_file is not None:
        stdin = _read(command.stdin_file, None if cwd is None else Path(cwd))
    body = _json_body(_body_text(parsed.data, stdin, None if cwd is None else Path(cwd)), route)
    if route is Route.OPENAI:
        model, stream = _openai_model(body), body.get("stream") is True
    named = tuple(dict.fromkeys(files))
    warnings += [f"the body names the file {f!r}: attach it (Media) before sending" for f in named]
    return Imported(route, model or "", stream, body, base_url, tuple(dict.fromkeys(warnings)), named)


_PREFIXES = ("$", "sudo", "command", "time", "exec")


def _program(words: list[str]) -> str | None:
    """``curl`` for a command that runs curl (after a pasted ``$`` prompt or ``sudo``)."""
    at = _curl_at(words)
    return words[at].rsplit("/", 1)[-1] if at < len(words) else None


def _curl_at(words: list[str]) -> int:
    """Where the program's name is, past a pasted ``$`` prompt and ``sudo``-like prefixes."""
    at = 0
    while at < len(words) and words[at] in _PREFIXES:
        at += 1
    return at


def _json_body(text: str, route: Route) -> dict[str, Any]:
    try:
        return parse_json(text, route)
    except RequestError as err:
        p = err.problems[0]
        where = f" at line {p.line}, column {p.column}" if p.line else ""
        raise CurlImportError(f"the body is not a JSON object{where}: {p.message}", p.fix) from None


def _openai_model(body: dict[str, Any]) -> str:
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise CurlImportError("the OpenAI-compatible body has no \"model\"",
                              'add "model": "gemini-2.5-flash" (or another model ID) to the body')
    return model
