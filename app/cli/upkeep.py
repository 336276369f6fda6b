"""Looking after the archive: `check`, `reindex`, `reextract`, `backup`, `restore`, `delete`."""
from __future__ import annotations

import argparse
import json

from archive.base.errors import QuireError

from app.cli.common import EXIT_ITEM_FAILED, EXIT_OK, Command, progress_printer, say


def _conf_check(p: argparse.ArgumentParser) -> None:
    p.add_argument("--repair", action="store_true", help="mend what is found")
    p.add_argument("--json", action="store_true")


def _run_check(archive, args) -> int:
    from archive.library.check import check_archive  # loads the store's checks: only `check` needs them

    problems = check_archive(archive, repair=args.repair, progress=progress_printer("check"))
    if args.json:
        print(json.dumps([p.to_dict() for p in problems], ensure_ascii=False, indent=2))
    else:
        for p in problems:
            mark = "repaired" if p.repaired else "found"
            say(f"{mark:8}  {p.kind:14}  {p.detail}")
        if problems:
            say("")
            say("what this means:")
        for kind in dict.fromkeys(p.kind for p in problems):  # each kind once, in plain words
            sample = next(p for p in problems if p.kind == kind)
            say(f"  {kind}: {sample.means}.")
            say(f"    {'--repair ' if not args.repair else 'repair: '}{sample.repair_does}.")
        say(f"{len(problems)} problem(s)" + (f", {sum(p.repaired for p in problems)} repaired" if args.repair else
                                              "; `quire check --repair` mends what it can")
            if problems else "the archive is consistent")
    unresolved = [p for p in problems if not p.repaired]
    return EXIT_ITEM_FAILED if unresolved else EXIT_OK


def _conf_nothing(p: argparse.ArgumentParser) -> None:
    """reindex takes no arguments."""


def _run_reindex(archive, args) -> int:
    n = archive.reindex(progress_printer("reindex"))
    say(f"reindexed {n} articles")
    return EXIT_OK


def _conf_reextract(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--all", action="store_true")
    g.add_argument("ids", nargs="*", default=[], metavar="ID")


def _run_reextract(archive, args) -> int:
    ids = None if args.all else [archive.resolve_id(i) for i in args.ids]
    from archive.library.highlights import ReanchorReport  # only reextract needs the highlights manager

    anchors = ReanchorReport()
    changed: list[str] = []
    done, failures = archive.reextract(ids, progress=progress_printer("reextract"), anchors=anchors,
                                       changed=changed)
    for f in failures:
        say(f"FAILED {f}")
    for line in anchors.unplaced:
        say(f"warning: highlight {line}")
    say(f"re-extracted {done} articles: {len(changed)} changed, {done - len(changed)} unchanged")
    if anchors.placed or anchors.unplaced:
        say(anchors.summary())
    return EXIT_ITEM_FAILED if failures else EXIT_OK


def _conf_backup(p: argparse.ArgumentParser) -> None:
    p.add_argument("out", metavar="OUT.zip")


def _run_backup(archive, args) -> int:
    # backup imports the store: only when the command runs, as in main.run
    from archive.library.backup import backup

    n = backup(archive, args.out, progress=progress_printer("backup"))
    say(f"backed up {n} articles to {args.out}")
    return EXIT_OK


def _conf_restore(p: argparse.ArgumentParser) -> None:
    p.add_argument("zip", metavar="IN.zip")
    p.add_argument("--force", action="store_true", help="replace a non-empty archive")


def _run_restore(root, args) -> int:
    from archive.library.backup import restore  # imports the store, as above

    n = restore(args.zip, root, force=args.force, progress=progress_printer("reindex"))
    say(f"restored {n} articles into {root}")
    return EXIT_OK


def _conf_delete(p: argparse.ArgumentParser) -> None:
    p.add_argument("ids", nargs="+", metavar="ID")


def _run_delete(archive, args) -> int:
    failed = 0
    with archive.batch():  # one index commit for all the ids
        for item in args.ids:
            try:
                aid = archive.resolve_id(item)
                title = archive.get(aid).title
                archive.delete(aid)
                say(f"deleted {aid}  {title}")
            except QuireError as exc:
                failed += 1
                say(f"FAILED {item}: {exc}")
    return EXIT_ITEM_FAILED if failed else EXIT_OK


REINDEX = Command("reindex", "rebuild the search index from the archive's files", _conf_nothing, _run_reindex)
REEXTRACT = Command("reextract", "run the current extractor again on stored originals",
                    _conf_reextract, _run_reextract)
DELETE = Command("delete", "delete articles", _conf_delete, _run_delete)
CHECK = Command("check", "verify catalog, files and index agree (--repair mends)", _conf_check, _run_check)
BACKUP = Command("backup", "write the whole archive to a zip file", _conf_backup, _run_backup)
RESTORE = Command("restore", "restore an archive from a backup zip", _conf_restore, _run_restore,
                  needs="folder")
