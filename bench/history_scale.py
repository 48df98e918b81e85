"""History at scale: build a database of realistic runs, then time what the History page asks.

    python bench/history_scale.py                     # 1,000,000 runs in a temporary directory
    python bench/history_scale.py --rows 10000        # a quick smoke run
    python bench/history_scale.py --db runs.sqlite3 --keep
    python bench/history_scale.py --url postgresql://USER:PASSWORD@HOST/EMPTY_DB   # beside SQLite
    python bench/history_scale.py --url postgresql://... --no-sqlite               # PostgreSQL alone

Last, it times the History page's first render on that database (bench/history_page.py).

:func:`build` ("a database of N runs at PATH") is reusable, e.g. for the History page's render
timing: ``from bench.history_scale import build``. Rows go through ``History.save_many``, the
same path the app writes by, in batches.
"""

from __future__ import annotations

import argparse
import itertools
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from comet.core.call import Call, Route  # noqa: E402
from comet.core.errors import ErrorInfo  # noqa: E402
from comet.core.exchange import Exchange, Reply, Timing, Usage  # noqa: E402
from comet.store.history import History  # noqa: E402

MODELS = [("gemini-2.5-flash", 40), ("gemini-2.5-pro", 15), ("gemini-3-flash-preview", 15),
          ("gemini-2.5-flash-lite", 10), ("gemini-3.1-pro-preview", 8), ("gpt-5.1", 6), ("deepseek-v4-pro", 6)]
TOPICS = ["weather", "python", "recipe", "invoice", "poem", "translate", "summary", "sql", "travel", "physics",
          "history", "marketing", "email", "contract", "kubernetes", "garden", "football", "music", "budget", "essay"]
SYLLABLES = ["ka", "lo", "mi", "ren", "to", "sa", "vel", "dor", "in", "ap", "ul", "ex", "qua", "zen", "bri", "mon"]
VOCABULARY = sorted({a + b + c for a in SYLLABLES for b in SYLLABLES for c in ("", "s", "ing", "ed", "er")})
CUMULATIVE = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(VOCABULARY))))  # Zipf-like
DAY = 86400.0


def _sentence(rng: random.Random, words: int, topic: str) -> str:
    picked = rng.choices(VOCABULARY, cum_weights=CUMULATIVE, k=words)
    picked[rng.randrange(words)] = topic
    return " ".join(picked).capitalize() + "."


