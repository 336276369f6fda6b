"""Extraction pipeline: real pages in, article text and clean HTML out."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from archive.errors import ExtractionError
from archive.extract import element_text, extract_article, extract_text

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "extraction"

ARTICLE = """<!doctype html><html lang="en"><head><title>Rivers return to life | Daily Planet</title>
<meta property="og:site_name" content="Daily Planet"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Rivers return to life</h1>
<p>After decades of pollution, the river now carries salmon again, scientists said on Monday.</p>
<p>The change came after the last factory upstream closed, and the water cleared within two years.</p>
<p>Local fishermen, who had given up, now report catches that rival those of their grandparents.</p>
<figure><img src="/img/river.jpg" alt="river"><figcaption>The river in spring.</figcaption></figure>
<p>Read the full report <a href="/report.pdf">here</a>, the authors wrote in a statement.</p>
</article><footer>Copyright Daily Planet</footer></body></html>"""


def test_article_body_paragraphs_and_metadata() -> None:
    result = extract_article(ARTICLE, "https://planet.test/news/rivers")
    lines = result.text.splitlines()
    assert any(line.startswith("After decades of pollution") for line in lines)
    assert any(line.startswith("The change came") for line in lines)
    assert "Home" not in result.text and "Copyright" not in result.text
    assert result.title == "Rivers return to life"
    assert result.site_name == "Daily Planet"
    assert result.lang == "en"
    assert 'src="https://planet.test/img/river.jpg"' in result.content_html
    assert 'href="https://planet.test/report.pdf"' in result.content_html
    assert not result.uncertain


def test_extract_text_matches_article_text() -> None:
    assert extract_text(ARTICLE, "https://planet.test/a") == extract_article(
        ARTICLE, "https://planet.test/a"
    ).text


def test_element_text_keeps_paragraph_boundaries() -> None:
    from lxml.html import fragment_fromstring

    root = fragment_fromstring(
        "<div><p>one <b>bold</b>\n word</p><ul><li>a</li><li>b</li></ul>x<br>y<pre>l1\n  l2</pre></div>"
    )
    assert element_text(root) == "one bold word\na\nb\nx\ny\nl1\n  l2"


@pytest.mark.parametrize("junk", ["", "   \n\t ", "\x00\x01\x02\x03\xff\xfe" * 2000])
def test_not_a_page_raises_clear_error(junk: str) -> None:
    with pytest.raises(ExtractionError, match="https://x.test/f"):
        extract_article(junk, "https://x.test/f")


def test_page_without_article_is_uncertain_with_fulltext() -> None:
    page = "<html><body><ul>" + "".join(f"<li><a href='/{i}'>Link {i}</a></li>" for i in range(200)) + "</ul></body></html>"
    result = extract_article(page, "https://x.test/")
    assert result.uncertain
    assert "Link 150" in result.fulltext


@pytest.mark.skipif(not CORPUS.exists(), reason="shared corpus not present")
def test_corpus_page_matches_its_true_text() -> None:
    truth = json.loads((CORPUS / "ground-truth.json").read_text(encoding="utf-8"))
    key = sorted(truth)[0]
    html = gzip.open(CORPUS / "html" / f"{key}.html.gz").read().decode("utf-8")
    text = extract_text(html, truth[key]["url"])
    first_sentence = truth[key]["articleBody"].split("\n")[0][:60]
    assert first_sentence in text
