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
a connector behind. ConnectorChild is the window's end: it starts the child and
reads these lines. No Qt here (the command line imports this module; `subprocess`
is imported by the window's end only).
"""
from __future__ import annotations

import json
import os
import sys
import threading
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    import subprocess

#: the hidden `quire serve` option that speaks this protocol
FOR_WINDOW = "--for-window"
LISTENING = "listening on "
SAVED, TAGGED, PORT_IN_USE = "saved", "tagged", "port_in_use"
#: the child's CPU priority, as the window's bulk-save child (archive/work/child.py):
#: a burst of saves yields the cores to the window it serves
NICENESS = 10

#: Seconds a child being replaced (a restart) is given to stop before its successor
#: starts anyway (it may hold the same port until it has stopped).
REPLACED_WAIT = 15.0
#: Seconds between SIGTERM and SIGKILL for a child that did not stop when told.
TERMINATE_WAIT = 5.0


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


def last_words(lines: deque[str]) -> str:
    """What a child said last on stderr (its error), without the command's prefix."""
    for line in reversed(lines):
        line = line.strip()
        if line and line != "quire serve: stopped":
            for prefix in ("quire serve: ", "quire: "):
                line = line.removeprefix(prefix)
            return line
    return ""


class ConnectorChild:
    """One `quire serve --for-window` process: started, read and waited for on a
    thread of its own (`run`), stopped from any thread (`stop`)."""

    def __init__(self, argv: list[str], env: dict[str, str], heard: Callable[..., None],
                 changed: Callable[[str, str, str], None], after: list["ConnectorChild"]) -> None:
        self.argv = argv
        self.env = env
        self.heard = heard  # (child, what, value): "listening" url, "failed" message,
        # "exited" (code, the port it found taken or None, its last words on stderr)
        self.changed = changed  # (article id, "saved" | "tagged", title): browser_changed
        self.after = after  # children being replaced: they may hold the port until they exit
        self.proc: subprocess.Popen | None = None
        self.stderr: deque[str] = deque(maxlen=40)
        self.exited = threading.Event()
        self._lock = threading.Lock()
        self._stopped = False
        self.thread = threading.Thread(target=self.run, name="quire-connector-child", daemon=True)

    @property
    def alive(self) -> bool:
        return not self.exited.is_set()

    def _say(self, what: str, value: Any) -> None:
        try:
            self.heard(self, what, value)
        except RuntimeError:  # the window (and its connector object) is gone: nobody to tell
            pass

    def run(self) -> None:
        import subprocess

        try:
            for old in self.after:
                old.exited.wait(REPLACED_WAIT)
            with self._lock:
                if self._stopped:
                    return
                try:
                    self.proc = subprocess.Popen(
                        self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, env=self.env, text=True, encoding="utf-8",
                        errors="replace")
                except OSError as exc:
                    self._say("failed", f"it could not be started: {exc.strerror or exc}")
                    return
            proc = self.proc
            drain = threading.Thread(target=self._drain_stderr, args=(proc,), daemon=True,
                                     name="quire-connector-stderr")
            drain.start()
            port_taken: int | None = None
            assert proc.stdout is not None
            for line in proc.stdout:
                url = listening_url(line)
                if url is not None:
                    self._say("listening", url)
                    continue
                event = parse_event(line)
                if event is None:
                    continue
                what = event["event"]
                if what in (SAVED, TAGGED):
                    self.changed(str(event.get("id", "")), what, str(event.get("title") or ""))
                elif what == PORT_IN_USE:
                    port_taken = int(event.get("port") or 0)
            code = proc.wait()
            drain.join(5)  # its last words are the message
            self._say("exited", (code, port_taken, last_words(self.stderr)))
        finally:
            self.exited.set()

    def _drain_stderr(self, proc: subprocess.Popen) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:  # read always: a full pipe would block the child
            self.stderr.append(line)

    def stop(self, wait: float) -> None:
        """Close its stdin (it stops as on SIGTERM), wait up to `wait` seconds, then
        terminate it, then kill it. Any thread."""
        import subprocess

        with self._lock:
            self._stopped = True
            proc = self.proc
        if proc is None:  # not started (and now never will be)
            self.exited.set()
            return
        try:
            assert proc.stdin is not None
            proc.stdin.close()
        except OSError:  # it is gone already
            pass
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(TERMINATE_WAIT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.exited.wait(TERMINATE_WAIT)  # its reader has told what it read


def exit_status(code: int | None) -> str:
    """How a child ended, for a message: its exit status, or the signal that killed it."""
    if code is not None and code < 0:
        return f"killed by signal {-code}"
    return f"exit status {code}"
