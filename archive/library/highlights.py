"""Highlights and notes: marked passages of an article, kept safe through re-extraction.

Reached as `archive.highlights` (one manager per Archive):

    mark = archive.highlights.add(article_id, start, end, color="green", note="why")
    archive.highlights.update(mark.id, note="better")
    gone = archive.highlights.delete(mark.id); archive.highlights.restore(gone)  # undo

The canonical plain text
------------------------
Offsets (start/end) count characters of `plain_text(archive, id)`:
`archive.extraction.pages.html_to_text` of the stored article.html, i.e. the
article body's text with one line per paragraph-like block, spaces collapsed, in
Unicode NFC, pictures' placeholders left out. It is the text the index holds for
an article whose extraction is certain (an uncertain one indexes the whole page,
which is why this is not `Archive.article_text`) and what `show` prints; the
reader maps it onto its own document (app/gui/highlight_paint.py).

Rules
-----
- A highlight is a non-empty range that does not begin or end in whitespace.
- Highlights never overlap: adding one that overlaps or touches others merges them
  into one (the oldest keeps its id; notes are joined, oldest first; the colour is
  the one asked for, else the oldest's).
- Where they live: the catalog's highlights table (the truth), mirrored into the
  article's meta.json "highlights" (so the files alone rebuild them), and the
  search index (text and notes). Each change is one catalog transaction that reads
  the article's highlights inside it, so another process's highlight added meanwhile
  is never lost; meta.json and the index follow from the catalog.
- When the text changes (`replace_content`: re-extraction, a pending article filled
  in), `reanchor` places each again (archive.library.anchoring); one that cannot be
  placed is kept with `unplaced` set, listed as "could not be placed", never dropped.
"""
from __future__ import annotations

import bisect
import secrets
import sqlite3
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable

from archive.base.errors import NotFoundError, QuireError
from archive.base.models import HIGHLIGHT_COLORS, Highlight
from archive.extraction.pages import html_to_text
from archive.library.anchoring import context_of, find_quote, place

if TYPE_CHECKING:
    from archive.library.store import Archive

#: A note longer than this is cut (a pasted book is not a note).
MAX_NOTE = 20_000
#: How many articles' plain texts the manager keeps parsed (the reader adds to one at a time).
_TEXT_CACHE = 16


def plain_text(archive: "Archive", article_id: str) -> str:
    """The canonical plain text highlight offsets count in (see the module docstring)."""
    return html_to_text(archive.article_html(article_id))


def check_color(color: str | None) -> str | None:
    if color is None:
        return None
    name = str(color).strip().lower()
    if name not in HIGHLIGHT_COLORS:
        raise QuireError(f"unknown highlight colour {color!r} (choose {', '.join(HIGHLIGHT_COLORS)})")
    return name


