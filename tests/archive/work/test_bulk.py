"""Bulk saving: many URLs and files at once, one bad item never stops the others."""
from __future__ import annotations

import re
import threading

from archive import Archive
from archive.work.bulk import save_many
from archive.base.errors import QuireError
from tests.support import make_page


def test_many_urls_and_files_with_bad_ones(tmp_path, httpserver):
    for i in range(10):
        httpserver.expect_request(f"/s{i}").respond_with_data(make_page(f"Bulk story {i}", f"bulkword{i}"),
                                                             content_type="text/html")
    httpserver.expect_request("/missing").respond_with_data("no", status=404)
    httpserver.expect_request("/file.pdf").respond_with_data(b"%PDF-1.4", content_type="application/pdf")
    page = tmp_path / "local.html"
    page.write_text(make_page("Local bulk file", "localbulkword"), encoding="utf-8")
    items = [httpserver.url_for(f"/s{i}") for i in range(10)]
    items += [httpserver.url_for("/missing"), httpserver.url_for("/file.pdf"), str(page),
              str(tmp_path / "nope.html"), "javascript:alert(1)", items[0]]
    progress = []
    with Archive(tmp_path / "a", seed=False, fetch_options={"timeout_total": 5}) as a:
        results = dict(save_many(a, items, tags=["bulk"], progress=lambda d, t, m: progress.append((d, t))))
        assert set(results) == set(items)
        errors = {k: v for k, v in results.items() if isinstance(v, Exception)}
        assert set(errors) == {httpserver.url_for("/missing"), httpserver.url_for("/file.pdf"),
                               str(tmp_path / "nope.html"), "javascript:alert(1)"}
        assert all(isinstance(e, QuireError) and str(e) for e in errors.values())
        assert "404" in str(errors[httpserver.url_for("/missing")])
        assert len(a.articles()) == 11
        for i in range(10):
            assert len(a.search(f"bulkword{i} tag:bulk")) == 1
        assert a.search("localbulkword")
        assert progress[-1] == (len(items) - 1, len(items)) or progress[-1][0] == progress[-1][1]
        # again: everything already saved comes back as existing, nothing new
        again = dict(save_many(a, items[:10] + [str(page)]))
        assert all(not r.created for r in again.values())
        assert len(a.articles()) == 11


def test_cancel_stops_the_rest(tmp_path, httpserver):
    for i in range(12):
        httpserver.expect_request(f"/c{i}").respond_with_data(make_page(f"Cancel story {i}"), content_type="text/html")
    cancel = threading.Event()
    urls = [httpserver.url_for(f"/c{i}") for i in range(12)]
    with Archive(tmp_path / "a", seed=False) as a:
        cancel.set()
        results = list(save_many(a, urls, cancel=cancel))
        assert len(results) == 12
        assert all(isinstance(r, QuireError) and "cancelled" in str(r) for _, r in results)
        assert a.articles() == []


def test_bulk_pages_in_other_charsets_come_out_right(tmp_path, httpserver):
    """Bulk saving decodes in its extraction processes: header, <meta> and detection
    must give the same text as a single save."""
    cyrillic = "Новости города: мост через реку открыт после ремонта"
    japanese = "東京の桜は今年早く咲いた。公園には多くの人が集まった。"
    cases = {
        "/header-1251": (make_page(cyrillic, cyrillic * 8).encode("cp1251"), "text/html; charset=windows-1251"),
        "/meta-sjis": (make_page(japanese, japanese * 8).replace(
            "<head>", '<head><meta charset="shift_jis">').encode("shift_jis"), "text/html"),
        "/latin1": (make_page("Café crème brûlée", "Crème brûlée à la française, très sucrée. " * 8)
                    .encode("iso-8859-1"), "text/html; charset=iso-8859-1"),
    }
    for path, (body, kind) in cases.items():
        httpserver.expect_request(path).respond_with_data(body, content_type=kind)
    fillers = [httpserver.url_for(f"/f{i}") for i in range(6)]  # enough items for the process pool
    for i, url in enumerate(fillers):
        httpserver.expect_request(f"/f{i}").respond_with_data(make_page(f"Filler {i}", "filler words"),
                                                             content_type="text/html")
    with Archive(tmp_path / "a", seed=False) as a:
        results = dict(save_many(a, [httpserver.url_for(p) for p in cases] + fillers))
        titles = {path: results[httpserver.url_for(path)].article.title for path in cases}
        assert titles == {"/header-1251": cyrillic, "/meta-sjis": japanese, "/latin1": "Café crème brûlée"}
        assert a.count("мост") == 1 and a.count("brûlée") == 1


def test_cancel_in_the_middle_of_a_file_batch(tmp_path):
    """Files are all handed to the extraction pool at once; Cancel must still stop
    what is not stored yet (the GUI's Cancel button, a closed window).

    The first three pages are small and the rest long (about half a second each to
    extract), so Cancel, pressed once three are saved, always comes while the long
    ones are still being parsed; with forty equal small pages the whole batch could
    be stored before the third was reported."""
    folder = tmp_path / "pages"
    folder.mkdir()
    long_body = "</p><p>".join(f"Cormorants dry their wings on the rocks, number {n}, in the long "
                               "afternoon sun." for n in range(6000))
    items = []
    for i in range(16):
        page = folder / f"p{i}.html"
        body = "Cormorants dry their wings." if i < 3 else long_body
        page.write_text(make_page(f"Cormorant roost {i}", body), encoding="utf-8")
        items.append(str(page))
    cancel = threading.Event()

    def progress(done: int, total: int, _item: str) -> None:
        if done >= 3:
            cancel.set()

    with Archive(tmp_path / "a", seed=False, fetch=False) as a:
        results = list(save_many(a, items, cancel=cancel, progress=progress))
        assert len(results) == len(items)
        saved = [r for _, r in results if not isinstance(r, Exception)]
        cancelled = [r for _, r in results if isinstance(r, QuireError) and "cancelled" in str(r)]
        assert len(saved) + len(cancelled) == len(items)
        assert 3 <= len(saved) < len(items) and cancelled
        assert {r.article.title for r in saved} >= {f"Cormorant roost {i}" for i in range(3)}
        assert len(a.articles()) == len(saved)


