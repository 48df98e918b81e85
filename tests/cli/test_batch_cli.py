"""``python -m comet batch`` in a subprocess against the emulator: exit codes, the JSON shape,
JUnit that parses, variables with hostile text, CSV and JSONL datasets, a rate-limited target
that passes after its retry, a failing target reported as errors while the others finish, every
bad suite exiting 2 with nothing sent, and ``--record`` rows in History."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from cli_support import ctrl_c_reaches_it

ROOT = Path(__file__).resolve().parents[2]
RESULT_KEYS = {"case", "repeat", "vars", "target", "route", "model", "ok", "text", "assertions", "latency_ms", "ttft_ms", "usage",
               "cost_usd", "error"}
GEMINI, OPENAI = "Gemini native · gemini-2.5-flash", "OpenAI-compatible · gemini-2.5-flash"


def environ(key: str = "sk-batch-test") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMETAPI_")}
    env["COMETAPI_KEY"] = key
    return env


def batch(*args: str, base_url: str, key: str = "sk-batch-test") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "comet", "batch", *args, "--base-url", base_url], cwd=ROOT,
                          env=environ(key), capture_output=True, text=True, timeout=120)


def suite(tmp_path: Path, name: str = "suite.json", **fields) -> Path:
    data = {"name": "capitals",
            "request": {"route": "gemini", "model": "gemini-2.5-flash", "stream": False,
                        "body": {"contents": [{"role": "user", "parts": [{"text": "Capital of {{country}}?"}]}]}},
            "targets": [{"route": "gemini", "model": "gemini-2.5-flash"},
                        {"route": "openai", "model": "gemini-2.5-flash"}]}
    data.update(fields)
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def prompts(emulator) -> list[str]:
    """The user text of every answer request the emulator received, either route."""
    found = []
    for r in emulator.received:
        body = r.json or {}
        if "contents" in body:
            found.append(body["contents"][-1]["parts"][0]["text"])
        elif "messages" in body:
            found.append(body["messages"][-1]["content"])
    return found


CASES = [{"vars": {"country": "Portugal"}, "assert": [{"type": "contains", "value": "Lisbon"}]},
         {"vars": {"country": "Peru"}, "assert": [{"type": "regex", "value": "P[a-z]+u"}]},
         {"vars": {"country": "Chad"}}]
EVERY = [{"type": "icontains", "value": "{{country}}"}, {"type": "finish-reason", "value": "stop"},
         {"type": "max-latency-ms", "value": 30000}]


def test_cases_on_two_targets_pass_and_fail_with_exit_1_and_the_documented_json(emulator, tmp_path):
    emulator.clear()
    r = batch(str(suite(tmp_path, cases=CASES, **{"assert": EVERY})), "--format", "json", base_url=emulator.base_url)
    assert r.returncode == 1, r.stderr
    out = json.loads(r.stdout)
    assert out["suite"] == "capitals"
    assert {k: out["summary"][k] for k in ("cases", "targets", "passed", "failed", "errors")} == \
        {"cases": 3, "targets": 2, "passed": 4, "failed": 2, "errors": 0}
    assert out["summary"]["wall_ms"] > 0
    assert [(x["case"], x["target"]) for x in out["results"]] == [
        (1, GEMINI), (1, OPENAI), (2, GEMINI), (2, OPENAI), (3, GEMINI), (3, OPENAI)]
    for x in out["results"]:
        assert set(x) == RESULT_KEYS and x["error"] is None and x["latency_ms"] > 0
        assert set(x["usage"]) >= {"input_tokens", "output_tokens"} and x["cost_usd"] > 0
        assert all(set(a) == {"type", "pass", "message"} for a in x["assertions"])
    first = out["results"][0]
    assert first["ok"] is False and first["vars"] == {"country": "Portugal"}
    assert [a["type"] for a in first["assertions"]] == ["contains", "icontains", "finish-reason", "max-latency-ms"]
    assert first["assertions"][0] == {"type": "contains", "pass": False,
                                      "message": "the reply does not contain 'Lisbon'"}
    assert all(a["pass"] for a in first["assertions"][1:])
    assert all(x["ok"] for x in out["results"][2:])
    assert len([q for q in emulator.received if q.method == "POST"]) == 6 and sorted(prompts(emulator)) == sorted(
        f"Capital of {c}?" for c in ("Portugal", "Peru", "Chad") for _ in range(2))


def test_every_assertion_passing_exits_0_and_table_csv_and_junit(emulator, tmp_path):
    path = suite(tmp_path, cases=CASES[1:], **{"assert": EVERY})
    table = batch(str(path), base_url=emulator.base_url)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[-1].startswith("capitals: 4 passed, 0 failed, 0 errors (2 cases x 2 targets")
    rows = list(csv.DictReader(io.StringIO(batch(str(path), "--format", "csv", base_url=emulator.base_url).stdout)))
    assert [(row["case"], row["target"], row["ok"]) for row in rows] == [
        ("1", GEMINI, "True"), ("1", OPENAI, "True"), ("2", GEMINI, "True"), ("2", OPENAI, "True")]
    assert json.loads(rows[0]["vars"]) == {"country": "Peru"} and "Peru" in rows[0]["text"]
    out = tmp_path / "report.xml"
    junit = batch(str(suite(tmp_path, cases=CASES, **{"assert": EVERY})), "--format", "junit", "--out", str(out),
                  base_url=emulator.base_url)
    assert junit.returncode == 1 and junit.stdout == ""
    assert junit.stderr.splitlines()[-1] == "capitals: 4 passed, 2 failed, 0 errors"
    root = ET.parse(out).getroot()
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [f"capitals [{GEMINI}]", f"capitals [{OPENAI}]"]
    assert [(s.get("tests"), s.get("failures"), s.get("errors")) for s in suites] == [("3", "1", "0")] * 2
    failed = [c for c in root.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["case 1 (country=Portugal)"] * 2
    assert "does not contain 'Lisbon'" in failed[0].find("failure").get("message")


HOSTILE = ['say "hi" \\ {{country}} }}{{', "{json: [1, 2]} ' \" ;", "日本 — ñandú 🐍", "{{", "a}}b{{ c"]


def test_variables_with_hostile_text_are_sent_literally(emulator, tmp_path):
    emulator.clear()
    cases = [{"vars": {"country": value}, "assert": [{"type": "contains", "value": "{{country}}"}]} for value in HOSTILE]
    r = batch(str(suite(tmp_path, cases=cases, targets=[{"route": "openai", "model": "gemini-2.5-flash"}])),
              "--format", "json", "--concurrency", "2", base_url=emulator.base_url)
    out = json.loads(r.stdout)
    assert sorted(prompts(emulator)) == sorted(f"Capital of {v}?" for v in HOSTILE)
    assert [x["vars"]["country"] for x in out["results"]] == HOSTILE
    assert out["results"][0]["assertions"][0]["message"] == f"the reply contains {HOSTILE[0]!r}"


def test_datasets_in_csv_and_jsonl(emulator, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "cases.csv").write_text('country,expected\nFrance,France\n"Côte d\'Ivoire, the",Ivoire\n',
                                                 encoding="utf-8")
    (tmp_path / "cases.jsonl").write_text('{"country": "Japan", "expected": "Japan"}\n\n'
                                          '{"country": "Kenya", "expected": "Lisbon"}\n', encoding="utf-8")
    checks = {"assert": [{"type": "contains", "value": "{{expected}}"}]}
    from_csv = json.loads(batch(str(suite(tmp_path, dataset="data/cases.csv", **checks)), "--format", "json",
                                base_url=emulator.base_url).stdout)
    assert [x["vars"] for x in from_csv["results"][::2]] == [
        {"country": "France", "expected": "France"}, {"country": "Côte d'Ivoire, the", "expected": "Ivoire"}]
    assert from_csv["summary"]["passed"] == 4
    inline = [{"vars": {"country": "Chad", "expected": "Chad"}}]
    r = batch(str(suite(tmp_path, dataset="cases.jsonl", cases=inline, **checks)), "--format", "json",
              base_url=emulator.base_url)
    out = json.loads(r.stdout)
    assert r.returncode == 1 and [x["vars"]["country"] for x in out["results"][::2]] == ["Chad", "Japan", "Kenya"]
    assert [x["ok"] for x in out["results"]] == [True, True, True, True, False, False]


def test_a_rate_limited_target_passes_after_its_retry_and_a_failing_target_is_errors(emulator, tmp_path):
    targets = [{"route": "gemini", "model": "fault-rate-limit-once"}, {"route": "openai", "model": "fault-server-error"},
               {"route": "openai", "model": "gemini-2.5-flash"}]
    emulator.clear()
    r = batch(str(suite(tmp_path, cases=CASES[1:], targets=targets, **{"assert": EVERY[:1]})), "--format", "json",
              base_url=emulator.base_url)
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert out["summary"] | {"wall_ms": 0} == {"cases": 2, "targets": 3, "repeat": 1, "passed": 4, "failed": 0,
                                               "errors": 2, "flaky": 0, "wall_ms": 0}
    by = {}
    for x in out["results"]:
        by.setdefault(x["target"], []).append(x)
    assert all(x["ok"] for x in by["Gemini native · fault-rate-limit-once"] + by[OPENAI])
    assert [(x["error"]["kind"], x["error"]["status"], x["assertions"]) for x in by["OpenAI-compatible · fault-server-error"]] == \
        [("server", 500, [])] * 2
    limited = [q for q in emulator.received if q.path.startswith("/v1beta/models/fault-rate-limit-once")]
    assert len(limited) == 4  # each case's body: a 429, then the retry that passed


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


DEEP = _nested(100)
BAD = [
    ({"cases": [{"vars": {"country": "x"}, "assert": [{"type": "contanis", "value": "x"}]}]},
     "$.cases[0].assert[0].type: unknown assertion type 'contanis'", "use one of contains, icontains"),
    ({"cases": [{"vars": {"country": "x"}}], "assert": [{"type": "regex", "value": "(unclosed"}]},
     "$.assert[0].value (for $.cases[0]): bad regex '(unclosed'", "correct the pattern"),
    ({"cases": [{"vars": {"country": "x"}}, {"vars": {"city": "y"}}]},
     "$.cases[1].vars: no value for {{country}}", "add the variable"),
    ({"cases": [{"vars": {"country": "x"}, "assert": [{"type": "equals", "value": "{{expected}}"}]}]},
     "$.cases[0].assert[0].value: no value for {{expected}} in this case", "add the variable"),
    ({"dataset": "cases.csv"}, "cases.csv line 1: no column for {{country}} (columns: nation)", "add a column"),
    ({"dataset": "missing.jsonl"}, "$.dataset: cannot read missing.jsonl", "relative to the suite file"),
    ({"request": {"route": "gemini", "model": "m", "body": {"contents": [], "x": DEEP}}},
     "$.request.body.x", "levels deep"),
    ({"request": {"route": "gemini", "model": "m", "body": {"messages": [{"role": "user", "content": "{{country}}"}]}},
      "cases": [{"vars": {"country": "x"}}]}, "$.request (for target Gemini native · gemini-2.5-flash)", "contents"),
]


@pytest.mark.parametrize("fields, message, fix", BAD)
def test_a_bad_suite_exits_2_naming_the_place_and_sends_nothing(emulator, tmp_path, fields, message, fix):
    (tmp_path / "cases.csv").write_text("nation\nFrance\n", encoding="utf-8")
    emulator.clear()
    r = batch(str(suite(tmp_path, **fields)), base_url=emulator.base_url)
    assert r.returncode == 2 and r.stdout == "", r.stderr
    assert r.stderr.startswith(f"error: {message}") and fix in r.stderr
    assert emulator.received == []


def test_a_missing_or_broken_suite_file_exits_2(emulator, tmp_path):
    missing = batch(str(tmp_path / "nope.json"), base_url=emulator.base_url)
    assert missing.returncode == 2 and "cannot read the suite" in missing.stderr and "nope.json" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"request": {\n  "route": "gemini",,\n}}')
    r = batch(str(broken), base_url=emulator.base_url)
    assert r.returncode == 2 and "broken.json line 2, column 21: not valid JSON" in r.stderr
    broken.write_text("[" * 100_000 + "]" * 100_000)
    deep = batch(str(broken), base_url=emulator.base_url)
    assert deep.returncode == 2 and "broken.json: the JSON is nested too deeply" in deep.stderr
    assert "Traceback" not in deep.stderr


def test_record_saves_every_run_with_the_batch_id(emulator, tmp_path):
    from comet.store.history import History

    db = tmp_path / "runs.sqlite3"
    r = batch(str(suite(tmp_path, cases=CASES)), "--record", "--db", str(db), "--format", "json",
              base_url=emulator.base_url)
    batch_id = re.search(r"recorded in history as batch (bat-[0-9a-f]+)", r.stderr).group(1)
    with History(db) as history:
        rows = history.query(group_id=batch_id, limit=None)
        kept = history.batch(batch_id)
    assert len(rows) == 6
    assert sorted(row["label"] for row in rows) == sorted(
        f"{label} · gemini-2.5-flash · case {n}" for n in (1, 2, 3) for label in ("Gemini native", "OpenAI-compatible"))
    # the verdicts and case variables are kept beside the runs, each result naming its run
    printed = json.loads(r.stdout)
    assert kept["summary"] == printed["summary"]
    assert [{k: v for k, v in res.items() if k != "run"} for res in kept["results"]] == printed["results"]
    assert sorted(res["run"] for res in kept["results"]) == sorted(row["id"] for row in rows)


def test_ctrl_c_reports_what_finished_and_exits_1(make_emulator, tmp_path):
    import signal
    import time

    emu = make_emulator(ttft_ms=100, chunk_ms=0)
    cases = [{"vars": {"country": f"land {i}"}} for i in range(200)]
    proc = subprocess.Popen([sys.executable, "-m", "comet", "batch", str(suite(tmp_path, cases=cases)), "--format",
                             "json", "--concurrency", "2", "--base-url", emu.base_url], cwd=ROOT, env=environ(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=ctrl_c_reaches_it)
    deadline = time.monotonic() + 30
    while sum(1 for q in emu.received if q.method == "POST") < 6 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    report = json.loads(out)
    finished = len(report["results"])
    assert 4 <= finished < 400 and report["summary"]["passed"] == finished
    assert f"interrupted: {finished} of 400 runs finished" in err and "Traceback" not in err


def test_the_progress_bar_is_drawn_on_a_terminal_stderr(emulator, tmp_path):
    """stderr on a pseudo-terminal: tqdm draws the bar there; stdout keeps only the report."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a 100-column terminal
    proc = subprocess.Popen([sys.executable, "-m", "comet", "batch", str(suite(tmp_path, cases=CASES[1:])), "--format",
                             "json", "--base-url", emulator.base_url], cwd=ROOT, env=environ(), stdout=subprocess.PIPE,
                            stderr=follower)
    os.close(follower)
    out, _ = proc.communicate(timeout=60)
    drawn = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        drawn += chunk
    os.close(leader)
    assert proc.returncode == 0 and json.loads(out)["summary"]["passed"] == 4
    assert re.search(rb"100%\|[^|]*\| 4/4 \[", drawn), drawn


def test_the_key_is_in_no_report_and_no_history_row(emulator, tmp_path):
    from keys import CANARY_KEY

    targets = [{"route": "gemini", "model": "fault-html"}, {"route": "openai", "model": "no-such-model"},
               {"route": "openai", "model": "gemini-2.5-flash"}]
    path, db = suite(tmp_path, cases=CASES[:2], targets=targets), tmp_path / "runs.sqlite3"
    seen = ""
    for fmt in ("table", "json", "csv", "junit"):
        r = batch(str(path), "--format", fmt, "--record", "--db", str(db), base_url=emulator.base_url, key=CANARY_KEY)
        assert r.returncode == 1
        seen += r.stdout + r.stderr
    assert "not_found" in seen and "protocol" in seen
    assert CANARY_KEY not in seen
    assert CANARY_KEY.encode() not in b"".join(f.read_bytes() for f in tmp_path.glob("runs.sqlite3*"))
