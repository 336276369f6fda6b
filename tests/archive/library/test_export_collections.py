"""Collections: manual (articles put in) and smart (a saved query); create, rename, delete,
add, remove, list, members; export by collection."""
from __future__ import annotations

import pytest

from archive.library import collections as coll
from archive.base.errors import NotFoundError, QuireError
from archive.interchange.exporters import export, select_ids
from archive.interchange.importers import ImportItem, parse_file


@pytest.fixture
def three(archive):
    ids = []
    for n, tag in enumerate(("birds", "birds", "fish")):
        ids.append(archive.save_html(
            f"<p>Article {n} about {tag}, with enough words to count as an article body.</p>",
            f"https://example.org/{n}", tags=[tag], title=f"Article {n}",
            saved=f"2024-01-0{n + 1}T00:00:00+00:00", extract=False).article.id)
    return ids


def test_manual_collection_lifecycle(archive, three):
    created = coll.create(archive, "  Reading   list ")
    assert (created.name, created.query, created.count) == ("Reading list", None, 0)
    assert coll.add(archive, "reading list", [three[0], three[2], three[0]]) == 2
    assert coll.add(archive, "Reading list", [three[0]]) == 0  # already in it
    assert coll.members(archive, "Reading list") == [three[2], three[0]]  # newest first
    assert coll.collections_of(archive, three[0]) == ["Reading list"]
    assert coll.remove(archive, "Reading list", [three[2]]) == 1
    renamed = coll.rename(archive, "Reading list", "Later")
    assert renamed.count == 1 and coll.members(archive, "Later") == [three[0]]
    with pytest.raises(NotFoundError, match="no collection named 'Reading list'"):
        coll.members(archive, "Reading list")
    archive.delete(three[0])  # membership goes with the article
    assert coll.members(archive, "Later") == []
    coll.delete(archive, "Later")
    assert coll.list_collections(archive) == []


def test_smart_collection_follows_its_query(archive, three):
    coll.create(archive, "Birds", query="tag:birds")
    assert set(coll.members(archive, "Birds")) == {three[0], three[1]}
    archive.tag(three[2], add=["birds"])
    assert set(coll.members(archive, "Birds")) == set(three)
    with pytest.raises(QuireError, match="smart collection"):
        coll.add(archive, "Birds", [three[0]])
    coll.set_query(archive, "Birds", "tag:fish")
    assert coll.members(archive, "Birds") == [three[2]]
    assert [(c.name, c.count) for c in coll.list_collections(archive)] == [("Birds", 1)]


def test_bad_names_and_unknown_articles(archive, three):
    coll.create(archive, "Birds")
    with pytest.raises(QuireError, match="exists already"):
        coll.create(archive, "BIRDS")
    with pytest.raises(QuireError, match="needs a name"):
        coll.create(archive, "   ")
    with pytest.raises(QuireError, match="needs a query"):
        coll.create(archive, "Empty", query=" ")
    with pytest.raises(NotFoundError, match="ffffffffff"):
        coll.add(archive, "Birds", ["ffffffffff"])
    coll.create(archive, "Fish")
    with pytest.raises(QuireError, match="exists already"):
        coll.rename(archive, "Fish", "birds")


def test_manual_members_are_searchable_and_exportable(archive, three, tmp_path):
    coll.create(archive, "Keep")
    coll.add(archive, "Keep", [three[1]])
    assert [h.id for h in archive.search("collection:Keep")] == [three[1]]
    assert select_ids(archive, collection="Keep") == [three[1]]
    out = tmp_path / "keep.csv"
    export(archive, select_ids(archive, collection="Keep"), "pocket-csv", out)
    items = [r for r in parse_file(out) if isinstance(r, ImportItem)]
    assert [i.url for i in items] == ["https://example.org/1"]


def test_adding_many_articles_to_a_collection_commits_the_index_once(tmp_path):
    from archive import Archive
    from archive.library import collections as coll
    from tests.support import make_page

    with Archive(tmp_path / "a", seed=False, fetch=False) as archive:
        ids = [archive.save_html(make_page(f"Puffin burrow {i}", "Puffins return in April."), None).article.id
               for i in range(5)]
        coll.create(archive, "Spring")
        generation = archive.index.ix.latest_generation()
        coll.add(archive, "Spring", ids)
        assert archive.index.ix.latest_generation() == generation + 1
        assert archive.count("collection:Spring") == 5
