"""The work behind GUI actions, as plain functions run on worker threads.

Each takes the Archive and an OpContext (progress and cancel) and returns a
small record of what happened, so the window can say it in one line and
refresh only the panes that changed. Nothing here touches a widget.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.gui.ops import OpContext
from app.gui.tag_pane import STATES
from archive.base.changes import Changes
from archive.base.errors import QuireError
from archive.base.models import Article
from archive.library.collections import list_collections
from archive.library.tags import TagChange

if TYPE_CHECKING:
    from archive.library.store import Archive

#: What counts as a web address written out whole in pasted or dropped text (prose
#: that merely mentions a link is not a list of links to save).
WEB_PREFIXES = ("http://", "https://")


def is_written_address(text: str) -> bool:
    """A web address with its scheme: what a paste or a drop of text may save."""
    return text.lower().startswith(WEB_PREFIXES)


def split_items(text: str) -> list[str]:
    """Items typed or pasted into the Add box: one per line; a line of several
    web addresses separated by spaces counts as several (file paths may hold
    spaces, so other lines stay whole)."""
    items: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) > 1 and all(is_written_address(p) for p in parts):
            items.extend(parts)
        else:
            items.append(line)
    return items


@dataclass
class SaveSummary:
    saved: list[Article] = field(default_factory=list)
    duplicates: list[Article] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (item, reason)
    cancelled: bool = False
    tags: list[str] = field(default_factory=list)  # what they were saved with (for Retry)
    missing_pictures: int = 0  # pictures of the saved articles that could not be kept
    retagged: int = 0  # articles saved before that gained the tags asked for

    def changes(self) -> Changes:
        """New articles; those already saved may have gained the tags asked for."""
        return Changes(added=frozenset(a.id for a in self.saved),
                       articles=frozenset(a.id for a in self.duplicates),
                       tags=bool(self.tags), states=bool(self.saved),
                       fresh={a.id: a for a in self.duplicates})

    def message(self) -> str:
        parts = []
        if self.saved:
            parts.append(f"saved {len(self.saved)}")
        if self.duplicates:
            which = "" if self.retagged == len(self.duplicates) else f"{self.retagged} of them "
            tagged = f", {which}now tagged {', '.join(self.tags)}" if self.retagged else ""
            parts.append(f"{len(self.duplicates)} already in the archive{tagged}")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.missing_pictures:
            n = self.missing_pictures
            parts.append(f"{n} picture{'s' if n > 1 else ''} not saved (marked in the article)")
        if self.cancelled:
            parts.append("cancelled")
        text = ", ".join(parts) or "nothing saved"
        return text[0].upper() + text[1:]


def save_items(archive: Archive, items: list[str], tags: list[str], ctx: OpContext) -> SaveSummary:
    """Save URLs and files; a failure never stops the others.

    Items are classified here by the core's one rule (bulk.classify_input, as
    `quire add` does), so a typo gets a clear message at once; then they are
    handed to archive.bulk.save_many, which fetches concurrently and extracts
    on a process pool; a big batch runs wholly in a child process
    (archive.child), so the GUI process keeps its GIL for the window."""
    # on the first save, not at the window's start: bulk saving and its process pool
    # cost 10-76 ms to import (python -X importtime)
    from archive.work.bulk import classify_input, save_all
    from archive.work.child import run_job

    summary = SaveSummary(tags=list(tags))
    targets: dict[str, str] = {}  # what save_many gets -> what the user gave
    for item in items:
        try:
            _kind, target = classify_input(item)
        except QuireError as exc:
            summary.failed.append((item, str(exc)))
            continue
        targets.setdefault(target, item)
    ctx.report(0, len(targets), "")
    # a big batch runs in a child process: its threads never hold this
    # process's GIL, so the window keeps painting while it saves
    outcomes = run_job(archive, save_all, size=len(targets), progress=ctx.report,
                       cancel=ctx.cancel_event, items=list(targets), tags=list(tags))
    for target, outcome in outcomes:
        item = targets.get(target, target)
        if isinstance(outcome, Exception):
            if ctx.cancelled:
                summary.cancelled = True
                continue
            reason = (
                str(outcome)
                if isinstance(outcome, QuireError)
                else f"{type(outcome).__name__}: {outcome}"
            )
            summary.failed.append((item, reason))
        else:
            (summary.saved if outcome.created else summary.duplicates).append(outcome.article)
            summary.retagged += bool(outcome.tags_added)
            summary.missing_pictures += len(outcome.picture_problems)
    order = {item: n for n, item in enumerate(items)}
    summary.failed.sort(key=lambda failure: order.get(failure[0], len(order)))  # as typed
    return summary


@dataclass
class LibraryCounts:
    """What the tag pane shows: state counts, collections and the tag list."""

    states: dict[str, int]
    tags: list[tuple[str, int]]
    collections: list[tuple[str, int]] = field(default_factory=list)


def library_counts(archive: Archive) -> LibraryCounts:
    states = {label: archive.count(query) for label, query in STATES}
    try:
        collections = [(c.name, c.count) for c in list_collections(archive)]
    except ImportError:  # an older core without collections
        collections = []
    return LibraryCounts(states=states, tags=archive.tags(), collections=collections)


def rename_tag(archive: Archive, old: str, new: str, ctx: OpContext) -> TagChange:
    """Rename a tag on every article, its 'old/...' children with it; an
    existing `new` makes this a merge. An empty `new` deletes the tag(s).
    The work is the core's (Archive.rename_tag / delete_tag: one pass, one commit)."""
    if new:
        change = archive.rename_tag(old, new, progress=ctx.report)
    else:
        change = archive.delete_tag(old, progress=ctx.report)
    ctx.report(len(change.articles), len(change.articles), "")
    return change


@dataclass
class BulkResult:
    articles: list[Article] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    tagged: bool = False  # tags were added or removed
    stated: bool = False  # read, favourite or archived changed

    def changes(self) -> Changes:
        """What the bulk change did, for the panes."""
        return Changes.of_articles(self.articles, tags=self.tagged or bool(self.deleted),
                                   states=self.stated) | Changes(deleted=frozenset(self.deleted))


def bulk(
    archive: Archive,
    ids: list[str],
    ctx: OpContext,
    *,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    delete: bool = False,
    **state: bool | None,
) -> BulkResult:
    """Tag, untag, change state of or delete many articles, with progress."""
    add, remove = list(add), list(remove)
    changes = {k: v for k, v in state.items() if v is not None}
    result = BulkResult(tagged=bool(add or remove), stated=bool(changes))
    with archive.batch():  # one index commit for all (unbatched: ~0.1-0.2 s per article)
        for n, article_id in enumerate(ids):
            ctx.progress(n, len(ids), "")
            try:
                if delete:
                    archive.delete(article_id)
                    result.deleted.append(article_id)
                    continue
                article = None
                if add or remove:
                    article = archive.tag(article_id, add=add, remove=remove)
                if changes:
                    article = archive.set_state(article_id, **changes)
                if article is not None:
                    result.articles.append(article)
            except QuireError as exc:
                result.failed.append((article_id, str(exc)))
    ctx.progress(len(ids), len(ids), "")
    return result
