"""The archive survives damage inside its files and says what it did (issue 18):
garbage inside catalog.sqlite, a rebuilt catalog keeping what the user made, a
damaged index segment, an article saved from a file whose folder was lost."""
from __future__ import annotations

import json
import random
import subprocess
import sys

from archive import Archive
from archive.library import collections as coll
from archive.library.check import check_archive
from archive.search.index import IndexDamagedError
from tests.support import REPO, make_page


def cli(root, *args):
    return subprocess.run([sys.executable, str(REPO / "main.py"), "--archive", str(root), *args],
                          capture_output=True, text=True, timeout=180)


def _archive_with_collections(root, n: int = 30) -> dict:
    """n saved articles with tags and a favourite, a manual collection with members,
    an empty manual one and a smart one."""
    with Archive(root, seed=False, fetch=False) as a:
        with a.batch():
            ids = [a.save_html(make_page(f"Damage story {i}", f"keptword{i} herons"),
                               f"https://kept.example/{i}", tags=[f"tag{i % 3}"]).article.id
                   for i in range(n)]
        a.set_state(ids[0], is_favorite=True)
        coll.create(a, "Reading list")
        coll.add(a, "Reading list", ids[1:4])
        coll.create(a, "Someday")
        coll.create(a, "Tag one", query="tag:tag1")
        smart = coll.members(a, "Tag one")
    return {"ids": ids, "reading": sorted(ids[1:4]), "smart": sorted(smart)}


def _garbage_inside(path, seed: int = 18) -> bytes:
    """4 KB of random bytes at a few offsets past the first page (the header stays intact)."""
    data = bytearray(path.read_bytes())
    rnd = random.Random(seed)
    pages = len(data) // 4096
    assert pages > 4, pages
    for page in sorted(rnd.sample(range(1, pages), min(4, pages - 1))):
        data[page * 4096:(page + 1) * 4096] = rnd.randbytes(4096)
    path.write_bytes(bytes(data))
    return bytes(data)


def test_garbage_inside_the_catalog_is_moved_aside_and_rebuilt(tmp_path):
    """4 KB of random bytes inside catalog.sqlite (header intact) made every command,
    check --repair included, end in `sqlite3.DatabaseError: database disk image is
    malformed`. The file is moved aside (never deleted), the catalog rebuilt from the
    folders' meta.json and collections.json, and the command says so."""
    root = tmp_path / "arch"
    made = _archive_with_collections(root)
    damaged = _garbage_inside(root / "catalog.sqlite")

    out = cli(root, "list")
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    assert "damaged" in out.stderr and "rebuilt" in out.stderr, out.stderr
    assert "catalog.sqlite.damaged-" in out.stderr
    assert "3 collections" in out.stderr, out.stderr
    assert sorted(line.split()[0] for line in out.stdout.splitlines()) == sorted(made["ids"])
    aside = [p for p in root.iterdir() if p.name.startswith("catalog.sqlite.damaged-")
             and not p.name.endswith(("-wal", "-shm"))]
    assert [p.read_bytes() for p in aside] == [damaged]

    with Archive(root, seed=False, fetch=False) as a:
        assert a.get(made["ids"][0]).is_favorite
        assert a.get(made["ids"][5]).tags == ["tag2"]
        assert sorted(coll.members(a, "Reading list")) == made["reading"]
        assert coll.get(a, "Someday").count == 0
        smart = coll.get(a, "Tag one")
        assert smart.query == "tag:tag1" and sorted(coll.members(a, "Tag one")) == made["smart"]
        assert [h.id for h in a.search("keptword7")] == [made["ids"][7]]
        assert check_archive(a) == []


def test_damage_check_finds_inside_the_catalog_is_repaired_by_check(tmp_path):
    """A catalog too big to be verified on every open is verified by `check`, which
    says what the damage means, and `check --repair` rebuilds it."""
    import archive.library.catalog as catalog

    root = tmp_path / "arch"
    made = _archive_with_collections(root, 8)
    _garbage_inside(root / "catalog.sqlite")
    old = catalog.VERIFY_ON_OPEN_BYTES
    catalog.VERIFY_ON_OPEN_BYTES = 0  # as if the catalog were huge
    try:
        with Archive(root, seed=False, fetch=False) as a:
            problems = check_archive(a)
            assert [p.kind for p in problems][:1] == ["damaged-catalog"], problems
            assert "malformed" in problems[0].detail and not problems[0].repaired
            assert "rebuilds the catalog" in problems[0].repair_does
            problems = check_archive(a, repair=True)
            assert problems[0].kind == "damaged-catalog" and problems[0].repaired
            assert sorted(x.id for x in a.articles()) == sorted(made["ids"])
            assert sorted(coll.members(a, "Reading list")) == made["reading"]
            assert check_archive(a) == []
    finally:
        catalog.VERIFY_ON_OPEN_BYTES = old