def realistic_exchanges(rows: int, *, seed: int = 0, start: float | None = None,
                        days: float = 365.0) -> Iterator[tuple[Exchange, str | None, str | None, float | None]]:
    """``(exchange, group_id, label, cost)`` for ``rows`` runs spread over ``days`` up to now."""
    rng = random.Random(seed)
    start = (time.time() - days * DAY) if start is None else start
    step = days * DAY / max(rows, 1)
    models, weights = zip(*MODELS)
    group, group_left = None, 0
    for i in range(rows):
        topic = rng.choice(TOPICS)
        route = Route.GEMINI if rng.random() < 0.55 else Route.OPENAI
        model = rng.choices(models, weights)[0]
        stream = rng.random() < 0.6
        prompt = _sentence(rng, rng.randint(6, 40), topic)
        system = "You are a concise assistant." if rng.random() < 0.3 else None
        if route is Route.GEMINI:
            body = {"contents": [{"role": "user", "parts": [{"text": prompt}]}],
                    "generationConfig": {"temperature": round(rng.uniform(0, 1.5), 2), "maxOutputTokens": 1024}}
            if system:
                body["systemInstruction"] = {"parts": [{"text": system}]}
        else:
            body = {"messages": ([{"role": "system", "content": system}] if system else [])
                    + [{"role": "user", "content": prompt}], "temperature": round(rng.uniform(0, 1.5), 2)}
        call = Call(route, model, body, stream=stream)
        started = start + i * step + rng.uniform(0, step / 2)
        roll = rng.random()
        text = " ".join(_sentence(rng, rng.randint(8, 30), topic) for _ in range(rng.randint(1, 5)))
        usage = Usage(len(prompt) // 4, len(text) // 4, rng.choice([0, 0, 128, 512]), None)
        ttft = rng.lognormvariate(6.0, 0.5)
        latency = ttft + len(text) * rng.uniform(2, 6)
        error = reply = None
        status, stopped = 200, False
        if roll < 0.06:
            status = rng.choice([429, 500, 503, 400])
            error = ErrorInfo(kind="rate_limited" if status == 429 else "server" if status >= 500 else "bad_request",
                              message=f"HTTP {status}: the service said no (request id: {rng.getrandbits(48):x})",
                              status=status, retryable=status != 400,
                              raw_body='{"error":{"message":"no","type":"comet_api_error","code":""}}')
        else:
            stopped = roll > 0.98
            if stopped:
                text = text[: len(text) // 3]
            raw: object
            if route is Route.GEMINI:
                chunk = {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]},
                                         "finishReason": "STOP", "index": 0}],
                         "usageMetadata": {"promptTokenCount": usage.input_tokens,
                                           "candidatesTokenCount": usage.output_tokens},
                         "modelVersion": model, "responseId": f"{rng.getrandbits(64):x}"}
            else:
                chunk = {"id": f"chatcmpl-{rng.getrandbits(64):x}", "object": "chat.completion", "model": model,
                         "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                      "finish_reason": "stop"}],
                         "usage": {"prompt_tokens": usage.input_tokens, "completion_tokens": usage.output_tokens}}
            raw = [chunk] if stream else chunk
            reply = Reply(text=text, finish_reason=None if stopped else "stop", usage=usage, model_version=model,
                          raw=raw)
        timing = Timing(started_at=started, ttfb_ms=ttft * 0.9, ttft_ms=None if error else ttft,
                        latency_ms=latency, chunk_ms=tuple(ttft + k * 40.0 for k in range(8)) if stream else ())
        if group_left == 0 and rng.random() < 0.05:
            group, group_left = f"cmp-{i}", rng.choice([2, 2, 3, 4])
        label = f"{route.label} · {model}" if group_left else None
        yield (Exchange(call=call, base_url="https://api.cometapi.com", status=status if not error else status,
                        reply=reply, error=error, timing=timing, attempts=1 + (roll < 0.02), stopped=stopped,
                        partial=stopped),
               group if group_left else None, label, None if error else round(rng.uniform(0.00001, 0.01), 6))
        if group_left:
            group_left -= 1
            if group_left == 0:
                group = None


def build(path: str | Path, rows: int, *, seed: int = 0, batch: int = 5000,
          progress: Callable[[int], None] | None = None) -> History:
    """A history database of ``rows`` realistic runs at ``path`` (which must not exist yet)."""
    history = History(path)
    if history.count():
        raise SystemExit(f"{history.location} already holds runs: build into an empty store, or pass --reuse")
    pending: list = []
    done = 0
    for item in realistic_exchanges(rows, seed=seed):
        pending.append(item)
        if len(pending) == batch:
            done += _flush(history, pending)
            if progress:
                progress(done)
    done += _flush(history, pending)
    return history


def _flush(history: History, pending: list) -> int:
    exchanges, groups, labels, costs = zip(*pending) if pending else ((), (), (), ())
    history.save_many(exchanges, group_ids=groups, labels=labels, costs=costs)
    n = len(pending)
    pending.clear()
    return n


