"""What Gemini sends back besides text, end to end: the emulator makes each part kind (an image
model's PNG, code execution, URL context, a blocked prompt), and the client, the CLI, the
Playground (AppTest) and History each carry it."""

from __future__ import annotations

import io
import json
import sqlite3

import pytest
from app_support import APP, TIMEOUT, body, no_exception, set_json, texts
from PIL import Image
from streamlit.testing.v1 import AppTest

from comet import Call, Route
from comet.cli.summary import summary
from comet.http.client import Client

IMAGE_MODEL = "gemini-3.1-flash-image-preview"
PROMPT = "Draw a lighthouse from https://example.com/light and https://gone.invalid/x then add up"
TOOLS = {"contents": [{"role": "user", "parts": [{"text": PROMPT}]}],
         "tools": [{"codeExecution": {}}, {"urlContext": {}}]}
STATUSES = [("https://example.com/light", "URL_RETRIEVAL_STATUS_SUCCESS"),
            ("https://gone.invalid/x", "URL_RETRIEVAL_STATUS_ERROR")]


def _png(data: bytes) -> tuple[str, tuple[int, int]]:
    with Image.open(io.BytesIO(data)) as img:
        img.load()  # decodes every pixel: a real PNG, not just a header
        return img.format, img.size


@pytest.mark.parametrize("stream", [False, True])
def test_the_client_reads_an_image_code_execution_and_url_context(client, stream):
    ex = client.send(Call(Route.GEMINI, IMAGE_MODEL, TOOLS, stream=stream))
    assert ex.ok, ex.error
    [image] = ex.reply.images
    assert image.mime_type == "image/png" and _png(image.data) == ("PNG", (16, 16))
    [run] = ex.reply.code
    assert run.language == "PYTHON" and run.code.startswith("print(sum(range(")
    count = int(run.code.removeprefix("print(sum(range(").removesuffix(")))"))
    assert run.outcome == "OUTCOME_OK" and run.output == f"{sum(range(count))}\n"
    # in order with the text: the prose, the code, what it printed, then the image
    assert ex.text[run.at:] == f" The code printed {sum(range(count))}." and image.at == len(ex.text)
    assert [(u["retrievedUrl"], u["urlRetrievalStatus"]) for u in ex.reply.url_context] == STATUSES


@pytest.mark.parametrize("stream", [False, True])
def test_a_blocked_prompt_and_a_plain_reply_in_the_summary(client, stream):
    blocked = client.send(Call(Route.GEMINI, "gemini-2.5-flash",
                               {"contents": [{"role": "user", "parts": [{"text": "BLOCKME"}]}]}, stream=stream))
    shown = summary(blocked)
    assert shown["block_reason"] == "SAFETY" and shown["text"] == ""
    assert {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": True} \
        in shown["safety_ratings"]
    plain = summary(client.send(Call(Route.GEMINI, "gemini-2.5-flash",
                             {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}, stream=stream)))
    assert (plain["images"], plain["drafts"], plain["code"], plain["url_context"], plain["block_reason"]) == \
        ([], [], [], [], None)


def test_the_cli_lists_and_saves_the_parts(emulator, tmp_path):
    from cli_support import comet, printed
    folder = tmp_path / "out" / "images"
    r = comet("send", "--route", "gemini", "--model", IMAGE_MODEL, "--body", "-", "--save-images", str(folder),
              stdin=json.dumps(TOOLS), base_url=emulator.base_url)
    assert r.returncode == 0, r.stderr
    out = printed(r)
    [image] = out["images"]
    saved = folder / "image-1.png"
    assert image == {"mime_type": "image/png", "bytes": saved.stat().st_size, "path": str(saved)}
    assert _png(saved.read_bytes()) == ("PNG", (16, 16))
    [draft] = out["drafts"]  # the image model's thought image, before the final one
    kept = folder / "draft-1.png"
    assert draft == {"mime_type": "image/png", "bytes": kept.stat().st_size, "path": str(kept)}
    assert _png(kept.read_bytes())[0] == "PNG" and kept.read_bytes() != saved.read_bytes()
    [run] = out["code"]
    assert run["language"] == "PYTHON" and run["outcome"] == "OUTCOME_OK" and run["output"].strip().isdigit()
    assert [(u["url"], u["status"]) for u in out["url_context"]] == STATUSES
    blocked = printed(comet("send", "--route", "gemini", "--model", "gemini-2.5-flash", "--prompt", "BLOCKME",
                            base_url=emulator.base_url))
    assert blocked["block_reason"] == "SAFETY" and blocked["safety_ratings"]


def test_an_unusable_image_folder_stops_before_sending(emulator, tmp_path):
    from cli_support import comet
    emulator.clear()
    taken = tmp_path / "a-file"
    taken.write_text("x")
    r = comet("send", "--route", "gemini", "--model", IMAGE_MODEL, "--prompt", "hi", "--save-images", str(taken),
              base_url=emulator.base_url)
    assert r.returncode == 2 and r.stdout == "" and "--save-images: cannot use" in r.stderr
    assert not [x for x in emulator.received if x.method == "POST"]


# ---- the Playground and History draw them ---------------------------------------------------------

def _drawn(at: AppTest, image_bytes: int) -> None:
    """The parts as the one reply renderer draws them."""
    [image] = at.get("image")
    assert image.captions == [f"Image 1 · image/png · {image_bytes:,} bytes"]
    assert [d.proto.label for d in at.get("download_button") if d.proto.label.startswith("Download image")] \
        == ["Download image 1"]
    code = texts(at, "code")
    assert "print(sum(range(" in code
    assert "Outcome: ran (OUTCOME_OK); output:" in texts(at, "caption")
    [urls] = [t.value for t in at.table if "Retrieval" in t.value.columns]
    assert list(urls["URL"]) == [u for u, _ in STATUSES] and list(urls["Retrieval"]) == ["success", "error"]


def test_the_playground_shows_the_parts(on_emulator):
    at = no_exception(AppTest.from_file(APP, default_timeout=TIMEOUT).run())
    at.selectbox(key="pg_model").set_value(IMAGE_MODEL).run()
    no_exception(set_json(at, TOOLS))
    assert body(at)["tools"] == TOOLS["tools"]
    no_exception(at.button(key="pg_send").click().run())
    exchange = at.session_state["runs_results"]["pg_result"].value[0]
    _drawn(at, len(exchange.reply.images[0].data))
    markdown = texts(at.main, "markdown")
    assert "The code printed" in markdown


def test_history_stores_the_image_once_and_shows_the_parts(on_emulator):
    from comet.store import default_path, open_store
    with Client(on_emulator.base_url, "test-key") as c:
        ex = c.send(Call(Route.GEMINI, IMAGE_MODEL, TOOLS))
    store = open_store(default_path())
    run_id = store.record(ex)
    assert store.get(run_id).exchange == ex
    store.close()
    [(count, size)] = sqlite3.connect(default_path()).execute("SELECT COUNT(*), SUM(size) FROM attachments")
    [image], [draft] = ex.reply.images, ex.reply.drafts  # the final image and the model's draft (thought: true)
    # the response's inlineData and the reply's image (or draft): one row each
    assert (count, size) == (2, len(image.data) + len(draft.data))
    at = no_exception(AppTest.from_file(APP, default_timeout=TIMEOUT).run())
    at = no_exception(at.switch_page("pages/history.py").run())
    at = no_exception(at.selectbox(key="hist_run").set_value(run_id).run())
    _drawn(at, len(ex.reply.images[0].data))
