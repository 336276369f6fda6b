"""Saving pages: `add` (URLs, saved pages, lists of URLs) and `retry` (pending articles)."""
from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.common import (EXIT_ITEM_FAILED, EXIT_OK, Command, err, failure_line, print_report,
                            progress_printer, say)


def _conf_add(p: argparse.ArgumentParser) -> None:
    p.add_argument("items", nargs="+", metavar="URL|FILE")
    p.add_argument("--tag", action="append", default=[], metavar="T", help="tag to add (repeatable)")
    p.add_argument("--from-file", action="store_true",
                   help="treat each FILE as a list of URLs, one per line")


def _run_add(archive, args) -> int:
    items: list[str] = []
    for item in args.items:
        if args.from_file:
            try:
                lines = Path(item).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError as exc:
                err(f"{item}: cannot read the list ({exc.strerror or exc})")
                return EXIT_ITEM_FAILED
            items.extend(ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#"))
        else:
            items.append(item)
    # bulk saving imports the store (250-600 ms, python -X importtime): only when a
    # command runs, as main.run does, not for --help
    from archive.work.bulk import save_many

    failed = 0
    for item, outcome in save_many(archive, items, tags=args.tag):
        if isinstance(outcome, Exception):
            failed += 1
            say(failure_line(item, outcome))
        else:
            note = "" if outcome.created else \
                "  (was pending: now saved)" if outcome.filled else _already(outcome, args.tag)
            say(f"{outcome.article.id}  {outcome.article.title}{note}")
            for problem in outcome.picture_problems[:10]:
                say(f"    picture not saved: {problem}")
            if len(outcome.picture_problems) > 10:
                say(f"    … and {len(outcome.picture_problems) - 10} more pictures not saved")
    return EXIT_ITEM_FAILED if failed else EXIT_OK


def _already(outcome, tags: list[str]) -> str:
    """What `add` says of a page saved before: and whether its --tag were added."""
    if outcome.tags_added:
        return f"  (already saved; tagged {', '.join(outcome.tags_added)})"
    if tags:
        return "  (already saved, with those tags)"
    return "  (already saved)"


def _conf_retry(p: argparse.ArgumentParser) -> None:
    p.add_argument("ids", nargs="*", metavar="ID", help="only these pending articles")


def _run_retry(archive, args) -> int:
    ids = [archive.resolve_id(i) for i in args.ids] or None
    # here, not at the top: every parser loads with it, and no other command needs them
    from archive.interchange.importers import retry_pending

    report = retry_pending(archive, progress=progress_printer("retry"), ids=ids)
    code = print_report(report, "retried pending articles")
    return EXIT_ITEM_FAILED if report.pending else code


ADD = Command("add", "save URLs or .html files", _conf_add, _run_add)
RETRY = Command("retry", "fetch pending (imported but not yet fetched) articles again",
                _conf_retry, _run_retry)
