"""Page metadata: each field from the richest markup, its fallbacks, and its absence.

Hand-written pages pin down precedence and clean-up; pages built from the
shared corpus (real publisher markup, with parts removed) check that the
fallbacks still find the facts when the preferred markup is missing.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import lxml.html
import pytest
from tests.support import REPO

from archive.extraction.extract import extract_article
from archive.extraction.metadata import (
    clean_authors,
    extract_metadata,
    normalize_date,
    normalize_lang,
    reading_stats,
    strip_title_suffix,
)

CORPUS = REPO.parent / "shared" / "corpus" / "extraction"
URL = "https://news.example.test/2021/03/04/rivers-return"


def meta_of(html: str, url: str | None = URL):
    return extract_metadata(lxml.html.document_fromstring(html), url)


RICH = """<!doctype html><html lang="en-GB"><head>
<title>Rivers return to life | The Daily Planet</title>
<link rel="canonical" href="/2021/03/04/rivers-return-canonical">
<meta property="og:title" content="Rivers return to life (OG)">
<meta property="og:site_name" content="The Daily Planet">
<meta property="og:image" content="/img/lead.jpg">
<meta property="og:description" content="Salmon are back &amp; thriving.">
<meta property="article:published_time" content="2021-03-04T08:00:00Z">
<meta name="author" content="Meta Author">
<meta name="twitter:image" content="https://cdn.example.test/tw.jpg">
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "Planet site"},
  {"@type": "NewsArticle", "headline": "Rivers return to life",
   "author": [{"@type": "Person", "name": "Lois Lane"}, {"@type": "Person", "name": "CLARK KENT"}],
   "datePublished": "2021-03-04T09:30:00+01:00", "dateModified": "2021-03-05T10:00:00+01:00",
   "image": {"@type": "ImageObject", "url": "https://cdn.example.test/ld.jpg"},
   "publisher": {"@type": "Organization", "name": "Daily Planet Media"}}
]}
</script></head><body><h1>Rivers return to life</h1><p>Text.</p></body></html>"""


def test_rich_page_prefers_json_ld_then_opengraph() -> None:
    meta = meta_of(RICH)
    assert meta.title == "Rivers return to life"
    assert meta.authors == ["Lois Lane", "Clark Kent"]
    assert meta.published == "2021-03-04T09:30:00+01:00"
    assert meta.modified == "2021-03-05T10:00:00+01:00"
    assert meta.site_name == "The Daily Planet"  # og:site_name before publisher.name
    assert meta.lang == "en-GB"
    assert meta.lead_image == "https://news.example.test/img/lead.jpg"
    assert meta.description == "Salmon are back & thriving."
    assert meta.canonical_url == "https://news.example.test/2021/03/04/rivers-return-canonical"


def test_without_json_ld_meta_tags_answer() -> None:
    page = RICH.split("<script")[0] + "</head><body><p>Text.</p></body></html>"
    meta = meta_of(page)
    assert meta.title == "Rivers return to life (OG)"
    assert meta.authors == ["Meta Author"]
    assert meta.published == "2021-03-04T08:00:00+00:00"


BARE = """<html><head><title>Just a headline</title></head>
<body><div><p>Nothing here says who, when or where.</p></div></body></html>"""


def test_page_lacking_every_field() -> None:
    meta = meta_of(BARE, "https://www.bare.example.test/notes/page")
    assert meta.title == "Just a headline"
    assert meta.authors == []
    assert meta.published is None
    assert meta.modified is None
    assert meta.site_name == "bare.example.test"  # falls back to the host name
    assert meta.lang is None
    assert meta.lead_image is None
    assert meta.description is None
    assert meta.canonical_url is None


def test_page_without_url_or_title_uses_h1() -> None:
    meta = meta_of("<html><body><h1>Only a heading</h1><p>x</p></body></html>", None)
    assert meta.title == "Only a heading"
    assert meta.site_name is None


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        ("Headline here for you - BBC News", "BBC News", "Headline here for you"),
        ("Headline here for you | Planet", None, "Headline here for you"),
        ("BBC News: Headline here for you", "BBC News", "Headline here for you"),
        ("Nature - Headline about rivers", "Nature", "Headline about rivers"),
        ("Why rivers - and lakes - matter", "Planet", "Why rivers - and lakes - matter"),
        ("No separator at all", "Planet", "No separator at all"),
    ],
)
def test_title_suffix(title: str, site: str | None, expected: str) -> None:
    assert strip_title_suffix(title, site) == expected


def test_title_suffix_matches_host_name() -> None:
    assert strip_title_suffix("Pear jam - Anti-June Cleaver", None, host="antijunecleaver.com") == "Pear jam"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-11-18T17:56:27.000Z", "2019-11-18T17:56:27+00:00"),
        ("2019-11-18 17:56:27+0530", "2019-11-18T17:56:27+05:30"),
        ("2019-11-18", "2019-11-18"),
        ("Tue, 19 Nov 2019 10:00:00 GMT", "2019-11-19T10:00:00+00:00"),
        ("20191118", "2019-11-18"),
        ("0001-01-01T00:00:00Z", None),  # placeholder dates some CMSs emit
        ("yesterday-ish", None),
        ("", None),
    ],
)
def test_normalize_date(value: str, expected: str | None) -> None:
    assert normalize_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("en_US", "en-US"), ("EN", "en"), ("pt-br", "pt-BR"), ("de,en", "de"), ("x", None), ("", None)],
)
def test_normalize_lang(value: str, expected: str | None) -> None:
    assert normalize_lang(value) == expected


def test_authors_cleaned_of_roles_outlets_and_noise() -> None:
    assert clean_authors(["By JANE DOE and John Smith"]) == ["Jane Doe", "John Smith"]
    assert clean_authors(["Tom Krisher, AP Auto Writer"]) == ["Tom Krisher"]
    assert clean_authors(["Jill Disis, CNN Business"], site_name="CNN") == ["Jill Disis"]
    assert clean_authors(["Rachael Link, MS, RD"]) == ["Rachael Link"]
    assert clean_authors(["https://www.facebook.com/someone", "someone@example.test"]) == []
    assert clean_authors(["November 18, 2019", "By", "Lisa Kubota"]) == ["Lisa Kubota"]


def test_byline_and_time_element_when_markup_is_missing() -> None:
    page = """<html><body><article><h1>Headline</h1>
    <span class="byline">By Jane Doe</span> <time datetime="2020-02-03T04:05:06Z">Feb 3</time>
    <p>Body text.</p></article></body></html>"""
    meta = meta_of(page)
    assert meta.authors == ["Jane Doe"]
    assert meta.published == "2020-02-03T04:05:06+00:00"


def test_date_from_visible_text_then_from_url() -> None:
    page = """<html><body><div class="article-date">Published November 19, 2019</div>
    <p>Body text that is long enough to be an article paragraph.</p></body></html>"""
    assert meta_of(page, "https://x.example.test/story").published == "2019-11-19"
    assert meta_of(BARE, "https://x.example.test/2018/07/09/story").published == "2018-07-09"


def test_broken_json_ld_is_tolerated() -> None:
    page = """<html><head><script type="application/ld+json">{"@type": "Article",
    "headline": "Trailing comma", "author": {"name": "Ann Byers"},}</script>
    <script type="application/ld+json">{not json at all</script></head><body><p>x</p></body></html>"""
    meta = meta_of(page)
    assert meta.title == "Trailing comma"
    assert meta.authors == ["Ann Byers"]


def test_double_escaped_entities_are_decoded() -> None:
    page = '<html><head><meta property="og:title" content="It&amp;#8217;s back"></head><body></body></html>'
    assert meta_of(page).title == "It\u2019s back"


def test_reading_stats() -> None:
    assert reading_stats("") == (0, 0)
    assert reading_stats("word " * 10) == (10, 1)
    assert reading_stats("word " * 461) == (461, 3)


def test_extracted_article_carries_metadata() -> None:
    result = extract_article(RICH, URL)
    assert result.authors == ["Lois Lane", "Clark Kent"]
    assert result.published == "2021-03-04T09:30:00+01:00"
    assert result.canonical_url.endswith("rivers-return-canonical")


# --------------------------------------------------------------------------- corpus-built pages


def _corpus_page(url_part: str) -> tuple[str, str]:
    truth = json.loads((CORPUS / "ground-truth.json").read_text(encoding="utf-8"))
    for key, item in truth.items():
        if url_part in item["url"]:
            with gzip.open(CORPUS / "html" / f"{key}.html.gz") as f:
                return f.read().decode("utf-8"), item["url"]
    pytest.skip(f"corpus page {url_part} not present")


needs_corpus = pytest.mark.skipif(not CORPUS.exists(), reason="shared corpus not present")


@needs_corpus
def test_corpus_page_full_markup() -> None:
    html, url = _corpus_page("wired.com/story/the-future-of-banking")
    meta = extract_metadata(lxml.html.document_fromstring(html), url)
    assert meta.title == "The Future of Banking Is \u2026 You're Broke"
    assert meta.authors == ["Molly Wood"]
    assert meta.published == "2019-11-14T14:00:00+00:00"
    assert meta.site_name == "Wired"
    assert meta.lang == "en"
    assert meta.lead_image and meta.lead_image.startswith("https://media.wired.com/photos/")
    assert meta.canonical_url == url
    assert meta.description


@needs_corpus
def test_corpus_page_stripped_of_json_ld_and_meta() -> None:
    """With JSON-LD and every <meta> removed, the byline, the visible date and the
    <title> minus its site suffix still give author, day and headline."""
    html, url = _corpus_page("theantijunecleaver.com/2017/12/spiced-honey-pear-jam")
    doc = lxml.html.document_fromstring(html)
    for el in doc.xpath('//script[contains(@type, "ld+json")] | //meta'):
        el.drop_tree()
    meta = extract_metadata(doc, url)
    assert meta.title == "Spiced Honey Pear Jam Recipe"
    assert meta.authors == ["Regan"]
    assert meta.published is not None and meta.published.startswith("2017-12-06")
    assert meta.lead_image is None and meta.description is None
    assert meta.site_name == "The Anti-June Cleaver"  # the suffix cut from <title>


@needs_corpus
def test_corpus_page_without_any_date_markup_falls_back_to_text() -> None:
    html, url = _corpus_page("usatoday.com/story/news/nation/2019/11/19/meth")
    meta = extract_metadata(lxml.html.document_fromstring(html), url)
    # Its JSON-LD carries a placeholder date (0001-01-01): the visible date wins.
    assert meta.published == "2019-11-19"
