"""Cheap checks that keep the layers and the repository honest."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _python_files(*parts: str) -> list[Path]:
    files: list[Path] = []
    for part in parts:
        p = ROOT / part
        files.extend([p] if p.is_file() else sorted(p.rglob("*.py")))
    return files


def test_comet_never_imports_streamlit():
    offenders = [str(p.relative_to(ROOT)) for p in _python_files("comet") if "streamlit" in _imports(p)]
    assert offenders == []


def test_pages_and_ui_hold_no_http_code():
    offenders = [str(p.relative_to(ROOT)) for p in _python_files("app.py", "pages", "ui")
                 if _imports(p) & {"httpx", "httpx2", "requests", "urllib3", "sqlite3"}]
    assert offenders == []


def test_import_comet_stays_light():
    code = ("import sys, comet; heavy = [m for m in ('pandas', 'streamlit') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_every_cli_command_is_documented():
    from comet.__main__ import build_parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # argparse keeps no public accessor
    missing = [name for name in commands if f"python -m comet {name}" not in readme]
    assert missing == []


def test_no_machine_paths_in_tracked_files():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    pattern = re.compile(r"/(?:work|root|home/[a-z]+|tmp/bash_jobs)/")
    offenders = []
    for name in tracked:
        path = ROOT / name
        if path.suffix in {".png", ".jpg", ".lock"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        if pattern.search(text):
            offenders.append(name)
    assert offenders == []
