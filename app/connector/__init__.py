"""The browser connector: a small JSON API on 127.0.0.1 through which the browser
extension saves pages as the browser rendered them. No Qt here: `quire serve` runs
the server (server.py) over the endpoints (api.py), and the window runs it as a
child process (`quire serve --for-window`, window_child.py), as it runs bulk saves.

The names below are imported on first use (PEP 562), not here: importing any
module of this package runs this file, and the command line imports ports.py for
every `quire …` (server.py and api.py bring http.server and the save pipeline:
~2% more instructions for a `quire list`, measured with cachegrind)."""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.connector.api import ApiError, ConnectorAPI
    from app.connector.ports import DEFAULT_PORT
    from app.connector.secret import SecretFile, new_secret, read_secret
    from app.connector.server import ConnectorServer, PortInUseError

_WHERE = {
    "ApiError": "api", "ConnectorAPI": "api",
    "SecretFile": "secret", "new_secret": "secret", "read_secret": "secret",
    "DEFAULT_PORT": "ports", "ConnectorServer": "server", "PortInUseError": "server",
}

__all__ = ["ApiError", "ConnectorAPI", "ConnectorServer", "DEFAULT_PORT", "PortInUseError",
           "SecretFile", "new_secret", "read_secret"]


def __getattr__(name: str) -> Any:
    """`from app.connector import ConnectorServer` imports server.py only now."""
    if name in _WHERE:
        value = getattr(importlib.import_module(f"app.connector.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'app.connector' has no attribute {name!r}")
