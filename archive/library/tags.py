"""Tag operations over the whole archive: rename, merge and delete.

Tags are hierarchical by name: "science/space" is a child of "science", so
renaming or deleting a tag takes its "tag/…" children with it. This module
works out *what* changes (a mapping from each stored tag name to its new name,
'' for removed) and applies it to one article's tags; Archive.rename_tag,
merge_tags and delete_tag do the change itself in one catalog transaction,
then write meta.json and the index entry of each affected article in one index
commit. Names match case-insensitively, as everywhere else in Quire.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from archive.base.changes import Changes
from archive.base.errors import NotFoundError, QuireError
from archive.base.models import Article
from archive.extraction.pages import normalize_tags


class TagNameError(QuireError):
    """A name that cannot be a tag (empty, or a comma-separated list)."""


@dataclass
class TagChange:
    """What a tag operation did: each old tag name and what it became ('' when
    removed), and the articles as they are now."""

    renamed: dict[str, str] = field(default_factory=dict)
    articles: list[Article] = field(default_factory=list)

    def changes(self) -> Changes:
        """The same as a Changes: the articles' rows and the tag list changed."""
        return Changes.of_articles(self.articles, tags=bool(self.renamed))


def clean_tag_name(name: str) -> str:
    """The one tag `name` stands for, cleaned as saved tags are; TagNameError
    for an empty name or one with a comma (which would be two tags)."""
    cleaned = normalize_tags([name])
    if len(cleaned) != 1:
        raise TagNameError(f"not a tag name: {name!r}")
    return cleaned[0]


def _family(stored: Iterable[str], name: str) -> list[str]:
    """The stored tag names that are `name` or one of its "name/…" children."""
    key = name.casefold()
    return [t for t in stored if t.casefold() == key or t.casefold().startswith(key + "/")]


def rename_mapping(stored: Iterable[str], old: str, new: str) -> dict[str, str]:
    """old -> new for the tag `old` and its children (old/x -> new/x), over the
    stored names. An empty `new` removes them. NotFoundError if no article has
    the tag `old` or a child of it."""
    old = clean_tag_name(old)
    new = clean_tag_name(new) if new else ""
    family = _family(stored, old)
    if not family:
        raise NotFoundError(f"no tag named {old!r}")
    return {t: (new + t[len(old):]) if new else "" for t in family}


def merge_mapping(stored: Iterable[str], target: str, sources: Iterable[str]) -> dict[str, str]:
    """Each source tag (with its children) becomes the target (source/x -> target/x).
    NotFoundError if a source is not a tag of any article."""
    stored = list(stored)
    target = clean_tag_name(target)
    mapping: dict[str, str] = {}
    for source in sources:
        if clean_tag_name(source).casefold() == target.casefold():
            continue  # merging a tag into itself changes nothing
        mapping.update(rename_mapping(stored, source, target))
    return mapping


def apply_mapping(tags: Iterable[str], mapping: dict[str, str]) -> list[str]:
    """An article's tags after the change: mapped names replaced (or dropped when
    mapped to ''), the rest kept; duplicates a merge makes collapse into one."""
    by_key = {old.casefold(): new for old, new in mapping.items()}
    out = [by_key.get(t.casefold(), t) for t in tags]
    return normalize_tags(t for t in out if t)
