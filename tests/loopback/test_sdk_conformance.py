"""The official SDKs, unpatched, against the emulator: proof that it speaks the real protocol.

``openai`` (with ``max_retries=0``, wire-formats D.3) and ``google-genai`` (D.1) are pointed at
the emulator exactly as CometAPI's docs point them at the real host. Each test also reads
``emu.received`` to pin what the SDK put on the wire (path, headers, body fields).
"""

from __future__ import annotations

import base64
import json

import pytest

openai = pytest.importorskip("openai")
genai = pytest.importorskip("google.genai")
from google.genai import types  # noqa: E402
from google.genai import errors as genai_errors  # noqa: E402
from pydantic import BaseModel  # noqa: E402

from comet.emulator import FAULTS, MODELS  # noqa: E402

KEY = "sk-sdk-test"
FLASH = "gemini-2.5-flash"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 60


@pytest.fixture(scope="module")
def oai(emulator):
    return openai.OpenAI(api_key=KEY, base_url=emulator.base_url + "/v1", max_retries=0)


@pytest.fixture(scope="module")
def gai(emulator):
    return genai.Client(api_key=KEY, http_options={"base_url": emulator.base_url, "api_version": "v1beta"})


@pytest.fixture
def emu(emulator):
    emulator.clear()
    return emulator


# ----------------------------------------------------------------------------- openai

def test_openai_plain_call(oai, emu):
    r = oai.chat.completions.create(model=FLASH, messages=[{"role": "system", "content": "be brief"},
                                                           {"role": "user", "content": "ping"}])
    choice = r.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    assert choice.message.content.startswith('Following the system instruction "be brief"')
    assert r.model == FLASH and r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
    (sent,) = emu.received
    assert (sent.method, sent.path, sent.query) == ("POST", "/v1/chat/completions", {})
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.headers["user-agent"].startswith("OpenAI/Python")
    assert sent.json == {"model": FLASH, "messages": [{"role": "system", "content": "be brief"},
                                                      {"role": "user", "content": "ping"}]}


def test_openai_streaming_with_usage(oai, emu):
    stream = oai.chat.completions.create(model=FLASH, messages=[{"role": "user", "content": "hi [[chunks=12]]"}],
                                         stream=True, stream_options={"include_usage": True})
    chunks = list(stream)
    texts = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(texts) == 12
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens >= 12
    assert emu.received[0].json["stream"] is True
    assert emu.received[0].json["stream_options"] == {"include_usage": True}


def test_openai_settings(oai, emu):
    r = oai.chat.completions.create(model=FLASH, messages=[{"role": "user", "content": "ping"}],
                                    max_completion_tokens=6, reasoning_effort="low", n=2, stop=["zzz"])
    assert [c.finish_reason for c in r.choices] == ["length", "length"]
    assert r.usage.completion_tokens_details.reasoning_tokens > 0
    assert emu.received[-1].json["reasoning_effort"] == "low"
    r = oai.chat.completions.create(
        model=FLASH, messages=[{"role": "user", "content": "ping"}],
        extra_body={"extra_body": {"google": {"thinking_config": {"thinking_budget": 256, "include_thoughts": True}}}})
    assert r.choices[0].message.model_extra["reasoning_content"].startswith("**Planning")
    assert emu.received[-1].json["extra_body"]["google"]["thinking_config"]["thinking_budget"] == 256


def test_openai_json_schema_and_tools(oai, emu):
    schema = {"type": "object", "properties": {"city": {"type": "string"}, "temp": {"type": "number"}},
              "required": ["city", "temp"], "additionalProperties": False}
    r = oai.chat.completions.create(model=FLASH, messages=[{"role": "user", "content": "Weather in Oslo?"}],
                                    response_format={"type": "json_schema",
                                                     "json_schema": {"name": "w", "schema": schema, "strict": True}})
    value = json.loads(r.choices[0].message.content)
    assert set(value) == {"city", "temp"} and isinstance(value["temp"], float)
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": schema}}]
    r = oai.chat.completions.create(model=FLASH, messages=[{"role": "user", "content": "Weather in Oslo?"}],
                                    tools=tools)
    call = r.choices[0].message.tool_calls[0]
    assert r.choices[0].finish_reason == "tool_calls" and call.function.name == "get_weather"
    assert json.loads(call.function.arguments)["city"] == "Oslo"


