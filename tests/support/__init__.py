"""Helpers the tests share: where the repository and the corpora are, and small pages to save.

Imported as `from tests.support import make_page` (tests/ is a package), never from conftest.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
CORPUS = REPO.parent / "shared" / "corpus" / "extraction"


def corpus_pages(n: int = 3) -> list[tuple[str, str, str]]:
    """(html, url, true text) of the first n corpus pages, or skip if absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"extraction corpus not found at {CORPUS}")
    truth = json.loads((CORPUS / "ground-truth.json").read_text())
    out = []
    for key in sorted(truth)[:n]:
        html = gzip.decompress((CORPUS / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
        out.append((html, truth[key]["url"], truth[key]["articleBody"]))
    return out


ARTICLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | The Daily Example</title>
<meta property="og:site_name" content="The Daily Example">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>{title}</h1>
<p>{body}</p>
<p>Researchers at the harbour observatory measured the tides for eleven consecutive winters,
finding that the spring floods arrived earlier with every passing year and that the marsh
birds had adjusted their nesting calendar to match the water.</p>
<p>The committee will publish its full findings next month, together with the raw measurements,
so that other laboratories can repeat the analysis on their own coastlines.</p>
</article>
<footer>Copyright The Daily Example</footer>
<script>alert('x')</script>
</body></html>"""


def make_page(title: str = "Tides of the northern marsh", body: str = "A study of migrating herons.") -> str:
    return ARTICLE.format(title=title, body=body)


def phrase_from(text: str, length: int = 5) -> str:
    """A run of `length` consecutive plain words from the middle of `text`."""
    import re

    paragraphs = [p for p in text.split("\n") if len(p.split()) > length * 2]
    for para in paragraphs[len(paragraphs) // 2:] + paragraphs:
        words = para.split()
        for i in range(len(words) - length):
            run = words[i:i + length]
            if all(re.fullmatch(r"[A-Za-z]+", w) for w in run):
                return " ".join(run)
    raise AssertionError("no plain phrase found")
