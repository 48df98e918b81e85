"""The reproducibility stamp: the request hash (what it covers and what it ignores), the stamp
stored with every run and in exports, ``request_hash`` in the CLI's JSON, and a rerun compared
with the run it repeats. Runs are real ones against the emulator."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json


import comet
from comet import Attachment, Call
from comet.runs.diff import compare_rerun
from comet.runs.stamp import canonical, of, request_hash
from comet.store import open_store

BODY = {"contents": [{"role": "user", "parts": [{"text": "stamp me"}]}], "generationConfig": {"temperature": 0.2}}


def test_the_hash_is_sha256_of_route_model_and_the_canonical_body():
    call = Call("gemini", "gemini-2.5-flash", BODY)
    text = ('{"body":{"contents":[{"parts":[{"text":"stamp me"}],"role":"user"}],'
            '"generationConfig":{"temperature":0.2}},"model":"gemini-2.5-flash","route":"gemini"}')
    assert canonical(call) == text
    assert request_hash(call) == hashlib.sha256(text.encode()).hexdigest()


def test_what_changes_the_hash_and_what_does_not():
    call = Call("gemini", "gemini-2.5-flash", BODY)
    reordered = Call("gemini", "gemini-2.5-flash", json.loads(json.dumps(BODY, sort_keys=True)))
    assert request_hash(reordered) == request_hash(call)
    assert request_hash(call.replace(stream=True)) == request_hash(call)
    assert request_hash(call.replace(model="gemini-2.5-pro")) != request_hash(call)
    assert request_hash(Call("openai", "gemini-2.5-flash", {"messages": []})) != request_hash(call)
    edited = json.loads(json.dumps(BODY))
    edited["generationConfig"]["temperature"] = 0.3
    assert request_hash(call.replace(body=edited)) != request_hash(call)


def test_attachments_count_by_content_not_by_name():
    def with_file(name: str, data: bytes) -> Call:
        body = {"contents": [{"parts": [{"inlineData": {"mimeType": "image/png", "data": f"<attachment:{name}>"}}]}]}
        return Call("gemini", "m", body, attachments=(Attachment(name, "image/png", data),))

    same = request_hash(with_file("a.png", b"\x89PNG one"))
    assert request_hash(with_file("renamed.png", b"\x89PNG one")) == same
    assert request_hash(with_file("a.png", b"\x89PNG two")) != same
    assert hashlib.sha256(b"\x89PNG one").hexdigest() in canonical(with_file("a.png", b"\x89PNG one"))


def test_every_run_is_stored_and_exported_with_its_stamp(client, tmp_path):
    exchange = client.send(Call("gemini", "gemini-2.5-flash", BODY))
    assert exchange.ok and exchange.reply.response_id and exchange.reply.model_version
    store = open_store(tmp_path / "h.sqlite3")
    run_id = store.record(exchange)
    (row,) = store.page()
    assert row["request_hash"] == request_hash(exchange.call)
    assert row["app_version"] == comet.__version__
    assert row["response_id"] == exchange.reply.response_id
    back = store.get(run_id).exchange
    assert of(back) == of(exchange, comet.__version__)
    (exported,) = json.loads(store.export("json"))
    assert {k: exported[k] for k in ("request_hash", "app_version", "served_model", "response_id")} == \
        of(back).to_dict()
    (line,) = csv.DictReader(io.StringIO(store.export("csv")))
    assert line["request_hash"] == request_hash(exchange.call) and line["app_version"] == comet.__version__


def test_the_cli_prints_the_request_hash(emulator):
    from cli_support import comet as run_cli, printed

    body = {"messages": [{"role": "user", "content": "hash me"}]}
    r = run_cli("send", "--route", "openai", "--model", "gemini-2.5-flash", "--body", "-",
                stdin=json.dumps(body), base_url=emulator.base_url)
    out = printed(r)
    assert out["request_hash"] == request_hash(Call("openai", "gemini-2.5-flash", body))
    assert out["response_id"]


def test_a_rerun_compares_itself_with_the_run_it_repeats(client):
    call = Call("gemini", "gemini-2.5-flash", BODY)
    first, again = client.send(call), client.send(call)
    check = compare_rerun(first, again)
    assert check.same_request and not check.served_changed and check.same_reply
    assert check.summary().startswith("same request; same served model")
    moved = dataclasses.replace(again, reply=dataclasses.replace(
        again.reply, model_version="gemini-2.5-flash-002", text=again.text + " And one more sentence."))
    check = compare_rerun(first, moved)
    assert check.same_request and check.served_changed and not check.same_reply
    assert "served model changed" in check.summary() and "gemini-2.5-flash-002" in check.summary()
    assert [op.text for op in check.diff if op.op == "insert"] == [" And one more sentence."]
    other = compare_rerun(first, client.send(call.replace(model="gemini-2.5-pro")))
    assert not other.same_request and "different request" in other.summary()
