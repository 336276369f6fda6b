"""More CLI commands: check, backup, restore, import, export, retry, collection.
Registered with archive.cli so cli.py stays a readable list of the basics."""
from __future__ import annotations

import json

from app.cli.commands import EXIT_ITEM_FAILED, EXIT_OK, _progress_printer, _say, register_command


# -- check ---------------------------------------------------------------------
def _conf_check(p) -> None:
    p.add_argument("--repair", action="store_true", help="mend what is found")
    p.add_argument("--json", action="store_true")


def _run_check(archive, args) -> int:
    from archive.library.check import check_archive

    problems = check_archive(archive, repair=args.repair, progress=_progress_printer("check"))
    if args.json:
        print(json.dumps([p.to_dict() for p in problems], ensure_ascii=False, indent=2))
    else:
        for p in problems:
            mark = "repaired" if p.repaired else "found"
            _say(f"{mark:8}  {p.kind:14}  {p.detail}")
        _say(f"{len(problems)} problem(s)" + (f", {sum(p.repaired for p in problems)} repaired" if args.repair else "")
             if problems else "the archive is consistent")
    unresolved = [p for p in problems if not p.repaired]
    return EXIT_ITEM_FAILED if unresolved else EXIT_OK


register_command("check", _conf_check, _run_check, "verify catalog, files and index agree (--repair mends)")


# -- backup --------------------------------------------------------------------
def _conf_backup(p) -> None:
    p.add_argument("out", metavar="OUT.zip")


def _run_backup(archive, args) -> int:
    from archive.library.backup import backup

    n = backup(archive, args.out, progress=_progress_printer("backup"))
    _say(f"backed up {n} articles to {args.out}")
    return EXIT_OK


register_command("backup", _conf_backup, _run_backup, "write the whole archive to a zip file")


# -- restore -------------------------------------------------------------------
def _conf_restore(p) -> None:
    p.add_argument("zip", metavar="IN.zip")
    p.add_argument("--force", action="store_true", help="replace a non-empty archive")


def _run_restore(root, args) -> int:
    from archive.library.backup import restore

    n = restore(args.zip, root, force=args.force, progress=_progress_printer("reindex"))
    _say(f"restored {n} articles into {root}")
    return EXIT_OK


register_command("restore", _conf_restore, _run_restore, "restore an archive from a backup zip",
                 opens_archive=False)


# -- import / retry --------------------------------------------------------------
def _conf_import(p) -> None:
    from archive.interchange.importers.driver import FORMATS

    p.add_argument("file", metavar="FILE")
    p.add_argument("--format", default="auto",
                   help=f"one of auto, {', '.join(FORMATS)} (default: detected from the content)")
    p.add_argument("--no-fetch", action="store_true",
                   help="do not fetch items without content: keep them pending")


def _print_report(report, verb: str) -> int:
    for line in report.failed:
        _say(f"FAILED {line}")
    for line in report.warnings:
        _say(f"warning: {line}")
    updated = f"{report.updated} updated, " if report.updated else ""
    _say(f"{verb}: {report.added} added, {updated}{report.duplicates} already saved, "
         f"{report.pending} pending, {len(report.failed)} failed"
         + (f", cancelled with {report.not_reached} not reached" if report.cancelled else ""))
    return EXIT_ITEM_FAILED if report.failed else EXIT_OK


def _run_import(archive, args) -> int:
    from archive.interchange.importers.driver import import_file

    report = import_file(archive, args.file, args.format, fetch=not args.no_fetch,
                         progress=_progress_printer("import"))
    return _print_report(report, f"imported {args.file} ({report.format})")


register_command("import", _conf_import, _run_import, "import another service's export, a bookmarks file, "
                 "a list of URLs or a folder/zip of saved pages")


def _conf_retry(p) -> None:
    p.add_argument("ids", nargs="*", metavar="ID", help="only these pending articles")


def _run_retry(archive, args) -> int:
    from archive.interchange.importers.driver import retry_pending

    ids = [archive.resolve_id(i) for i in args.ids] or None
    report = retry_pending(archive, progress=_progress_printer("retry"), ids=ids)
    code = _print_report(report, "retried pending articles")
    return EXIT_ITEM_FAILED if report.pending else code


register_command("retry", _conf_retry, _run_retry, "fetch pending (imported but not yet fetched) articles again")


# -- export ----------------------------------------------------------------------
def _conf_export(p) -> None:
    from archive.interchange.exporters import FORMATS

    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--query", metavar="Q", help="the articles a search finds")
    which.add_argument("--tag", metavar="T", help="the articles with this tag")
    which.add_argument("--collection", metavar="C", help="the articles of a collection")
    which.add_argument("--all", action="store_true", help="every article")
    p.add_argument("--format", required=True, help=f"one of {', '.join(FORMATS)}")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="the file to write")


def _run_export(archive, args) -> int:
    from archive.interchange.exporters import export, select_ids

    ids = select_ids(archive, query=args.query, tag=args.tag, collection=args.collection, all=args.all)
    if not ids:
        _say("nothing to export: no article matches")
        return EXIT_ITEM_FAILED
    report = export(archive, ids, args.format, args.output, progress=_progress_printer("export"))
    for line in getattr(report, "skipped", []) or []:
        _say(f"skipped {line}")
    _say(f"exported {report.exported} articles to {report.path}")
    return EXIT_OK


register_command("export", _conf_export, _run_export,
                 "export articles as epub, html, markdown, json, netscape or pocket-csv")


# -- collections -----------------------------------------------------------------
def _conf_collection(p) -> None:
    sub = p.add_subparsers(dest="action", required=True)
    sub.add_parser("list", help="collections with their article counts").add_argument("--json", action="store_true")
    c = sub.add_parser("create", help="a manual collection, or a smart one with --query")
    c.add_argument("name")
    c.add_argument("--query", help="the saved query of a smart collection")
    r = sub.add_parser("rename")
    r.add_argument("name")
    r.add_argument("new_name")
    d = sub.add_parser("delete")
    d.add_argument("name")
    for action in ("add", "remove"):
        a = sub.add_parser(action, help=f"{action} articles (manual collections)")
        a.add_argument("name")
        a.add_argument("ids", nargs="+", metavar="ID")


def _run_collection(archive, args) -> int:
    from archive.library import collections as coll

    if args.action == "list":
        rows = coll.list_collections(archive)
        if args.json:
            print(json.dumps([{"name": c.name, "query": c.query, "count": c.count} for c in rows],
                             ensure_ascii=False, indent=2))
        for c in ([] if args.json else rows):
            kind = f"smart: {c.query}" if c.is_smart else "manual"
            _say(f"{c.count:6}  {c.name}  ({kind})")
    elif args.action == "create":
        c = coll.create(archive, args.name, args.query)
        _say(f"created {'smart' if c.is_smart else 'manual'} collection {c.name!r} ({c.count} articles)")
    elif args.action == "rename":
        c = coll.rename(archive, args.name, args.new_name)
        _say(f"renamed to {c.name!r}")
    elif args.action == "delete":
        coll.delete(archive, args.name)
        _say(f"deleted collection {args.name!r} (its articles are kept)")
    else:
        ids = [archive.resolve_id(i) for i in args.ids]
        n = (coll.add if args.action == "add" else coll.remove)(archive, args.name, ids)
        _say(f"{'added' if args.action == 'add' else 'removed'} {n} article(s)")
    return EXIT_OK


register_command("collection", _conf_collection, _run_collection, "list, create, rename, delete collections; "
                 "add or remove articles")
