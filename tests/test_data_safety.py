"""Saved data is never lost or left inconsistent: concurrent changes during a long
re-extraction, restores that cannot complete, damaged catalogs, failed deletes."""
from __future__ import annotations

import subprocess
import sys
import threading

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from archive import Archive
from archive.check import check_archive
from conftest import REPO, make_page

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS"
       b"\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00"
       b"\x00IEND\xaeB`\x82")


def cli(root, *args):
    return subprocess.run([sys.executable, str(REPO / "main.py"), "--archive", str(root), *args],
                          capture_output=True, text=True, timeout=120)


def test_changes_made_while_an_article_is_filled_are_kept(tmp_path):
    """Filling a pending article (retry, import) or re-extracting one takes a while
    (pictures download); tags and states changed meanwhile, here by a CLI command in
    another process, were overwritten by the copy of the row read at the start."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    asked, release = threading.Event(), threading.Event()

    def slow_picture(request: Request) -> Response:
        asked.set()
        release.wait(60)
        return Response(PNG, content_type="image/png")

    server.expect_request("/pic.png").respond_with_handler(slow_picture)
    root = tmp_path / "arch"
    try:
        with Archive(root, seed=False, fetch=True) as a:
            pending = a.add_pending("https://news.example/story", title="Story", tags=["first"],
                                    error="not fetched yet").article
            page = make_page("The filled story", f'Body text <img src="{server.url_for("/pic.png")}">')
            done: dict = {}
            worker = threading.Thread(target=lambda: done.setdefault(
                "article", a.replace_content(pending.id, page)))
            worker.start()
            assert asked.wait(60)
            out = cli(root, "tag", pending.id, "+second")
            assert out.returncode == 0, out.stderr
            release.set()
            worker.join(60)
            filled = a.get(pending.id)
            assert filled.status == "saved" and filled.title == "The filled story"
            assert filled.tags == ["first", "second"]
            assert done["article"].tags == ["first", "second"]
            assert [h.id for h in a.search("tag:second")] == [pending.id]
            assert check_archive(a) == []
    finally:
        release.set()
        server.clear()
        server.stop()
