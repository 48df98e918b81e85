"""Snippet generators without a server: golden files, quoting, the canonical form, the SDK
parameter tables, the CLI. (tests/cli/test_snippets_run.py runs the snippets.)"""

from __future__ import annotations

import ast
import io
import json
import random
import shutil
import subprocess

import pytest
from keys import CANARY_KEY
from hypothesis import given, settings, strategies as st
from snippet_golden import BASE_URL, GOLDEN, SCENARIOS, expected

from comet.__main__ import main
from comet.core.call import Attachment, Call, Route, simple_body
from comet.tools.snippets import LANGS, canonical, literals as lit, render
from comet.tools.snippets.sdkargs import (GEMINI_GENERATION, GEMINI_TOP, OPENAI_PARAMS, PART_KEYS, camel, fold_keys,
                                          snake)

GOLDEN_FILES = expected()
REGENERATE = "python -m tests.support.snippet_golden --update"


# ---- golden files -----------------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(GOLDEN_FILES), ids=lambda p: str(p.relative_to(GOLDEN)))
def test_golden(path):
    assert path.exists(), f"missing golden file; run: {REGENERATE}"
    assert path.read_text(encoding="utf-8") == GOLDEN_FILES[path], f"snippet changed; review, then run: {REGENERATE}"


def test_no_stale_golden_files():
    assert sorted(set(GOLDEN.rglob("*.*")) - set(GOLDEN_FILES)) == []


@pytest.mark.parametrize("path", [p for p in sorted(GOLDEN_FILES) if p.suffix == ".py"],
                         ids=lambda p: str(p.relative_to(GOLDEN)))
def test_python_snippets_compile_and_use_every_import(path):
    tree = ast.parse(GOLDEN_FILES[path])
    imported = {(a.asname or a.name).split(".")[0] for node in ast.walk(tree)
                if isinstance(node, (ast.Import, ast.ImportFrom)) for a in node.names}
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert imported <= used
    assigned = {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign) for t in node.targets
                if isinstance(t, ast.Name)}
    loaded = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    assert assigned <= loaded, "a name is assigned and never used"
    first_code = next(i for i, n in enumerate(tree.body))
    imports_end = max(i for i, n in enumerate(tree.body) if isinstance(n, (ast.Import, ast.ImportFrom)))
    assert all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in tree.body[first_code:imports_end + 1])


@pytest.mark.parametrize("path", [p for p in sorted(GOLDEN_FILES) if p.suffix == ".mjs"],
                         ids=lambda p: str(p.relative_to(GOLDEN)))
def test_node_snippets_import_at_the_top(path):
    lines = [line for line in GOLDEN_FILES[path].splitlines() if line and not line.startswith("//")]
    imports = [i for i, line in enumerate(lines) if line.startswith("import ")]
    assert imports == list(range(len(imports)))


def test_every_scenario_covers_both_routes_and_a_stream():
    assert all(set(routes) == set(Route) for routes in SCENARIOS.values())
    assert any(stream for routes in SCENARIOS.values() for _, stream, _ in routes.values())


# ---- the key ----------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("route", list(Route))
def test_the_key_comes_from_the_environment_only(canary_key, monkeypatch, route, lang):
    call = Call(route, "gemini-2.5-flash", simple_body(route, "hi"))
    with_key = render(call, lang, base_url=BASE_URL).code
    monkeypatch.delenv("COMETAPI_KEY")
    assert CANARY_KEY not in with_key
    assert with_key == render(call, lang, base_url=BASE_URL).code
    reader = {"curl": '$COMETAPI_KEY"', "python": "os.environ[", "node": "process.env.COMETAPI_KEY"}
    assert reader[lang.split("-")[0]] in with_key


