"""The command line's parser and dispatch: `quire COMMAND …` (app.launcher sends
every invocation with a command here; with none it opens the window instead).

Every command is one `Command` record in a module of its group (saving, reading,
tagging, transfer, upkeep, collections) and is listed once, in COMMANDS below:
that table is the only registration, in the order `quire --help` shows them.
This package imports no Qt.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Sequence

from archive import __version__
from archive.base.errors import QuireError, explain_failure
from archive.library.paths import resolve_archive_root

from app.cli import collections, connector, desktop, highlights, reading, saving, tagging, transfer, upkeep
from app.cli.common import EXIT_ITEM_FAILED, EXIT_OUTPUT_CLOSED, EXIT_USAGE, Command, err

COMMANDS: tuple[Command, ...] = (
    saving.ADD,
    reading.SEARCH,
    reading.SHOW,
    tagging.TAG,
    tagging.TAGS,
    upkeep.REINDEX,
    upkeep.REEXTRACT,
    reading.LIST,
    upkeep.DELETE,
    upkeep.CHECK,
    upkeep.BACKUP,
    upkeep.RESTORE,
    transfer.IMPORT,
    saving.RETRY,
    transfer.EXPORT,
    collections.COLLECTION,
    connector.SERVE,
    connector.CONNECTOR,
    highlights.HIGHLIGHTS,
    highlights.HIGHLIGHT,
    desktop.INSTALL_DESKTOP,
)

_BY_NAME = {c.name: c for c in COMMANDS}
assert len(_BY_NAME) == len(COMMANDS), "two commands share a name"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 already; keep the text clear
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser with `--archive` and one subparser per command of COMMANDS.
    The launcher adds its own window options (`--screenshot`) to it."""
    p = _Parser(prog="quire", description="Quire: an offline reading archive.")
    p.add_argument("--archive", metavar="DIR",
                   help="archive folder (default: $QUIRE_ARCHIVE, else the user data folder)")
    p.add_argument("--version", action="version", version=f"quire {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)
    for command in COMMANDS:
        command.configure(sub.add_parser(command.name, help=command.help))
    return p


def parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse argv. `tag ID +a -b`: "-b" looks like an option to argparse, so unknown
    "-x" arguments are taken as tag removals for that one command."""
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        if args.command == "tag" and all(u.startswith("-") and not u.startswith("--") for u in unknown):
            args.changes = list(args.changes or []) + unknown
        else:
            parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def run(args: argparse.Namespace) -> int:
    """Run the command args.command names, on what it needs (an opened Archive,
    the archive folder, or nothing). A QuireError becomes one line and status 1;
    output closed early (`quire list | head -2`) ends it quietly, status 141."""
    try:
        return _run(args)
    except BrokenPipeError:
        return output_closed()


def output_closed() -> int:
    """Whoever read our output went away: stop without a traceback. stdout now
    points at /dev/null, so the interpreter's last flush cannot fail again (the
    recipe of Python's signal documentation). 141 is what a shell reports for a
    program that SIGPIPE stopped, as `yes | head` does."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no stdout at all: nothing left to protect
        pass
    return EXIT_OUTPUT_CLOSED


def _run(args: argparse.Namespace) -> int:
    command = _BY_NAME[args.command]
    try:
        if command.needs == "nothing":
            return command.run(None, args)
        root = resolve_archive_root(args.archive)
        if command.needs == "folder":
            return command.run(root, args)
        # before the store's import: `serve --for-window` lowers its priority there
        options = command.archive_options(args) if command.archive_options else {}
        # The store and its index cost 250-600 ms to import (python -X importtime main.py
        # list): --help, --version and the commands that need no archive skip it.
        from archive.library.store import Archive

        archive = Archive(root, **options)
    except QuireError as exc:
        err(f"quire: {exc}")
        return EXIT_ITEM_FAILED
    except BrokenPipeError:
        raise  # not the disk: the output was closed (run() ends quietly)
    except (OSError, sqlite3.Error) as exc:  # a full or failing disk: one sentence, no traceback
        err(f"quire: {explain_failure(exc, args.archive or '')}")
        return EXIT_ITEM_FAILED
    for notice in archive.notices:  # a rebuilt catalog, a read-only archive
        err(f"quire: {notice}")
    try:
        return command.run(archive, args)
    except QuireError as exc:
        err(f"quire: {exc}")
        return EXIT_ITEM_FAILED
    except BrokenPipeError:
        raise
    except (OSError, sqlite3.Error) as exc:
        err(f"quire: {explain_failure(exc, archive.root)}")
        return EXIT_ITEM_FAILED
    except KeyboardInterrupt:
        err("quire: interrupted")
        return 130
    finally:
        try:
            archive.close()
        except (QuireError, OSError, sqlite3.Error) as exc:
            err(f"quire: {explain_failure(exc, archive.root)}")


def main(argv: Sequence[str] | None = None) -> int:
    """The command line alone (`python -m app.cli`): a command is required."""
    parser = build_parser()
    args = parse(parser, argv)
    if args.command is None:
        parser.error("give a command (`quire` with no command opens the window)")
    return run(args)
