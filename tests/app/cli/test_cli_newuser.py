"""What a new user tripped over on the command line (issue 19), through
subprocess as a user runs it."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support.cli import quire
from tests.support import REPO, make_page


def page(tmp_path, name: str, title: str, body: str = "Kelp forests shelter otters.") -> str:
    path = tmp_path / f"{name}.html"
    path.write_text(make_page(title, body), encoding="utf-8")
    return str(path)


def test_an_undetectable_import_names_the_format_option(tmp_path):
    notes = tmp_path / "notes.dat"
    notes.write_text("my notes\nmore notes\nand more\nhttps://a.example/x\n", encoding="utf-8")
    out = quire(tmp_path / "arch", "import", str(notes))
    assert out.returncode == 1
    assert "cannot tell the format" in out.stderr and "--format names it" in out.stderr


def closed_output(archive_dir, *args) -> subprocess.CompletedProcess:
    """Run quire with its stdout already closed at the other end, as `| head`
    leaves it once it has its lines (deterministic: the read end is gone first)."""
    env = dict(os.environ)
    env.pop("QUIRE_ARCHIVE", None)
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run([sys.executable, str(REPO / "main.py"), "--archive", str(archive_dir),
                               *args], stdout=write, stderr=subprocess.PIPE, text=True, env=env,
                              timeout=120)
    finally:
        os.close(write)
    return proc


def saved_archive(tmp_path):
    from archive import Archive

    root = tmp_path / "arch"
    with Archive(root, seed=True, fetch=False) as archive:
        ids = [archive.save_html(make_page(f"Tide table {n}", "High water at dawn."),
                                 f"https://news.example/{n}", download_images=False,
                                 tags=["world/news"]).article.id for n in range(3)]
    return root, ids


def test_every_command_ends_quietly_when_its_output_is_closed(tmp_path):
    root, ids = saved_archive(tmp_path)
    for args in (["list"], ["list", "--json"], ["show", ids[0]], ["show", ids[0], "--json"],
                 ["search", "tide"], ["search", "tide", "--json"], ["tags"], ["tags", "--json"]):
        out = closed_output(root, *args)
        assert out.stderr == "", (args, out.stderr)  # no BrokenPipeError traceback
        assert out.returncode == 141, args  # as `yes | head` reports


def test_search_limit_must_be_one_or_more(tmp_path):
    root, _ids = saved_archive(tmp_path)
    for limit in ("0", "-5", "many"):
        out = quire(root, "search", "tide", "--limit", limit)
        assert out.returncode == 2, (limit, out.stdout)
        assert "--limit" in out.stderr
    assert quire(root, "search", "tide", "--limit", "1", "--json").returncode == 0


def test_removing_a_tag_the_article_does_not_have_says_so(tmp_path):
    root, ids = saved_archive(tmp_path)
    out = quire(root, "tag", ids[0], "+kept", "-nonexistent")
    assert out.returncode == 1
    assert f"{ids[0]} was not tagged 'nonexistent'" in out.stderr
    assert "[kept, world/news]" in out.stdout  # the rest was done
    out = quire(root, "tag", ids[0], "-kept")
    assert out.returncode == 0 and out.stderr == ""


def test_adding_a_saved_page_again_with_tags_adds_them(tmp_path):
    path = page(tmp_path, "otters", "Otters at rest")
    arch = tmp_path / "arch"
    first = quire(arch, "add", path)
    aid = first.stdout.split()[0]
    out = quire(arch, "add", path, "--tag", "a", "--tag", "b")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"{aid}  Otters at rest  (already saved; tagged a, b)"
    assert json.loads(quire(arch, "show", aid, "--json").stdout)["tags"] == ["a", "b"]
    out = quire(arch, "add", path, "--tag", "a")
    assert out.stdout.strip().endswith("(already saved, with those tags)")


def test_an_empty_file_is_named_as_such(tmp_path):
    (tmp_path / "empty.html").write_text("", encoding="utf-8")
    (tmp_path / "blank.html").write_text("  \n\n", encoding="utf-8")
    out = quire(tmp_path / "arch", "add", str(tmp_path / "empty.html"), str(tmp_path / "blank.html"))
    assert out.returncode == 1
    lines = sorted(out.stdout.splitlines())
    assert [line.replace(str(tmp_path) + os.sep, "") for line in lines] == [
        "FAILED blank.html: the file is empty", "FAILED empty.html: the file is empty"]


def test_welcome_articles_have_a_site_and_no_dash_is_printed_for_none(tmp_path):
    root, _ids = saved_archive(tmp_path)
    out = quire(root, "search", "tag:quire")
    assert out.returncode == 0
    titles = [line for line in out.stdout.splitlines() if not line.startswith("    ")]
    assert titles and all("— Quire" in line for line in titles)
    assert "— -" not in out.stdout
    from archive import Archive

    with Archive(root, fetch=False) as archive:  # an article without a site: no "— -"
        archive.save_html("<html><body><article><p>" + "No site here at all. " * 30
                          + "</p></article></body></html>", None, source="note:1")
    out = quire(root, "search", "site here")
    assert "— -" not in out.stdout and "— " not in out.stdout.splitlines()[0]


def test_retry_counts_an_article_still_pending_once(tmp_path):
    listing = tmp_path / "links.txt"
    listing.write_text("http://127.0.0.1:9/gone\nhttp://127.0.0.1:9/also-gone\n", encoding="utf-8")
    arch = tmp_path / "arch"
    assert quire(arch, "import", str(listing), "--no-fetch").returncode == 0
    out = quire(arch, "retry")
    assert out.returncode == 1
    assert "2 pending, 0 failed" in out.stdout, out.stdout
    assert "FAILED" not in out.stdout


def test_export_by_tag_and_markdown_to_a_md_path(tmp_path):
    root, ids = saved_archive(tmp_path)  # three articles tagged world/news
    notes = tmp_path / "notes.md"
    out = quire(root, "export", "--tag", "world", "--format", "markdown", "-o", str(notes))
    assert out.returncode == 1 and not notes.exists()
    assert "a Markdown file holds one article, and 3 are to be exported" in out.stderr
    assert "notes.zip" in out.stderr
    out = quire(root, "export", "--tag", "world", "--format", "markdown", "-o", str(tmp_path / "notes"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"exported 3 articles to {tmp_path / 'notes.zip'}"
    out = quire(root, "export", "--query", "tide table 1", "--format", "markdown", "-o", str(notes))
    assert out.returncode == 0 and notes.read_text(encoding="utf-8").startswith("---")
    assert out.stdout.strip() == f"exported 1 article to {notes}"


def test_an_import_row_for_a_saved_page_adds_its_tags_and_states(tmp_path):
    root, ids = saved_archive(tmp_path)  # https://news.example/0 is saved, tagged world/news
    bookmarks = tmp_path / "bookmarks.html"
    bookmarks.write_text(
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n"
        '<DT><A HREF="https://news.example/0" ADD_DATE="1651234567" TAGS="tides,later">Tide table 0</A>\n'
        "</DL>\n", encoding="utf-8")
    out = quire(root, "import", str(bookmarks), "--no-fetch")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 merged into existing" in out.stdout
    shown = json.loads(quire(root, "show", ids[0], "--json").stdout)
    assert shown["tags"] == ["later", "tides", "world/news"]
