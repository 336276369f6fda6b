"""Import speed: a Pocket CSV whose URLs a local server answers, a wallabag JSON export,
and a browser's bookmarks file.

    python bench/import.py [--pocket 5000] [--wallabag 2000] [--bookmarks 10000] [--concurrency 8]

Prints one JSON object: items per second for each import (fetch + extract + save
for Pocket; save of carried content for wallabag; for the bookmarks file, with
--no-fetch as people import a browser's bookmarks: parse, fold the near-duplicates,
keep each pending), plus the counts, so a regression in any path shows as a
number. Imports that need no fetch must stay at 100 items/s or more. Everything
talks to 127.0.0.1.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive import Archive  # noqa: E402
from archive.interchange.importers import import_file  # noqa: E402

WORDS = ("marsh heron tide river lantern harbour orchard meadow archive letter winter "
         "lighthouse compass ferry granite willow candle atlas quarry beacon").split()


def paragraph(seed: int, sentences: int = 5) -> str:
    out = []
    for s in range(sentences):
        words = [WORDS[(seed * 7 + s * 3 + i * 5) % len(WORDS)] for i in range(14)]
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


def article_page(n: int) -> str:
    body = "".join(f"<p>{paragraph(n + k)}</p>" for k in range(6))
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Bench article {n} | Bench Times</title>"
            f"<meta property=\"og:site_name\" content=\"Bench Times\"></head><body>"
            f"<nav><a href=\"/\">Home</a></nav><article><h1>Bench article {n}</h1>{body}"
            f"</article><footer>© Bench Times</footer></body></html>")


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        try:
            n = int(self.path.rsplit("/", 1)[-1])
        except ValueError:
            n = 0
        data = article_page(n).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:  # quiet
        pass


def write_pocket_csv(path: Path, base: str, count: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["title", "url", "time_added", "tags", "status"])
        for n in range(count):
            writer.writerow([f"Bench article {n}", f"{base}/article/{n}", 1_600_000_000 + n * 60,
                             "bench|pocket" if n % 3 else "bench",
                             "archive" if n % 4 == 0 else "unread"])


def write_wallabag_json(path: Path, count: int) -> None:
    entries = []
    for n in range(count):
        entries.append({
            "is_archived": n % 2, "is_starred": int(n % 10 == 0), "tags": ["bench", f"t{n % 20}"],
            "id": n, "title": f"Wallabag article {n}", "url": f"https://bench.invalid/w/{n}",
            "content": "".join(f"<p>{paragraph(n + k)}</p>" for k in range(6)),
            "created_at": "2019-05-05T05:05:05+0200", "published_by": ["Bench Writer"],
            "domain_name": "bench.invalid", "mimetype": "text/html", "language": "en",
        })
    path.write_text(json.dumps(entries), encoding="utf-8")


def write_bookmarks(path: Path, count: int) -> None:
    """A Netscape bookmarks file as a browser writes it: nested folders (a toolbar root,
    folders with commas, descriptions), TAGS, and one entry in fifty the same page again
    with a tracking parameter (merged into its first copy)."""
    lines = ["<!DOCTYPE NETSCAPE-Bookmark-file-1>",
             '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">',
             "<TITLE>Bookmarks</TITLE>", "<H1>Bookmarks</H1>", "<DL><p>",
             '<DT><H3 ADD_DATE="1600000000" PERSONAL_TOOLBAR_FOLDER="true">Bookmarks Toolbar</H3>',
             "<DL><p>"]
    per_folder = 250
    for n in range(count):
        if n % per_folder == 0:
            if n:
                lines.append("</DL><p>")
            lines.append(f'<DT><H3 ADD_DATE="1600000000">{WORDS[(n // per_folder) % len(WORDS)]}, '
                         f"folder {n // per_folder}</H3>")
            lines.append("<DL><p>")
        url = f"https://bench.invalid/b/{n}" if n % 50 else f"https://bench.invalid/b/{n - 1}?utm_source=x"
        lines.append(f'<DT><A HREF="{url}" ADD_DATE="{1_600_000_000 + n}" '
                     f'TAGS="bench,{WORDS[n % len(WORDS)]}">Bookmark {n}</A>')
        if n % 5 == 0:
            lines.append(f"<DD>{paragraph(n, 1)}")
    lines += ["</DL><p>", "</DL><p>", "</DL><p>"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def timed_import(root: Path, source: Path, *, fetch: bool, concurrency: int) -> dict[str, object]:
    with Archive(root, seed=False, fetch=fetch) as archive:
        start = time.perf_counter()
        report = import_file(archive, source, fetch=fetch, concurrency=concurrency)
        seconds = time.perf_counter() - start
    items = report.total
    return {"items": items, "added": report.added, "pending": report.pending,
            "combined": report.combined, "merged": report.merged,
            "failed": len(report.failed), "seconds": round(seconds, 2),
            "items_per_second": round(items / seconds, 1) if seconds else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pocket", type=int, default=5000, help="Pocket CSV entries")
    parser.add_argument("--wallabag", type=int, default=2000, help="wallabag JSON articles")
    parser.add_argument("--bookmarks", type=int, default=10000, help="bookmarks file entries")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    results: dict[str, object] = {"concurrency": args.concurrency}
    try:
        with tempfile.TemporaryDirectory(prefix="quire-bench-import-") as tmp:
            work = Path(tmp)
            if args.pocket:
                pocket = work / "pocket.csv"
                write_pocket_csv(pocket, base, args.pocket)
                results["pocket_csv"] = timed_import(work / "pocket-archive", pocket, fetch=True,
                                                     concurrency=args.concurrency)
            if args.wallabag:
                wallabag = work / "wallabag.json"
                write_wallabag_json(wallabag, args.wallabag)
                results["wallabag_json"] = timed_import(work / "wallabag-archive", wallabag,
                                                        fetch=False, concurrency=args.concurrency)
            if args.bookmarks:
                bookmarks = work / "bookmarks.html"
                write_bookmarks(bookmarks, args.bookmarks)
                results["bookmarks_html"] = timed_import(work / "bookmarks-archive", bookmarks,
                                                         fetch=False, concurrency=args.concurrency)
    finally:
        server.shutdown()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
