"""The Stop button as a value: a :class:`CancelToken` ends every run it is given (the client,
Compare and Batch take one)."""

from __future__ import annotations

import threading
from typing import Callable


class CancelToken:
    """The UI's Stop button: ``set()`` ends every run given this token. Thread-safe."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def set(self) -> None:
        with self._lock:
            self._event.set()
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    cancel = set  # reads well at call sites: token.cancel()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._event.wait(timeout)

    def _listen(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` on ``set()`` (at once if already set); returns the unsubscribe."""
        with self._lock:
            self._listeners.append(listener)
            already = self._event.is_set()
        if already:
            listener()

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
        return unsubscribe