def test_a_lost_catalog_gets_its_smart_collections_back(tmp_path):
    """A rebuilt catalog lost smart collections (and empty manual ones): they lived only
    in the catalog. collections.json beside it, written on each change, brings them back."""
    root = tmp_path / "arch"
    made = _archive_with_collections(root, 6)
    saved = json.loads((root / "collections.json").read_text(encoding="utf-8"))
    assert {c["name"] for c in saved["collections"]} == {"Reading list", "Someday", "Tag one"}
    with Archive(root, seed=False, fetch=False) as a:
        coll.rename(a, "Someday", "Later")
        coll.set_query(a, "Tag one", "tag:tag1 OR tag:tag2")
    (root / "catalog.sqlite").unlink()
    with Archive(root, seed=False, fetch=False) as a:
        assert any("collections" in note for note in a.notices), a.notices
        names = {c.name: c for c in coll.list_collections(a)}
        assert set(names) == {"Reading list", "Later", "Tag one"}
        assert names["Tag one"].query == "tag:tag1 OR tag:tag2"
        assert sorted(coll.members(a, "Reading list")) == made["reading"]
        assert check_archive(a) == []


def _put_back(folder, files: dict) -> None:
    import shutil

    shutil.rmtree(folder)
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)


def _spoil_segment(root, seed: int) -> None:
    """4 KB of random bytes inside the biggest segment file of the index."""
    seg = max((root / "index").glob("*.seg"), key=lambda p: p.stat().st_size)
    data = bytearray(seg.read_bytes())
    rnd = random.Random(seed)
    at = rnd.randrange(0, len(data) - 4096)
    data[at:at + 4096] = rnd.randbytes(4096)
    seg.write_bytes(bytes(data))


def test_a_damaged_index_segment_is_found_by_check_and_rebuilt(tmp_path):
    """Random bytes inside a .seg file: `check` said the archive was consistent while
    `search '*'` ended in IndexError/struct.error. Now check reads the whole index,
    a search that meets the damage says so (no traceback), and --repair rebuilds it."""
    root = tmp_path / "arch"
    with Archive(root, seed=False, fetch=False) as a:
        with a.batch():
            ids = [a.save_html(make_page(f"Segment story {i}", f"keptword{i} herons " * 40),
                               f"https://seg.example/{i}", tags=[f"t{i % 3}"]).article.id for i in range(30)]
    pristine = {p.name: p.read_bytes() for p in (root / "index").iterdir() if p.is_file()}
    met_damage = 0
    for seed in range(12):
        _put_back(root / "index", pristine)
        _spoil_segment(root, seed)
        with Archive(root, seed=False, fetch=False) as a:
            try:
                found = {h.id for q in ("*", "keptword3", "herons", "tag:t1") for h in a.search(q, limit=100)}
            except IndexDamagedError as exc:
                assert "check --repair" in str(exc)
                found = None
            problems = check_archive(a)
            if found is None:  # the search met the damage: check must see it too
                met_damage += 1
                assert [p.kind for p in problems] == ["damaged-index"], (seed, problems)
            if problems:
                assert check_archive(a, repair=True)[0].repaired, seed
            assert {h.id for h in a.search("*", limit=100)} == set(ids)
            assert [h.id for h in a.search("keptword7")] == [ids[7]]
            assert check_archive(a) == []
    assert met_damage >= 3, met_damage  # the garbage did reach what searches read

    # and through the command line: one sentence, no traceback
    for seed in range(12):
        _put_back(root / "index", pristine)
        _spoil_segment(root, seed)
        out = cli(root, "search", "*")
        assert "Traceback" not in out.stderr, (seed, out.stderr)
        if out.returncode:
            break
    assert "index is damaged" in out.stderr and "check --repair" in out.stderr, out.stderr
    out = cli(root, "check")
    assert out.returncode != 0 and "damaged-index" in out.stdout and "Traceback" not in out.stderr
    assert "rebuilds the search index" in out.stdout
    out = cli(root, "check", "--repair")
    assert out.returncode == 0, (out.stdout, out.stderr)
    out = cli(root, "search", "--json", "--limit", "100", "*")
    assert sorted(h["id"] for h in json.loads(out.stdout)) == sorted(ids)


