"""The connector's port: its default and the environment variable that moves it.

A module of its own, importing nothing, because the command line reads these for
`serve --port`'s help every time it builds its parser: importing server.py for
them loaded http.server, the API and the save pipeline into every `quire …`."""
from __future__ import annotations

import os

DEFAULT_PORT = 26817

#: overrides DEFAULT_PORT (the window's settings and `serve --port` still win)
PORT_ENV = "QUIRE_CONNECTOR_PORT"


def default_port() -> int:
    """The port used when none is given: $QUIRE_CONNECTOR_PORT, else DEFAULT_PORT."""
    value = os.environ.get(PORT_ENV, "").strip()
    return int(value) if value.isdigit() and int(value) <= 65535 else DEFAULT_PORT
