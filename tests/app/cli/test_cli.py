"""The CLI through subprocess, as a user runs it: output lines and exit codes."""
from __future__ import annotations

import json

from tests.support import corpus_pages, make_page, phrase_from
from tests.support.cli import quire


def test_add_search_tag_show_round_trip(tmp_path):
    html, url, truth = corpus_pages(1)[0]
    page = tmp_path / "news.html"
    page.write_text(html, encoding="utf-8")
    arch = tmp_path / "arch"

    out = quire(arch, "add", str(page), "--tag", "news")
    assert out.returncode == 0, out.stderr
    aid, title = out.stdout.strip().split("  ", 1)
    assert len(aid) == 10 and title

    phrase = phrase_from(truth)
    out = quire(arch, "search", f'"{phrase}"', "--json")
    assert out.returncode == 0, out.stderr
    hits = json.loads(out.stdout)
    assert hits[0]["id"] == aid
    assert set(hits[0]) == {"id", "title", "url", "site", "tags", "saved", "score", "snippet"}
    assert hits[0]["tags"] == ["news"]

    out = quire(arch, "tag", aid[:6], "+keep", "-news")
    assert out.returncode == 0, out.stderr
    out = quire(arch, "search", "tag:keep", "--json")
    assert [h["id"] for h in json.loads(out.stdout)] == [aid]
    out = quire(arch, "tags", "--json")
    tags = {t["tag"]: t["count"] for t in json.loads(out.stdout)}
    assert tags["keep"] == 1 and "news" not in tags

    out = quire(arch, "show", aid, "--json")
    data = json.loads(out.stdout)
    assert data["id"] == aid and data["tags"] == ["keep"]
    assert phrase in " ".join(data["text"].split())
    out = quire(arch, "show", aid)
    assert out.stdout.startswith(title)

    # adding the same file again returns the same article
    out = quire(arch, "add", str(page))
    assert out.stdout.startswith(aid) and "already saved" in out.stdout


def test_archive_from_environment_and_welcome(tmp_path):
    arch = tmp_path / "env-arch"
    out = quire(arch, "search", "shortcuts", "--json", env_archive=True)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)[0]["title"] == "Keyboard shortcuts"
    assert (arch / "catalog.sqlite").is_file()


def test_exit_codes(tmp_path):
    arch = tmp_path / "arch"
    good = tmp_path / "good.html"
    good.write_text(make_page(), encoding="utf-8")
    out = quire(arch, "add", str(good), str(tmp_path / "missing.html"), "javascript:alert(1)")
    assert out.returncode == 1
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 3
    assert "missing.html" in lines[1] and "FAILED" in lines[1]
    assert "javascript:alert(1)" in lines[2] and "FAILED" in lines[2]
    assert quire(arch, "search").returncode == 2
    assert quire(arch, "frobnicate").returncode == 2
    out = quire(arch, "show", "ffffffffff")
    assert out.returncode == 1 and "ffffffffff" in out.stderr


def test_search_offers_a_correction_when_nothing_matches(tmp_path):
    page = tmp_path / "herons.html"
    page.write_text(make_page("Herons of the marsh", "Grey herons wait in the reeds at dawn. " * 10),
                    encoding="utf-8")
    arch = tmp_path / "arch"
    assert quire(arch, "add", str(page)).returncode == 0
    out = quire(arch, "search", "heorns")
    assert out.returncode == 0, out.stderr
    assert "no results" in out.stdout and "did you mean: herons" in out.stdout
