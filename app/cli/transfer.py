"""Moving articles in and out: `import` another service's export, `export` to a file."""
from __future__ import annotations

import argparse

from app.cli.common import EXIT_ITEM_FAILED, EXIT_OK, Command, print_report, progress_printer, say
from archive.base.errors import UnknownFormatError
from archive.interchange.formats import EXPORT_FORMATS, IMPORT_FORMATS


def _conf_import(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE")
    p.add_argument("--format", default="auto",
                   help=f"one of auto, {', '.join(IMPORT_FORMATS)} (default: detected from the content)")
    p.add_argument("--no-fetch", action="store_true",
                   help="do not fetch items without content: keep them pending")


def _run_import(archive, args) -> int:
    from archive.interchange import importers  # on use: --help needs only the names

    try:
        report = importers.import_file(archive, args.file, args.format, fetch=not args.no_fetch,
                             progress=progress_printer("import"))
    except UnknownFormatError as exc:  # the core does not know how the format is named here
        raise UnknownFormatError(f"{exc}; --format names it (one of {', '.join(IMPORT_FORMATS)})") from exc
    return print_report(report, f"imported {args.file} ({report.format})")


def _conf_export(p: argparse.ArgumentParser) -> None:
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--query", metavar="Q", help="the articles a search finds")
    which.add_argument("--tag", metavar="T", help="the articles with this tag")
    which.add_argument("--collection", metavar="C", help="the articles of a collection")
    which.add_argument("--all", action="store_true", help="every article")
    p.add_argument("--format", required=True, help=f"one of {', '.join(EXPORT_FORMATS)}")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="the file to write")


def _run_export(archive, args) -> int:
    from archive.interchange import exporters  # on use: --help needs only the names

    ids = exporters.select_ids(archive, query=args.query, tag=args.tag, collection=args.collection, all=args.all)
    if not ids:
        say("nothing to export: no article matches")
        return EXIT_ITEM_FAILED
    report = exporters.export(archive, ids, args.format, args.output, progress=progress_printer("export"))
    for line in getattr(report, "skipped", []) or []:
        say(f"skipped {line}")
    say(f"exported {report.exported} article{'s' if report.exported != 1 else ''} to {report.path}")
    return EXIT_OK


IMPORT = Command("import", "import another service's export, a bookmarks file, "
                 "a list of URLs or a folder/zip of saved pages", _conf_import, _run_import)
EXPORT = Command("export", "export articles as epub, html, markdown, json, netscape, pocket-csv, "
                 "or their highlights as highlights-markdown or readwise-csv",
                 _conf_export, _run_export)
