"""Quire's entry point (`quire`, `python -m app`, `python main.py`): with no
command it opens the window, with a command it runs the command line.

The window and its options (`--screenshot`) belong here, not to app.cli: the
command line never imports Qt, and the GUI is imported only when it opens.
"""
from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path


def open_window(root: Path, screenshot: Path | None = None) -> int:
    """The GUI, imported only when wanted, so commands never load Qt."""
    from app.gui.main import run

    return run(root, screenshot)


def main(argv: Sequence[str] | None = None) -> int:
    from archive.library.paths import resolve_archive_root

    from app.cli.main import build_parser, parse, run

    parser = build_parser()
    parser.description = "Quire: an offline reading archive. With no command, opens the window."
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help="open the window offscreen, show the first article, save a PNG and exit")
    args = parse(parser, sys.argv[1:] if argv is None else argv)
    if args.command is None:
        root = resolve_archive_root(args.archive)
        return open_window(root, Path(args.screenshot) if args.screenshot else None)
    if args.screenshot:
        parser.error("--screenshot renders the window: give it without a command")
    return run(args)