def test_two_items_naming_the_same_url_are_both_answered(tmp_path, httpserver, monkeypatch):
    """`www.x/p` and `https://www.x/p` are one URL: fetched once, and both answered
    (the second with the first one's result) instead of the batch waiting for ever.

    The www. host is reached through a local proxy (HTTPS_PROXY), so no name is
    looked up: the proxy refuses the tunnel, and both items get that error."""
    httpserver.expect_request(re.compile(".*"), method="CONNECT").respond_with_data("no tunnels", status=403)
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{httpserver.port}")
    for i in range(7):
        httpserver.expect_request(f"/d{i}").respond_with_data(make_page(f"Dup story {i}"),
                                                             content_type="text/html")
    items = [httpserver.url_for(f"/d{i}") for i in range(7)]
    items += ["www.quire-test.invalid/b7", "https://www.quire-test.invalid/b7"]
    results: list = []
    with Archive(tmp_path / "a", seed=False, fetch_options={"timeout_total": 5}) as a:
        worker = threading.Thread(target=lambda: results.extend(save_many(a, items)), daemon=True)
        worker.start()
        worker.join(120)  # a guard against hanging the suite, not a timing check
        assert not worker.is_alive(), f"save_many never finished: {len(results)}/{len(items)} answered"
    outcomes = dict(results)
    assert len(results) == len(items) and set(outcomes) == set(items)
    first, second = outcomes[items[7]], outcomes[items[8]]
    assert isinstance(first, QuireError) and str(second) == str(first)
    assert all(not isinstance(outcomes[item], Exception) for item in items[:7])
    connects = [r for r, _ in httpserver.log if r.method == "CONNECT"]
    assert len(connects) == 1  # fetched once


def test_bulk_files_get_the_same_checks_as_one_file(tmp_path):
    """With enough items for the process pool, a text note, a folder and an
    oversized file are refused exactly as when added alone."""
    folder = tmp_path / "pages"
    folder.mkdir()
    items = []
    for i in range(7):
        page = folder / f"p{i}.html"
        page.write_text(make_page(f"Heron count {i}"), encoding="utf-8")
        items.append(str(page))
    notes = folder / "notes.txt"
    notes.write_text("my private shell history\nls -la\n" * 10, encoding="utf-8")
    huge = folder / "huge.html"
    with huge.open("wb") as f:  # sparse: 51 MB long, nothing written
        f.truncate(51 * 1024 * 1024)
    saved_pages = tmp_path / "saved pages"
    saved_pages.mkdir()
    odd = [str(notes), str(huge), str(saved_pages)]
    with Archive(tmp_path / "a", seed=False, fetch=False) as a:
        alone = {}
        for item in odd:
            alone[item] = dict(save_many(a, [item]))[item]
        together = dict(save_many(a, items + odd))
        assert len(a.articles()) == 7
    for item in odd:
        assert isinstance(together[item], QuireError), item
        assert str(together[item]) == str(alone[item])
    assert "not an HTML file" in str(together[str(notes)])
    assert "51 MB" in str(together[str(huge)]) and "50 MB" in str(together[str(huge)])
    assert "is a folder" in str(together[str(saved_pages)])


def test_one_rule_says_what_an_item_names(tmp_path):
    """classify_input is the rule of `quire add` and of the window's Save box alike."""
    import pytest
    from archive.work.bulk import classify_input

    page = tmp_path / "saved page.html"
    page.write_text(make_page("A saved page", "words"), encoding="utf-8")
    notes = tmp_path / "notes"
    notes.write_text("not a page", encoding="utf-8")
    assert classify_input("https://a.example/x") == ("url", "https://a.example/x")
    assert classify_input("  <https://a.example/x>  ") == ("url", "https://a.example/x")
    assert classify_input("www.a.example/x") == ("url", "https://www.a.example/x")
    assert classify_input("a.example/page") == ("url", "https://a.example/page")
    assert classify_input("javascript:alert(1)") == ("url", "javascript:alert(1)")  # refused when fetched
    assert classify_input(str(page)) == ("file", str(page))
    assert classify_input(page.as_uri()) == ("file", str(page))
    assert classify_input(str(notes)) == ("file", str(notes))  # exists: check_page_file says why not
    assert classify_input(str(tmp_path / "gone.html")) == ("file", str(tmp_path / "gone.html"))
    assert classify_input("page.shtml") == ("file", "page.shtml")  # pages.HTML_SUFFIXES, one list
    for neither in ("not a thing", "notes.txt"):
        with pytest.raises(QuireError, match="no such file, and not a web address"):
            classify_input(neither)


def test_a_file_url_saves_the_file(tmp_path):
    page = tmp_path / "dropped.html"
    page.write_text(make_page("Saved from a file URL", "fileurlword"), encoding="utf-8")
    with Archive(tmp_path / "a", seed=False, fetch=False) as a:
        (item, outcome), = list(save_many(a, [page.as_uri()]))
        assert not isinstance(outcome, Exception), outcome
        assert outcome.article.title == "Saved from a file URL"
