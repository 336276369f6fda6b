"""What a new user tripped over on the command line (issue 19), through
subprocess as a user runs it."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.app.cli.test_cli import quire
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
