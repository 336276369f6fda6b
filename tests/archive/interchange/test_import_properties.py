"""Property tests: every importer, fed arbitrary bytes, either yields records
(items, problems naming the row, collections) or refuses the whole file with an
ImportFileError — never any other exception, never a hang."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.base.errors import ImportFileError
from archive.interchange.importers import PARSERS, ImportCollection, ImportItem, ImportProblem
from archive.interchange.importers.detect import detect_format

SUFFIX = {"netscape": ".html", "pocket": ".csv", "instapaper": ".csv", "wallabag": ".json", "omnivore": ".zip",
          "urls": ".txt", "folder": ".html", "json": ".json", "pinboard": ".json", "linkwarden": ".json",
          "karakeep": ".json", "readwise": ".csv", "raindrop": ".csv", "readeck": ".zip", "chrome": "",
          "firefox": ".sqlite"}

# Bytes that look a little like each format, so the parsers get past their first checks.
SEEDS = [b"title,url,time_added,tags,status\n", b"URL,Title,Selection,Folder,Timestamp\n",
         b"<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n<DT><A HREF=\"", b"[{\"url\": \"", b"https://",
         b"{\"quire_export\": 1, \"articles\": [", b"PK\x03\x04", b"<html><head><title>",
         # the formats added for issue 17
         b"SQLite format 3\x00", b"[{\"href\": \"https://a.example/\", \"toread\": ",
         b"{\"collections\": [{\"id\": 1, \"parentId\": ", b"{\"collections\": [{\"links\": [{\"url\": \"",
         b"{\"roots\": {\"bookmark_bar\": {\"children\": [{\"type\": \"url\", \"date_added\": ",
         b"{\"bookmarks\": [{\"createdAt\": 1, \"content\": {\"type\": \"",
         b"[{\"url\": \"https://a.example/\", \"is_marked\": true, \"read_progress\": ",
         b"Title,URL,ID,Document tags,Saved date,Reading progress,Location,Seen\nT,https://a.example/,1,\"[",
         b"id,title,note,excerpt,url,folder,tags,created,cover,highlights,favorite\n1,"]


@pytest.mark.parametrize("fmt", sorted(PARSERS))
@settings(max_examples=30, deadline=None)
@given(prefix=st.sampled_from(SEEDS), body=st.binary(max_size=600))
def test_parsers_never_crash(fmt, prefix, body):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"export{SUFFIX[fmt]}"
        path.write_bytes(prefix + body)
        try:
            records = list(PARSERS[fmt](path))
        except ImportFileError as exc:
            assert str(exc)
            return
        for r in records:
            assert isinstance(r, (ImportItem, ImportProblem, ImportCollection))
            if isinstance(r, ImportProblem):
                assert r.reason


@settings(max_examples=60, deadline=None)
@given(prefix=st.sampled_from(SEEDS), body=st.binary(max_size=600))
def test_detection_names_a_format_or_refuses(prefix, body):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.dat"
        path.write_bytes(prefix + body)
        try:
            assert detect_format(path) in PARSERS
        except ImportFileError as exc:
            assert "export.dat" in str(exc)
