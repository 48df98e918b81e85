"""Running ``python -m comet`` in a subprocess, as a user would, and reading what it printed."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def environ(key: str | None = "sk-cli-test", base_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMETAPI_")}
    if key:
        env["COMETAPI_KEY"] = key
    if base_url:
        env["COMETAPI_BASE_URL"] = base_url
    return env


def comet(*args: str, key: str | None = "sk-cli-test", base_url: str | None = None,
          stdin: str | None = None) -> subprocess.CompletedProcess:
    env = environ(key, base_url)
    return subprocess.run([sys.executable, "-m", "comet", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=60)


def printed(result) -> dict:
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


def ctrl_c_reaches_it() -> None:
    """A ``preexec_fn`` for a child that a test sends SIGINT: an xdist worker ignores SIGINT, and a
    child inherits an ignored signal, so without this the child would never see Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextlib.contextmanager
def emulator_process(*flags: str):
    """``python -m comet emulator FLAGS`` in a subprocess: yields its base URL, then stops it with
    SIGTERM and checks that it exited 0 (killed if it did not)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMETAPI_")}
    proc = subprocess.Popen([sys.executable, "-m", "comet", "emulator", *flags], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        yield proc.stdout.readline().strip()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
