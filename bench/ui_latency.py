"""How long the Qt event loop stalls while pages are saved and searches run.

A 10 ms heartbeat timer runs on the UI thread; every gap between two beats
beyond 10 ms is a stall the user would feel. Meanwhile the window saves N
saved pages (copies of the extraction corpus, made distinct) through its
normal Add path, and a query is typed every 400 ms, its results shown and
the first hit opened in the reader, as a user would. Everything is offscreen
and local; nothing is fetched.

With --via connector the pages come instead as the browser extension sends
them: posted to the window's browser connector (rendered HTML in JSON) by a
process of their own, --concurrency at a time. Every address in them is
rewritten to 127.0.0.1 (bench/save.py's pages), which the connector refuses to
fetch (as it refuses any local address a caller gives), so nothing is fetched.

Prints JSON: max_stall_ms (the longest gap minus the 10 ms period),
p99_stall_ms, pages saved, searches shown, articles opened, seconds.

usage: python bench/ui_latency.py [--pages 500] [--via add|connector] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "extraction" / "html"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

QUERIES = [
    "climate",
    "city council",
    "music",
    '"the first"',
    "water*",
    "health",
    "history",
    "tag:bench",
    "election",
    "school",
    "space",
    "police",
    "market",
    "science",
    "art",
]


def make_pages(folder: Path, n: int) -> list[str]:
    """n distinct saved pages: corpus pages with a unique title and no
    canonical link, so none is taken for a duplicate of another."""
    sources = sorted(CORPUS.glob("*.html.gz"))
    if not sources:
        sys.exit(f"bench/ui_latency.py: corpus not found at {CORPUS}")
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        html = gzip.decompress(sources[i % len(sources)].read_bytes()).decode("utf-8", "replace")
        html = re.sub(r"<link[^>]+rel=[\"']?canonical[^>]*>", "", html, flags=re.IGNORECASE)
        html = re.sub(r"<meta[^>]+property=[\"']og:url[^>]*>", "", html, flags=re.IGNORECASE)
        html = re.sub(r"<title>", f"<title>[{i}] ", html, count=1, flags=re.IGNORECASE)
        path = folder / f"page-{i:04d}.html"
        path.write_text(html, encoding="utf-8")
        out.append(str(path))
    return out


#: --via connector: where the pages' addresses point (nothing listens; never fetched)
LOCAL_SITE = "http://127.0.0.1:9"


def local_pages(folder: Path, n: int) -> list[str]:
    """bench/save.py's pages (every address on 127.0.0.1), as files."""
    sys.path.insert(0, str(ROOT / "bench"))
    import save as save_bench

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, page in enumerate(save_bench.build_pages(n, int(LOCAL_SITE.rsplit(":", 1)[1]))):
        path = folder / f"page-{i:04d}.html"
        path.write_bytes(page)
        paths.append(str(path))
    return paths


