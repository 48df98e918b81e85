"""The form over a route's body (comet.body.form) and the draft store (comet.store.drafts): pure, fast."""

from __future__ import annotations

import copy

import pytest

from comet import Route, problems
from comet.body import features, form
from comet.store.drafts import Drafts, default_path

GEMINI = {
    "contents": [{"role": "user", "parts": [{"text": "hello"}]}],
    "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
    "generationConfig": {"candidateCount": 1, "temperature": 0.5},
    "x-unknown": {"kept": [1, 2, 3]},
}
OPENAI = {
    "model": "gemini-2.5-flash",
    "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello"}],
    "logprobs": True,
    "max_tokens": 64,
}


def test_read_gemini_values():
    values = form.read(Route.GEMINI, GEMINI)
    assert values["prompt"] == "hello"
    assert values["system"] == ""
    assert values["temperature"] == 0.5
    assert values["top_p"] is None and values["max_output_tokens"] is None
    assert values["stop"] == [] and values["json_output"] is False
    assert set(values) == set(form.fields(Route.GEMINI))


def test_read_openai_values_with_the_older_max_tokens_spelling():
    values = form.read(Route.OPENAI, OPENAI)
    assert values["prompt"] == "hello" and values["system"] == "be brief"
    assert values["max_output_tokens"] == 64
    assert values["reasoning_effort"] is None


@pytest.mark.parametrize("route, body", [(Route.GEMINI, GEMINI), (Route.OPENAI, OPENAI)])
def test_apply_changes_only_the_touched_field(route, body):
    before = copy.deepcopy(body)
    out = form.apply(route, body, {"top_p": 0.9})
    assert body == before  # the input is never changed
    values_before, values_after = form.read(route, body), form.read(route, out)
    assert {k: v for k, v in values_after.items() if values_before.get(k) != v} == {"top_p": 0.9}
    # everything else in the body is byte-for-byte the same
    strip = {"gemini": lambda b: b["generationConfig"].pop("topP"), "openai": lambda b: b.pop("top_p")}[route]
    strip(out)
    assert out == body


def test_unknown_fields_survive_every_edit():
    body = GEMINI
    for edit in ({"prompt": "new"}, {"system": "sys"}, {"temperature": None}, {"stop": ["END"]},
                 {"json_output": True}, {"thinking_budget": 512}, {"include_thoughts": True}):
        body = form.apply(Route.GEMINI, body, edit)
    assert body["x-unknown"] == {"kept": [1, 2, 3]}
    assert body["safetySettings"] == GEMINI["safetySettings"]
    assert body["generationConfig"]["candidateCount"] == 1
    assert body["generationConfig"]["thinkingConfig"] == {"thinkingBudget": 512, "includeThoughts": True}
    assert body["generationConfig"]["responseMimeType"] == "application/json"
    assert problems(Route.GEMINI, body) == []


def test_the_form_injects_nothing_on_an_empty_body():
    assert form.apply(Route.GEMINI, {}, {"prompt": "hi"}) == {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    assert form.apply(Route.OPENAI, {}, {"prompt": "hi"}) == {"messages": [{"role": "user", "content": "hi"}]}


def test_clearing_removes_the_key_and_the_settings_object_it_emptied():
    body = form.apply(Route.GEMINI, {"contents": []}, {"temperature": 0.3})
    assert body["generationConfig"] == {"temperature": 0.3}
    assert "generationConfig" not in form.apply(Route.GEMINI, body, {"temperature": None})
    # but a settings object that holds other keys stays
    assert form.apply(Route.GEMINI, GEMINI, {"temperature": None})["generationConfig"] == {"candidateCount": 1}


def test_snake_case_gemini_bodies_keep_their_spelling():
    body = {"contents": [{"parts": [{"text": "x"}]}], "generation_config": {"max_output_tokens": 5}}
    assert form.read(Route.GEMINI, body)["max_output_tokens"] == 5
    out = form.apply(Route.GEMINI, body, {"max_output_tokens": 9, "temperature": 0.1})
    assert out["generation_config"] == {"max_output_tokens": 9, "temperature": 0.1}
    assert "generationConfig" not in out


def test_openai_max_tokens_is_written_back_under_its_own_name():
    out = form.apply(Route.OPENAI, OPENAI, {"max_output_tokens": 10})
    assert out["max_tokens"] == 10 and "max_completion_tokens" not in out
    fresh = form.apply(Route.OPENAI, {"messages": []}, {"max_output_tokens": 10})
    assert fresh["max_completion_tokens"] == 10


def test_system_instruction_add_change_remove():
    g = form.apply(Route.GEMINI, GEMINI, {"system": "be terse"})
    assert g["systemInstruction"] == {"parts": [{"text": "be terse"}]}
    assert "systemInstruction" not in form.apply(Route.GEMINI, g, {"system": ""})
    o = form.apply(Route.OPENAI, OPENAI, {"system": "be kind"})
    assert o["messages"][0] == {"role": "system", "content": "be kind"}
    o = form.apply(Route.OPENAI, o, {"system": ""})
    assert [m["role"] for m in o["messages"]] == ["user"]
    assert form.read(Route.OPENAI, form.apply(Route.OPENAI, {}, {"system": "s"}))["system"] == "s"


def test_prompt_keeps_other_parts_of_the_turn():
    body = {"contents": [{"role": "user", "parts": [{"inlineData": {"mimeType": "image/png", "data": "<attachment:a.png>"}},
                                                    {"text": "describe"}]}]}
    out = form.apply(Route.GEMINI, body, {"prompt": "describe it"})
    assert out["contents"][0]["parts"][0]["inlineData"]["data"] == "<attachment:a.png>"
    assert out["contents"][0]["parts"][1] == {"text": "describe it"}
    parts = {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "u"}},
                                                       {"type": "text", "text": "a"}]}]}
    assert form.apply(Route.OPENAI, parts, {"prompt": "b"})["messages"][0]["content"][1]["text"] == "b"


