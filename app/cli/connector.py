"""The browser connector from the command line: `serve` runs it headless (for
people who keep the window closed), `connector secret` prints (or replaces) the
archive's secret for the extension's options and for scripts."""
from __future__ import annotations

import argparse
import signal
import threading

from app.cli.common import EXIT_ITEM_FAILED, EXIT_OK, Command, err, say
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


def _run_serve(archive, args) -> int:
    """Serve until SIGINT or SIGTERM, then stop cleanly (requests in progress finish:
    a save is atomic either way)."""
    # here, not at the top: the server, the API and the save pipeline (http.server,
    # multiprocessing) are for `serve` only; every other command builds this module's
    # parser without them (quire list: 1.851 G -> 1.812 G instructions, cachegrind)
    from app.connector import ConnectorAPI, ConnectorServer, PortInUseError

    def saved(article_id: str, what: str) -> None:
        if what == "saved":
            say(f"saved {article_id}  {archive.get(article_id).title}")

    server = ConnectorServer(ConnectorAPI(archive, on_changed=saved), port=default_port() if args.port is None else args.port)
    try:
        server.start()
    except PortInUseError as exc:
        err(f"quire serve: {exc.strerror}")
        server.stop()
        return EXIT_ITEM_FAILED
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        say(f"listening on {server.url}")
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
                _conf_serve, _run_serve)
CONNECTOR = Command("connector", "the browser connector: `connector secret [--new]`",
                    _conf_connector, _run_connector, needs="folder")