def post_pages(base: str, secret: str, paths: list[str], concurrency: int, queue) -> None:
    """The browser's side (a process of its own): post every page to the connector,
    `concurrency` at a time; puts (created, failed) on the queue."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    with httpx.Client(base_url=base, timeout=600, limits=limits,
                      headers={"Authorization": f"Bearer {secret}"}) as client:
        def post(i: int) -> int:
            html = Path(paths[i]).read_text(encoding="utf-8")
            return client.post("/api/v1/save", json={"url": f"{LOCAL_SITE}/page/{i}",
                                                     "title": f"page {i}", "html": html}).status_code

        with ThreadPoolExecutor(concurrency) as pool:
            codes = list(pool.map(post, range(len(paths))))
    queue.put((codes.count(201), len(codes) - codes.count(201)))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--period-ms", type=int, default=10)
    parser.add_argument("--via", choices=("add", "connector"), default="add",
                        help="save through the window's Add path, or post to its browser connector")
    parser.add_argument("--concurrency", type=int, default=50, help="--via connector: posts at once")
    args = parser.parse_args()

    from PySide6.QtCore import QSettings, QTimer

    from app.gui.main import make_app

    work = Path(tempfile.mkdtemp(prefix="quire-latency-"))
    try:
        pages = (make_pages if args.via == "add" else local_pages)(work / "pages", args.pages)
        app = make_app(True)
        from app.gui.main_window import MainWindow

        settings = QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)
        settings.setValue("connector/port", 0)  # any free port: never another Quire's
        window = MainWindow(work / "archive", settings, seed=False, fetch=False)
        window.resize(1360, 860)
        window.show()
        deadline = time.monotonic() + 60
        while window.archive is None and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)
        # the window's browser connector runs in a process of its own
        # (app/connector/window_child.py), listening a moment after the archive opened:
        # its start is not timed, with either --via
        while window.connector.starting and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)

        gaps: list[float] = []
        counters = {"searches": 0, "opened": 0, "saved": 0, "failed": 0}
        last = [time.perf_counter()]
        finished = [False]

        def beat() -> None:
            now = time.perf_counter()
            gaps.append((now - last[0]) * 1000)
            last[0] = now

        heartbeat = QTimer()
        heartbeat.setTimerType(heartbeat.timerType().PreciseTimer)
        heartbeat.timeout.connect(beat)

        query_index = [0]

        def type_query() -> None:
            query = QUERIES[query_index[0] % len(QUERIES)]
            query_index[0] += 1
            window.search.query.setText(query)  # as typing does: debounced, off the UI thread

        def shown(_query: str, total: int) -> None:
            counters["searches"] += 1
            if window.search.model.rowCount():
                window.open_article(window.search.model.row_at(0).id)

        def opened(_id: str) -> None:
            counters["opened"] += 1

        def saved(summary) -> None:
            counters["saved"] = len(summary.saved) + len(summary.duplicates)
            counters["failed"] = len(summary.failed)
            finished[0] = True
            QTimer.singleShot(1000, app.quit)  # keep beating while the panes refresh

        window.search.searched.connect(shown)
        window.article_shown.connect(opened)
        window.saved.connect(saved)
        typing = QTimer()
        typing.timeout.connect(type_query)

        start = time.perf_counter()
        last[0] = start
        heartbeat.start(args.period_ms)
        typing.start(400)
        if args.via == "add":
            window.save_items(pages, ["bench"])
        else:
            import multiprocessing

            ctx = multiprocessing.get_context("spawn")
            results = ctx.Queue()
            connector = window.connector
            if not connector.listening:
                sys.exit(f"bench/ui_latency.py: the connector did not start: {connector.error}")
            poster = ctx.Process(target=post_pages, daemon=True,
                                 args=(connector.url, connector.secret(), pages, args.concurrency, results))
            poster.start()

            def posted() -> None:
                if results.empty():
                    return
                created, failed = results.get()
                counters["saved"], counters["failed"] = created, failed
                finished[0] = True
                waiting.stop()
                QTimer.singleShot(1000, app.quit)

            waiting = QTimer()
            waiting.timeout.connect(posted)
            waiting.start(50)
        QTimer.singleShot(1800 * 1000, app.quit)
        app.exec()  # the real event loop, as the app runs it
        seconds = time.perf_counter() - start
        heartbeat.stop()
        typing.stop()
        window.close()
        window.wait_closed(120)  # the archive closes on the closing thread; then it is removed
        stalls = [max(0.0, g - args.period_ms) for g in gaps]
        if os.environ.get("QUIRE_BENCH_DEBUG"):
            t = 0.0
            for g in gaps:
                t += g
                if g > 60:
                    print(f"stall {g:.0f} ms at {t / 1000:.2f} s", file=sys.stderr)
        print(
            json.dumps(
                {
                    "max_stall_ms": round(max(stalls, default=0.0), 1),
                    "p99_stall_ms": round(percentile(stalls, 99), 1),
                    "p50_gap_ms": round(percentile(gaps, 50), 1),
                    "pages": args.pages,
                    "via": args.via,
                    "saved": counters["saved"],
                    "failed": counters["failed"],
                    "searches": counters["searches"],
                    "opened": counters["opened"],
                    "seconds": round(seconds, 1),
                    "load_avg": round(os.getloadavg()[0], 2),
                }
            )
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
