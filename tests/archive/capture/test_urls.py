"""URL normalisation for de-duplication, and the http(s)-only rule."""
from __future__ import annotations

import pytest

from archive.base.errors import FetchError
from archive.capture.urls import absolutize, check_scheme, normalize_url, with_default_scheme


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://Example.COM/Path", "https://example.com/Path"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://bücher.example/ä", "https://xn--bcher-kva.example/%C3%A4"),
        ("https://example.com/a b", "https://example.com/a%20b"),
        ("https://example.com/a%20b", "https://example.com/a%20b"),
        ("https://[::1]:443/x", "https://[::1]/x"),
    ],
)
def test_normalize_url(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


def test_tracking_parameters_are_dropped_and_the_rest_kept_in_order() -> None:
    url = (
        "https://news.example/story?id=7&utm_source=nl&UTM_Medium=email&fbclid=abc"
        "&gclid=x&mc_cid=1&mc_eid=2&igshid=q&ref_src=twsrc&page=2&a=1"
    )
    assert normalize_url(url) == "https://news.example/story?id=7&page=2&a=1"


def test_only_tracking_parameters_leaves_no_question_mark() -> None:
    assert normalize_url("https://x.example/p?utm_campaign=a&fbclid=b") == "https://x.example/p"


def test_normalize_is_idempotent() -> None:
    once = normalize_url("HTTPS://Bücher.Example/a b/ü?q=%20x&utm_id=3#f")
    assert normalize_url(once) == once


@pytest.mark.parametrize("url", ["http://[::1/x", "http://example.com:99999/"])
def test_malformed_urls_raise_a_clear_error(url: str) -> None:
    with pytest.raises(FetchError, match="malformed URL"):
        normalize_url(url)


def test_same_page_different_spellings_dedupe() -> None:
    spellings = [
        "https://EXAMPLE.com/post?id=1",
        "https://example.com:443/post?id=1#top",
        "https://example.com/post?id=1&utm_source=twitter",
    ]
    assert len({normalize_url(u) for u in spellings}) == 1


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "data:text/html,<p>hi", "javascript:alert(1)", "ftp://example.com/x",
     "mailto:a@example.com", "chrome://settings", "about:blank"],
)
def test_non_http_schemes_are_refused(url: str) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        check_scheme(url)


@pytest.mark.parametrize("url", ["not a url", "http://", "/relative/path", "http://[::1/x"])
def test_non_urls_are_refused_clearly(url: str) -> None:
    with pytest.raises(FetchError, match="Cannot fetch"):
        check_scheme(url)


def test_http_and_https_pass() -> None:
    check_scheme("http://127.0.0.1:8000/")
    check_scheme("HTTPS://example.com/x")


def test_with_default_scheme() -> None:
    assert with_default_scheme("example.com/a") == "https://example.com/a"
    assert with_default_scheme("localhost:8080/x") == "https://localhost:8080/x"
    assert with_default_scheme("//cdn.example/x") == "https://cdn.example/x"
    assert with_default_scheme("http://a.example/") == "http://a.example/"
    assert with_default_scheme("file:///etc/passwd") == "file:///etc/passwd"


def test_absolutize() -> None:
    base = "http://127.0.0.1:5000/blog/post.html"
    assert absolutize("img/a.png", base) == "http://127.0.0.1:5000/blog/img/a.png"
    assert absolutize("/a.png", base) == "http://127.0.0.1:5000/a.png"
    assert absolutize("//127.0.0.1:5001/a.png", base) == "http://127.0.0.1:5001/a.png"
    assert absolutize("https://other.example/a.png", base) == "https://other.example/a.png"
    assert absolutize("a.png", None) is None
    assert absolutize("  ", base) is None