def test_an_article_from_a_file_whose_folder_was_lost_is_filled_by_adding_the_file(tmp_path):
    """check --repair made it pending and said `quire retry`, which cannot fetch a page
    that has no URL; adding the same file again said "already saved" and left it pending."""
    import shutil

    root = tmp_path / "arch"
    page = tmp_path / "saved page.html"
    page.write_text(make_page("A page from disk", "diskword and herons"), encoding="utf-8")
    with Archive(root, seed=False, fetch=False) as a:
        aid = a.save_file(page, tags=["kept"]).article.id
        a.set_state(aid, is_favorite=True)
    shutil.rmtree(root / "articles" / aid)

    out = cli(root, "check", "--repair")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "quire retry" not in out.stdout
    assert f"quire add {page}" in out.stdout, out.stdout
    with Archive(root, seed=False, fetch=False) as a:
        assert a.get(aid).status == "pending" and f"quire add {page}" in a.get(aid).error
    out = cli(root, "retry")
    assert f"quire add {page}" in out.stdout, out.stdout

    out = cli(root, "add", str(page), "--tag", "again")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "already saved" not in out.stdout and aid in out.stdout, out.stdout
    with Archive(root, seed=False, fetch=False) as a:
        article = a.get(aid)
        assert article.status == "saved" and article.error is None
        assert article.title == "A page from disk"
        assert article.is_favorite and article.tags == ["again", "kept"]
        assert [h.id for h in a.search("diskword")] == [aid]
        assert len(a.articles()) == 1
        assert check_archive(a) == []


def test_a_pending_article_is_filled_by_adding_its_address_again(tmp_path, httpserver):
    root = tmp_path / "arch"
    httpserver.expect_request("/story").respond_with_data(make_page("Fetched at last", "fetchword"),
                                                          content_type="text/html")
    url = httpserver.url_for("/story")
    with Archive(root, seed=False, fetch=True) as a:
        aid = a.add_pending(url, title="Later", tags=["kept"], error="offline").article.id
        result = a.save_url(url)
        assert result.filled and result.article.id == aid
        assert a.get(aid).status == "saved" and a.get(aid).tags == ["kept"]
        assert [h.id for h in a.search("fetchword")] == [aid]


def test_articles_with_and_without_a_published_date_are_no_damage(tmp_path):
    """An article without a published date holds the date column's default, which is no
    datetime: verifying the index must not take it for damage (any archive whose pages
    only sometimes give a date was reported damaged, and --repair rebuilt it for nothing)."""
    from archive.library.check import check_archive

    def page(title: str, head: str) -> str:
        return (f"<html><head><title>{title}</title>{head}</head><body><article><h1>{title}</h1>"
                f"<p>{'Some words about herons and tides. ' * 30}</p></article></body></html>")

    with Archive(tmp_path / "arch", seed=False, fetch=False) as archive:
        with archive.batch():
            archive.save_html(page("Dated", '<meta property="article:published_time" '
                                            'content="2024-06-28T00:00:00Z">'), "https://a.example/1")
            archive.save_html(page("Undated", ""), "https://a.example/2")
        assert sorted(str(a.published) for a in archive.articles()) == [
            "2024-06-28T00:00:00+00:00", "None"]
        assert check_archive(archive) == []


def test_every_kind_of_finding_says_what_it_means_and_what_repair_does(tmp_path):
    """`check` printed a kind and a detail; what a finding means for the user and what
    --repair will do about it is now said, in plain words, for every kind it reports."""
    import re

    import archive.library.check as check

    source = open(check.__file__, encoding="utf-8").read()
    kinds = set(re.findall(r'Problem\("([a-z-]+)"', source))
    assert kinds and kinds <= set(check.EXPLAINED), kinds - set(check.EXPLAINED)
    for kind, (means, does) in check.EXPLAINED.items():
        assert means and does, kind

    root = tmp_path / "arch"
    with Archive(root, seed=False, fetch=False) as a:
        aid = a.save_html(make_page("Explained", "explainword"), "https://explain.example/1").article.id
    (root / "articles" / aid / "article.html").unlink()
    out = cli(root, "check")
    assert out.returncode != 0
    assert "what this means" in out.stdout and check.EXPLAINED["missing-html"][0] in out.stdout
    assert "--repair " + check.EXPLAINED["missing-html"][1] in out.stdout, out.stdout
    data = json.loads(cli(root, "check", "--json").stdout)
    assert data[0]["means"] and data[0]["repair"]