def _clean_note(note: str | None) -> str:
    text = (note or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return text[:MAX_NOTE]


def _join_notes(notes: list[str]) -> str:
    out: list[str] = []
    for note in notes:
        if note and note not in out:
            out.append(note)
    return "\n\n".join(out)[:MAX_NOTE]


def now_iso() -> str:
    """Now in UTC to the millisecond: two highlights made in one second keep their order."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _new_id() -> str:
    return secrets.token_hex(6)


@dataclass
class ReanchorReport:
    """What re-placing highlights after a text change did (summed over articles)."""

    placed: int = 0  # found again (at the same place or elsewhere)
    moved: int = 0  # of those, found somewhere else or changed (fuzzy)
    unplaced: list[str] = field(default_factory=list)  # "article id: quote…" of those not found

    @classmethod
    def unchanged(cls, marks: list[Highlight]) -> "ReanchorReport":
        """The report for an article whose text did not change."""
        return cls(placed=sum(1 for m in marks if not m.unplaced),
                   unplaced=[f"{m.article_id}: could not be placed: {_short(m.quote)}" for m in marks if m.unplaced])

    def add(self, other: "ReanchorReport") -> None:
        self.placed += other.placed
        self.moved += other.moved
        self.unplaced.extend(other.unplaced)

    def summary(self) -> str:
        text = f"highlights: {self.placed} re-anchored"
        if self.moved:
            text += f" ({self.moved} moved)"
        text += f", {len(self.unplaced)} could not be placed"
        return text


def _short(quote: str, n: int = 60) -> str:
    quote = " ".join(quote.split())
    return quote if len(quote) <= n else quote[:n - 1] + "…"


def reanchor(marks: list[Highlight], text: str, *, when: str | None = None) -> tuple[list[Highlight], list[str], ReanchorReport]:
    """Place `marks` (one article's) in its new `text`. Returns (marks to write, ids to
    drop because they merged into another, report). Pure: no IO.

    Oldest first; two that land on each other (a passage that was there twice, now
    once) merge into the older, as adding would. The placed ones are kept sorted by
    start, so each overlap check is a bisection, not a scan: an article with
    thousands of highlights re-anchors in linear time."""
    report = ReanchorReport()
    starts: list[int] = []  # the placed highlights' starts, sorted (they never overlap)
    by_start: dict[int, Highlight] = {}
    out: dict[str, Highlight] = {}
    dropped: list[str] = []
    for mark in sorted(marks, key=lambda m: (m.created, m.id)):
        spot = place(text, mark.quote, mark.prefix, mark.suffix, mark.start, mark.end)
        if spot is None:
            if not mark.unplaced:
                mark = replace(mark, unplaced=True)
            out[mark.id] = mark
            report.unplaced.append(f"{mark.article_id}: could not be placed: {_short(mark.quote)}")
            continue
        quote, prefix, suffix = context_of(text, spot.start, spot.end)
        if (spot.start, spot.end) != (mark.start, mark.end) or quote != mark.quote:
            report.moved += 1
        mark = replace(mark, start=spot.start, end=spot.end, quote=quote, prefix=prefix, suffix=suffix,
                       unplaced=False)
        report.placed += 1
        while True:  # merge with every placed one it touches (the older one's id stays)
            i = bisect.bisect_right(starts, mark.end) - 1
            other = by_start[starts[i]] if i >= 0 else None
            if other is None or other.end < mark.start:
                break
            del starts[i]
            del by_start[other.start]
            lo, hi = min(other.start, mark.start), max(other.end, mark.end)
            quote, prefix, suffix = context_of(text, lo, hi)
            older, newer = sorted((other, mark), key=lambda m: (m.created, m.id))
            merged = replace(older, start=lo, end=hi, quote=quote, prefix=prefix, suffix=suffix,
                             note=_join_notes([older.note, newer.note]), updated=when or older.updated)
            dropped.append(newer.id)
            out.pop(newer.id, None)
            mark = merged
        bisect.insort(starts, mark.start)
        by_start[mark.start] = mark
        out[mark.id] = mark
    return list(out.values()), dropped, report


class Highlights:
    """The highlights of one Archive (see the module docstring). Thread-safe."""

    def __init__(self, archive: "Archive") -> None:
        self._archive = archive
        self._texts: OrderedDict[str, tuple[tuple[int, int], str]] = OrderedDict()
        self._texts_lock = threading.Lock()

    # -- reading ------------------------------------------------------------------
    def text(self, article_id: str) -> str:
        """The article's canonical plain text, parsed once per version of its file."""
        path = self._archive.layout.article_file(article_id)
        try:
            st = path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = (0, 0)
        with self._texts_lock:
            hit = self._texts.get(article_id)
            if hit is not None and hit[0] == stamp:
                self._texts.move_to_end(article_id)
                return hit[1]
        text = plain_text(self._archive, article_id) if stamp != (0, 0) else ""
        with self._texts_lock:
            self._texts[article_id] = (stamp, text)
            while len(self._texts) > _TEXT_CACHE:
                self._texts.popitem(last=False)
        return text

    def list(self, article_id: str | None = None) -> list[Highlight]:
        """One article's highlights in text order (unplaced last), or every highlight,
        newest first."""
        catalog = self._archive.catalog
        return catalog.highlights_of(article_id) if article_id else catalog.all_highlights()

    def get(self, highlight_id: str) -> Highlight:
        return self._archive.catalog.highlight(highlight_id)

    # -- writing ------------------------------------------------------------------
    def _commit(self, article_id: str, change: Callable[[sqlite3.Connection, list[Highlight]], Highlight | None]
                ) -> Highlight | None:
        """Run `change` on the article's current highlights inside one write transaction
        (read inside the write: another process's change meanwhile is kept), then mirror
        the result into meta.json and the index."""
        archive = self._archive
        catalog = archive.catalog
        with archive.commit_lock:
            with catalog.transaction() as db:
                if db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is None:
                    raise NotFoundError(f"no article with id {article_id!r}")
                result = change(db, catalog.highlights_of(article_id, db))
                catalog.queue_for_index([article_id], db)
            archive.mirror(catalog.get(article_id), searchable=True)
        return result

    def _merge_in(self, db: sqlite3.Connection, marks: list[Highlight], text: str, start: int, end: int, *,
                  color: str | None, note: str, keep: Highlight | None = None,
                  reach: tuple[int, int] | None = None) -> Highlight:
        """Write a highlight over [start, end), merged with every placed one it overlaps
        or touches (within `reach`, the selection before its spaces were trimmed).
        `keep` is a highlight coming back (undo): its id and times stay."""
        lo, hi = reach or (start, end)
        touching = [m for m in marks if not m.unplaced and m.start <= hi and m.end >= lo
                    and (keep is None or m.id != keep.id)]
        now = now_iso()
        group = sorted(touching + ([keep] if keep is not None else []), key=lambda m: (m.created, m.id))
        if group:
            start = min([start, *(m.start for m in touching)])
            end = max([end, *(m.end for m in touching)])
        oldest = group[0] if group else None
        notes = [m.note for m in group]  # oldest first
        quote, prefix, suffix = context_of(text, start, end)
        mark = Highlight(
            id=oldest.id if oldest else _new_id(), article_id=(oldest.article_id if oldest else ""),
            quote=quote, prefix=prefix, suffix=suffix, start=start, end=end,
            color=color or (oldest.color if oldest else HIGHLIGHT_COLORS[0]),
            note=_join_notes([*notes, note]),
            created=oldest.created if oldest else now, updated=now, unplaced=False)
        catalog = self._archive.catalog
        catalog.drop_highlights([m.id for m in touching if m.id != mark.id], db)
        return mark

    def add(self, article_id: str, start: int, end: int, *, color: str | None = None,
            note: str | None = None) -> Highlight:
        """Highlight text[start:end] of the article's canonical plain text (trimmed of
        surrounding whitespace); merges with highlights it overlaps or touches."""
        color = check_color(color)
        note = _clean_note(note)
        text = self.text(article_id)
        start, end = max(0, int(start)), min(len(text), int(end))
        reach = (start, end)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end <= start:
            self._archive.get(article_id)  # NotFoundError first
            raise QuireError("nothing to highlight: the selection holds no text of the article")

        def change(db: sqlite3.Connection, marks: list[Highlight]) -> Highlight:
            mark = self._merge_in(db, marks, text, start, end, color=color, note=note, reach=reach)
            mark.article_id = article_id
            self._archive.catalog.put_highlight(mark, db)
            return mark

        return self._commit(article_id, change)  # type: ignore[return-value]

    def add_quote(self, article_id: str, quote: str, *, color: str | None = None,
                  note: str | None = None, created: str | None = None) -> Highlight:
        """Highlight a quoted passage (scripts, importers): found exactly, else with any
        spacing or case, else fuzzily. In a pending article (no text yet) it is kept
        unplaced and placed when the content arrives. QuireError when the article's
        text does not contain it."""
        quote = " ".join(str(quote or "").split())
        if not quote:
            raise QuireError("the quote is empty")
        article = self._archive.get(article_id)
        if article.status != "saved":
            color = check_color(color)
            now = now_iso()
            mark = Highlight(id=_new_id(), article_id=article_id, quote=quote, start=0, end=0,
                             color=color or HIGHLIGHT_COLORS[0], note=_clean_note(note),
                             created=created or now, updated=now, unplaced=True)

            def keep(db: sqlite3.Connection, marks: list[Highlight]) -> Highlight:
                existing = next((m for m in marks if m.quote == quote), None)
                if existing is not None:
                    return existing
                self._archive.catalog.put_highlight(mark, db)
                return mark

            return self._commit(article_id, keep)  # type: ignore[return-value]
        spot = find_quote(self.text(article_id), quote)
        if spot is None:
            raise QuireError(f"{article_id}: the article's text does not contain {_short(quote)!r}")
        mark = self.add(article_id, spot[0], spot[1], color=color, note=note)
        if isinstance(created, str) and created and created < mark.created:
            mark = self._set(mark.id, lambda m: replace(m, created=created), touch=False)
        return mark

    def _set(self, highlight_id: str, edit: Callable[[Highlight], Highlight], *, touch: bool = True) -> Highlight:
        article_id = self.get(highlight_id).article_id

        def change(db: sqlite3.Connection, marks: list[Highlight]) -> Highlight:
            current = next((m for m in marks if m.id == highlight_id), None)
            if current is None:  # removed meanwhile (another window)
                raise NotFoundError(f"no highlight with id {highlight_id!r}")
            mark = edit(current)
            if touch:
                mark = replace(mark, updated=now_iso())
            self._archive.catalog.put_highlight(mark, db)
            return mark

        return self._commit(article_id, change)  # type: ignore[return-value]

    def update(self, highlight_id: str, *, color: str | None = None, note: str | None = None) -> Highlight:
        """Recolour a highlight or change its note (None: left as it is)."""
        color = check_color(color)
        return self._set(highlight_id, lambda m: replace(
            m, color=color or m.color, note=m.note if note is None else _clean_note(note)))

    def delete(self, highlight_id: str) -> Highlight:
        """Remove a highlight; returns it, so `restore` can undo the removal."""
        mark = self.get(highlight_id)

        def change(db: sqlite3.Connection, marks: list[Highlight]) -> Highlight:
            self._archive.catalog.drop_highlights([highlight_id], db)
            return mark

        self._commit(mark.article_id, change)
        return mark

    def restore(self, mark: Highlight) -> Highlight:
        """Put back a removed highlight (undo), with its id, note and times; placed again
        if the text changed meanwhile, merged if another now covers the same words."""
        text = self.text(mark.article_id)

        def change(db: sqlite3.Connection, marks: list[Highlight]) -> Highlight:
            spot = place(text, mark.quote, mark.prefix, mark.suffix, mark.start, mark.end)
            if spot is None:
                back = replace(mark, unplaced=True)
            else:
                back = self._merge_in(db, [m for m in marks if m.id != mark.id], text, spot.start, spot.end,
                                      color=mark.color, note="", keep=mark)
                back.article_id = mark.article_id
                if back.id == mark.id:
                    back = replace(back, created=mark.created, updated=mark.updated, color=mark.color)
            self._archive.catalog.put_highlight(back, db)
            return back

        return self._commit(mark.article_id, change)  # type: ignore[return-value]

    def put_exact(self, article_id: str, marks: list[Highlight]) -> ReanchorReport:
        """Restore highlights as another archive had them (Quire JSON import): ids, times,
        colours and notes kept, each placed in this copy's text (exactly where it was
        when the text is the same)."""
        text = self.text(article_id)
        saved = self._archive.get(article_id).status == "saved"
        report = ReanchorReport()

        def change(db: sqlite3.Connection, current: list[Highlight]) -> None:
            nonlocal report
            known = {m.id for m in current}
            incoming = [replace(m, article_id=article_id) for m in marks if m.id not in known]
            if saved:
                placed, dropped, report = reanchor([*current, *incoming], text)
            else:
                placed, dropped = [*current, *[replace(m, unplaced=True) for m in incoming]], []
            self._archive.catalog.drop_highlights(dropped, db)
            for m in placed:
                self._archive.catalog.put_highlight(m, db)

        self._commit(article_id, change)
        return report

    def reanchor_in(self, db: sqlite3.Connection, article_id: str, text: str) -> ReanchorReport:
        """Inside the caller's transaction (replace_content): place the article's
        highlights in its new text."""
        catalog = self._archive.catalog
        marks = catalog.highlights_of(article_id, db)
        if not marks:
            return ReanchorReport()
        placed, dropped, report = reanchor(marks, text, when=now_iso())
        catalog.drop_highlights(dropped, db)
        for m in placed:
            catalog.put_highlight(m, db)
        return report


#: A query finds at most this many articles whose highlights are listed.
MAX_QUERY_ARTICLES = 100_000


def matching(archive: "Archive", query: str = "", *, color: str | None = None) -> list[Highlight]:
    """Highlights for the CLI's `highlights QUERY` and the Highlights view, newest first.

    Without a query: all of them. With one: the highlights of the articles the search
    finds; of an article whose highlights hold the query's words (in the quote or the
    note), only those highlights; of one found otherwise (its title, a tag, a date),
    all of its highlights."""
    # Imported on first use, as in Archive.search_full: the query language, snippets
    # and the block scorer cost 60-160 ms to import (python -X importtime main.py list)
    from archive.search.engine import run_search
    from archive.search.query import parse_query
    from archive.search.snippets import find_matches, highlight_for

    color = check_color(color)
    marks = archive.highlights.list()
    if color:
        marks = [m for m in marks if m.color == color]
    query = (query or "").strip()
    if not query or not marks:
        return marks
    found = {h.id for h in run_search(archive, query, limit=MAX_QUERY_ARTICLES, snippets=False,
                                      suggest=False).hits}
    with archive.index.searcher() as searcher:
        words = highlight_for(searcher, parse_query(query).query)
    marks = [m for m in marks if m.article_id in found]
    if not words:
        return marks
    hit = {m.id for m in marks if find_matches(m.quote, words) or (m.note and find_matches(m.note, words))}
    with_hits = {m.article_id for m in marks if m.id in hit}
    return [m for m in marks if m.id in hit or m.article_id not in with_hits]
