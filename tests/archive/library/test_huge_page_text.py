"""A page too big to read whole (~30 MB) is cut before extraction and marked
uncertain; its article was found all the same. What the index keeps — the text
`show` prints and snippets come from — is that article's text, not the whole
cut page starting with the site's menu (issue 19)."""
from __future__ import annotations

from archive.extraction.pages import html_to_text

MENU = ('<header><nav class="site-menu"><ul>'
        + "".join(f'<li><a href="/s{i}">Section {i}</a></li>' for i in range(40)) + "</ul></nav></header>")
PARA = ("<p>The harbour wall was built in 1870 from granite quarried on the island, and it has "
        "stood through every winter storm since then, sheltering the fishing fleet.</p>")


def huge_page() -> str:
    article = "<article><h1>The harbour wall</h1>" + PARA * 12 + "</article>"
    data = "<script>var data = [" + ('"' + "x" * 1000 + '",') * 30_000 + "0];</script>"
    page = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>The harbour wall"
            f"</title></head><body>{MENU}{article}{data}<footer>Contact us</footer></body></html>")
    assert len(page) > 30_000_000
    return page


def test_a_30_mb_page_indexes_the_text_of_its_article(archive, tmp_path):
    path = tmp_path / "big.html"
    path.write_text(huge_page(), encoding="utf-8")
    article = archive.save_file(path).article
    assert article.uncertain  # cut to fit: the reader still offers the page's whole text
    stored = html_to_text(archive.article_html(article.id))
    assert stored.startswith("The harbour wall was built in 1870")
    assert archive.article_text(article.id) == stored  # what `show` prints
    hit = archive.search_full("harbour", limit=1).hits[0]
    assert "Section" not in hit.snippet
    assert archive.search_full("sheltering", limit=5).total == 1
    assert "Section 12" in archive.article_fulltext(article.id)  # the whole page, on demand
