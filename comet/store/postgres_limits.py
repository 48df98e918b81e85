"""Bounds on every PostgreSQL connection, so that no store call can hang its caller.

``COMET_HISTORY_TIMEOUT`` (seconds, default 5; :func:`~comet.store.config.timeout_s`) sets them all:

* ``statement_timeout``: the server ends a statement (or a lock wait) that runs longer;
* ``connect_timeout`` (the same, at least libpq's 2 s) and a pool checkout waiting at most as long;
* ``tcp_user_timeout``: data the server's host does not acknowledge ends the connection;
* TCP keepalives (:data:`KEEPALIVES`): an idle pooled connection to a vanished host is found dead;
* every wait for an answer ends :data:`ANSWER_MARGIN_S` after the statement timeout
  (:class:`BoundedConnection`). Only this one ends the wait on a frozen server (SIGSTOP, a stuck
  VM): its kernel keeps the sockets open and acknowledges everything, so no TCP setting fires.

Imported only once psycopg is known to be installed (:class:`~comet.store.postgres.PostgresStore`).
"""

from __future__ import annotations

import math
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from .config import TIMEOUT_ENV

ANSWER_MARGIN_S = 2.0  # past statement_timeout, so a live server's own error arrives first
# An idle connection to a host that vanished is found dead in about 10 + 3 * 5 seconds.
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3}


def connection_options(url: str, seconds: float) -> dict[str, Any]:
    """The libpq parameters that bound one connection; one the URL sets itself stays as the URL
    says (``statement_timeout`` too, inside the URL's ``options``)."""
    given = conninfo_to_dict(url)
    options = str(given.get("options") or "")
    if "statement_timeout" not in options:
        options = f"{options} -c statement_timeout={int(seconds * 1000)}".strip()
    wanted = {"connect_timeout": max(2, math.ceil(seconds)), "tcp_user_timeout": int(seconds * 1000),
              **KEEPALIVES}
    return {"options": options, **{k: v for k, v in wanted.items() if k not in given}}


class BoundedConnection(psycopg.Connection):
    """A connection whose every wait for the server ends after :attr:`answer_s` seconds: it is
    then closed (it stopped mid-message, so it cannot be reused) and OperationalError raised,
    which the store turns into its ConfigError."""

    answer_s: float | None = None  # set on each connection by the store

    def wait(self, gen: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("timeout") is None and len(args) < 2:  # psycopg's own timeouts stay
            kwargs["timeout"] = self.answer_s
        try:
            return super().wait(gen, *args, **kwargs)
        except psycopg.errors._WaitTimeout:  # raised by psycopg's wait loop when the timeout passes
            self.pgconn.finish()
            raise psycopg.OperationalError(f"the server did not answer within {kwargs['timeout']:g} s "
                                           f"({TIMEOUT_ENV})") from None
