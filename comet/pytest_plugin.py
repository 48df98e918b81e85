"""The ``comet_emulator`` pytest fixture: a local CometAPI for your own tests.

Registered through the ``pytest11`` entry point, so after ``pip install comet-playground`` any
test can take it; nothing to import. One emulator serves the whole test session on loopback;
each test gets it back in its default state (no latency, no fault, nothing received).

    def test_my_code(comet_emulator):
        client = openai.OpenAI(base_url=comet_emulator.openai_base_url, api_key=comet_emulator.api_key)
        ...
        comet_emulator.set_latency(ttft_ms=300, chunk_ms=50)
        comet_emulator.set_fault("fault-drop-stream")   # every answer now cuts its stream
        assert comet_emulator.requests[-1].json["model"] == "gemini-2.5-flash"

Fault models can also be picked per request as model IDs (``comet_emulator.faults`` lists
them with what each does).
"""

from __future__ import annotations

from typing import Iterator

import pytest

from comet.emulator import FAULTS, Emulator, Received

API_KEY = "comet-emulator-test-key"


class CometEmulator:
    """What a test holds: the running emulator's addresses, a key, and its knobs."""

    api_key = API_KEY
    faults: dict[str, str] = FAULTS

    def __init__(self, emulator: Emulator):
        self.emulator = emulator

    @property
    def base_url(self) -> str:
        """The server root, as ``COMETAPI_BASE_URL`` (and google-genai's ``base_url``) want it."""
        return self.emulator.base_url

    @property
    def openai_base_url(self) -> str:
        """``base_url + "/v1"``, as the openai SDK wants it."""
        return self.emulator.base_url + "/v1"

    @property
    def env(self) -> dict[str, str]:
        """``COMETAPI_BASE_URL`` and ``COMETAPI_KEY`` for code that reads them (monkeypatch.setenv)."""
        return {"COMETAPI_BASE_URL": self.base_url, "COMETAPI_KEY": self.api_key}

    @property
    def requests(self) -> list[Received]:
        """Every request received during this test: method, path, query, headers, body, json."""
        return list(self.emulator.received)

    def set_latency(self, ttft_ms: float = 0, chunk_ms: float = 0, *, fault_scale: float = 0.1) -> None:
        """Delay before the first byte of every answer, and between stream chunks.
        ``fault_scale`` multiplies the fault models' own delays: fault-slow's 30 s of silence
        and fault-rate-limit's 1 s retry delay (3 s and 0.1 s by default)."""
        emu = self.emulator
        emu.ttft_ms, emu.chunk_ms, emu.time_scale = float(ttft_ms), float(chunk_ms), float(fault_scale)

    def set_fault(self, fault: str | None) -> None:
        """Make every answer, whatever its model, behave as a fault model (None: no fault)."""
        if fault is not None and not fault.startswith("fault-"):
            fault = "fault-" + fault  # "rate-limit" and "fault-rate-limit" both work
        self.emulator.fault = fault

    def offer_count_tokens(self, offered: bool = True) -> None:
        """``offered=False`` answers ``:countTokens`` with a 404, as a service that does not offer it."""
        self.emulator.count_tokens = bool(offered)

    def reset(self) -> None:
        self.set_latency(0, 0)
        self.set_fault(None)
        self.offer_count_tokens(True)
        self.emulator.clear()

    def __repr__(self) -> str:
        return f"<comet_emulator {self.base_url}>"


@pytest.fixture(scope="session")
def _comet_emulator_server() -> Iterator[Emulator]:
    emu = Emulator(ttft_ms=0, chunk_ms=0, count_tokens=True).start()
    yield emu
    emu.stop()


@pytest.fixture
def comet_emulator(_comet_emulator_server: Emulator) -> Iterator[CometEmulator]:
    """A running CometAPI emulator on loopback (both routes), reset for this test."""
    handle = CometEmulator(_comet_emulator_server)
    handle.reset()
    yield handle
    handle.reset()

