"""`quire tags rename|merge|delete` as a user runs them; plain `tags` still lists."""
from __future__ import annotations

import json

from tests.support.cli import quire
from tests.support import make_page

WELCOME = "quire"  # the tag of the welcome articles a new archive starts with


def _add(arch, tmp_path, name, *tags):
    page = tmp_path / f"{name}.html"
    page.write_text(make_page(name.title(), f"{name} by the shore."), encoding="utf-8")
    out = quire(arch, "add", str(page), *[a for t in tags for a in ("--tag", t)])
    assert out.returncode == 0, out.stderr
    return out.stdout.split()[0]


def _tags(arch):
    out = quire(arch, "tags", "--json")
    assert out.returncode == 0, out.stderr
    return {d["tag"]: d["count"] for d in json.loads(out.stdout) if d["tag"] != WELCOME}


def test_rename_merge_and_delete_tags(tmp_path):
    arch = tmp_path / "arch"
    gulls = _add(arch, tmp_path, "gulls", "seabirds/gulls", "coast")
    _add(arch, tmp_path, "terns", "terns")
    _add(arch, tmp_path, "dunes", "coast")

    out = quire(arch, "tags", "rename", "seabirds", "birds")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["seabirds/gulls -> birds/gulls", "1 article changed"]
    assert _tags(arch) == {"birds/gulls": 1, "coast": 2, "terns": 1}

    out = quire(arch, "tags", "merge", "birds", "terns", "coast")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1] == "3 articles changed"
    assert _tags(arch) == {"birds": 3, "birds/gulls": 1}
    out = quire(arch, "search", "tag:birds", "--json")
    assert len(json.loads(out.stdout)) == 3

    out = quire(arch, "tags", "delete", "birds")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["birds removed", "birds/gulls removed", "3 articles changed"]
    assert _tags(arch) == {}
    out = quire(arch, "show", gulls, "--json")
    assert json.loads(out.stdout)["tags"] == []

    out = quire(arch, "tags")  # plain `tags` lists: only the welcome articles' tag is left
    assert out.returncode == 0 and [ln.split()[1] for ln in out.stdout.splitlines()] == [WELCOME]


def test_unknown_tag_fails_with_one_line(tmp_path):
    arch = tmp_path / "arch"
    _add(arch, tmp_path, "gulls", "gulls")
    out = quire(arch, "tags", "rename", "terns", "birds")
    assert out.returncode == 1
    assert out.stderr.strip() == "quire: no tag named 'terns'"
    out = quire(arch, "tags", "merge", "birds")
    assert out.returncode == 2  # merge needs a source
    out = quire(arch, "tags")
    assert "     1  gulls" in out.stdout.splitlines()
