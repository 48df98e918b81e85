"""The small things of issue 14 (item 5), where AppTest and the client can see them: an empty
prompt says why nothing useful will come back, clearing a schema takes back the JSON mode it
turned on, one label per thinking control,
"Follow up" instead of "Continue", the uploader's 20 MB, an error said once, the Thoughts section
left open after a stream, a time to first token for a reply that only calls a function, the
emulator's address not a link, and snippets that wrap."""

from __future__ import annotations

import json

import pytest
from app_support import body, no_exception, open_code, open_sections, texts
from test_app import last_run, send

from comet import Call, Client, Route, simple_body
from comet.body import features
from comet.body.hints import empty_prompt, error_sentence

SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
WEATHER = features.Function("get_weather", "The weather now",
                            {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]})


@pytest.mark.parametrize("route, body_, empty", [
    (Route.GEMINI, {"contents": []}, True),
    (Route.GEMINI, {"contents": [{"role": "user", "parts": [{"text": "  "}]}]}, True),
    (Route.GEMINI, {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}, False),
    (Route.GEMINI, {"contents": [{"role": "user", "parts": [{"text": ""}, {"inlineData": {"mimeType": "image/png", "data": "x"}}]}]}, False),
    (Route.GEMINI, {"contents": [{"role": "user", "parts": [{"text": "hi"}]}, {"role": "model", "parts": [{"text": "yo"}]}]}, False),
    (Route.OPENAI, {"messages": [{"role": "user", "content": ""}]}, True),
    (Route.OPENAI, {"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]}, False),
    (Route.OPENAI, {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:,"}}]}]}, False),
    (Route.OPENAI, {"messages": [{"role": "tool", "tool_call_id": "1", "content": "21"}]}, False),
])
def test_empty_prompt(route, body_, empty):
    assert empty_prompt(route, body_) is empty


def test_an_error_is_said_once():
    message = ("HTTP 429 rate_limited on the OpenAI-compatible route: upstream rate limit reached "
               "(request id: 7f3a) [rate_limit_exceeded]")
    said = error_sentence("rate_limited", 429, message, "7f3a")
    assert said.count("429") == 1 and said.count("rate_limited") == 1 and "7f3a" not in said
    assert said.startswith("HTTP 429 rate_limited on the OpenAI-compatible route: upstream")
    assert error_sentence("network", None, "connection refused", None) == "network: connection refused"
    assert error_sentence("protocol", 502, "HTTP 502 answered with an HTML page", None) == \
        "protocol: HTTP 502 answered with an HTML page"


@pytest.mark.parametrize("route", list(Route))
@pytest.mark.parametrize("stream", [False, True])
def test_a_reply_that_only_calls_a_function_has_a_time_to_first_token(emulator, route, stream):
    base = simple_body(route, "Weather in Oslo?")
    tooled = features.set_calling_mode(route, features.add_function(route, base, WEATHER),
                                       "ANY" if route is Route.GEMINI else "required")
    with Client(emulator.base_url, "sk-ttft") as client:
        ex = client.send(Call(route, "gemini-2.5-flash", tooled, stream=stream))
    assert ex.ok and ex.reply.function_calls and not ex.text
    assert ex.timing.ttft_ms is not None and 0 < ex.timing.ttft_ms <= ex.timing.latency_ms


def test_an_empty_prompt_says_why_nothing_useful_will_come_back(app):
    app.text_area(key="pg_f_prompt").set_value("").run()
    assert "Type a prompt first: an empty turn gets an error or an empty reply" in texts(app, "caption")
    app.text_area(key="pg_f_prompt").set_value("hello").run()
    assert "Type a prompt first" not in texts(app, "caption")


def test_clearing_a_schema_takes_back_the_json_mode_it_turned_on(app):
    no_exception(open_sections(app, "pg_open_structured"))
    assert app.toggle(key="pg_f_json_output").value is False
    no_exception(app.text_area(key="pg_schema").set_value(json.dumps(SCHEMA)).run())
    assert app.toggle(key="pg_f_json_output").value is True
    no_exception(app.text_area(key="pg_schema").set_value("").run())
    assert "generationConfig" not in body(app) and app.toggle(key="pg_f_json_output").value is False
    # JSON output the user turned on stays on
    no_exception(app.toggle(key="pg_f_json_output").set_value(True).run())
    no_exception(app.text_area(key="pg_schema").set_value(json.dumps(SCHEMA)).run())
    no_exception(app.text_area(key="pg_schema").set_value("").run())
    assert body(app)["generationConfig"] == {"responseMimeType": "application/json"}


def test_labels_say_what_each_control_does(app):
    no_exception(open_sections(app))
    labels = [w.label for kind in ("radio", "number_input", "selectbox", "toggle", "text_area")
              for w in getattr(app, kind)]
    thinking = [label for label in labels if label.startswith("Thinking")]
    assert len(thinking) == len(set(thinking)) >= 2, thinking  # no two controls share a label
    assert "Thinking mode" in thinking and "Thinking budget (tokens)" in thinking
    assert app.button(key="pg_continue").label == "Follow up"
    assert "nothing is generated" in app.button(key="pg_continue").help


def test_the_uploader_says_20_mb_and_there_is_no_deploy_button(app):
    import tomllib
    from pathlib import Path

    no_exception(open_sections(app, "pg_open_media"))
    (media,) = [u for u in app.get("file_uploader") if u.proto.label == "Attach media"]
    assert media.proto.max_upload_size_mb == 20  # the inline limit, not Streamlit's 200
    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["client"]["toolbarMode"] == "minimal"
    assert config["theme"]["light"]["primaryColor"] and config["theme"]["dark"]["primaryColor"]


def test_a_fault_shows_its_message_and_request_id_once(fast_app):
    fast_app.radio(key="pg_route").set_value("openai").run()  # CometAPI's envelope has a request id
    send(fast_app, "hello", model="fault-server-error")
    exchange, _ = last_run(fast_app)
    shown = texts(fast_app, "error") + "\n" + texts(fast_app, "markdown")
    assert exchange.error.request_id and shown.count(exchange.error.request_id) == 1
    assert texts(fast_app, "error").count("HTTP 500") == 1


def test_streamed_thoughts_stay_open_after_the_stream(app):
    no_exception(open_sections(app, "pg_open_thinking"))
    app.toggle(key="pg_f_include_thoughts").set_value(True).run()
    send(app, "Think first")
    (thoughts,) = [e for e in app.expander if e.label == "Thoughts"]
    assert thoughts.proto.expanded is True


def test_the_demo_caption_does_not_link_the_emulator(monkeypatch):
    from app_support import start

    at = no_exception(start())
    caption = texts(at, "caption")
    assert "Demo mode: local emulator at `http://127.0.0.1:" in caption


def test_snippets_wrap_in_their_half_column(app):
    open_code(app)
    snippets = [c for c in app.code if "COMETAPI_KEY" in str(c.value)]
    assert snippets and all(c.proto.wrap_lines for c in snippets)
