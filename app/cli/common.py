"""What every command module shares: the exit codes, the Command record the
table in app/cli/main.py lists, and the output helpers.

Exit status: 0 all went well, 1 some item failed (the others still done),
2 usage error, 141 the output was closed early (`quire list | head`). Every failure line names the item and the reason.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Callable, Literal

EXIT_OK, EXIT_ITEM_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_OUTPUT_CLOSED = 141  # stdout closed early (`| head`): 128 + SIGPIPE, as a shell reports

#: what a command's run() is given: an opened Archive, the archive's folder
#: (restore writes into a folder that may not be an archive yet), or nothing
#: (install-desktop does not touch any archive).
Needs = Literal["archive", "folder", "nothing"]


@dataclass(frozen=True)
class Command:
    """One subcommand: its name and help, how it adds its arguments to its own
    subparser, and what runs it. `run(target, args) -> exit status`, where the
    target is what `needs` says (an Archive, a Path, or None). `archive_options(args)`,
    if given, are the Archive's keyword arguments for this run (`serve --for-window`
    opens the window's archive as a second handle: no welcome articles, no recovery)."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[..., int]
    needs: Needs = "archive"
    archive_options: Callable[[argparse.Namespace], dict] | None = None


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (`--limit 0` or `-5` is a
    usage error, not an empty or odd answer)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def say(line: str) -> None:
    """One line of results on stdout, flushed so a pipe sees progress at once."""
    print(line, flush=True)


def err(line: str) -> None:
    """One line of diagnostics on stderr."""
    print(line, file=sys.stderr, flush=True)


def failure_line(item: str, exc: BaseException) -> str:
    """`FAILED item: why`, naming the item once (most errors name it themselves)."""
    text = str(exc)
    return f"FAILED {text}" if item and item in text else f"FAILED {item}: {text}"


def progress_printer(label: str) -> Callable[[int, int, str], None]:
    """A progress callback for the core's long operations: prints every 50th
    step and the last one to stderr, so stdout stays the results only."""
    def progress(done: int, total: int, message: str) -> None:
        if total and (done == total or done % 50 == 0):
            err(f"{label}: {done}/{total}")
    return progress


def print_report(report, verb: str) -> int:
    """The summary of an import or a retry (both give an importers.driver.ImportReport):
    the failed items and warnings one per line, then the counts."""
    for line in report.failed:
        say(f"FAILED {line}")
    for line in report.warnings:
        say(f"warning: {line}")
    for line in report.pending_lines():
        say(line)
    say(f"{verb}: {report.counts_text()}")
    return EXIT_ITEM_FAILED if report.failed else EXIT_OK
