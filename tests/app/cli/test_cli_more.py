"""The CLI's import, export, collection, check and backup commands, as a user runs them."""
from __future__ import annotations

import json
import zipfile

from archive import Archive
from archive.library.check import check_archive
from tests.support import make_page
from tests.support.cli import quire


def _pocket_csv(path, urls):
    lines = ["title,url,time_added,tags,status"]
    for i, u in enumerate(urls):
        lines.append(f"Story {i},{u},{1700000000 + i},news|cli{i},{'archive' if i % 2 else 'unread'}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_import_export_collections_round_trip(tmp_path, httpserver):
    for i in range(3):
        httpserver.expect_request(f"/p{i}").respond_with_data(make_page(f"Imported story {i}", f"importword{i}"),
                                                             content_type="text/html")
    urls = [httpserver.url_for(f"/p{i}") for i in range(3)] + [httpserver.url_for("/dead")]
    httpserver.expect_request("/dead").respond_with_data("gone", status=404)
    csv = tmp_path / "pocket.csv"
    _pocket_csv(csv, urls)
    arch = tmp_path / "arch"

    out = quire(arch, "import", str(csv))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "3 added" in out.stdout and "1 pending" in out.stdout
    again = quire(arch, "import", str(csv))
    assert "0 added" in again.stdout  # importing twice adds nothing

    hits = json.loads(quire(arch, "search", "tag:news is:archived", "--json").stdout)
    assert len(hits) >= 1
    pending = quire(arch, "list", "--pending")
    assert "/dead" in pending.stdout and "404" in pending.stdout

    ids = [h["id"] for h in json.loads(quire(arch, "search", "importword0 OR importword1", "--json").stdout)]
    assert len(ids) == 2
    assert quire(arch, "collection", "create", "Reading list").returncode == 0
    assert quire(arch, "collection", "add", "Reading list", *ids).returncode == 0
    assert quire(arch, "collection", "create", "News", "--query", "tag:news").returncode == 0
    listed = {c["name"]: c for c in json.loads(quire(arch, "collection", "list", "--json").stdout)}
    assert listed["Reading list"]["count"] == 2 and listed["News"]["count"] >= 3
    found = json.loads(quire(arch, "search", 'collection:"Reading list"', "--json").stdout)
    assert sorted(h["id"] for h in found) == sorted(ids)

    md = tmp_path / "out.zip"
    out = quire(arch, "export", "--collection", "Reading list", "--format", "markdown", "-o", str(md))
    assert out.returncode == 0, out.stderr
    with zipfile.ZipFile(md) as zf:
        notes = [n for n in zf.namelist() if n.endswith(".md")]
        assert len(notes) == 2
        assert zf.read(notes[0]).decode().startswith("---")
    js = tmp_path / "all.json"
    assert quire(arch, "export", "--all", "--format", "json", "-o", str(js)).returncode == 0
    arch2 = tmp_path / "arch2"
    out = quire(arch2, "import", str(js), "--format", "json", "--no-fetch")
    assert out.returncode == 0, out.stdout + out.stderr
    with Archive(arch, seed=False, fetch=False) as a, Archive(arch2, seed=False, fetch=False) as b:
        assert {x.url for x in a.articles()} == {x.url for x in b.articles()}
        assert {x.url: x.tags for x in a.articles()} == {x.url: x.tags for x in b.articles()}
        assert check_archive(a) == [] and check_archive(b) == []
    assert quire(arch, "export", "--tag", "nope", "--format", "json", "-o", str(js)).returncode == 1
    assert quire(arch, "export", "--format", "json", "-o", str(js)).returncode == 2


def test_check_backup_restore_commands(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(make_page(), encoding="utf-8")
    arch = tmp_path / "arch"
    assert quire(arch, "add", str(page)).returncode == 0
    assert quire(arch, "check").returncode == 0
    zp = tmp_path / "b.zip"
    assert quire(arch, "backup", str(zp)).returncode == 0
    other = tmp_path / "other"
    out = quire(other, "restore", str(zp))
    assert out.returncode == 0, out.stderr
    assert "restored" in out.stdout
    assert json.loads(quire(other, "search", "herons", "--json").stdout)
    out = quire(other, "restore", str(zp))
    assert out.returncode == 1 and "--force" in out.stderr
