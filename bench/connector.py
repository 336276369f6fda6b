"""The browser connector under load: saves per second with 50 rendered pages
posted at once, and how fast `status` answers while saves run.

The connector runs in its own process, as `quire serve` and the window run it, over a
fresh archive; the pages are the real news pages of ../shared/corpus/extraction
(bench/save.py's local web server: every address rewritten to it, pictures
answered with real PNGs), posted as the extension posts them: JSON with the
rendered HTML, each picture then downloaded by the connector from 127.0.0.1
(the bench allows private hosts, as the tests do).

Figures:
  saves_per_s            50 (--pages) saves posted concurrently, first post to last answer
                         (the bodies encoded beforehand, as the browser does that work, and
                         posted over one client's kept-alive connections). The burst
                         comes after one save alone (first_save_ms, extracted in the
                         connector's thread) and starts the extraction pool (cold).
                         The language model's cache (~/.cache/Quire, see the README) is made
                         by the first run on a machine, which is slower for it.
  connector_cpu_ms_per_save  the connector process's CPU time per save, status answers
                         included (a busy machine slows saves_per_s; this says what the
                         saves cost), and extraction_pool_cpu_ms_per_save its extraction
                         processes' (they run on the other cores)
  first_save_ms, lone_save_ms  a save posted alone: the first after the connector
                         starts (a click), and one after all the rest
  status_p95_ms_posting  status answer times (asked every 10 ms) while another 50 pages are
                         posted; polled_round_saves_per_s is that round's rate (the pool
                         is warm by then)
  status_p95_ms_bulk     status answer times while a bulk save (archive.work.bulk.save_many of
                         half the --bulk pages, fetched and extracted in a process pool) runs
                         in a process of its own on the same archive, as the window runs one
                         (archive/work/child.py) and as `quire add` runs beside `quire serve`
  status_p95_ms_bulk_same_process  the same while the other half is bulk-saved in the
                         connector's own process (sharing its GIL: the harshest case)
Targets (2 cores): saves_per_s >= 20, status p95 <= 20 ms.

usage: python bench/connector.py [--pages 50] [--bulk 200]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import save as save_bench  # noqa: E402  (bench/save.py: the local web server and its pages)


def run_connector(root: str, queue, commands) -> None:
    """The connector's process: serve, and run a bulk save when told."""
    from archive import Archive
    from archive.work.bulk import save_many
    from app.connector import ConnectorAPI, ConnectorServer

    with Archive(root, seed=False) as archive:
        server = ConnectorServer(ConnectorAPI(archive, allow_private_hosts=True), port=0).start()
        queue.put((server.port, server.secret.get()))
        try:
            while True:
                command, payload = commands.get()
                if command == "stop":
                    break
                if command == "cpu":  # CPU seconds so far: this process (all threads), its children
                    t = os.times()
                    queue.put(("cpu", t.user + t.system, children_cpu()))
                if command == "bulk":
                    started = time.perf_counter()
                    outcomes = list(save_many(archive, payload))
                    failed = sum(isinstance(o, Exception) for _, o in outcomes)
                    queue.put(("bulk-done", len(outcomes) - failed, failed,
                               time.perf_counter() - started))
        finally:
            server.stop()


def run_bulk(root: str, urls: list[str], queue) -> None:
    """A bulk save in a process of its own, on the same archive: as the window runs one
    (archive/work/child.py) or as `quire add` beside `quire serve` does."""
    from archive import Archive
    from archive.work.bulk import save_many

    with Archive(root, seed=False, recover=False) as archive:
        started = time.perf_counter()
        outcomes = list(save_many(archive, urls))
        failed = sum(isinstance(o, Exception) for _, o in outcomes)
        queue.put(("bulk-done", len(outcomes) - failed, failed, time.perf_counter() - started))


