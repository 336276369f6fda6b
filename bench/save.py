"""End-to-end bulk saving speed: 200 realistic pages with images from a local server.

The pages are the real news pages of ../shared/corpus/extraction with every
absolute or protocol-relative URL rewritten to the local server (so nothing
reaches a public host); the server answers every non-page path with one of a
few real PNG images (20-60 KB). The server runs in its own process, as the web
would. Prints one JSON object: pages, seconds, pages_per_s, saved, failed,
images_stored.

usage: python bench/save.py [--pages 200] [--concurrency 8]
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import multiprocessing
import os
import re
import struct
import sys
import tempfile
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
CORPUS = REPO.parent / "shared" / "corpus" / "extraction" / "html"
URL_RE = re.compile(r"""(?<=["'(=\s])(?:https?:)?//[^"'\s)<>]+""")


def png(width: int, height: int, seed: int) -> bytes:
    """A real, valid RGB PNG of noisy pixels (so it does not compress away)."""
    rows = []
    h = hashlib.sha256(str(seed).encode()).digest()
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            h = hashlib.sha256(h).digest() if (x % 10 == 0) else h
            row += h[(x * 3) % 30:(x * 3) % 30 + 3]
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 6)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def build_pages(n: int, port: int) -> list[bytes]:
    files = sorted(CORPUS.glob("*.html.gz"))
    if not files:
        sys.exit(f"corpus not found at {CORPUS}")
    base = f"http://127.0.0.1:{port}"
    pages = []
    for i in range(n):
        html = gzip.decompress(files[i % len(files)].read_bytes()).decode("utf-8", "replace")
        counter = iter(range(10**9))
        html = URL_RE.sub(lambda m: f"{base}/r/{i}/{next(counter)}", html)
        # a distinct page per URL: different title, so nothing is a duplicate
        html = html.replace("<title>", f"<title>[{i}] ", 1)
        pages.append(html.encode("utf-8"))
    return pages


def serve(port_queue, n_pages: int) -> None:
    images = [png(120 + 20 * k, 90 + 10 * k, k) for k in range(6)]
    holder: dict = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # http.server sends the headers and the body in two writes; with Nagle on, the
        # body then waits for the client's delayed ACK: 30 ms per image request here
        # (3.5 ms without). Web servers set TCP_NODELAY (nginx's tcp_nodelay is on).
        disable_nagle_algorithm = True

        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            if self.path.startswith("/page/"):
                body = holder["pages"][int(self.path.split("/")[2])]
                kind = "text/html; charset=utf-8"
            else:
                body = images[int(hashlib.md5(self.path.encode()).hexdigest(), 16) % len(images)]
                kind = "image/png"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder["pages"] = build_pages(n_pages, server.server_address[1])
    port_queue.put(server.server_address[1])
    server.serve_forever()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()

    from archive import Archive
    from archive.library.layout import IMAGES_DIR, Layout
    from archive.work.bulk import save_many

    if not any(CORPUS.glob("*.html.gz")):  # checked here: the server process would only exit
        sys.exit(f"corpus not found at {CORPUS}")

    ctx = multiprocessing.get_context("spawn")
    q = ctx.Queue()
    server = ctx.Process(target=serve, args=(q, args.pages), daemon=True)
    server.start()
    port = q.get(timeout=120)
    urls = [f"http://127.0.0.1:{port}/page/{i}" for i in range(args.pages)]
    try:
        with tempfile.TemporaryDirectory() as tmp, Archive(Path(tmp) / "a", seed=False) as archive:
            started = time.perf_counter()
            outcomes = list(save_many(archive, urls, concurrency=args.concurrency))
            seconds = time.perf_counter() - started
            failed = [str(o) for _, o in outcomes if isinstance(o, Exception)]
            images = sum(1 for _ in Layout(Path(tmp) / "a").articles.glob(f"*/{IMAGES_DIR}/*"))
            print(json.dumps({
                "pages": args.pages, "seconds": round(seconds, 2),
                "pages_per_s": round(args.pages / seconds, 1),
                "saved": len(outcomes) - len(failed), "failed": len(failed),
                "images_stored": images, "first_failures": failed[:3],
                "load_avg": round(os.getloadavg()[0], 2),  # other work on the machine skews this
            }))
    finally:
        server.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
