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
    check_url,
    date_or_problem,
    folder_tag,
    html_from_text,
    link_title,
)
from archive.interchange.importers.jsonfile import load_json

#: Linkwarden's default collection, which every new account has.
DEFAULT_COLLECTIONS = {"unorganized"}


def collection_paths(collections: list[Any]) -> dict[object, str]:
    """Each collection id's hierarchical tag ("Parent/Child"), following parentId; a cycle
    or a missing parent ends the path where it is."""
    by_id = {c.get("id"): c for c in collections if isinstance(c, dict)}
    paths: dict[object, str] = {}
    for cid, collection in by_id.items():
        names: list[str] = []
        seen: set[object] = set()
        node: dict | None = collection
        while node is not None and node.get("id") not in seen:
            seen.add(node.get("id"))
            name = folder_tag(node.get("name")).replace("/", "-")
            if name and name.lower() not in DEFAULT_COLLECTIONS:
                names.append(name)
            parent = node.get("parentId")
            node = by_id.get(parent) if parent is not None else None
        paths[cid] = "/".join(reversed(names))
    return paths


def _link(link: dict, where: str, tag: str, pinned: set[str]) -> ParseResult:
    url = str(link.get("url") or "").strip()
    title = link_title(str(link.get("name") or ""), url)
    if title:
        where += f" ({title[:60]})"
    problem = check_url(url)
    if problem:
        yield ImportProblem(where, problem)
        return
    problems: list[ImportProblem] = []
    date_key = "importDate" if link.get("importDate") else "createdAt"
    saved = date_or_problem(link.get(date_key), date_key, where, problems)
    yield from problems
    tags = [tag] if tag else []
    raw_tags = link.get("tags")
    if isinstance(raw_tags, list):
        tags += raw_tags
    text = link.get("textContent")
    description = link.get("description")
    yield ImportItem(url=url, title=title, saved=saved, tags=tags, is_favorite=url in pinned,
                     html=html_from_text(text) if isinstance(text, str) and text.strip() else None,
                     extracted=True,
                     description=description if isinstance(description, str) else None)


def parse(path: Path) -> ParseResult:
    """Yield an ImportItem per link of every collection; a problem naming each bad one."""
    path = Path(path)
    problems: list[ImportProblem] = []
    data = load_json(path, problems)
    yield from problems
    if data is None:
        return
    collections = data.get("collections") if isinstance(data, dict) else None
    if not isinstance(collections, list):
        yield ImportProblem(path.name, 'expected a Linkwarden export: an object with "collections"')
        return
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
        for link_number, link in enumerate(links, start=1):
            where = f"{label} link {link_number}"
            if not isinstance(link, dict):
                yield ImportProblem(where, f"expected an object, found {type(link).__name__}")
                continue
            yield from _link(link, where, paths.get(collection.get("id"), ""), pinned)
