"""What an operation changed in an archive, so a front end refreshes only that.

Modelled on Anki's OpChanges: every operation the window runs, and every change
another process makes to the archive (archive.library.watch), is described by
one `Changes`; the window announces it once and each pane looks at the fields it
shows. No pane is refreshed by hand from the places that change the archive.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from archive.base.models import Article


@dataclass(frozen=True)
class Changes:
    """One operation's changes. All fields default to "nothing changed"."""

    #: ids of articles whose row changed in place (tags, states, reading position, content)
    articles: frozenset[str] = frozenset()
    #: ids of articles that are new
    added: frozenset[str] = frozenset()
    #: ids of articles that are gone
    deleted: frozenset[str] = frozenset()
    #: tag names or their counts changed
    tags: bool = False
    #: read / favourite / archived / pending counts changed
    states: bool = False
    #: collections, or their members, changed
    collections: bool = False
    #: what searches find changed beyond the ids above (an import, a reindex, another
    #: process's index commit): results must be searched again
    found: bool = False
    #: the articles as the operation left them, where it has them (saves a read);
    #: ids of `articles` missing here are read again by whoever shows them
    fresh: Mapping[str, Article] = field(default_factory=dict, compare=False, hash=False)

    def __bool__(self) -> bool:
        return bool(self.articles or self.added or self.deleted or self.tags or self.states
                    or self.collections or self.found)

    @classmethod
    def of_articles(cls, articles: Iterable[Article], *, tags: bool = False,
                    states: bool = False) -> "Changes":
        """Rows changed in place, with the articles as written."""
        fresh = {a.id: a for a in articles}
        return cls(articles=frozenset(fresh), tags=tags, states=states, fresh=fresh)

    @property
    def listing(self) -> bool:
        """Articles came or went, or searches find something else: lists and counts of
        the whole archive are stale."""
        return bool(self.added or self.deleted or self.found)

    @property
    def counts(self) -> bool:
        """The library's counts (states, tags, collections) may differ."""
        return self.listing or self.tags or self.states or self.collections

    def touches(self, article_id: str | None) -> bool:
        """This article's row changed (or it is gone)."""
        return article_id is not None and (article_id in self.articles or article_id in self.deleted)

    def __or__(self, other: "Changes") -> "Changes":
        """Both changes at once (several operations announced together)."""
        return Changes(
            articles=(self.articles | other.articles) - (self.deleted | other.deleted),
            added=(self.added | other.added) - (self.deleted | other.deleted),
            deleted=self.deleted | other.deleted,
            tags=self.tags or other.tags,
            states=self.states or other.states,
            collections=self.collections or other.collections,
            found=self.found or other.found,
            fresh={**self.fresh, **other.fresh},
        )
