"""Tags: `tag ID +a -b` changes one article's tags; `tags` lists them."""
from __future__ import annotations

import argparse
import json

from app.cli.common import EXIT_OK, EXIT_USAGE, Command, err, say


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
    article = archive.tag(aid, add=add, remove=remove)
    say(f"{article.id}  {article.title}  [{', '.join(article.tags)}]")
    return EXIT_OK


def _conf_tags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true")


def _run_tags(archive, args) -> int:
    tags = archive.tags()
    if args.json:
        print(json.dumps([{"tag": t, "count": c} for t, c in tags], ensure_ascii=False, indent=2))
    else:
        for t, c in tags:
            say(f"{c:6}  {t}")
    return EXIT_OK


TAG = Command("tag", "add (+name) or remove (-name) tags", _conf_tag, _run_tag)
TAGS = Command("tags", "list tags with counts", _conf_tags, _run_tags)
