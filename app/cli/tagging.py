"""Tags: `tag ID +a -b` changes one article's tags; `tags` lists them, and
`tags rename OLD NEW`, `tags merge TARGET SOURCE...`, `tags delete NAME` change
a tag on every article (its "name/…" children with it)."""
from __future__ import annotations

import argparse
import json

from app.cli.common import EXIT_ITEM_FAILED, EXIT_OK, EXIT_USAGE, Command, err, say
from archive.extraction.pages import normalize_tags


def _conf_tag(p: argparse.ArgumentParser) -> None:
    p.add_argument("id")
    p.add_argument("changes", nargs="*", metavar="+name|-name")


def _run_tag(archive, args) -> int:
    if not args.changes:
        err("quire tag: give at least one +name or -name")
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
    had = {t.lower() for t in archive.get(aid).tags}
    missing = [t for t in normalize_tags(remove) if t.lower() not in had]
    article = archive.tag(aid, add=add, remove=remove)
    for name in missing:  # it used to be accepted silently
        err(f"quire tag: {article.id} was not tagged {name!r}: nothing to remove")
    say(f"{article.id}  {article.title}  [{', '.join(article.tags)}]")
    return EXIT_ITEM_FAILED if missing else EXIT_OK


def _conf_tags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true")
    sub = p.add_subparsers(dest="tags_action", metavar="{rename,merge,delete}")
    r = sub.add_parser("rename", help="rename a tag on every article (an existing NEW: a merge)")
    r.add_argument("old", metavar="OLD")
    r.add_argument("new", metavar="NEW")
    m = sub.add_parser("merge", help="the SOURCE tags become TARGET on every article")
    m.add_argument("target", metavar="TARGET")
    m.add_argument("sources", nargs="+", metavar="SOURCE")
    d = sub.add_parser("delete", help="remove a tag from every article (the articles stay)")
    d.add_argument("name", metavar="NAME")


def _run_tags(archive, args) -> int:
    action = getattr(args, "tags_action", None)
    if action == "rename":
        return _said(archive.rename_tag(args.old, args.new))
    if action == "merge":
        return _said(archive.merge_tags(args.target, args.sources))
    if action == "delete":
        return _said(archive.delete_tag(args.name))
    tags = archive.tags()
    if args.json:
        print(json.dumps([{"tag": t, "count": c} for t, c in tags], ensure_ascii=False, indent=2))
    else:
        for t, c in tags:
            say(f"{c:6}  {t}")
    return EXIT_OK


TAG = Command("tag", "add (+name) or remove (-name) tags", _conf_tag, _run_tag)
TAGS = Command("tags", "list tags with counts; rename, merge or delete a tag everywhere",
               _conf_tags, _run_tags)


def _said(change) -> int:
    """One line per tag name changed, then how many articles it touched."""
    for old, new in change.renamed.items():
        say(f"{old} -> {new}" if new else f"{old} removed")
    n = len(change.articles)
    say(f"{n} article{'s' if n != 1 else ''} changed")
    return EXIT_OK
