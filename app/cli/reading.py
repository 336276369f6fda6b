"""Reading the archive: `search`, `show` and `list`."""
from __future__ import annotations

import argparse
import html
import json
import re

from app.cli.common import EXIT_OK, Command, err, positive_int, say


def _conf_search(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", nargs="+")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=positive_int, default=20, help="at most this many hits (1 or more)")
    p.add_argument("--sort", choices=["relevance", "newest", "oldest"], default="relevance")


def _run_search(archive, args) -> int:
    result = archive.search_full(" ".join(args.query), limit=args.limit, sort=args.sort)
    if result.note:
        err(result.note)
    if args.json:
        print(json.dumps([h.to_dict() for h in result.hits], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not result.hits:
        say("no results")
        if result.suggestion:
            say(f"did you mean: {result.suggestion}")
    for h in result.hits:
        tags = f"  [{', '.join(h.tags)}]" if h.tags else ""
        site = f"  — {h.site}" if h.site else ""  # no "— -" for an article without one
        say(f"{h.id}  {h.title}{site}  {h.saved[:10]}{tags}")
        snippet = plain_snippet(h.snippet)
        if snippet:
            say(f"    {snippet}")
    return EXIT_OK


def plain_snippet(snippet: str) -> str:
    """A search snippet for a terminal: matches as [word], no tags, no entities."""
    text = re.sub(r'<b class="match">(.*?)</b>', r"[\1]", snippet)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _conf_show(p: argparse.ArgumentParser) -> None:
    p.add_argument("id")
    p.add_argument("--json", action="store_true")
    p.add_argument("--why", action="store_true",
                   help="say how the extractor reads the stored page (which method, and why)")


def _run_show(archive, args) -> int:
    aid = archive.resolve_id(args.id)
    article = archive.get(aid)
    if args.why:
        story = archive.extraction_story(aid)
        if args.json:
            print(json.dumps({"id": aid, "why": story}, ensure_ascii=False, indent=2))
        else:
            say(f"{article.title} ({aid})")
            for step in story:
                say(f"- {step}")
        return EXIT_OK
    text = archive.article_text(aid)
    if args.json:
        data = article.to_dict()
        data["text"] = text
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    say(article.title)
    say("=" * min(80, max(3, len(article.title))))
    for label, value in (("id", article.id), ("url", article.url), ("site", article.site),
                         ("authors", ", ".join(article.authors)), ("published", article.published),
                         ("saved", article.saved), ("words", article.word_count),
                         ("reading", f"{article.reading_minutes} min" if article.reading_minutes else ""),
                         ("tags", ", ".join(article.tags)), ("status", article.status),
                         ("error", article.error)):
        if value:
            say(f"{label + ':':11}{value}")
    if article.uncertain:
        say("note:      the extraction may have missed part of this page")
    say("")
    say(text)
    return EXIT_OK


def _conf_list(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true")
    p.add_argument("--pending", action="store_true", help="only pending (not yet fetched) articles")


def _run_list(archive, args) -> int:
    articles = archive.articles(status="pending" if args.pending else None)
    if args.json:
        print(json.dumps([a.to_dict() for a in articles], ensure_ascii=False, indent=2))
        return EXIT_OK
    for a in articles:
        extra = f"  (pending: {a.error})" if a.status == "pending" else ""
        say(f"{a.id}  {a.saved[:10]}  {a.title}{extra}")
    return EXIT_OK


SEARCH = Command("search", "search the archive", _conf_search, _run_search)
SHOW = Command("show", "print an article's metadata and text", _conf_show, _run_show)
LIST = Command("list", "list articles, newest first", _conf_list, _run_list)
