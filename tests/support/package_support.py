"""The wheel built from the checkout and installed into a fresh virtual environment, as a user
would install it: shared by the package tests (tests/cli) and the installed app in a browser
(tests/browser). The venv never sees the checkout: no PYTHONPATH, and it is used from a folder of
its own outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def installed_venv(base: Path) -> tuple[Path, Path, dict[str, str]]:
    """Build the wheel into ``base/dist`` and install it (without dependencies: they come from this
    machine's site-packages, so nothing is downloaded) into ``base/venv``. Returns the venv's
    python, a work folder ``base/user`` and the environment to run it in (no COMETAPI_* variable,
    no PYTHONPATH)."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(base / "dist"), str(ROOT)], check=True, capture_output=True, timeout=180)
    [wheel] = (base / "dist").glob("comet_playground-*.whl")
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip",
                    str(base / "venv")], check=True, timeout=120)
    python = base / "venv" / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COMETAPI_KEY", "COMETAPI_BASE_URL")}
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
                   check=True, capture_output=True, cwd=base, env=env, timeout=180)
    work = base / "user"
    work.mkdir()
    return python, work, env
