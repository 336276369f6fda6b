"""The window's connector as a child process: `quire serve --for-window`, and the
lines it and the window exchange.

Why a child: the connector's threads (index commits, storing, JSON, the merge
after a burst) share one GIL with whatever runs them. In the window's process a
burst of saves from the browser stalled its event loop for up to 54-224 ms
(bench/ui_latency.py --via connector); in a process of its own it uses the
other core, as the window's bulk saves do (archive/work/child.py).

The protocol (stdout, one line each, flushed at once):

* first ``listening on http://127.0.0.1:N``, as plain `quire serve` says it;
* then one JSON object per change, ``{"event": "saved"|"tagged", "id": …, "title": …}``,
  printed after the change is committed (index included), so the window's own
  Archive finds it when it is told;
* should the port be taken, ``{"event": "port_in_use", "port": N}`` before the
  usual message on stderr and exit status 1.

The child stops cleanly (as on SIGTERM) when its stdin reaches end of file: the
window holds the other end, so a window that crashed or was killed never leaves
a connector behind. No Qt here (the command line imports this module).
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

#: the hidden `quire serve` option that speaks this protocol
FOR_WINDOW = "--for-window"
LISTENING = "listening on "
SAVED, TAGGED, PORT_IN_USE = "saved", "tagged", "port_in_use"
#: the child's CPU priority, as the window's bulk-save child (archive/work/child.py):
#: a burst of saves yields the cores to the window it serves
NICENESS = 10


def event_line(event: str, **fields: Any) -> str:
    """One event as the line the child prints (ASCII JSON: any locale reads it)."""
    return json.dumps({"event": event, **fields})


def parse_event(line: str) -> dict[str, Any] | None:
    """An event line's object, or None for any other line (a stray print)."""
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) and isinstance(value.get("event"), str) else None


def listening_url(line: str) -> str | None:
    """The address a `listening on …` first line names, else None."""
    line = line.strip()
    return line[len(LISTENING):] if line.startswith(LISTENING) else None


def code_home() -> Path:
    """The folder holding Quire's `app` package (a checkout or site-packages)."""
    import app

    return Path(app.__file__).resolve().parent.parent


def serve_command(root: Path | str, port: int) -> list[str]:
    """The child's command line: this interpreter running this code's command line
    (`python -m app.cli`, not the `quire` script, which may be another install's)."""
    return [sys.executable, "-m", "app.cli", "--archive", str(root), "serve", "--port", str(port),
            FOR_WINDOW]


def serve_environment() -> dict[str, str]:
    """The window's environment, with this code's folder first on the child's
    PYTHONPATH: run from a checkout (`python main.py`, from any folder), `app` is
    importable only through the script's own folder, which a child does not inherit."""
    env = dict(os.environ)
    home = str(code_home())
    rest = env.get("PYTHONPATH", "")
    env["PYTHONPATH"] = home + (os.pathsep + rest if rest else "")
    env["PYTHONUNBUFFERED"] = "1"
    return env
