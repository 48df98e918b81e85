"""Cheap checks that keep the layers and the repository honest."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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
    """docs/cli.md names every command (and every action of one that has them, as `history copy`)."""
    from comet.__main__ import build_parser

    manual = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # argparse keeps no public accessor
    spelled = [f"python -m comet {name}" for name in commands]
    for name, command in commands.items():
        if command._subparsers is not None:
            spelled += [f"python -m comet {name} {action}" for action in command._subparsers._group_actions[0].choices]
    missing = [words for words in spelled if words not in manual]
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


# ---- structure limits (issue 11): small files, short functions, no import cycles ----------------

MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 60


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """Module -> the modules of comet/ and ui/ it imports, anywhere in the file (an import
    inside a function is still a dependency: deferring it hides a cycle, it does not break it)."""
    paths = {_module_name(p): p for p in _python_files("comet", "ui")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names if alias.name in paths)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                    base = ".".join(up + ([node.module] if node.module else []))
                for alias in node.names:  # `from pkg import module` names the module itself
                    target = f"{base}.{alias.name}" if f"{base}.{alias.name}" in paths else base
                    if target in paths and target != name:
                        found.add(target)
        graph[name] = found
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_among_comet_and_ui_modules():
    assert _cycles(_import_graph()) == []


def test_the_cycle_check_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# The layers, lowest first (docs/architecture.md): a module imports only its own layer and those
# before it. The package root (comet/__init__.py, the public surface) stands outside the stack.
LAYERS = ("comet.core", "comet.body", "comet.http", "comet.runs", "comet.tools", "comet.store", "comet.emulator",
          "comet.cli", "comet.pytest_plugin", "ui")


def _layer(module: str) -> int | None:
    for rank, layer in enumerate(LAYERS):
        if module == layer or module.startswith(layer + "."):
            return rank
    return None


def _upward(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted((module, target) for module, targets in graph.items() for target in targets
                  if _layer(module) is not None and _layer(target) is not None and _layer(target) > _layer(module))


def test_every_comet_module_sits_in_a_layer():
    loose = [m for m in _import_graph() if m.startswith("comet.") and _layer(m) is None and m != "comet.__main__"]
    assert loose == [], "put each module in a layer package (docs/architecture.md)"


def test_imports_run_only_down_the_layers():
    assert _upward(_import_graph()) == []


def test_the_layer_check_finds_an_upward_import():
    graph = {"comet.core.call": {"comet.http.client"}, "comet.http.client": {"comet.core.call"}, "ui.state": {"comet"}}
    assert _upward(graph) == [("comet.core.call", "comet.http.client")]


def test_no_file_over_600_lines():
    too_long = {str(p.relative_to(ROOT)): n for p in _python_files("comet", "ui", "pages")
                if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_FILE_LINES}
    assert too_long == {}


def test_no_function_over_60_lines():
    too_long = {}
    for path in _python_files("comet", "ui", "pages", "app.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    too_long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = lines
    assert too_long == {}