# ---- quoting ----------------------------------------------------------------------------------

ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)))


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_python_and_json_literals_hold_any_text(text):
    assert ast.literal_eval(lit.quote(text, lit.PYTHON)) == text
    assert json.loads(lit.quote(text, lit.JSON)) == text
    for syntax in (lit.PYTHON, lit.JS, lit.JSON):
        inner = lit.quote(text, syntax)[1:-1]
        assert all(ch.isprintable() for ch in inner)  # no raw newline, control or bidi character
        assert '"' not in inner.replace('\\\\', '').replace('\\"', '')


def _random_texts(n: int) -> list[str]:
    rng = random.Random(3)
    pool = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    awkward = ["\u2028\u2029", "`${x}`", "</script>", "\\u0041", "\x00\x7f\x85", "\U000e0001\U0010ffff"]
    return awkward + ["".join(chr(rng.choice(pool if rng.random() < .3 else range(128)))
                              for _ in range(rng.randint(0, 30))) for _ in range(n)]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_javascript_literals_hold_any_text(tmp_path):
    texts = _random_texts(300)
    source = "const texts = " + lit.literal(texts, lit.JS) + ";\nprocess.stdout.write(JSON.stringify(texts));\n"
    (tmp_path / "t.mjs").write_text(source, encoding="utf-8")
    out = subprocess.run(["node", "t.mjs"], cwd=tmp_path, capture_output=True, check=True).stdout
    assert json.loads(out) == texts


def test_javascript_keys():
    assert lit.literal({"a": 1, "x-goog": 2, "__proto__": 3, "é": 4}, lit.JS) == \
        '{ a: 1, "x-goog": 2, ["__proto__"]: 3, "é": 4 }'


def test_pretty_printing_breaks_long_values_only():
    assert lit.literal({"parts": [{"text": "hi"}]}, lit.PYTHON) == '{"parts": [{"text": "hi"}]}'
    long = lit.literal({"a": "x" * 90, "b": [1, 2]}, lit.PYTHON)
    assert long == '{\n    "a": "' + "x" * 90 + '",\n    "b": [1, 2],\n}'
    assert lit.literal({"a": "x" * 90}, lit.JSON) == '{\n  "a": "' + "x" * 90 + '"\n}'


def test_shell_quoting_and_heredoc_delimiters():
    assert lit.sh_quote("it's $x") == "'it'\\''s $x'"
    assert lit.heredoc_delimiter('{\n  "a": 1\n}') == "JSON"
    assert lit.heredoc_delimiter("JSON\nJSON_2\n") == "JSON_3"


def test_curl_body_is_in_a_quoted_heredoc_whatever_the_text():
    text = "JSON\n'JSON'\n$(id) `id` \\"
    code = render(Call(Route.GEMINI, "m", simple_body(Route.GEMINI, text)), "curl", base_url=BASE_URL).code
    assert "--data-binary @- <<'JSON'\n" in code and code.endswith("\nJSON\n")
    body = code.split("<<'JSON'\n", 1)[1].rsplit("\nJSON\n", 1)[0]
    assert json.loads(body)["contents"][0]["parts"][0]["text"] == text


def test_attachment_names_are_quoted_and_variables_distinct():
    odd = Attachment("it's \"my\" $cat.png", "image/png", b"\x89PNG")
    other = Attachment("it-s-my-cat.png", "image/png", b"\x89PNG")
    body = {"contents": [{"parts": [{"inlineData": {"mimeType": "image/png", "data": odd.token}},
                                    {"inlineData": {"mimeType": "image/png", "data": other.token}}]}]}
    call = Call(Route.GEMINI, "m", body, attachments=(odd, other))
    curl = render(call, "curl", base_url=BASE_URL).code
    assert "base64 < 'it'\\''s \"my\" $cat.png'" in curl
    assert "IT_S_MY_CAT_PNG_B64=" in curl and "IT_S_MY_CAT_PNG_B642=" in curl
    python = render(call, "python", base_url=BASE_URL).code
    assert 'Path("it\'s \\"my\\" $cat.png")' in python
    ast.parse(python)