def test_json_output_switch_keeps_a_schema():
    body = {"contents": [], "generationConfig": {"responseMimeType": "application/json", "responseSchema": {"type": "OBJECT"}}}
    assert form.read(Route.GEMINI, body)["json_output"] is True
    assert form.apply(Route.GEMINI, body, {"json_output": True}) == body
    off = form.apply(Route.GEMINI, body, {"json_output": False})
    assert off["generationConfig"] == {"responseSchema": {"type": "OBJECT"}}
    on = form.apply(Route.OPENAI, {"messages": []}, {"json_output": True})
    assert on["response_format"] == {"type": "json_object"}
    assert "response_format" not in form.apply(Route.OPENAI, on, {"json_output": False})


def test_stop_sequences():
    assert form.read(Route.OPENAI, {"stop": "END"})["stop"] == ["END"]
    out = form.apply(Route.GEMINI, {}, {"stop": form.parse_stop("END, ###,  ")})
    assert out["generationConfig"]["stopSequences"] == ["END", "###"]
    assert form.stop_text(["a", "b"]) == "a, b"
    assert "generationConfig" not in form.apply(Route.GEMINI, out, {"stop": []})


def test_continue_appends_reply_and_a_new_user_turn():
    g = form.continue_with(Route.GEMINI, GEMINI, "hi there")
    assert [t.get("role") for t in g["contents"]] == ["user", "model", "user"]
    assert form.read(Route.GEMINI, g)["prompt"] == ""
    assert [t.role for t in features.turns(Route.GEMINI, g)] == ["user", "model"]
    g = form.apply(Route.GEMINI, g, {"prompt": "and then?"})
    assert g["contents"][-1] == {"role": "user", "parts": [{"text": "and then?"}]}
    o = form.continue_with(Route.OPENAI, OPENAI, "hi there")
    assert [m["role"] for m in o["messages"]] == ["system", "user", "assistant", "user"]
    assert [t.role for t in features.turns(Route.OPENAI, o)] == ["user", "assistant"]


def test_prompt_after_a_model_turn_starts_a_new_user_turn():
    body = {"contents": [{"role": "user", "parts": [{"text": "q"}]}, {"role": "model", "parts": [{"text": "a"}]}]}
    assert form.read(Route.GEMINI, body)["prompt"] == ""
    out = form.apply(Route.GEMINI, body, {"prompt": "next"})
    assert out["contents"][-1] == {"role": "user", "parts": [{"text": "next"}]}


def test_a_body_with_no_room_for_the_edit_is_left_alone():
    with pytest.raises(form.FormConflict):
        form.apply(Route.GEMINI, {"contents": "oops"}, {"prompt": "x"})
    with pytest.raises(form.FormConflict):
        form.apply(Route.GEMINI, {"generationConfig": 3}, {"temperature": 0.1})
    with pytest.raises(KeyError):
        form.apply(Route.OPENAI, {}, {"top_k": 3})  # a Gemini-only field


def test_every_field_has_a_spec_and_routes_share_the_common_ones():
    for route in Route:
        assert set(form.COMMON) <= set(form.fields(route))
        assert all(name in form.SPECS for name in form.fields(route))


def test_drafts_round_trip(tmp_path):
    drafts = Drafts(tmp_path / "d.sqlite3")
    assert drafts.load("nope") is None
    data = {"route": "openai", "body": {"messages": [{"role": "user", "content": "ünï"}]}}
    drafts.save("a", data)
    drafts.save("a", {**data, "model": "m"})
    again = Drafts(tmp_path / "d.sqlite3")
    assert again.load("a") == {**data, "model": "m"}
    again.delete("a")
    assert again.load("a") is None


def test_drafts_live_beside_the_history_db(tmp_path, monkeypatch):
    monkeypatch.setenv("COMET_HISTORY_DB", str(tmp_path / "h.sqlite3"))
    assert default_path() == tmp_path / "h.drafts.sqlite3"
