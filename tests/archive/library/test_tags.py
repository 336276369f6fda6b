"""Tag rename, merge and delete over the whole archive: one catalog transaction,
meta.json and the index of every affected article, one index commit."""
from __future__ import annotations

import json

import pytest

from archive.base.errors import NotFoundError
from archive.library.tags import TagNameError, apply_mapping, merge_mapping, rename_mapping
from tests.support import make_page


def _save(archive, title, tags):
    return archive.save_html(make_page(title, f"{title} by the shore."), None, tags=tags).article.id


def _meta_tags(archive, aid):
    return json.loads((archive.article_dir(aid) / "meta.json").read_text())["tags"]


def test_rename_takes_children_along_in_one_index_commit(archive):
    a = _save(archive, "Gulls", ["seabirds/gulls", "coast"])
    b = _save(archive, "Terns", ["SeaBirds"])
    c = _save(archive, "Dunes", ["coast"])
    generation = archive.index.ix.latest_generation()
    change = archive.rename_tag("seabirds", "birds")
    assert change.renamed == {"seabirds/gulls": "birds/gulls", "SeaBirds": "birds"}
    assert sorted(x.id for x in change.articles) == sorted([a, b])
    assert archive.index.ix.latest_generation() == generation + 1
    assert archive.get(a).tags == ["birds/gulls", "coast"] and _meta_tags(archive, a) == ["birds/gulls", "coast"]
    assert archive.get(b).tags == ["birds"] and _meta_tags(archive, b) == ["birds"]
    assert archive.get(c).tags == ["coast"]
    assert archive.count("tag:birds") == 2 and archive.count("tag:seabirds") == 0
    assert dict(archive.tags()) == {"birds": 1, "birds/gulls": 1, "coast": 2}
    assert archive.catalog.index_queue() == []


def test_rename_onto_an_existing_tag_merges_and_case_only_renames_work(archive):
    a = _save(archive, "Gulls", ["gulls", "birds"])
    archive.rename_tag("gulls", "birds")
    assert archive.get(a).tags == ["birds"]
    archive.rename_tag("birds", "Birds")
    assert archive.get(a).tags == ["Birds"] and _meta_tags(archive, a) == ["Birds"]


def test_merge_many_sources_into_one(archive):
    a = _save(archive, "Gulls", ["gulls"])
    b = _save(archive, "Terns", ["terns/arctic", "gulls"])
    c = _save(archive, "Herons", ["herons"])
    change = archive.merge_tags("seabirds", ["gulls", "terns", "seabirds"])
    assert sorted(x.id for x in change.articles) == sorted([a, b])
    assert archive.get(a).tags == ["seabirds"]
    assert archive.get(b).tags == ["seabirds", "seabirds/arctic"]
    assert archive.get(c).tags == ["herons"]
    assert archive.count("tag:seabirds") == 2


def test_delete_removes_the_tag_and_its_children_but_keeps_the_articles(archive):
    a = _save(archive, "Gulls", ["birds/gulls", "coast"])
    b = _save(archive, "Terns", ["birds"])
    change = archive.delete_tag("BIRDS")
    assert change.renamed == {"birds": "", "birds/gulls": ""}
    assert archive.get(a).tags == ["coast"] and archive.get(b).tags == []
    assert _meta_tags(archive, b) == []
    assert archive.count("tag:birds") == 0 and len(archive.articles()) == 2


def test_unknown_tags_and_bad_names_are_refused_and_change_nothing(archive):
    a = _save(archive, "Gulls", ["gulls"])
    with pytest.raises(NotFoundError):
        archive.rename_tag("terns", "birds")
    with pytest.raises(NotFoundError):
        archive.merge_tags("birds", ["gulls", "terns"])  # all or nothing
    with pytest.raises(NotFoundError):
        archive.delete_tag("gull")  # a prefix of a name is not the tag
    with pytest.raises(TagNameError):
        archive.rename_tag("gulls", "a, b")
    with pytest.raises(TagNameError):
        archive.rename_tag("gulls", "  ")
    assert archive.get(a).tags == ["gulls"]


def test_the_mapping_functions():
    stored = ["news", "News/world", "newsletter", "art"]
    assert rename_mapping(stored, "news", "press") == {"news": "press", "News/world": "press/world"}
    assert merge_mapping(stored, "art", ["newsletter", "art"]) == {"newsletter": "art"}
    assert apply_mapping(["news", "art", "News/world"], {"news": "art", "News/world": ""}) == ["art"]
