"""Linkwarden's JSON export (Settings > Data > Export: the user's data with every
collection and its links):

    {"id", "name", "username", ...,
     "collections": [{"id", "name", "description", "color", "parentId", "isPublic",
                      "createdAt", "links": [{"id", "name", "type", "description",
                      "collectionId", "url", "textContent", "preview", "image", "pdf",
                      "readable", "monolith", "lastPreserved", "importedFrom",
                      "createdAt", "updatedAt", "tags": [{"id", "name", ...}]}]}]}

A link's `name` is its title, `description` the user's note (kept as the article's
description), `importDate` (when it was first saved elsewhere and imported into
Linkwarden) or else `createdAt` when it was saved. The export's `pinnedLinks` are the
links the user pinned: favourites. `textContent`, when Linkwarden stored the
page's readable text, is saved as the article without fetching.

Collections become TAGS, not Quire collections: a Linkwarden collection is a folder
(every link sits in exactly one, nested by `parentId`), which is what bookmark folders
are, and those are tags in Quire; a nested one is a hierarchical tag "Parent/Child",
shown as a branch in the tag tree. (Quire's collections are flat and hand-picked.)
Linkwarden's own default collection, "Unorganized", says nothing and is no tag.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from archive.interchange.importers.items import (
    ImportItem,
    ImportProblem,
    ParseResult,
    checked_link,
    dated,
    each_object,
    folder_tag,
    html_from_text,
    lineage,
)
from archive.interchange.importers.jsonfile import json_export

#: Linkwarden's default collection, which every new account has.
DEFAULT_COLLECTIONS = {"unorganized"}


def collection_paths(collections: list[Any]) -> dict[object, str]:
    """Each collection id's hierarchical tag ("Parent/Child"), following parentId; a cycle
    or a missing parent ends the path where it is."""
    by_id = {c.get("id"): c for c in collections if isinstance(c, dict)}

    def parent(node: dict) -> dict | None:
        parent_id = node.get("parentId")
        return by_id.get(parent_id) if parent_id is not None else None

    paths: dict[object, str] = {}
    for cid, collection in by_id.items():
        names = [folder_tag(node.get("name")).replace("/", "-")
                 for node in lineage(collection, parent, key=lambda node: node.get("id"))]
        paths[cid] = "/".join(name for name in reversed(names)
                              if name and name.lower() not in DEFAULT_COLLECTIONS)
    return paths


def _link(link: dict, where: str, tag: str, pinned: set[str]) -> ParseResult:
    found = yield from checked_link(str(link.get("url") or ""), str(link.get("name") or ""), where)
    if found is None:
        return
    url, title, where = found
    date_key = "importDate" if link.get("importDate") else "createdAt"
    saved = yield from dated(link.get(date_key), date_key, where)
    tags = [tag] if tag else []
    raw_tags = link.get("tags")
    if isinstance(raw_tags, list):
        tags += raw_tags
    text = link.get("textContent")
    yield ImportItem(url=url, title=title, saved=saved, tags=tags, is_favorite=url in pinned,
                     html=html_from_text(text) if isinstance(text, str) and text.strip() else None,
                     extracted=True,
                     description=link.get("description"))


def parse(path: Path) -> ParseResult:
    """Yield an ImportItem per link of every collection; a problem naming each bad one."""
    path = Path(path)
    data = yield from json_export(path, 'expected a Linkwarden export: an object with "collections"',
                                  key="collections")
    if data is None:
        return
    collections = data["collections"]
    paths = collection_paths(collections)
    pinned_links = data.get("pinnedLinks")
    pinned = {str(p.get("url")).strip() for p in pinned_links
              if isinstance(p, dict) and p.get("url")} if isinstance(pinned_links, list) else set()
    for number, collection in enumerate(collections, start=1):
        if not isinstance(collection, dict):
            yield ImportProblem(f"{path.name} collection {number}",
                                f"expected an object, found {type(collection).__name__}")
            continue
        label = f"{path.name} collection {str(collection.get('name') or number)[:60]!r}"
        links = collection.get("links") or []
        if not isinstance(links, list):
            yield ImportProblem(label, '"links" is not a list')
            continue
        tag = paths.get(collection.get("id"), "")
        yield from each_object(links, label, "link",
                               lambda link, where, tag=tag: _link(link, where, tag, pinned))