def children_cpu() -> float:
    """CPU seconds of this process's live children (the extraction pool), from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():  # ppid
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Poller(threading.Thread):
    """Asks status again and again (every 10 ms) until stopped; the answer times in ms."""

    def __init__(self, base: str, secret: str, urls: list[str]) -> None:
        super().__init__(daemon=True)
        self.args_, self.stop, self.times, self.error = (base, secret, urls), threading.Event(), [], None

    def run(self) -> None:
        try:
            self.times.extend(poll_status(*self.args_, self.stop))
        except Exception as exc:  # noqa: BLE001 - said in the figures
            self.error = repr(exc)

    def finish(self) -> list[float]:
        self.stop.set()
        self.join(60)
        if self.error:
            raise RuntimeError(f"status polling failed: {self.error}")
        return self.times


def poll_status(base: str, secret: str, urls: list[str], stop: threading.Event) -> list[float]:
    """status answer times (ms), one request after another on a kept-alive connection."""
    import httpx

    times: list[float] = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {secret}"}, timeout=30) as client:
        n = 0
        while not stop.is_set():
            url = urls[n % len(urls)]
            n += 1
            started = time.perf_counter()
            answer = client.get("/api/v1/status", params={"url": url})
            times.append((time.perf_counter() - started) * 1000)
            answer.raise_for_status()
            stop.wait(0.01)
    return times


def summary(times: list[float]) -> dict:
    if not times:
        return {}
    return {"n": len(times), "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(percentile(times, 95), 2), "max_ms": round(max(times), 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=50, help="rendered pages posted at once")
    ap.add_argument("--bulk", type=int, default=200, help="pages of the bulk saves measured beside status")
    args = ap.parse_args()
    if not any(save_bench.CORPUS.glob("*.html.gz")):
        sys.exit(f"corpus not found at {save_bench.CORPUS}")
    import httpx

    ctx = multiprocessing.get_context("spawn")
    web_queue = ctx.Queue()
    posted = 2 * args.pages + 2
    web = ctx.Process(target=save_bench.serve, args=(web_queue, posted + args.bulk), daemon=True)
    web.start()
    web_port = web_queue.get(timeout=120)
    pages = save_bench.build_pages(posted, web_port)  # the same pages the web server has
    urls = [f"http://127.0.0.1:{web_port}/page/{i}" for i in range(posted + args.bulk)]
    # the timed round, a second round of other pages posted while status is asked, two
    # saves alone (the first after the connector starts, and one at the end), the bulk saves
    page_urls, polled_urls = urls[:args.pages], urls[args.pages:2 * args.pages]
    lone_urls, bulk_urls = urls[2 * args.pages:posted], urls[posted:]

    with tempfile.TemporaryDirectory() as tmp:
        queue, commands = ctx.Queue(), ctx.Queue()
        connector = ctx.Process(target=run_connector, args=(str(Path(tmp) / "a"), queue, commands))
        connector.start()
        try:
            port, secret = queue.get(timeout=120)
            base = f"http://127.0.0.1:{port}"
            # warm up: first use of the extractor, the fetcher and the index writer
            httpx.get(f"{base}/api/v1/ping").raise_for_status()

            # As a browser posts them: each body is encoded by the browser before it is
            # sent (not Quire's work: encoded here before the clock starts), over one
            # client's kept-alive connections (a browser does not build a TLS context
            # per request, as a new httpx.Client does: 15-20 ms of this process's CPU).
            bodies = [json.dumps({"url": url, "title": f"page {i}",
                                  "html": pages[i].decode("utf-8")}).encode("utf-8")
                      for i, url in enumerate(page_urls + polled_urls + lone_urls)]
            poster = httpx.Client(timeout=300, headers={"Authorization": f"Bearer {secret}",
                                                        "Content-Type": "application/json"},
                                  limits=httpx.Limits(max_connections=args.pages,
                                                      max_keepalive_connections=args.pages))

            def post(i: int) -> int:
                return poster.post(f"{base}/api/v1/save", content=bodies[i]).status_code

            def post_alone(i: int) -> float:
                """ms from posting a save alone to its answer (a click on the button)."""
                started = time.perf_counter()
                if post(i) != 201:
                    raise RuntimeError(f"the save of {urls[i]} alone failed")
                return round((time.perf_counter() - started) * 1000, 1)

            # a click: the first save after the connector starts (extracted in its thread)
            first_save_ms = post_alone(2 * args.pages)
            commands.put(("cpu", None))
            _, cpu_before, pool_before = queue.get(timeout=60)
            print(f"posting {args.pages} pages", file=sys.stderr, flush=True)
            started = time.perf_counter()
            with ThreadPoolExecutor(args.pages) as pool:
                codes = list(pool.map(post, range(args.pages)))
            seconds = time.perf_counter() - started
            commands.put(("cpu", None))
            _, cpu_after, pool_after = queue.get(timeout=60)
            cpu_posts, cpu_pool = cpu_after - cpu_before, pool_after - pool_before

            print(f"posting {args.pages} other pages while status is asked", file=sys.stderr, flush=True)
            poller = Poller(base, secret, page_urls + polled_urls)
            poller.start()
            started = time.perf_counter()
            with ThreadPoolExecutor(args.pages) as pool:
                polled_codes = list(pool.map(post, range(args.pages, 2 * args.pages)))
            polled_seconds = time.perf_counter() - started
            during_posts = poller.finish()

            half = len(bulk_urls) // 2
            print(f"bulk save of {half} pages in another process", file=sys.stderr, flush=True)
            poller = Poller(base, secret, page_urls + bulk_urls)
            bulk = ctx.Process(target=run_bulk, args=(str(Path(tmp) / "a"), bulk_urls[:half], queue))
            bulk.start()
            poller.start()
            _, bulk_saved, bulk_failed, bulk_seconds = queue.get(timeout=1800)
            during_bulk = poller.finish()
            bulk.join(60)

            print(f"bulk save of {len(bulk_urls) - half} pages in the connector's process",
                  file=sys.stderr, flush=True)
            poller = Poller(base, secret, page_urls + bulk_urls)
            commands.put(("bulk", bulk_urls[half:]))
            poller.start()
            _, same_saved, same_failed, same_seconds = queue.get(timeout=1800)
            during_same = poller.finish()
            time.sleep(3)  # the connector's merge after saves stop (grouping.MERGE_IDLE_SECONDS)
            lone_save_ms = post_alone(2 * args.pages + 1)
            poster.close()
            commands.put(("stop", None))
            connector.join(60)
        finally:
            if connector.is_alive():
                connector.terminate()
            web.terminate()
        images = sum(1 for _ in (Path(tmp) / "a" / "articles").glob("*/images/*.png"))

    print(json.dumps({
        "pages_posted": args.pages, "seconds": round(seconds, 2),
        "saves_per_s": round(args.pages / seconds, 1),
        "created": codes.count(201), "failed": len(codes) - codes.count(201) - codes.count(200),
        "images_stored": images,
        "first_save_ms": first_save_ms, "lone_save_ms": lone_save_ms,
        # CPU the connector's process spent per save (status answers included): on a
        # machine shared with other work, 1000 / this is what one core would give
        "connector_cpu_ms_per_save": round(cpu_posts / args.pages * 1000, 1),
        "extraction_pool_cpu_ms_per_save": round(cpu_pool / args.pages * 1000, 1),
        "polled_round_saves_per_s": round(args.pages / polled_seconds, 1),
        "polled_round_created": polled_codes.count(201),
        "status_posting": summary(during_posts),
        "status_p95_ms_posting": summary(during_posts).get("p95_ms"),
        "bulk_saved": bulk_saved, "bulk_failed": bulk_failed, "bulk_seconds": round(bulk_seconds, 2),
        "status_bulk": summary(during_bulk),
        "status_p95_ms_bulk": summary(during_bulk).get("p95_ms"),
        "same_process_bulk_saved": same_saved, "same_process_bulk_failed": same_failed,
        "same_process_bulk_seconds": round(same_seconds, 2),
        "status_bulk_same_process": summary(during_same),
        "status_p95_ms_bulk_same_process": summary(during_same).get("p95_ms"),
        "cpus": os.cpu_count(), "load_avg": round(os.getloadavg()[0], 2),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
