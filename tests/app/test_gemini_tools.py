"""The code execution and URL context switches: the body edits (comet.body.features), the rulebook,
the route switch report, and the Playground's Form tab end to end (AppTest)."""

from __future__ import annotations

import pytest
from app_support import body, no_exception, texts

from comet.body import features
from comet.body.convert import DROPPED, convert, restore
from comet.body.features import code_execution, url_context
from comet.body.spelling import FormConflict
from comet.core.call import Route

G, O = Route.GEMINI, Route.OPENAI
PROMPT = "Compare https://example.com/a and https://gone.invalid/b, then add up the numbers."
BODY = {"contents": [{"role": "user", "parts": [{"text": PROMPT}]}], "tools": [{"googleSearch": {}}]}


@pytest.mark.parametrize("feature,entry", [(code_execution, "codeExecution"), (url_context, "urlContext")])
def test_each_switch_writes_only_its_tool(feature, entry):
    on = feature.set(G, BODY, True)
    assert on["tools"] == [{"googleSearch": {}}, {entry: {}}] and feature.read(G, on)
    assert feature.set(G, on, True) == on  # on twice: one entry
    assert feature.set(G, on, False) == BODY  # other tools stay
    alone = feature.set(G, {"contents": BODY["contents"]}, True)
    assert "tools" not in feature.set(G, alone, False)  # a list left empty goes
    snake = {"contents": BODY["contents"], "tools": [{entry[0] + "".join("_" + c.lower() if c.isupper() else c
                                                                        for c in entry[1:]): {}}]}
    assert feature.read(G, snake) and "tools" not in feature.set(G, snake, False)
    with pytest.raises(FormConflict, match="Gemini native feature"):
        feature.set(O, {"messages": []}, True)
    assert not feature.read(O, {"messages": [], "tools": [{entry: {}}]})


def test_url_context_reads_the_prompts_urls_and_the_rulebook_wants_one():
    on = url_context.set(G, BODY, True)
    assert url_context.urls(G, on) == ["https://example.com/a", "https://gone.invalid/b"]
    assert features.problems(G, "gemini-2.5-flash", on) == []
    bare = url_context.set(G, {"contents": [{"role": "user", "parts": [{"text": "Summarise the page"}]}]}, True)
    [problem] = features.problems(G, "gemini-2.5-flash", bare)
    assert problem.path == "tools.urlContext" and "names no URL" in problem.message and "https://" in problem.fix
    many = " ".join(f"https://e.com/{i}" for i in range(21))
    crowded = url_context.set(G, {"contents": [{"role": "user", "parts": [{"text": many}]}]}, True)
    assert "at most 20" in features.problems(G, "gemini-2.5-flash", crowded)[0].message


def test_the_route_switch_says_what_happens_to_each_and_brings_them_back():
    both = url_context.set(G, code_execution.set(G, BODY, True), True)
    there = convert(both, O, model="gemini-2.5-flash")
    reasons = {r.field: r for r in there.report if r.status == DROPPED}
    code = next(r for f, r in reasons.items() if "codeExecution" in f)
    urls = next(r for f, r in reasons.items() if "urlContext" in f)
    assert "code execution has no Chat Completions field" in code.note
    assert "URL context has no Chat Completions field" in urls.note
    assert PROMPT in str(there.body["messages"])  # the URLs travel on in the prompt's text
    back = restore(convert(there.body, G).body, there.leftover)
    assert back["tools"] == both["tools"]


# ---- the Form tab ----------------------------------------------------------------------------------

def test_the_switches_edit_the_body_and_the_reply_shows_what_came_back(app, emulator):
    app.toggle(key="pg_code_execution").set_value(True).run()
    app.toggle(key="pg_url_context").set_value(True).run()
    assert body(app)["tools"] == [{"codeExecution": {}}, {"urlContext": {}}]
    assert "Put the URLs to read" in texts(app, "caption")
    assert app.button(key="pg_send").disabled  # the rulebook: URL context without a URL
    no_exception(app.text_area(key="pg_f_prompt").set_value(PROMPT).run())
    assert "Pages to read: `https://example.com/a`, `https://gone.invalid/b`" in texts(app, "caption")
    no_exception(app.button(key="pg_send").click().run())
    sent = [r for r in emulator.received if r.method == "POST" and "enerateContent" in r.path][-1].json
    assert sent["tools"] == [{"codeExecution": {}}, {"urlContext": {}}]
    assert "print(sum(range(" in texts(app, "code")
    [urls] = [t.value for t in app.table if "Retrieval" in t.value.columns]
    assert list(urls["Retrieval"]) == ["success", "error"]
    app.toggle(key="pg_code_execution").set_value(False).run()
    app.toggle(key="pg_url_context").set_value(False).run()
    assert "tools" not in body(app)


def test_typed_json_sets_the_switches(app):
    from app_support import set_json
    no_exception(set_json(app, {"contents": BODY["contents"], "tools": [{"codeExecution": {}}]}))
    assert app.toggle(key="pg_code_execution").value is True and app.toggle(key="pg_url_context").value is False
