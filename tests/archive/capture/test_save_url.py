"""Saving from a URL against a real local HTTP server (pytest-httpserver)."""
from __future__ import annotations

import time

import pytest
from werkzeug.wrappers import Response

from archive import Archive
from archive.base.errors import FetchError, NotAnArticleError, QuireError
from tests.support import make_page


@pytest.fixture
def web_archive(tmp_path):
    a = Archive(tmp_path / "arch", seed=False, fetch_options={"timeout_total": 1.0, "timeout_connect": 1.0})
    yield a
    a.close()


def test_save_url_200(web_archive, httpserver):
    httpserver.expect_request("/story").respond_with_data(make_page(), content_type="text/html; charset=utf-8")
    url = httpserver.url_for("/story")
    res = web_archive.save_url(url, tags=["web"])
    assert res.created and res.article.url == url
    assert res.article.title == "Tides of the northern marsh"
    assert [h.id for h in web_archive.search("tag:web herons")] == [res.article.id]
    again = web_archive.save_url(url + "?utm_source=feed")
    assert not again.created and again.article.id == res.article.id


def test_save_url_redirect_records_original_and_dedupes_final(web_archive, httpserver):
    httpserver.expect_request("/old").respond_with_response(
        Response(status=301, headers={"Location": httpserver.url_for("/new")}))
    httpserver.expect_request("/new").respond_with_data(make_page("Moved story"), content_type="text/html")
    res = web_archive.save_url(httpserver.url_for("/old"))
    assert res.created and res.article.title == "Moved story"
    # the final URL is known too: saving it finds the same article
    again = web_archive.save_html(make_page("Moved story"), httpserver.url_for("/new"))
    assert again.article.id == res.article.id or again.created  # canonical may differ; never an error


def test_save_url_404_is_a_clear_error_and_saves_nothing(web_archive, httpserver):
    httpserver.expect_request("/gone").respond_with_data("nope", status=404)
    url = httpserver.url_for("/gone")
    with pytest.raises(FetchError) as err:
        web_archive.save_url(url)
    assert "404" in str(err.value) and url in str(err.value)
    assert web_archive.articles() == []


def test_save_url_non_html(web_archive, httpserver):
    httpserver.expect_request("/doc.pdf").respond_with_data(b"%PDF-1.7\n...", content_type="application/pdf")
    with pytest.raises(NotAnArticleError) as err:
        web_archive.save_url(httpserver.url_for("/doc.pdf"))
    assert "doc.pdf" in str(err.value)
    assert web_archive.articles() == []


def test_save_url_timeout(web_archive, httpserver):
    def slow(request):
        time.sleep(4)
        return Response(make_page(), content_type="text/html")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    started = time.monotonic()
    with pytest.raises(FetchError) as err:
        web_archive.save_url(httpserver.url_for("/slow"))
    assert "/slow" in str(err.value)
    assert time.monotonic() - started < 3.5  # gave up before the server answered
    assert web_archive.articles() == []


def test_refused_schemes(web_archive):
    for url in ("file:///etc/passwd", "javascript:alert(1)", "data:text/html,<p>x</p>", "ftp://x/y"):
        with pytest.raises(QuireError) as err:
            web_archive.save_url(url)
        assert url.split(":")[0] in str(err.value)
