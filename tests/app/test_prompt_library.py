"""AppTest on the real stack: the Playground's prompt library. Save a prompt twice with messages, load
version 1, see "modified" after an edit, diff versions 1 and 2, move the production label, and a Send
that records the version it came from; bad input says why and changes nothing."""

from __future__ import annotations

from app_support import APP, TIMEOUT, body, no_exception, texts
from streamlit.testing.v1 import AppTest


def store():
    from comet.store import default_path, open_store

    return open_store(default_path())


def origin(at: AppTest) -> str:
    """The line that says where the request came from ("From capitals v1 · modified"), or ""."""
    lines = [c.value.replace("**", "") for c in at.main.caption if c.value.startswith("From ")]
    return lines[0] if lines else ""


def typed_then(at: AppTest, field: str, value: str, button: str) -> AppTest:
    """Type ``value`` into the text input ``field``, then click ``button``."""
    at.text_input(key=field).set_value(value).run()
    return no_exception(at.button(key=button).click().run())


def test_save_twice_load_v1_modified_diff_and_move_a_label(on_emulator):
    at = no_exception(AppTest.from_file(APP, default_timeout=TIMEOUT).run())
    at.text_area(key="pg_f_prompt").set_value("What is the capital of Peru?").run()
    at.text_input(key="pst_name").set_value("capitals").run()
    at.text_input(key="pst_message").set_value("first try").run()
    at = no_exception(at.button(key="pst_save_as").click().run())
    assert "Saved capitals v1. first try" in texts(at.main, "success")
    assert origin(at) == "From capitals v1"

    at.text_area(key="pg_f_prompt").set_value("Name the capital of Peru in one word.").run()
    assert origin(at) == "From capitals v1 · modified"
    at.text_input(key="pst_message").set_value("terser").run()
    at = no_exception(at.button(key="pst_save").click().run())
    assert "Saved capitals v2. terser" in texts(at.main, "success")
    kept = store().prompt_versions("capitals")
    assert [(v.version, v.message) for v in kept] == [(1, "first try"), (2, "terser")]

    at.selectbox(key="pst_version").set_value("v:1").run()
    at = no_exception(at.button(key="pst_load").click().run())
    assert at.text_area(key="pg_f_prompt").value == "What is the capital of Peru?"
    assert "Loaded capitals v1. first try" in texts(at.main, "success")
    at.text_area(key="pg_f_prompt").set_value("What is the capital of Peru, please?").run()
    assert origin(at) == "From capitals v1 · modified"

    at = no_exception(at.toggle(key="pst_show_diff").set_value(True).run())
    at.selectbox(key="pst_diff_a").set_value(1).run()
    at = no_exception(at.selectbox(key="pst_diff_b").set_value(2).run())
    (table,) = [t for t in at.table if "path" in t.value.columns]
    shown = table.value.to_dict("records")
    assert shown == [{"path": "$.body.contents[0].parts[0].text", "change": "changed",
                      "before": "What is the capital of Peru?", "after": "Name the capital of Peru in one word."}]

    at.selectbox(key="pst_version").set_value("v:1").run()
    at = typed_then(at, "pst_label", "production", "pst_move")
    assert "Moved “production” to v1 of capitals." in texts(at.main, "success")
    at.selectbox(key="pst_version").set_value("v:2").run()
    at = no_exception(at.button(key="pst_move").click().run())
    assert "Moved “production” from v1 to v2 of capitals." in texts(at.main, "success")
    assert store().prompt_labels("capitals") == {"production": 2}
    assert "production v1 → v2" in texts(at.main, "caption")

    at = no_exception(at.button(key="pg_send").click().run())
    (row,) = store().page()
    assert (row["prompt_name"], row["prompt_version"], row["prompt_modified"]) == ("capitals", 1, True)

    at = no_exception(at.switch_page("pages/history.py").run())  # History filters by prompt and version
    at.selectbox(key="hist_prompt").set_value("capitals").run()
    at = no_exception(at.selectbox(key="hist_prompt_version").set_value(2).run())
    assert at.session_state["hist_filters"] == {"prompt_name": "capitals", "prompt_version": 2}
    assert "No runs match" in texts(at.main, "markdown") + texts(at.main, "caption") + texts(at.main, "info")
    at = no_exception(at.selectbox(key="hist_prompt_version").set_value(1).run())
    assert "1 run matches" in texts(at.main, "markdown") + texts(at.main, "caption")


def test_a_bad_label_and_an_unloaded_save_say_why_and_change_nothing(on_emulator):
    from comet import Call, simple_body

    store().save_prompt("capitals", Call("gemini", "gemini-2.5-flash", simple_body("gemini", "hi {{who}}")),
                        variables={"who": "Ana"})
    at = no_exception(AppTest.from_file(APP, default_timeout=TIMEOUT).run())
    at.selectbox(key="pst_pick").set_value("saved:capitals").run()
    at = typed_then(at, "pst_label", "my label", "pst_move")
    assert "holds a space" in texts(at.main, "error")
    at = typed_then(at, "pst_name", "Example: Grounded answer", "pst_save_as")
    assert "built-in example" in texts(at.main, "error")
    assert store().prompt_labels("capitals") == {} and [p.name for p in store().prompts()] == ["capitals"]
    at = no_exception(at.button(key="pst_load").click().run())  # newest version: loaded, not modified
    assert origin(at) == "From capitals v1"
    assert body(at)["contents"][0]["parts"][0]["text"] == "hi {{who}}"
    assert at.text_input(key="pg_var_who").value == "Ana"  # its kept variable value, in the field


def test_the_batch_page_runs_two_versions_and_gives_each_its_pass_rate(on_emulator):
    import time

    from comet import Call

    v1 = {"contents": [{"role": "user", "parts": [{"text": "What is the capital of {{country}}?"}]}]}
    v2 = {"contents": [{"role": "user", "parts": [{"text": "Name the capital of {{country}} in one word."}]}]}
    for body_ in (v1, v2):
        store().save_prompt("capitals", Call("gemini", "gemini-2.5-flash", body_))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at = no_exception(at.switch_page("pages/batch.py").run())
    at = no_exception(at.multiselect(key="bat_versions").set_value([("capitals", 1), ("capitals", 2)]).run())
    at = no_exception(at.file_uploader(key="bat_upload").set_value(
        ("cases.csv", b"country\nPeru\nFrance\n", "text/csv")).run())
    at.selectbox(key="bat_assert_type").set_value("icontains").run()
    at.text_input(key="bat_assert_value").set_value("one word").run()
    at = no_exception(at.button(key="bat_assert_add").click().run())
    at = no_exception(at.button(key="bat_go").click().run())
    deadline = time.monotonic() + 60
    while not at.session_state["bat_run"].finished:
        assert time.monotonic() < deadline, "the batch did not finish"
        time.sleep(0.2)
        at.run()
    at = no_exception(at.run())
    (summary,) = [d.value for d in at.dataframe if "pass rate" in d.value.columns]
    rates = dict(zip(summary.iloc[:, 0], summary["pass rate"]))
    assert rates == {"capitals v1 · Gemini native · gemini-2.5-flash": 0.0,
                     "capitals v2 · Gemini native · gemini-2.5-flash": 1.0}
    assert store().count(prompt_name="capitals", prompt_version=2) == 2
