"""Re-extraction from the stored originals keeps tags, states and pictures, offline."""
from __future__ import annotations

import base64
import json

from archive import Archive
from archive.library.check import check_archive
from tests.support import make_page
from tests.support.cli import quire

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def test_reextract_keeps_tags_states_and_images_offline(tmp_path, httpserver):
    httpserver.expect_request("/pic.png").respond_with_data(PNG, content_type="image/png")
    page = make_page().replace("<p>The committee", f'<figure><img src="{httpserver.url_for("/pic.png")}" '
                                                   'alt="marsh"></figure><p>The committee')
    httpserver.expect_request("/story").respond_with_data(page, content_type="text/html")
    root = tmp_path / "arch"
    with Archive(root, seed=False) as a:
        art = a.save_url(httpserver.url_for("/story"), tags=["keep"]).article
        a.set_state(art.id, is_favorite=True, progress=0.5)
        before = a.article_html(art.id)
        assert 'src="images/' in before
        sources = json.loads((a.article_dir(art.id) / "images" / "sources.json").read_text())
        assert list(sources) == [httpserver.url_for("/pic.png")]
    httpserver.clear()  # the web is gone: the picture must come from the archive
    with Archive(root, seed=False, fetch=False) as a:
        done, failures = a.reextract()
        assert (done, failures) == (1, [])
        after = a.get(art.id)
        assert after.tags == ["keep"] and after.is_favorite and after.progress == 0.5
        html = a.article_html(art.id)
        assert 'src="images/' in html and "missing-image" not in html
        assert check_archive(a) == []
        assert [h.id for h in a.search("tag:keep is:favorite herons")] == [art.id]


def test_cli_reextract_all_and_by_id(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(make_page(), encoding="utf-8")
    root = tmp_path / "arch"
    run = lambda *args: quire(root, *args)
    aid = run("add", str(page)).stdout.split()[0]
    out = run("reextract", "--all")
    assert out.returncode == 0 and "re-extracted 5 articles" in out.stdout  # 4 welcome + 1
    out = run("reextract", aid)
    assert out.returncode == 0 and "re-extracted 1 articles" in out.stdout
    assert run("reextract").returncode == 2


def test_reextract_on_an_archive_from_todays_extractor_changes_nothing(tmp_path):
    """`reextract --all` after an upgrade that changed nothing reports 0 changed and writes
    nothing: tags, states, highlights and the files stay as they are."""
    page = tmp_path / "p.html"
    page.write_text(make_page(), encoding="utf-8")
    with Archive(tmp_path / "arch", seed=False, fetch=False) as a:
        art = a.save_file(page, tags=["keep"]).article
        a.set_state(art.id, is_read=True)
        folder = a.article_dir(art.id)
        stamps = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
        changed: list[str] = []
        assert a.reextract(changed=changed) == (1, []) and changed == []
        assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == stamps
        # an article extracted by an older extractor (its text differs) is changed
        (folder / "article.html").write_text("<p>An older reading.</p>", encoding="utf-8")
        assert a.reextract(changed=changed) == (1, []) and changed == [art.id]
        after = a.get(art.id)
        assert after.tags == ["keep"] and after.is_read
        assert "herons" in a.article_html(art.id)


def test_show_why_says_how_the_page_was_read(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(make_page().replace('<html lang="en">', "<html>"), encoding="utf-8")
    root = tmp_path / "arch"
    run = lambda *args: quire(root, *args)
    aid = run("add", str(page)).stdout.split()[0]
    out = run("show", aid, "--why")
    assert out.returncode == 0, out.stderr
    assert "readability chose" in out.stdout
    assert "language (en) was detected from the text" in out.stdout
    story = json.loads(run("show", aid, "--why", "--json").stdout)
    assert story["id"] == aid and story["why"][0].startswith("readability chose")
