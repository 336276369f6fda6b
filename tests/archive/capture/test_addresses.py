"""A page has several addresses: the one saved, where its redirects end, and its
canonical link. All are recorded, and saving the page again under any of them
finds the article already saved instead of making a second one."""
from __future__ import annotations

import json
import sqlite3

import pytest
from werkzeug.wrappers import Response

from archive import Archive
from archive.capture.urls import other_address
from archive.base.models import SCHEMA_VERSION
from tests.support import make_page


def page_with_canonical(title: str, canonical: str) -> str:
    return make_page(title).replace("<head>", f'<head><link rel="canonical" href="{canonical}">')


@pytest.fixture
def web_archive(tmp_path):
    with Archive(tmp_path / "arch", seed=False, fetch_options={"timeout_total": 5.0}) as archive:
        yield archive


def redirect(httpserver, path: str, to: str) -> None:
    httpserver.expect_request(path).respond_with_response(
        Response(status=302, headers={"Location": httpserver.url_for(to)}))


def test_two_short_links_to_one_story_are_one_article(web_archive, httpserver):
    redirect(httpserver, "/s/abc", "/story3")
    redirect(httpserver, "/s/xyz", "/story3")
    httpserver.expect_request("/story3").respond_with_data(make_page("Story three"), content_type="text/html")
    first = web_archive.save_url(httpserver.url_for("/s/abc"))
    assert first.created and first.article.final_url == httpserver.url_for("/story3")
    for again in ("/s/xyz", "/story3"):
        result = web_archive.save_url(httpserver.url_for(again))
        assert not result.created and result.article.id == first.article.id, again
    assert len(web_archive.articles()) == 1


def test_the_canonical_address_is_recorded_and_recognised(web_archive, httpserver):
    canonical = httpserver.url_for("/story2")
    httpserver.expect_request("/amp/story2").respond_with_data(
        page_with_canonical("Story two", canonical), content_type="text/html")
    httpserver.expect_request("/story2").respond_with_data(
        page_with_canonical("Story two", canonical), content_type="text/html")
    amp = web_archive.save_url(httpserver.url_for("/amp/story2"))
    assert amp.created and amp.article.canonical_url == canonical
    meta = json.loads((web_archive.article_dir(amp.article.id) / "meta.json").read_text())
    assert meta["canonical_url"] == canonical  # the files alone keep it too
    again = web_archive.save_url(canonical)
    assert not again.created and again.article.id == amp.article.id
    assert web_archive.get(amp.article.id).canonical_url == canonical


def test_a_front_page_canonical_does_not_make_articles_duplicates(web_archive, httpserver):
    """Some sites give every article the front page as canonical link: each article
    is still its own."""
    home = httpserver.url_for("/")
    for n in (1, 2):
        httpserver.expect_request(f"/news/{n}").respond_with_data(
            page_with_canonical(f"News {n}", home), content_type="text/html")
    ids = {web_archive.save_url(httpserver.url_for(f"/news/{n}")).article.id for n in (1, 2)}
    assert len(ids) == 2
    assert web_archive.get(ids.pop()).canonical_url is None


def test_deleting_an_article_forgets_its_other_addresses(web_archive, httpserver):
    redirect(httpserver, "/go", "/landing/page")
    httpserver.expect_request("/landing/page").respond_with_data(make_page("Landing"), content_type="text/html")
    first = web_archive.save_url(httpserver.url_for("/go"))
    web_archive.delete(first.article.id)
    again = web_archive.save_url(httpserver.url_for("/landing/page"))
    assert again.created and again.article.id != first.article.id


def test_a_schema_2_catalog_is_upgraded_and_keeps_its_articles(tmp_path):
    root = tmp_path / "old"
    with Archive(root, seed=False, fetch=False) as archive:
        kept = archive.save_html(make_page("Kept through the upgrade"), "https://old.example/kept").article
    db = sqlite3.connect(root / "catalog.sqlite")  # make it look like the schema 2 catalog
    db.execute("DROP TABLE url_aliases")
    db.execute("ALTER TABLE articles DROP COLUMN canonical_url")
    db.execute("ALTER TABLE articles DROP COLUMN final_url")
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    with Archive(root, seed=False, fetch=False) as archive:
        assert archive.catalog.schema_version == SCHEMA_VERSION
        assert archive.get(kept.id).title == "Kept through the upgrade"
        assert archive.find_duplicate(url="https://old.example/kept").id == kept.id
        saved = archive.save_html(page_with_canonical("New", "https://new.example/a"), "https://new.example/a?x=1")
        assert archive.find_duplicate(url="https://new.example/a").id == saved.article.id


@pytest.mark.parametrize(("address", "kept"), [
    ("https://news.example/", False), ("https://news.example", False),
    ("https://news.example/?p=12", True), ("https://news.example/2026/story", True), ("", False),
])
def test_which_addresses_count_as_another_address_of_a_page(address, kept):
    assert (other_address(address) == address) is kept


def test_a_page_from_disk_is_still_known_by_its_canonical_address_after_changes(tmp_path):
    """A page saved from disk has no address of its own, only the canonical link it
    carries. Tagging it or reading it rewrote its row without that address, and
    saving the page from the web then made a second article."""
    canonical = "https://news.example/2024/story-one"
    with Archive(tmp_path / "a", seed=False, fetch=False) as archive:
        aid = archive.save_html(page_with_canonical("Story one", canonical), None,
                                source="file:/saved/story.html").article.id
        archive.tag(aid, add=["later"])
        archive.set_state(aid, is_read=True, progress=0.5)
        again = archive.save_html(page_with_canonical("Story one", canonical), canonical)
        assert not again.created and again.article.id == aid
        assert len(archive.articles()) == 1


def test_check_after_an_upgrade_finds_nothing_to_report(tmp_path):
    """meta.json files written by the previous version differ only in their version
    number: that is no disagreement with the catalog."""
    from archive.library.check import check_archive

    root = tmp_path / "a"
    with Archive(root, seed=False, fetch=False) as archive:
        aid = archive.save_html(make_page("Older file"), "https://old.example/x").article.id
    meta_path = root / "articles" / aid / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["schema_version"] = 2
    meta_path.write_text(json.dumps(meta))
    with Archive(root, seed=False, fetch=False) as archive:
        assert check_archive(archive) == []
