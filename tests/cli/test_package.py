"""The installable package: one version everywhere, ``comet playground``, and (slow) the wheel
built, installed into a fresh virtual environment and used there as a user would: the command,
``comet send`` against ``comet emulator``, the packaged app, and a user's own test file that
takes the ``comet_emulator`` fixture through the pytest11 entry point.

The slow test never lets the venv see the checkout: it runs from a temporary folder, with no
PYTHONPATH, and checks that ``comet`` is imported from the venv's site-packages."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
import tomllib
from pathlib import Path

import httpx2
import pytest
from app_support import no_exception, start, texts
from package_support import installed_venv

import comet
from comet.cli import playground

ROOT = Path(__file__).resolve().parents[2]


def test_the_version_is_one_value_read_by_pyproject_and_the_command():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "comet/__init__.py"
    assert project["project"]["scripts"]["comet"] == "comet.cli:main"
    assert project["project"]["entry-points"]["pytest11"]["comet"] == "comet.pytest_plugin"
    out = subprocess.run([sys.executable, "-m", "comet", "--version"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == f"comet-playground {comet.__version__}"


def test_the_package_needs_what_requirements_txt_lists():
    """``pip install '.[otel]'`` and ``pip install -r requirements.txt`` bring the same packages:
    the app's requirements include tracing, which the package keeps optional (an extra, so
    ``comet`` imports and works without OpenTelemetry) and which is its only extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = [line.strip() for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")]
    extras = project["project"]["optional-dependencies"]
    assert list(extras) == ["otel"]
    assert sorted(project["project"]["dependencies"] + extras["otel"]) == sorted(listed)


def test_the_sidebar_shows_the_version():
    at = no_exception(start())
    assert f"Comet Playground {comet.__version__}" in texts(at.sidebar, "caption")


def test_playground_runs_streamlit_on_the_app_with_the_users_options():
    assert playground.app_path() == ROOT / "app.py"  # in the checkout; comet_app/app.py when installed
    assert playground.command(["--server.port", "8502", "--server.headless=true"]) == [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", "8502",
        "--server.headless=true"]


def test_other_commands_still_refuse_unknown_options():
    out = subprocess.run([sys.executable, "-m", "comet", "models", "--server.port", "1"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "unrecognized arguments: --server.port 1" in out.stderr


USER_TEST = '''
import openai
import pytest


def client(emu, **options):
    return openai.OpenAI(base_url=emu.openai_base_url, api_key=emu.api_key, max_retries=0, **options)


def test_plain_and_stream(comet_emulator):
    reply = client(comet_emulator).chat.completions.create(
        model="gemini-2.5-flash", messages=[{"role": "user", "content": "installed hello"}])
    assert "installed hello" in reply.choices[0].message.content
    stream = client(comet_emulator).chat.completions.create(
        model="gemini-2.5-flash", stream=True, messages=[{"role": "user", "content": "x [[chunks=6]]"}])
    assert len([c for c in stream if c.choices and c.choices[0].delta.content]) == 6
    assert [r.path for r in comet_emulator.requests] == ["/v1/chat/completions"] * 2


def test_fault_model(comet_emulator):
    comet_emulator.set_fault("server-error")
    with pytest.raises(openai.InternalServerError):
        client(comet_emulator).chat.completions.create(
            model="gemini-2.5-flash", messages=[{"role": "user", "content": "hi"}])
    comet_emulator.set_fault(None)
    with pytest.raises(openai.RateLimitError):  # a fault model picked as the model ID
        client(comet_emulator).chat.completions.create(
            model="fault-rate-limit", messages=[{"role": "user", "content": "hi"}])


def test_the_fixture_came_from_the_installed_package(comet_emulator, request):
    import comet
    assert "site-packages" in comet.__file__
    assert request.config.pluginmanager.get_plugin("comet") is not None  # the pytest11 entry point
'''

APP_CHECK = '''
from streamlit.testing.v1 import AppTest
from comet import __version__
from comet.cli import playground
path = playground.app_path()
at = AppTest.from_file(str(path), default_timeout=60).run()
assert not at.exception, [e.value for e in at.exception]
print(path)
print(any(c.value == f"Comet Playground {__version__}" for c in at.sidebar.caption))
'''


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """The wheel built from the checkout, installed (without dependencies: they come from this
    machine's site-packages) into a new virtual environment."""
    return installed_venv(tmp_path_factory.mktemp("package"))


def _run(venv, *argv, **kw) -> subprocess.CompletedProcess:
    python, work, env = venv
    return subprocess.run([str(python.parent / argv[0]), *argv[1:]], cwd=work, env=kw.pop("env", env),
                          capture_output=True, text=True, timeout=120, **kw)


@pytest.mark.slow
def test_installed_command_version_and_send_against_the_emulator(venv):
    python, work, env = venv
    out = _run(venv, "comet", "--version")
    assert out.returncode == 0 and out.stdout.strip() == f"comet-playground {comet.__version__}"
    assert _run(venv, "comet", "--help").stdout.startswith("usage: comet ")  # as the user typed it
    where = _run(venv, "python", "-c", "import comet; print(comet.__file__)")
    assert Path(where.stdout.strip()).is_relative_to(python.parent.parent) and ROOT.as_posix() not in where.stdout
    emu = subprocess.Popen([str(python.parent / "comet"), "emulator", "--ttft-ms", "0", "--chunk-ms", "0"],
                           cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        base_url = emu.stdout.readline().strip()
        sent = _run(venv, "comet", "send", "--route", "openai", "--model", "gemini-2.5-flash", "--stream",
                    "--prompt", "from the venv", env={**env, "COMETAPI_KEY": "k", "COMETAPI_BASE_URL": base_url})
        assert sent.returncode == 0, sent.stderr
        summary = json.loads(sent.stdout)
        assert summary["ok"] and "from the venv" in summary["text"]
    finally:
        emu.terminate()
        emu.wait(timeout=10)


@pytest.mark.slow
def test_installed_fixture_in_a_users_own_test_file(venv):
    python, work, env = venv
    (work / "test_users_code.py").write_text(textwrap.dedent(USER_TEST), encoding="utf-8")
    out = _run(venv, "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_users_code.py")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "3 passed" in out.stdout


@pytest.mark.slow
def test_installed_app_runs_from_site_packages(venv):
    python, work, env = venv
    out = _run(venv, "python", "-c", APP_CHECK)
    assert out.returncode == 0, out.stderr
    path, shows_version = out.stdout.split()
    assert path.endswith("comet_app/app.py") and Path(path).is_relative_to(python.parent.parent)
    assert shows_version == "True"
    port = _free_port()
    app = subprocess.Popen([str(python.parent / "comet"), "playground", "--server.headless", "true",
                            "--server.port", str(port), "--browser.gatherUsageStats", "false"],
                           cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline, health = time.monotonic() + 60, None
        while time.monotonic() < deadline and app.poll() is None:
            try:
                health = httpx2.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
                break
            except httpx2.TransportError:
                time.sleep(0.3)
        assert health is not None and health.text == "ok"
    finally:
        app.terminate()
        app.wait(timeout=20)
