"""Highlights: `highlights [QUERY] [--json]` lists them, `highlight ID --quote TEXT`
adds one by quoting the article's text (for scripts)."""
from __future__ import annotations

import argparse
import json

from archive.base.errors import QuireError
from archive.base.models import HIGHLIGHT_COLORS

from app.cli.common import EXIT_ITEM_FAILED, EXIT_OK, Command, err, say


def _conf_highlights(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", nargs="*", help="only the highlights of articles this search finds, "
                   "e.g. 'tag:birds' or 'note:remember'")
    p.add_argument("--color", choices=HIGHLIGHT_COLORS, help="only highlights of this colour")
    p.add_argument("--json", action="store_true")


def _run_highlights(archive, args) -> int:
    # here, not at the top: the highlights manager and the search engine load with it
    from archive.library.highlights import matching

    marks = matching(archive, " ".join(args.query), color=args.color)
    titles = {a.id: a for a in archive.get_many(sorted({m.article_id for m in marks})).values()}
    if args.json:
        print(json.dumps([{"id": m.id, "article_id": m.article_id,
                           "title": titles[m.article_id].title if m.article_id in titles else "",
                           "quote": m.quote, "note": m.note, "color": m.color, "created": m.created,
                           "updated": m.updated, "start": m.start, "end": m.end, "placed": not m.unplaced}
                          for m in marks], ensure_ascii=False, indent=2))
        return EXIT_OK
    for m in marks:
        quote = " ".join(m.quote.split())
        flag = "  (could not be placed)" if m.unplaced else ""
        say(f"{m.article_id}  {m.created[:10]}  {m.color:6}  “{quote}”{flag}")
        for line in m.note.splitlines():
            say(f"{'':24}{line}")
    return EXIT_OK


def _conf_highlight(p: argparse.ArgumentParser) -> None:
    p.add_argument("id", help="the article (an id prefix is enough)")
    p.add_argument("--quote", required=True, help="the words to highlight, as the article has them")
    p.add_argument("--note", default="", help="a note on the highlight")
    p.add_argument("--color", default=None, choices=HIGHLIGHT_COLORS)


def _run_highlight(archive, args) -> int:
    aid = archive.resolve_id(args.id)
    try:
        mark = archive.highlights.add_quote(aid, args.quote, note=args.note, color=args.color)
    except QuireError as exc:
        err(f"FAILED {exc}")
        return EXIT_ITEM_FAILED
    where = "kept, not placed yet (the article is pending)" if mark.unplaced else f"at {mark.start}-{mark.end}"
    say(f"{mark.id}  {aid}  {mark.color}  “{' '.join(mark.quote.split())}”  {where}")
    return EXIT_OK


HIGHLIGHTS = Command("highlights", "list highlights and notes (optionally of the articles a search finds)",
                     _conf_highlights, _run_highlights)
HIGHLIGHT = Command("highlight", "highlight a quoted passage of an article", _conf_highlight, _run_highlight)