def test_openai_models_list(oai, emu):
    ids = [m.id for m in oai.models.list()]
    assert set(ids) == {m["id"] for m in MODELS} | set(FAULTS)
    assert emu.received[0].path == "/v1/models"


@pytest.mark.parametrize("model, error", [
    ("fault-rate-limit", openai.RateLimitError),
    ("fault-server-error", openai.InternalServerError),
    ("fault-unavailable", openai.InternalServerError),
    ("no-such-model", openai.InternalServerError),  # CometAPI's 503 model_not_found
])
def test_openai_errors_are_sdk_exceptions(oai, emu, model, error):
    with pytest.raises(error) as info:
        oai.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}])
    assert info.value.body["type"] == "comet_api_error" and "(request id: " in info.value.body["message"]
    assert len(emu.received) == 1  # max_retries=0: one request


def test_openai_auth_and_bad_request(emulator, emu):
    no_bearer = openai.OpenAI(api_key=KEY, base_url=emulator.base_url + "/v1", max_retries=0,
                              default_headers={"Authorization": "Basic abc"})
    with pytest.raises(openai.AuthenticationError):
        no_bearer.chat.completions.create(model=FLASH, messages=[{"role": "user", "content": "hi"}])
    client = openai.OpenAI(api_key=KEY, base_url=emulator.base_url + "/v1", max_retries=0)
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model=FLASH, messages=[{"role": "user", "content": "hi"}],
                                       reasoning_effort="bogus")


def test_openai_stream_faults_surface(oai, emu):
    with pytest.raises(Exception) as info:  # a malformed event: the SDK's JSON decoder fails
        list(oai.chat.completions.create(model="fault-bad-sse", messages=[{"role": "user", "content": "hi"}],
                                         stream=True))
    assert isinstance(info.value, (ValueError, openai.APIError))
    with pytest.raises(openai.APIError):
        list(oai.chat.completions.create(model="fault-drop-stream", messages=[{"role": "user", "content": "hi"}],
                                         stream=True))


# ----------------------------------------------------------------------------- google-genai

def test_genai_plain_call(gai, emu):
    r = gai.models.generate_content(model=FLASH, contents="ping",
                                    config=types.GenerateContentConfig(system_instruction="be brief",
                                                                       temperature=0.2, max_output_tokens=200))
    assert r.text.startswith('Following the system instruction "be brief"')
    assert r.candidates[0].finish_reason == types.FinishReason.STOP
    assert r.usage_metadata.prompt_token_count == 3 and r.model_version == FLASH and r.response_id
    (sent,) = emu.received
    assert (sent.method, sent.path) == ("POST", f"/v1beta/models/{FLASH}:generateContent")
    assert sent.headers["x-goog-api-key"] == KEY and "authorization" not in sent.headers
    assert sent.headers["user-agent"].startswith("google-genai-sdk/")
    assert sent.json["contents"] == [{"parts": [{"text": "ping"}], "role": "user"}]
    assert sent.json["generationConfig"] == {"temperature": 0.2, "maxOutputTokens": 200}


def test_genai_streaming(gai, emu):
    chunks = list(gai.models.generate_content_stream(model=FLASH, contents="hi [[chunks=15]]"))
    assert len(chunks) == 15 and all(c.text for c in chunks)
    assert chunks[-1].candidates[0].finish_reason == types.FinishReason.STOP
    assert chunks[-1].usage_metadata.candidates_token_count == 15
    assert emu.received[0].path.endswith(":streamGenerateContent") and emu.received[0].query == {"alt": "sse"}


def test_genai_streaming_with_crlf_framing(make_emulator):
    emu = make_emulator(ttft_ms=0, chunk_ms=0, crlf=True)
    client = genai.Client(api_key=KEY, http_options={"base_url": emu.base_url, "api_version": "v1beta"})
    chunks = list(client.models.generate_content_stream(model=FLASH, contents="hi [[chunks=4]]"))
    assert [c.text for c in chunks] == ["alpha", " bravo", " charlie", " delta"]


def test_genai_count_tokens_and_models(gai, emu):
    assert gai.models.count_tokens(model=FLASH, contents="Hello, world!").total_tokens == 4
    assert emu.received[-1].path == f"/v1beta/models/{FLASH}:countTokens"
    names = [m.name for m in gai.models.list()]
    assert "models/gemini-2.5-flash" in names and "models/fault-slow" in names
    model = gai.models.get(model="gemini-2.5-pro")
    assert model.name == "models/gemini-2.5-pro" and model.thinking is True


