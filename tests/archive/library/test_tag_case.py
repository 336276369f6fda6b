"""One rule for tag case across the archive: tags are case-insensitive and keep the first
spelling seen, whichever way a tag is added (save, pending import, tagging, merge), and
an older archive's case-duplicates are merged when it is opened (schema 5)."""
from __future__ import annotations

import json
import sqlite3

from archive import Archive
from archive.base.models import SCHEMA_VERSION
from archive.interchange.importers import import_file

from tests.support import make_page


def meta_tags(archive, aid):
    return json.loads((archive.article_dir(aid) / "meta.json").read_text(encoding="utf-8"))["tags"]


def test_every_way_of_adding_a_tag_keeps_the_first_spelling(archive, tmp_path):
    first = archive.save_html(make_page("One"), "https://a.example/1", tags=["Dev"]).article
    second = archive.save_html(make_page("Two"), "https://a.example/2", tags=["dev", "Ops"]).article
    assert second.tags == ["Dev", "Ops"] and meta_tags(archive, second.id) == ["Dev", "Ops"]
    pending = archive.add_pending("https://a.example/3", tags=["DEV"], error="x").article
    assert pending.tags == ["Dev"] and meta_tags(archive, pending.id) == ["Dev"]
    third = archive.save_html(make_page("Three"), "https://a.example/4").article
    tagged = archive.tag(third.id, add=["ops", "new"])
    assert tagged.tags == ["new", "Ops"] and meta_tags(archive, third.id) == ["new", "Ops"]
    merged, _ = archive.merge_in(first.id, tags=["OPS"])
    assert merged.tags == ["Dev", "Ops"]
    bookmarks = tmp_path / "b.html"
    bookmarks.write_text('<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n<DT><H3>dev</H3>\n<DL><p>\n'
                         '<DT><A HREF="https://a.example/5" TAGS="NEW">Five</A>\n</DL>\n</DL>\n',
                         encoding="utf-8")
    import_file(archive, bookmarks, fetch=False)
    assert dict(archive.tags()) == {"Dev": 4, "new": 2, "Ops": 3}
    assert {h.id for h in archive.search("tag:dev")} == {first.id, second.id, pending.id,
                                                          archive.find_duplicate("https://a.example/5").id}


def test_a_rename_can_still_change_the_case_everywhere(archive):
    a = archive.save_html(make_page("One"), "https://a.example/1", tags=["dev"]).article
    b = archive.save_html(make_page("Two"), "https://a.example/2", tags=["dev"]).article
    archive.rename_tag("dev", "Dev")
    assert dict(archive.tags()) == {"Dev": 2}
    # the only article carrying a tag may re-spell it itself
    archive.tag(a.id, remove=["Dev"])
    archive.tag(b.id, remove=["Dev"], add=["DEV"])
    assert dict(archive.tags()) == {"DEV": 1}


def test_an_older_archive_with_case_duplicates_is_merged_on_open(tmp_path):
    root = tmp_path / "arch"
    a = Archive(root, seed=False, fetch=False)
    old = a.save_html(make_page("Old"), "https://a.example/1", tags=["Dev"], saved="2020-01-01T00:00:00+00:00").article
    new = a.save_html(make_page("New"), "https://a.example/2", tags=["Ops"], saved="2021-01-01T00:00:00+00:00").article
    a.close()
    # what a schema-4 catalog could hold: two spellings of one tag, one article with both
    db = sqlite3.connect(root / "catalog.sqlite")
    db.execute("DROP INDEX tags_fold")
    db.execute("ALTER TABLE tags DROP COLUMN fold")
    db.execute("DROP TABLE meta_queue")
    db.execute("INSERT INTO tags (article_id, tag) VALUES (?, 'dev')", (new.id,))
    db.execute("INSERT INTO tags (article_id, tag) VALUES (?, 'ops')", (new.id,))
    db.execute("INSERT INTO tags (article_id, tag) VALUES (?, 'OPS')", (old.id,))
    db.execute("PRAGMA user_version = 4")
    db.commit()
    db.close()
    a = Archive(root, seed=False, fetch=False)
    try:
        assert a.catalog.schema_version == SCHEMA_VERSION == 5
        assert a.catalog.migrated_from == 4
        # the earliest saved article's spelling wins: "Dev" (old), "OPS" (old)
        assert a.get(old.id).tags == ["Dev", "OPS"]
        assert a.get(new.id).tags == ["Dev", "OPS"]
        assert dict(a.tags()) == {"Dev": 2, "OPS": 2}
        assert meta_tags(a, new.id) == ["Dev", "OPS"]  # rewritten: the migration changed it
        assert a.catalog.meta_queue() == []
        assert {h.id for h in a.search("tag:dev")} == {old.id, new.id}
    finally:
        a.close()
