"""The command line: `python main.py COMMAND` / `quire COMMAND`.

Exit status: 0 all went well, 1 some item failed (the others still done),
2 usage error. Every failure line names the item and the reason.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable

from archive.base.errors import QuireError
from archive.library.paths import resolve_archive_root

EXIT_OK, EXIT_ITEM_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 already; keep the text clear
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="quire", description="Quire: an offline reading archive. "
                "With no command, opens the window.")
    p.add_argument("--archive", metavar="DIR",
                   help="archive folder (default: $QUIRE_ARCHIVE, else the user data folder)")
    p.add_argument("--screenshot", metavar="OUT.png",
                   help="open the window offscreen, show the first article, save a PNG and exit")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    a = sub.add_parser("add", help="save URLs or .html files")
    a.add_argument("items", nargs="+", metavar="URL|FILE")
    a.add_argument("--tag", action="append", default=[], metavar="T", help="tag to add (repeatable)")
    a.add_argument("--from-file", action="store_true",
                   help="treat each FILE as a list of URLs, one per line")

    s = sub.add_parser("search", help="search the archive")
    s.add_argument("query", nargs="+")
    s.add_argument("--json", action="store_true")
    s.add_argument("--limit", type=int, default=20)
    s.add_argument("--sort", choices=["relevance", "newest", "oldest"], default="relevance")

    sh = sub.add_parser("show", help="print an article's metadata and text")
    sh.add_argument("id")
    sh.add_argument("--json", action="store_true")

    t = sub.add_parser("tag", help="add (+name) or remove (-name) tags")
    t.add_argument("id")
    t.add_argument("changes", nargs="*", metavar="+name|-name")

    tg = sub.add_parser("tags", help="list tags with counts")
    tg.add_argument("--json", action="store_true")

    sub.add_parser("reindex", help="rebuild the search index from the archive's files")

    r = sub.add_parser("reextract", help="run the current extractor again on stored originals")
    g = r.add_mutually_exclusive_group(required=True)
    g.add_argument("--all", action="store_true")
    g.add_argument("ids", nargs="*", default=[], metavar="ID")

    ls = sub.add_parser("list", help="list articles, newest first")
    ls.add_argument("--json", action="store_true")
    ls.add_argument("--pending", action="store_true", help="only pending (not yet fetched) articles")

    d = sub.add_parser("delete", help="delete articles")
    d.add_argument("ids", nargs="+", metavar="ID")

    for name, extra in _EXTRA_COMMANDS.items():
        extra[0](sub.add_parser(name, help=extra[2]))
    return p


# Commands contributed by other modules (import, export, check, ...):
# name -> (configure_parser, run(archive, args) -> int, help)
_EXTRA_COMMANDS: dict[str, tuple[Callable, Callable, str]] = {}
#: commands that get the archive *folder*, not an opened Archive (restore)
_FOLDER_COMMANDS: set[str] = set()


def register_command(name: str, configure: Callable, run: Callable, help: str,
                     *, opens_archive: bool = True) -> None:
    _EXTRA_COMMANDS[name] = (configure, run, help)
    if not opens_archive:
        _FOLDER_COMMANDS.add(name)


def _say(line: str) -> None:
    print(line, flush=True)


def _err(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def cmd_add(archive, args) -> int:
    items: list[str] = []
    for item in args.items:
        if args.from_file:
            try:
                lines = Path(item).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError as exc:
                _err(f"{item}: cannot read the list ({exc.strerror or exc})")
                return EXIT_ITEM_FAILED
            items.extend(ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#"))
        else:
            items.append(item)
    from archive.work.bulk import save_many

    failed = 0
    for item, outcome in save_many(archive, items, tags=args.tag):
        if isinstance(outcome, Exception):
            failed += 1
            _say(f"FAILED {item}: {outcome}")
        else:
            note = "" if outcome.created else "  (already saved)"
            _say(f"{outcome.article.id}  {outcome.article.title}{note}")
            for problem in outcome.picture_problems[:10]:
                _say(f"    picture not saved: {problem}")
            if len(outcome.picture_problems) > 10:
                _say(f"    … and {len(outcome.picture_problems) - 10} more pictures not saved")
    return EXIT_ITEM_FAILED if failed else EXIT_OK


def cmd_search(archive, args) -> int:
    result = archive.search_full(" ".join(args.query), limit=args.limit, sort=args.sort)
    if result.note:
        _err(result.note)
    if args.json:
        print(json.dumps([h.to_dict() for h in result.hits], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not result.hits:
        _say("no results")
        if result.suggestion:
            _say(f"did you mean: {result.suggestion}")
    for h in result.hits:
        tags = f"  [{', '.join(h.tags)}]" if h.tags else ""
        _say(f"{h.id}  {h.title}  — {h.site or '-'}  {h.saved[:10]}{tags}")
        snippet = _plain_snippet(h.snippet)
        if snippet:
            _say(f"    {snippet}")
    return EXIT_OK


def _plain_snippet(snippet: str) -> str:
    import html
    import re

    text = re.sub(r'<b class="match">(.*?)</b>', r"[\1]", snippet)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def cmd_show(archive, args) -> int:
    aid = archive.resolve_id(args.id)
    article = archive.get(aid)
    text = archive.article_text(aid)
    if args.json:
        data = article.to_dict()
        data["text"] = text
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    _say(article.title)
    _say("=" * min(80, max(3, len(article.title))))
    for label, value in (("id", article.id), ("url", article.url), ("site", article.site),
                         ("authors", ", ".join(article.authors)), ("published", article.published),
                         ("saved", article.saved), ("words", article.word_count),
                         ("reading", f"{article.reading_minutes} min" if article.reading_minutes else ""),
                         ("tags", ", ".join(article.tags)), ("status", article.status),
                         ("error", article.error)):
        if value:
            _say(f"{label + ':':11}{value}")
    if article.uncertain:
        _say("note:      the extraction may have missed part of this page")
    _say("")
    _say(text)
    return EXIT_OK


def cmd_tag(archive, args) -> int:
    if not args.changes:
        _err("quire tag: give at least one +name or -name")
        return EXIT_USAGE
    aid = archive.resolve_id(args.id)
    add, remove = [], []
    for change in args.changes:
        if change.startswith("+"):
            add.append(change[1:])
        elif change.startswith("-"):
            remove.append(change[1:])
        else:
            add.append(change)
    article = archive.tag(aid, add=add, remove=remove)
    _say(f"{article.id}  {article.title}  [{', '.join(article.tags)}]")
    return EXIT_OK


def cmd_tags(archive, args) -> int:
    tags = archive.tags()
    if args.json:
        print(json.dumps([{"tag": t, "count": c} for t, c in tags], ensure_ascii=False, indent=2))
    else:
        for t, c in tags:
            _say(f"{c:6}  {t}")
    return EXIT_OK


def _progress_printer(label: str):
    def progress(done: int, total: int, message: str) -> None:
        if total and (done == total or done % 50 == 0):
            _err(f"{label}: {done}/{total}")
    return progress


def cmd_reindex(archive, args) -> int:
    n = archive.reindex(_progress_printer("reindex"))
    _say(f"reindexed {n} articles")
    return EXIT_OK


def cmd_reextract(archive, args) -> int:
    ids = None if args.all else [archive.resolve_id(i) for i in args.ids]
    done, failures = archive.reextract(ids, progress=_progress_printer("reextract"))
    for f in failures:
        _say(f"FAILED {f}")
    _say(f"re-extracted {done} articles")
    return EXIT_ITEM_FAILED if failures else EXIT_OK


def cmd_list(archive, args) -> int:
    articles = archive.articles(status="pending" if args.pending else None)
    if args.json:
        print(json.dumps([a.to_dict() for a in articles], ensure_ascii=False, indent=2))
        return EXIT_OK
    for a in articles:
        extra = f"  (pending: {a.error})" if a.status == "pending" else ""
        _say(f"{a.id}  {a.saved[:10]}  {a.title}{extra}")
    return EXIT_OK


def cmd_delete(archive, args) -> int:
    failed = 0
    with archive.batch():  # one index commit for all the ids
        for item in args.ids:
            try:
                aid = archive.resolve_id(item)
                title = archive.get(aid).title
                archive.delete(aid)
                _say(f"deleted {aid}  {title}")
            except QuireError as exc:
                failed += 1
                _say(f"FAILED {item}: {exc}")
    return EXIT_ITEM_FAILED if failed else EXIT_OK


COMMANDS = {
    "add": cmd_add, "search": cmd_search, "show": cmd_show, "tag": cmd_tag, "tags": cmd_tags,
    "reindex": cmd_reindex, "reextract": cmd_reextract, "list": cmd_list, "delete": cmd_delete,
}


def _load_extra_commands() -> None:
    """Import the modules that register more commands (import/export/check…),
    tolerating ones not written yet."""
    import importlib

    for module in ("app.cli.more_commands",):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def main(argv: list[str] | None = None, gui: Callable[..., int] | None = None) -> int:
    """Run one command. With no command, `gui(root, screenshot=…)` opens the window:
    main.py passes the Qt app in, so the core never imports it."""
    _load_extra_commands()
    parser = build_parser()
    # `tag ID +a -b`: "-b" looks like an option to argparse, so unknown "-x"
    # arguments are taken as tag removals for that one command.
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        if args.command == "tag" and all(u.startswith("-") and not u.startswith("--") for u in unknown):
            args.changes = list(args.changes or []) + unknown
        else:
            parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    root = resolve_archive_root(args.archive)
    if args.command is None:
        if gui is None:
            parser.error("give a command (the window opens from main.py / `quire`)")
        return gui(root, screenshot=Path(args.screenshot) if args.screenshot else None)
    from archive.library.store import Archive

    if args.command in _FOLDER_COMMANDS:
        try:
            return _EXTRA_COMMANDS[args.command][1](root, args)
        except QuireError as exc:
            _err(f"quire: {exc}")
            return EXIT_ITEM_FAILED
    try:
        archive = Archive(root)
    except QuireError as exc:
        _err(f"quire: {exc}")
        return EXIT_ITEM_FAILED
    try:
        if args.command in COMMANDS:
            return COMMANDS[args.command](archive, args)
        return _EXTRA_COMMANDS[args.command][1](archive, args)
    except QuireError as exc:
        _err(f"quire: {exc}")
        return EXIT_ITEM_FAILED
    except KeyboardInterrupt:
        _err("quire: interrupted")
        return 130
    finally:
        archive.close()