def test_an_unknown_attachment_token_stays_text():
    body = simple_body(Route.GEMINI, "see <attachment:nothing.png>")
    for lang in LANGS:
        assert "nothing.png" in render(Call(Route.GEMINI, "m", body), lang, base_url=BASE_URL).code


# ---- SDK parameters ---------------------------------------------------------------------------

def test_gemini_tables_match_the_python_sdk():
    types = pytest.importorskip("google.genai.types")
    config = types.GenerateContentConfig.model_fields
    assert {snake(n) for n in GEMINI_GENERATION + GEMINI_TOP} <= set(config)
    assert {snake(n) for n in PART_KEYS} <= set(types.Part.model_fields)


def test_openai_table_matches_the_python_sdk():
    import inspect

    completions = pytest.importorskip("openai.resources.chat.completions")
    assert set(OPENAI_PARAMS) <= set(inspect.signature(completions.Completions.create).parameters)


def test_case_folding_keeps_the_users_own_names():
    value = {"function_declarations": [{"name": "f", "parameters": {
        "type": "object", "properties": {"first_name": {"type": "string", "max_length": 3}},
        "property_ordering": ["first_name"]}}],
             "function_call": {"args": {"some_arg": 1}}, "parameters_json_schema": {"a_b": 1}}
    assert fold_keys(value, camel) == {"functionDeclarations": [{"name": "f", "parameters": {
        "type": "object", "properties": {"first_name": {"type": "string", "maxLength": 3}},
        "propertyOrdering": ["first_name"]}}],
        "functionCall": {"args": {"some_arg": 1}}, "parametersJsonSchema": {"a_b": 1}}
    assert fold_keys(fold_keys(value, camel), snake) == value


def test_fields_without_an_sdk_parameter_go_through_the_escape_hatch():
    gemini = Call(Route.GEMINI, "m", {**simple_body(Route.GEMINI, "hi"), "futureField": {"x": 1},
                                      "generationConfig": {"temperature": 0.1, "newKnob": 2}})
    code = render(gemini, "python-sdk", base_url=BASE_URL).code
    assert '"extra_body": {"futureField": {"x": 1}, "generationConfig": {"newKnob": 2}}' in code
    assert '"temperature": 0.1' in code
    code = render(gemini, "node-sdk", base_url=BASE_URL).code
    assert "extraBody: { futureField: { x: 1 }, generationConfig: { newKnob: 2 } }" in code
    openai = Call(Route.OPENAI, "m", {**simple_body(Route.OPENAI, "hi"), "vendor_knob": True})
    assert 'extra_body={"vendor_knob": True}' in render(openai, "python-sdk", base_url=BASE_URL).code
    assert "vendor_knob: true" in render(openai, "node-sdk", base_url=BASE_URL).code


def test_what_no_sdk_can_carry_is_said_in_a_comment_and_a_warning():
    body = {"contents": [{"role": "user", "parts": [{"text": "hi", "madeUp": 1}]}]}
    for lang in ("python-sdk", "node-sdk"):
        snippet = render(Call(Route.GEMINI, "m", body), lang, base_url=BASE_URL)
        assert snippet.warnings == ("$.contents[0].parts[0].madeUp is left out of the SDK snippets: "
                                    "google-genai has no field for it",)
        assert "Left out: $.contents[0].parts[0].madeUp" in snippet.code
    for lang in ("curl", "python", "node"):
        snippet = render(Call(Route.GEMINI, "m", body), lang, base_url=BASE_URL)
        assert snippet.warnings == () and "madeUp" in snippet.code


def test_javascript_warns_about_integers_it_cannot_hold():
    call = Call(Route.OPENAI, "m", {**simple_body(Route.OPENAI, "hi"), "seed": 2**60})
    assert render(call, "node", base_url=BASE_URL).warnings
    assert not render(call, "python", base_url=BASE_URL).warnings


# ---- canonical --------------------------------------------------------------------------------

