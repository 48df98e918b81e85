"""compose.yaml publishes the app ports on loopback unless COMET_BIND_ADDRESS says otherwise, and
refuses to start without POSTGRES_PASSWORD (no default password). ``docker compose config`` reads
the file when this machine has compose; otherwise the variables are filled as the Compose
specification's interpolation section says (``${VAR:-default}``, ``${VAR:?error}``, ``$$``)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "compose.yaml"
_VARIABLE = re.compile(r"\$(?:\$|\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\})")


class Refused(Exception):
    """Compose would not start: a required variable is unset (its message is compose's)."""


def _filled(text: str, env: dict[str, str]) -> str:
    def one(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match["name"], match["op"], match["arg"] or ""
        value = env.get(name)
        missing = value is None or (op is not None and op.startswith(":") and value == "")
        if op and op.endswith("-") and missing:
            return arg
        if op and op.endswith("?") and missing:
            raise Refused(f"required variable {name} is missing a value: {arg}")
        return value or ""
    return _VARIABLE.sub(one, text)


def _deep(value, env):
    if isinstance(value, str):
        return _filled(value, env)
    if isinstance(value, list):
        return [_deep(v, env) for v in value]
    if isinstance(value, dict):
        return {k: _deep(v, env) for k, v in value.items()}
    return value


def _compose_works() -> bool:
    return shutil.which("docker") is not None and subprocess.run(
        ["docker", "compose", "version"], capture_output=True, check=False).returncode == 0


def config(env: dict[str, str]) -> dict:
    """The file as compose reads it with ``env`` as the whole environment."""
    if _compose_works():
        out = subprocess.run(["docker", "compose", "-f", str(COMPOSE), "config", "--format", "json"], env=env,
                             capture_output=True, text=True, check=False)
        if out.returncode:
            raise Refused(out.stderr)
        return json.loads(out.stdout)
    return _deep(yaml.safe_load(COMPOSE.read_text(encoding="utf-8")), env)


def published(cfg: dict) -> dict[str, list[str]]:
    """Each app service's ports as ``host_ip:published:target`` strings."""
    found = {}
    for name in ("app1", "app2"):
        ports = []
        for port in cfg["services"][name]["ports"]:
            if isinstance(port, dict):  # docker compose config's long form
                port = f"{port.get('host_ip', '')}:{port['published']}:{port['target']}"
            ports.append(port)
        found[name] = ports
    return found


def test_without_postgres_password_compose_refuses_to_start():
    with pytest.raises(Refused, match="POSTGRES_PASSWORD"):
        config({"PATH": "/usr/bin:/bin"})
    with pytest.raises(Refused, match="POSTGRES_PASSWORD"):
        config({"PATH": "/usr/bin:/bin", "POSTGRES_PASSWORD": ""})
    assert "change-me" not in COMPOSE.read_text(encoding="utf-8")


def test_the_app_ports_are_on_loopback_unless_told_otherwise():
    cfg = config({"PATH": "/usr/bin:/bin", "POSTGRES_PASSWORD": "s3cret"})
    assert published(cfg) == {"app1": ["127.0.0.1:8501:8501"], "app2": ["127.0.0.1:8502:8501"]}
    assert "db" not in cfg["services"] or "ports" not in cfg["services"]["db"]  # the database is never published
    assert "s3cret" in str(cfg["services"]["db"]["environment"]) and "s3cret" in str(cfg["services"]["app1"])
    everywhere = config({"PATH": "/usr/bin:/bin", "POSTGRES_PASSWORD": "s3cret", "COMET_BIND_ADDRESS": "0.0.0.0"})
    assert published(everywhere) == {"app1": ["0.0.0.0:8501:8501"], "app2": ["0.0.0.0:8502:8501"]}