def timed(name: str, fn: Callable[[], object], repeat: int = 3) -> tuple[str, float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return name, best, result


def measure(history: History) -> list[tuple[str, float, object]]:
    """The History page's questions, each timed (best of three)."""
    week_ago, year_ago = time.time() - 7 * DAY, time.time() - 365 * DAY
    newest = history.query(limit=1)[0]["id"]
    return [
        timed("first page (50 newest)", lambda: len(history.query(limit=50))),
        timed("count all", lambda: history.count()),
        timed("filter route+model: page", lambda: len(history.query(route="gemini", model="gemini-2.5-pro"))),
        timed("filter route+model: count", lambda: history.count(route="gemini", model="gemini-2.5-pro")),
        timed("filter status=error: page", lambda: len(history.query(status="error"))),
        timed("filter status=error: count", lambda: history.count(status="error")),
        timed("last 7 days: page", lambda: len(history.query(since=week_ago))),
        timed("last 7 days: count", lambda: history.count(since=week_ago)),
        timed("one day, 300 days ago: page", lambda: len(history.query(since=year_ago + 65 * DAY,
                                                                        until=year_ago + 66 * DAY))),
        timed("before 300 days ago: page", lambda: len(history.query(until=year_ago + 65 * DAY))),
        timed("search common word: page", lambda: len(history.query(search="weather"))),
        timed("search common word: count", lambda: history.count(search="weather")),
        timed("search two words: page", lambda: len(history.query(search="kubernetes budget"))),
        timed("search rare prefix: page", lambda: len(history.query(search="qua"))),
        timed("search + route + status: page", lambda: len(history.query(search="recipe", route="openai",
                                                                          status="ok"))),
        timed("search + route + status: count", lambda: history.count(search="recipe", route="openai",
                                                                       status="ok")),
        timed("search nothing matches: page", lambda: len(history.query(search="zzzyx"))),
        timed("page 100 (offset 4950)", lambda: len(history.query(limit=50, offset=4950))),
        timed("models seen", lambda: len(history.models_seen())),
        timed("groups (50 newest)", lambda: len(history.groups())),
        timed("get one run", lambda: history.get(newest)["id"]),
        timed("frame (50 rows, pandas)", lambda: len(history.frame(limit=50))),
        timed("chart: timings of the newest 10,000", lambda: len(history.timings())),
        timed("chart: timings, search common word", lambda: len(history.timings(search="weather"))),
        timed("chart: timings, status=error", lambda: len(history.timings(status="error"))),
    ]


PAGE_TARGET_S = 1.5


def run_one(where: str, rows: int, *, reuse: bool) -> tuple[float | None, list, float]:
    """Build (unless ``reuse``) and time one store: (insert rows/s, the page's questions, the
    History page's first render in seconds)."""
    rate = None
    if reuse:
        history = History(where)
    else:
        t0 = time.perf_counter()
        history = build(where, rows, progress=lambda n: print(
            f"  {n:>9,} rows  {n / (time.perf_counter() - t0):>7,.0f} rows/s", end="\r", flush=True))
        rate = rows / (time.perf_counter() - t0)
    print(f"{history.location}: {history.count():,} runs" + " " * 30)
    measured = measure(history)
    history.close()
    from bench.history_page import render_history_page_at

    return rate, measured, render_history_page_at(where)


def report(results: dict[str, tuple[float | None, list, float]], rows: int) -> None:
    names = list(results)
    print(f"{'':<36}" + "".join(f"{n:>14}" for n in names))
    rates = [results[n][0] for n in names]
    print(f"{'insert rate (runs/s)':<36}" + "".join(f"{r:>14,.0f}" if r else f"{'-':>14}" for r in rates))
    for i, (name, _, value) in enumerate(results[names[0]][1]):
        cells = "".join(f"{results[n][1][i][1] * 1000:>11.1f} ms" for n in names)
        print(f"{name:<36}{cells}   ({value})")
    for n in names:
        seconds = results[n][2]
        verdict = "under" if seconds < PAGE_TARGET_S else "NOT under"
        print(f"History page first render on {n} at {rows:,} runs: {seconds:.3f} s "
              f"({verdict} the {PAGE_TARGET_S} s target)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", default=None, help="build the SQLite store here (default: a temporary directory)")
    parser.add_argument("--url", default=None, help="also a PostgreSQL store (an empty database), "
                                                   "timed beside SQLite: postgresql://...")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite database afterwards")
    parser.add_argument("--reuse", action="store_true", help="time existing stores without building")
    parser.add_argument("--no-sqlite", action="store_true", help="with --url: time PostgreSQL only")
    args = parser.parse_args(argv)
    tmp = None
    if args.db:
        path = Path(args.db)
    else:
        tmp = Path(tempfile.mkdtemp(prefix="comet-history-bench-"))
        path = tmp / "history.sqlite3"
    if path.exists() and not args.reuse:
        parser.error(f"{path} exists; pass --reuse to time it, or another --db")
    try:
        if args.no_sqlite and not args.url:
            parser.error("--no-sqlite needs --url")
        results = {} if args.no_sqlite else {"SQLite": run_one(str(path), args.rows, reuse=args.reuse)}
        if args.url:
            results["PostgreSQL"] = run_one(args.url, args.rows, reuse=args.reuse)
        report(results, args.rows)
    finally:
        if tmp and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