def test_canonical_undoes_what_the_sdks_change_and_nothing_else():
    client = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}],
              "systemInstruction": {"parts": [{"text": "s"}]},
              "generationConfig": {"topK": 40, "thinkingConfig": {"thinkingLevel": "low"},
                                   "responseSchema": {"type": "object"}}}
    python_sdk = {"contents": [{"parts": [{"text": "hi"}], "role": "user"}],
                  "systemInstruction": {"parts": [{"text": "s"}], "role": "user"},
                  "generationConfig": {"topK": 40.0, "thinkingConfig": {"thinking_level": "LOW"},
                                       "responseSchema": {"type": "OBJECT"}, "seed": None}}
    assert canonical(client) == canonical(python_sdk)
    assert canonical({"a": [1, 2]}) != canonical({"a": [2, 1]})
    assert canonical({"a": "x"}) != canonical({"a": "X"})
    assert canonical({"generationConfig": {}, "b": 1}) == {"b": 1}
    assert canonical({"tools": [{"googleSearch": {}}]}) == {"tools": [{"googleSearch": {}}]}


# ---- the CLI ----------------------------------------------------------------------------------

def test_cli_prints_the_snippet(capsys):
    assert main(["snippet", "--lang", "python", "--route", "openai", "--model", "gpt-x",
                 "--prompt", "hi", "--stream"]) == 0
    out = capsys.readouterr().out
    assert '"stream": True' in out and "https://api.cometapi.com/v1/chat/completions" in out


def test_cli_reads_the_body_and_base_url(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("COMETAPI_BASE_URL", "http://127.0.0.1:9/")
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(simple_body(Route.GEMINI, "from stdin"))))
    assert main(["snippet", "--lang", "curl", "--route", "gemini", "--model", "m", "--body", "-"]) == 0
    out = capsys.readouterr().out
    assert "'http://127.0.0.1:9/v1beta/models/m:generateContent'" in out and "from stdin" in out
    path = tmp_path / "body.json"
    path.write_text(json.dumps(simple_body(Route.OPENAI, "from a file")), encoding="utf-8")
    assert main(["snippet", "--lang", "node-sdk", "--route", "openai", "--model", "m", "--body",
                 str(path), "--base-url", "http://localhost:8000"]) == 0
    out = capsys.readouterr().out
    assert 'baseURL: "http://localhost:8000/v1"' in out and "from a file" in out


@pytest.mark.parametrize("args, message", [
    ([], "--prompt TEXT or --body"),
    (["--prompt", "a", "--body", "-"], "not both"),
    (["--body", "MISSING.json"], "MISSING.json"),
    (["--body", "-", "<", "[1]"], "must be a JSON object"),
    (["--body", "-", "<", "{oops"], "not valid JSON"),
    (["--prompt", "a", "--base-url", "ftp://x"], "not an http(s) URL"),
])
def test_cli_bad_input_exits_2(capsys, monkeypatch, args, message):
    if "<" in args:
        monkeypatch.setattr("sys.stdin", io.StringIO(args[-1]))
        args = args[:-2]
    assert main(["snippet", "--lang", "curl", "--route", "gemini", "--model", "m", *args]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(blacklist_categories=("Cs",)), max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["contents", "parts", "text", "role", "generationConfig", "messages", "content",
                         "tools", "properties", "args", "inline_data", "x y", "é"]), inner, max_size=3),
    max_leaves=12)


@settings(max_examples=40, deadline=None)
@given(body=st.dictionaries(st.text(max_size=6) | st.sampled_from(
    ["contents", "systemInstruction", "generationConfig", "messages", "tools"]), JSON_VALUES, max_size=4),
    route=st.sampled_from(list(Route)))
def test_any_json_body_renders_to_valid_python(body, route):
    """The UI renders whatever the JSON tab holds: no body makes a generator fail or emit
    Python that does not parse."""
    call = Call(route, "m", body)
    for lang in LANGS:
        snippet = render(call, lang, base_url=BASE_URL)
        if lang.startswith("python"):
            ast.parse(snippet.code)
