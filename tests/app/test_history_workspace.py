"""History as list and detail (#29): a selected run opens in a panel beside the list, a rerun is
labelled and shown against its original, a Group column (comparison or batch) with a filter that
hides batch runs, rare columns hidden until asked for, and the diff's numbers read as every
other number on the pages."""

from __future__ import annotations

from app_support import no_exception, texts
from test_rerun_diff_presets import frame, open_page, record, store

from comet import Call, Route, simple_body


def runs(emulator) -> list[int]:
    """A single run, two runs of a comparison and two of a batch, recorded on the emulator."""
    from comet.http.client import Client

    s = store()
    call = lambda text: Call(Route.GEMINI, "gemini-2.5-flash", simple_body("gemini", text))  # noqa: E731
    with Client(emulator.base_url, "test-key") as client:
        ids = [s.record(client.send(call("alone")), cost=0.0000212)]
        ids += [s.record(client.send(call(f"compared {i}")), group_id="cmp-0123456789ab", cost=0.0000301)
                for i in range(2)]
        ids += [s.record(client.send(call(f"case {i}")), group_id="bat-0123456789ab") for i in range(2)]
    return ids


def test_a_selected_run_opens_beside_the_list(on_emulator):
    ids = runs(on_emulator)
    at = no_exception(open_page("pages/history.py").selectbox(key="hist_run").set_value(ids[0]).run())
    beside = [c for c in at.columns if any(s.value == f"Run #{ids[0]}" for s in c.subheader)]
    assert beside, "the run is not in a column"
    (listing,) = [c for c in at.columns if any("prompt_preview" in d.value.columns for d in c.dataframe)]
    assert listing.proto.weight > beside[0].proto.weight  # the list keeps the wider side
    at = no_exception(at.button(key="hist_close").click().run())
    assert f"Run #{ids[0]}" not in [s.value for s in at.subheader]


def test_the_group_column_names_comparisons_and_batches_and_batch_runs_can_be_hidden(on_emulator):
    runs(on_emulator)
    at = open_page("pages/history.py")
    table = at.dataframe[0]
    assert sorted(set(table.value["group"].dropna())) == ["batch bat-0123456789ab", "comparison cmp-0123456789ab"]
    shown = list(table.proto.column_order)
    assert shown[:3] == ["time", "prompt_preview", "reply_preview"] and "group" in shown and "target" in shown
    assert not {"served_model", "attempts", "cached_tokens", "tool_use_prompt_tokens", "id"} & set(shown)
    at = no_exception(at.toggle(key="hist_no_batches").set_value(True).run())
    assert "3 runs match" in texts(at, "caption")
    assert not any(str(g).startswith("batch") for g in at.dataframe[0].value["group"].dropna())
    at = no_exception(at.multiselect(key="hist_columns").set_value([*shown, "attempts"]).run())
    assert "attempts" in at.dataframe[0].proto.column_order


def test_the_diff_formats_its_numbers_like_every_other_number(on_emulator):
    ids = runs(on_emulator)
    at = open_page("pages/history.py")
    at.selectbox(key="hist_diff_a").set_value(ids[0]).run()
    at = no_exception(at.selectbox(key="hist_diff_b").set_value(ids[1]).run())
    by_metric = {r["metric"]: r for r in frame(at, "metric").to_dict("records")}
    a = f"A (#{ids[0]})"
    assert by_metric["Cost"][a].startswith("$") and "e-" not in by_metric["Cost"][a]
    assert by_metric["Latency"][a].endswith(" ms") and "." not in by_metric["Latency"][a]
    assert by_metric["Latency"]["difference"].endswith(" ms")
    assert by_metric["Output tokens"]["difference"][0] in "+−±"


def test_a_rerun_is_labelled_and_shown_against_its_original(on_emulator):
    ids = runs(on_emulator)
    at = no_exception(open_page("pages/history.py").selectbox(key="hist_run").set_value(ids[0]).run())
    at = no_exception(at.button(key="hist_rerun").click().run())
    assert f"**Rerun of run #{ids[0]}**" in texts(at.main, "markdown")
    assert "Original" in texts(at.main, "caption") and "Rerun" in texts(at.main, "caption")
    assert "Compared with the run it repeats: same request" in texts(at, "success") + texts(at, "info")


def test_a_batch_run_is_called_a_batch_run(on_emulator):
    ids = runs(on_emulator)
    at = no_exception(open_page("pages/history.py").selectbox(key="hist_run").set_value(ids[-1]).run())
    assert "batch `bat-0123456789ab`" in texts(at.main, "caption")
    assert at.button(key="hist_show_group").label == "Show its batch"
    at = no_exception(at.button(key="hist_show_group").click().run())
    assert "Showing the runs of batch `bat-0123456789ab`." in texts(at, "info")
