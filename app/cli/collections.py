"""`collection list|create|rename|delete|add|remove`: manual and smart collections."""
from __future__ import annotations

import argparse
import json

from archive.library import collections as coll
from app.cli.common import EXIT_OK, Command, say


def _conf_collection(p: argparse.ArgumentParser) -> None:
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
    if args.action == "list":
        rows = coll.list_collections(archive)
        if args.json:
            print(json.dumps([{"name": c.name, "query": c.query, "count": c.count} for c in rows],
                             ensure_ascii=False, indent=2))
        for c in ([] if args.json else rows):
            kind = f"smart: {c.query}" if c.is_smart else "manual"
            say(f"{c.count:6}  {c.name}  ({kind})")
    elif args.action == "create":
        c = coll.create(archive, args.name, args.query)
        say(f"created {'smart' if c.is_smart else 'manual'} collection {c.name!r} ({c.count} articles)")
    elif args.action == "rename":
        c = coll.rename(archive, args.name, args.new_name)
        say(f"renamed to {c.name!r}")
    elif args.action == "delete":
        coll.delete(archive, args.name)
        say(f"deleted collection {args.name!r} (its articles are kept)")
    else:
        ids = [archive.resolve_id(i) for i in args.ids]
        n = (coll.add if args.action == "add" else coll.remove)(archive, args.name, ids)
        say(f"{'added' if args.action == 'add' else 'removed'} {n} article(s)")
    return EXIT_OK


COLLECTION = Command("collection", "list, create, rename, delete collections; add or remove articles",
                     _conf_collection, _run_collection)
