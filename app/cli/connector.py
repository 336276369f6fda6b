"""The browser connector from the command line: `serve` runs it headless (for
people who keep the window closed), `connector secret` prints (or replaces) the
archive's secret for the extension's options and for scripts."""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from app.cli.common import EXIT_ITEM_FAILED, EXIT_OK, Command, err, say
from app.connector import window_child
from app.connector.ports import DEFAULT_PORT, PORT_ENV, default_port
from app.connector.secret import new_secret, read_secret


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0-65535)")
    return port


def _conf_serve(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=_port, default=None,
                   help=f"port on 127.0.0.1 (default ${PORT_ENV}, else {DEFAULT_PORT}; 0 picks a free one)")
    # the window's own connector (app/gui/browser_connector.py): JSON events on stdout,
    # stops when stdin closes (app/connector/window_child.py says the protocol)
    p.add_argument(window_child.FOR_WINDOW, dest="for_window", action="store_true", help=argparse.SUPPRESS)


def _serve_options(args: argparse.Namespace) -> dict:
    """How `serve` opens the archive. For the window, a second handle on the archive
    the window has open: no welcome articles (the window seeds, or chose not to) and
    no crash recovery (the window's folders in the making look like leftovers). The
    child's priority is lowered here, before the archive's imports (~0.5 s of CPU)
    run beside the window's own start."""
    if not args.for_window:
        return {}
    try:
        os.nice(window_child.NICENESS)
    except (AttributeError, OSError):  # not on this platform / not allowed: run as is
        pass
    return {"seed": False, "recover": False}


def _tell_window(archive, stop: threading.Event):
    """on_changed for the window: one JSON line per change, whole (one lock: request
    threads print at once), flushed at once. Output the window no longer reads (it
    is gone) stops the connector."""
    lock = threading.Lock()

    def told(article_id: str, what: str) -> None:  # on a request's thread, after the commit
        try:
            title = archive.get(article_id).title
        except Exception:  # noqa: BLE001 - deleted meanwhile: the window still refreshes
            title = ""
        line = window_child.event_line(what, id=article_id, title=title)
        with lock:
            try:
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
            except (OSError, ValueError):
                stop.set()

    return told


def _stop_at_end_of_stdin(stop: threading.Event) -> None:
    """The window holds our stdin open while it wants us: its end (the window closed
    it, exited or was killed) stops the connector, as SIGTERM does."""
    def watch() -> None:
        try:
            while os.read(sys.stdin.fileno(), 4096):
                pass
        except (OSError, ValueError):
            pass
        stop.set()

    threading.Thread(target=watch, name="quire-stdin", daemon=True).start()


def _run_serve(archive, args) -> int:
    """Serve until SIGINT or SIGTERM (or, for the window, the end of stdin), then
    stop cleanly (requests in progress finish: a save is atomic either way)."""
    # here, not at the top: the server, the API and the save pipeline (http.server,
    # multiprocessing) are for `serve` only; every other command builds this module's
    # parser without them (quire list: 1.851 G -> 1.812 G instructions, cachegrind)
    from app.connector import ConnectorAPI, ConnectorServer, PortInUseError

    stop = threading.Event()

    def saved(article_id: str, what: str) -> None:
        if what == "saved":
            say(f"saved {article_id}  {archive.get(article_id).title}")

    told = _tell_window(archive, stop) if args.for_window else saved
    port = default_port() if args.port is None else args.port
    server = ConnectorServer(ConnectorAPI(archive, on_changed=told), port=port)
    try:
        server.start()
    except PortInUseError as exc:
        if args.for_window:
            say(window_child.event_line(window_child.PORT_IN_USE, port=port))
        err(f"quire serve: {exc.strerror}")
        server.stop()
        return EXIT_ITEM_FAILED
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        say(f"{window_child.LISTENING}{server.url}")
        if args.for_window:
            _stop_at_end_of_stdin(stop)
        else:
            err("the extension needs this archive's secret: `quire connector secret` prints it")
        while not stop.wait(1.0):
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    err("quire serve: stopped")
    return EXIT_OK


def _conf_connector(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="connector_command", required=True, metavar="secret")
    s = sub.add_parser("secret", help="print the archive's connector secret (created on first use)")
    s.add_argument("--new", action="store_true", help="replace it with a new one (the extension "
                   "must then be given the new one)")


def _run_connector(root, args) -> int:
    say(new_secret(root) if args.new else read_secret(root))
    return EXIT_OK


SERVE = Command("serve", "run the browser connector without the window (127.0.0.1 only)",
                _conf_serve, _run_serve, archive_options=_serve_options)
CONNECTOR = Command("connector", "the browser connector: `connector secret [--new]`",
                    _conf_connector, _run_connector, needs="folder")