def test_genai_thinking(gai, emu):
    config = types.GenerateContentConfig(thinking_config=types.ThinkingConfig(thinking_budget=1024,
                                                                              include_thoughts=True))
    r = gai.models.generate_content(model=FLASH, contents="ping", config=config)
    parts = r.candidates[0].content.parts
    assert parts[0].thought is True and not parts[1].thought
    assert r.text == parts[1].text and r.usage_metadata.thoughts_token_count > 0
    assert emu.received[-1].json["generationConfig"]["thinkingConfig"] == {"include_thoughts": True,
                                                                           "thinking_budget": 1024}
    config = types.GenerateContentConfig(thinking_config=types.ThinkingConfig(thinking_level="LOW"))
    r = gai.models.generate_content(model="gemini-3-flash-preview", contents="ping", config=config)
    assert r.usage_metadata.thoughts_token_count > 0


class Recipe(BaseModel):
    title: str
    servings: int
    steps: list[str]


def test_genai_json_schema(gai, emu):
    config = types.GenerateContentConfig(response_mime_type="application/json", response_schema=Recipe)
    r = gai.models.generate_content(model=FLASH, contents="A cake recipe", config=config)
    assert isinstance(r.parsed, Recipe) and len(r.parsed.steps) == 2
    sent = emu.received[-1].json["generationConfig"]["responseSchema"]
    assert sent["type"] == "OBJECT" and "property_ordering" in sent  # snake_case nested: read as camelCase
    config = types.GenerateContentConfig(response_mime_type="application/json",
                                         response_json_schema=Recipe.model_json_schema())
    assert Recipe.model_validate_json(gai.models.generate_content(model=FLASH, contents="cake", config=config).text)


def test_genai_features_of_issue_6(gai, emu):
    r = gai.models.generate_content(
        model=FLASH, contents=["What is in this picture?", types.Part.from_bytes(data=PNG, mime_type="image/png")])
    assert "image/png, 68 bytes" in r.text
    inline = emu.received[-1].json["contents"][0]["parts"][1]["inlineData"]
    assert inline == {"data": base64.b64encode(PNG).decode(), "mime_type": "image/png"}

    config = types.GenerateContentConfig(tools=[types.Tool(google_search=types.GoogleSearch())])
    r = gai.models.generate_content(model=FLASH, contents="Who won in Berlin?", config=config)
    meta = r.candidates[0].grounding_metadata
    assert meta.web_search_queries and meta.grounding_chunks[0].web.uri.startswith("https://example.com/")
    assert meta.grounding_supports[0].segment.end_index > 0

    decl = types.FunctionDeclaration(name="get_weather", description="Weather",
                                     parameters_json_schema={"type": "object", "properties": {"city": {"type": "string"}}})
    config = types.GenerateContentConfig(tools=[types.Tool(function_declarations=[decl])],
                                         automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True))
    r = gai.models.generate_content(model=FLASH, contents="Weather in Rome?", config=config)
    assert r.function_calls[0].name == "get_weather" and r.function_calls[0].args == {"city": "Rome"}

    r = gai.models.generate_content(model=FLASH, contents="BLOCKME please")
    assert r.text is None and r.prompt_feedback.block_reason == types.BlockedReason.SAFETY


@pytest.mark.parametrize("model, config, error, code", [
    ("no-such-model", None, genai_errors.ClientError, 404),
    (FLASH, types.GenerateContentConfig(thinking_config=types.ThinkingConfig(thinking_budget=99999)),
     genai_errors.ClientError, 400),
    ("fault-rate-limit", None, genai_errors.ClientError, 429),
    ("fault-server-error", None, genai_errors.ServerError, 500),
    ("fault-unavailable", None, genai_errors.ServerError, 503),
])
def test_genai_errors_are_sdk_exceptions(gai, emu, model, config, error, code):
    with pytest.raises(error) as info:
        gai.models.generate_content(model=model, contents="hi", config=config)
    assert info.value.code == code and len(emu.received) == 1


def test_genai_reads_the_comet_envelope_too(make_emulator):
    emu = make_emulator(ttft_ms=0, chunk_ms=0, gemini_errors="comet")
    client = genai.Client(api_key=KEY, http_options={"base_url": emu.base_url, "api_version": "v1beta"})
    with pytest.raises(genai_errors.ClientError) as info:
        client.models.generate_content(model="fault-rate-limit", contents="hi")
    assert info.value.code == 429 and "(request id: " in info.value.message
