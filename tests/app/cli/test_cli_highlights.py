"""`highlight ID --quote TEXT` and `highlights [QUERY] [--json]`, and reextract's report."""
from __future__ import annotations

import json

from tests.support.cli import quire
from tests.support import make_page


def test_highlight_and_list_from_the_command_line(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(make_page(), encoding="utf-8")
    arch = tmp_path / "arch"
    aid = quire(arch, "add", str(page)).stdout.split()[0]
    out = quire(arch, "highlight", aid[:6], "--quote", "spring floods arrived", "--note", "why now?",
                "--color", "blue")
    assert out.returncode == 0, out.stderr
    assert "“spring floods arrived”" in out.stdout
    assert quire(arch, "highlight", aid, "--quote", "words that are not there at all").returncode == 1
    assert quire(arch, "highlight", aid, "--quote", "tides", "--color", "purple").returncode == 2

    listed = json.loads(quire(arch, "highlights", "--json").stdout)
    assert [(m["article_id"], m["quote"], m["note"], m["color"]) for m in listed] == [
        (aid, "spring floods arrived", "why now?", "blue")]
    assert listed[0]["created"] and listed[0]["placed"]
    text = quire(arch, "highlights", "note:why").stdout
    assert "“spring floods arrived”" in text and "why now?" in text
    assert quire(arch, "highlights", "note:elsewhere").stdout == ""

    out = quire(arch, "reextract", aid)
    assert out.returncode == 0 and "highlights: 1 re-anchored, 0 could not be placed" in out.stdout
