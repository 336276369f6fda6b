"""The Whoosh full-text index: derived data, rebuilt from the archive by `reindex`.

Whoosh allows one writer per index. Every write in this process goes through
`SearchIndex`'s lock, and the writer waits (rather than failing with LockError)
while another process — the GUI beside a CLI command — holds the lock.
Searchers are refreshed after each commit, so a save is searchable at once.

Layout choices, for speed (bench/search.py measures them):
- words go through one fast analyzer (`WordAnalyzer`: words as WORD_RE cuts them, lower-cased,
  accent-folded, Porter2 (Snowball English) stemmed, with a cache) instead of Whoosh's chain of
  generator filters, and `WordText.index` builds postings without Token objects;
- the article text is not stored in Whoosh: it lives compressed in a
  `TextStore` beside the index, read only for the snippets of the rows shown;
- the words are indexed twice: `content` with positions (phrases, Whoosh's own
  queries) and `words` without (`WordCounts`: document ids and counts only).
  A posting block of `content` holds the positions of all its documents, so
  ranking a common word by it decompresses and unpickles kilobytes of
  positions it never looks at; the block scorer (topn.py) and the counts read
  the small `words` blocks instead, with `content`'s statistics, so the
  scores are the same;
- the frequent terms of each segment are also written flat, uncompressed
  (archive/dense.py): phrases with a common word, and ranking a common word,
  read them with numpy instead of a Python loop over posting blocks.
"""
from __future__ import annotations

import re
import threading
from collections import Counter
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import urlsplit

# first: checks the installed Whoosh, and keeps it from copying the index into RAM
from archive.search import whoosh_internals  # noqa: F401
from whoosh import index as windex
from whoosh.analysis import LowercaseFilter, RegexTokenizer, Token
from whoosh.analysis.analyzers import Analyzer
from whoosh.analysis import CharsetFilter
from whoosh.fields import DATETIME, ID, KEYWORD, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.formats import Existence
from whoosh.lang.porter2 import stem as porter_stem
from whoosh.support.charset import accent_map
from whoosh.writing import CLEAR, MERGE_SMALL, NO_MERGE

from archive.base import media
from archive.base.errors import ArchiveError
from archive.capture.urls import strip_tracking
from archive.extraction.htmlparse import composed
from archive.search.whoosh_internals import FastSegmentWriter, listed_segments
from archive.search.phrases import ArrayPositions, encode_positions, pair_terms
from archive.search.scoring import FastBM25F
from archive.search.textstore import TextStore
from archive.search.verify import verify_index

#: Han ideographs (with their iteration marks) and hiragana: scripts written
#: without spaces between words. Each such character is a word of its own, as in
#: Unicode's word-break rules (UAX #29), and a query word written in them is
#: searched as a phrase of its characters (WordText.multitoken_query), so 東京
#: finds "東京の寿司" and so does 寿司. Katakana and Hangul runs stay whole words.
SPACELESS_CHARS = "\u3005-\u3007\u3040-\u309f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
#: One character of those scripts.
SPACELESS_CHAR = re.compile(f"[{SPACELESS_CHARS}]")
#: A word: one character of those scripts, or a run of other word characters.
WORD_RE = re.compile(rf"[{SPACELESS_CHARS}]|[^\W{SPACELESS_CHARS}]+")
#: The same on text without such characters (the common case, and faster).
_PLAIN_WORD_RE = re.compile(r"\w+")

#: Whoosh's accent_map, plus letters it folds wrongly or not at all: ß is "ss"
#: (it gave "s", so "strasse" missed "Straße"), ё is е (Russian prints ёлка and
#: елка for one word), æ and œ are "ae" and "oe" (œuvre, oeuvre).
FOLD_MAP: dict[int, str] = {**accent_map, ord("ß"): "ss", ord("ẞ"): "ss", ord("ё"): "е",
                            ord("Ё"): "е", ord("æ"): "ae", ord("Æ"): "ae", ord("œ"): "oe",
                            ord("Œ"): "oe"}

_TERM_CACHE: dict[str, str] = {}
_CACHE_MAX = 500_000


def word_pattern(text: str) -> re.Pattern[str]:
    """The word regex for `text`: WORD_RE, or the plain one when `text` has no
    characters of the scripts written without spaces (a C-speed check)."""
    return WORD_RE if SPACELESS_CHAR.search(text) else _PLAIN_WORD_RE


def word_term(word: str) -> str:
    """The index term of one word: lower-cased, accent-folded, stemmed (cached:
    a text repeats its words, and stemming is the costly step)."""
    term = _TERM_CACHE.get(word)
    if term is None:
        if len(_TERM_CACHE) > _CACHE_MAX:
            _TERM_CACHE.clear()
        term = porter_stem(word.lower().translate(FOLD_MAP))
        _TERM_CACHE[word] = term
    return term


def fold(word: str) -> str:
    """Lower-cased and accent-folded, not stemmed (prefixes, spelling)."""
    return word.lower().translate(FOLD_MAP)


def text_terms(text: str) -> list[str]:
    """The terms of a text in order (one per word); a cached word costs a dict
    lookup, not a function call."""
    get = _TERM_CACHE.get
    text = composed(text)
    return [get(w) or word_term(w) for w in word_pattern(text).findall(text)]


class WordAnalyzer(Analyzer):
    """Words (WORD_RE), lower-cased, accent-folded (FOLD_MAP) and stemmed, in one
    generator.

    Same terms as StemmingAnalyzer | CharsetFilter(FOLD_MAP) without a stop
    list, several times faster; the query parser and highlighting use it too,
    so query terms always match indexed terms.
    """

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "", **kwargs: Any):
        no_morph = kwargs.pop("no_morph", False) or kwargs.pop("nomorph", False)
        convert = fold if no_morph else word_term
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        value = composed(value)  # character offsets are into the composed text
        # Untokenized, the whole value is the one word (and always keeps its original).
        words = (((m.group(), m.start(), m.end()) for m in word_pattern(value).finditer(value)) if tokenize
                 else ((value, 0, len(value)),))
        keeporiginal = keeporiginal or not tokenize
        for i, (word, start, end) in enumerate(words):
            t.text = convert(word)
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = word
            if positions:
                t.pos = start_pos + i
            if chars:
                t.startchar, t.endchar = start_char + start, start_char + end
            yield t


class WordText(TEXT):
    """A TEXT field whose postings are built straight from `text_terms`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(analyzer=WordAnalyzer(), phrase=True, **kwargs)
        self.format = ArrayPositions(field_boost=self.format.field_boost)
        # a query "word" that is several words to the index (東京, e-mail, don't)
        # must find them together, in that order
        self.multitoken_query = "phrase"

    def index(self, value: str | list[str], **kwargs: Any):
        """Postings of a text, or of its terms when `make_document` analysed it already."""
        terms = text_terms(value) if isinstance(value, str) else value
        poses: dict[str, list[int]] = {}
        for pos, term in enumerate(terms):
            found = poses.get(term)
            if found is None:
                poses[term] = [pos]
            else:
                found.append(pos)
        boost = self.format.field_boost
        for term, poslist in poses.items():
            yield term.encode("utf-8"), len(poslist), len(poslist) * boost, encode_positions(poslist)


class PairText(TEXT):
    """Adjacent pairs of common words ("of the") with positions: see archive/phrases.py."""

    def __init__(self) -> None:
        super().__init__(analyzer=WordAnalyzer(), phrase=True)
        self.format = ArrayPositions(field_boost=self.format.field_boost)

    def index(self, value: str | list[str], **kwargs: Any):
        terms = text_terms(value) if isinstance(value, str) else value
        for term, poslist in pair_terms(terms).items():
            yield term.encode("utf-8"), len(poslist), float(len(poslist)), encode_positions(poslist)


class WordCounts(TEXT):
    """The terms of `content` without positions: one posting (document, count) per
    term, with no value bytes (see the module doc). Not scorable on its own: it
    has no length column; the block scorer scores its postings with `content`'s
    statistics."""

    #: FastSegmentWriter copies content's postings (ids and weights) instead of
    #: analysing the text again; `index` is for Whoosh's own writers
    mirror_of = "content"

    def __init__(self) -> None:
        super().__init__(analyzer=WordAnalyzer(), phrase=False)
        self.format = Existence()  # fixed-size (empty) values: a block is ids + weights
        self.scorable = False

    def index(self, value: str | list[str], **kwargs: Any):
        terms = text_terms(value) if isinstance(value, str) else value
        for term, count in Counter(terms).items():
            yield term.encode("utf-8"), count, float(count), b""


#: Names (sites, authors, URLs): split on anything but letters/digits/dots, no stemming.
NAME_ANALYZER = RegexTokenizer(r"[\w.]+|\w+") | LowercaseFilter() | CharsetFilter(FOLD_MAP)
PLAIN_ANALYZER = RegexTokenizer(r"\w+") | LowercaseFilter() | CharsetFilter(FOLD_MAP)

#: Bumped when the index layout changes: an index of another version is rebuilt.
#: 9: frequent terms' flat postings beside each segment (archive/dense.py); an
#: index without them works, but its big segments would stay slow until merged.
#: 10: each Han/hiragana character is a word; ß→ss, ё→е, æ→ae, œ→oe; composed (NFC) text.
#: 11: highlights and notes (`highlight`, `note` word fields; `has`: highlights, notes).
INDEX_VERSION = 11
VERSION_FILE = "quire-index-version"
#: During bulk work, commit at least this often (documents, seconds).
BATCH_DOCS = 500
BATCH_SECONDS = 5.0
#: Segments that quick commits (`flush(quick=True)`) may leave unmerged before one
#: of them merges anyway: searching many small segments slows every query.
MAX_UNMERGED_SEGMENTS = 16


def merge_when_crowded(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy for a commit someone is waiting for (a connector save is
    answered only once it can be found): merge nothing unless segments pile up.

    Whoosh's MERGE_SMALL rewrites every small segment's postings in Python, so a
    commit that merges takes 10-50 times longer than one that does not (545 ms
    against 50-90 ms, 50 pages saved at once); `merge_small()` does it later, idle."""
    if len(segments) < MAX_UNMERGED_SEGMENTS:
        return NO_MERGE(writer, segments)
    return MERGE_SMALL(writer, segments)


def make_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        title=WordText(stored=True, field_boost=2.0),
        content=WordText(),
        words=WordCounts(),  # content's terms without positions: fast ranking and counts
        pairs=PairText(),
        author=TEXT(analyzer=PLAIN_ANALYZER),
        site=TEXT(analyzer=NAME_ANALYZER),
        site_name=ID(),  # the site's display name, exactly: facet counts
        url=TEXT(analyzer=NAME_ANALYZER),
        tag=KEYWORD(commas=True, lowercase=True),
        lang=ID(),
        saved=DATETIME(sortable=True),
        published=DATETIME(sortable=True),
        # `is:` states: read unread favorite archived uncertain pending
        **{"is": KEYWORD()},
        collection=KEYWORD(commas=True, lowercase=True),
        # highlights' quotes and notes (archive/library/highlights.py): highlight:, note:;
        # `has:` highlights / notes
        highlight=WordText(),
        note=WordText(),
        has=KEYWORD(),
    )


def _schema_signature(schema: Schema) -> dict[str, str]:
    return {name: type(schema[name]).__name__ for name in schema.names()}


def parse_iso(value: str | None) -> datetime | None:
    """ISO 8601 to a naive UTC datetime, as Whoosh's DATETIME wants; None if unparseable."""
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt


class IndexDamagedError(ArchiveError):
    """A search met garbage inside the index (a damaged segment or text store)."""


#: How long a writer waits for another process's lock before giving up (seconds).
WRITER_TIMEOUT = 300.0


class SearchIndex:
    """Owns the index folder: writing (serialized), the text store, a shared searcher."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        """Open (or create) the index in `path`. A missing, damaged or outdated index
        is derived data: wiped and made anew (`was_rebuilt`), but never because of an
        I/O error that is not damage (a full disk, read-only media, a locked file:
        those are raised, and the index is left as it is). `read_only` writes nothing:
        an index that cannot be used as it stands is left `unavailable` (the reason)."""
        self.path = Path(path)
        self.read_only = read_only
        #: why searching cannot work (a read-only archive with an outdated index), or None
        self.unavailable: str | None = None
        self._write_lock = threading.RLock()
        self._read_lock = threading.RLock()
        self._batch_depth = 0
        self._pending_docs: list[dict[str, Any]] = []
        self._pending_deletes: list[str] = []
        self.was_rebuilt = False
        self._last_flush = time.monotonic()
        # Commits land in the order their documents were taken from the pending
        # lists: each flush takes a ticket under the write lock, then writes in turn
        # without it, so other threads keep adding while a batch is written.
        self._turn = threading.Condition()
        self._next_ticket = 0
        self._serving = 0
        self._facet_cache: tuple[Any, dict[str, dict[str, frozenset[int]]]] | None = None
        if read_only:
            self._open_read_only()
            return
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(f"cannot create the search index folder {self.path}: {exc}") from exc
        try:
            if windex.exists_in(str(self.path)):
                self.ix = windex.open_dir(str(self.path))
                if (_schema_signature(self.ix.schema) != _schema_signature(make_schema())
                        or self._version() != INDEX_VERSION):
                    raise ValueError("index schema is out of date")
            else:
                self._wipe()  # a text store without an index is stale
                self._create()
        except (OSError, ValueError, EOFError, KeyError, AttributeError, ImportError,
                windex.IndexError) as exc:
            if media.is_io_trouble(exc):
                raise  # not damage: wiping would lose a sound index (and fill the disk again)
            # A missing, corrupted or outdated index is derived data: start a
            # fresh one; the archive notices `was_rebuilt` and reindexes.
            self._wipe()
            try:
                self._create()
            except OSError as exc2:
                if media.is_io_trouble(exc2):
                    raise
                raise ArchiveError(f"cannot create the search index in {self.path}: {exc2}") from exc
        self.texts = TextStore(self.path)
        self._searcher = self.ix.searcher(weighting=FastBM25F())

    def _open_read_only(self) -> None:
        """The index as it stands, written to in no way; an empty one in memory (and
        `unavailable` set) when it cannot be used without rebuilding it."""
        try:
            if not windex.exists_in(str(self.path)):
                raise ValueError("there is no search index")
            self.ix = windex.open_dir(str(self.path), readonly=True)
            if (_schema_signature(self.ix.schema) != _schema_signature(make_schema())
                    or self._version() != INDEX_VERSION):
                raise ValueError("the search index was made by another version of Quire")
        except Exception as exc:  # noqa: BLE001 - whatever it is, it cannot be rebuilt here
            self.unavailable = (f"searching is not possible: {exc} and the archive cannot be written "
                                "to rebuild it")
            self.ix = RamStorage().create_index(make_schema())
        self.texts = TextStore(self.path, read_only=True)
        self._searcher = self.ix.searcher(weighting=FastBM25F())

    def _create(self) -> None:
        self.ix = windex.create_in(str(self.path), make_schema())
        (self.path / VERSION_FILE).write_text(str(INDEX_VERSION))
        self.was_rebuilt = True

    def _version(self) -> int:
        try:
            return int((self.path / VERSION_FILE).read_text().strip())
        except (OSError, ValueError):
            return 0

    def _wipe(self) -> None:
        for child in self.path.iterdir():
            if child.is_file():
                try:
                    child.unlink()
                except OSError:
                    pass

    # -- writing -----------------------------------------------------------------
    @property
    def write_lock(self) -> threading.RLock:
        """Held around add/flush; the archive holds it to pair an add with its bookkeeping."""
        return self._write_lock

    @property
    def in_batch(self) -> bool:
        return self._batch_depth > 0

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group many writes into few commits (bulk saves, imports, reindex).

        The lock is not held while the batch runs: worker threads add documents
        to it concurrently, and they are committed every few hundred documents
        or seconds and when the outermost batch ends.
        """
        with self._write_lock:
            self._batch_depth += 1
        try:
            yield
        finally:
            with self._write_lock:
                self._batch_depth -= 1
                if self._batch_depth == 0:
                    self.flush()

    def add(self, doc: dict[str, Any]) -> None:
        """Add or replace the document of one article (a `make_document` dict).

        Outside a batch it is committed at once. Inside one it waits for the
        next commit: call `flush_if_due` afterwards, without holding the write
        lock, so the commit does not hold up the other threads' adds.
        """
        with self._write_lock:
            self._pending_deletes = [d for d in self._pending_deletes if d != doc["id"]]
            self._pending_docs = [d for d in self._pending_docs if d["id"] != doc["id"]]
            self._pending_docs.append(doc)
            if self._batch_depth == 0:
                self.flush()

    def flush_if_due(self) -> None:
        """Commit the pending batch if it is big or old enough (bulk work calls this
        after each add, outside the write lock)."""
        with self._write_lock:
            due = (len(self._pending_docs) >= BATCH_DOCS
                   or (self._pending_docs and time.monotonic() - self._last_flush > BATCH_SECONDS))
            if due:
                self._last_flush = time.monotonic()  # others need not flush it too
        if due:
            self.flush()

    def delete(self, article_id: str) -> None:
        with self._write_lock:
            self._pending_docs = [d for d in self._pending_docs if d["id"] != article_id]
            self._pending_deletes.append(article_id)
            if self._batch_depth == 0:
                self.flush()

    def writer(self, timeout: float = WRITER_TIMEOUT):
        """Whoosh's writer, waiting up to `timeout` seconds for another process's lock
        (LockError after that)."""
        from whoosh.util.filelock import try_for

        # The lock is taken here rather than by the writer, so that a writer that fails
        # to start (no room for its first files) lets go of it: the half-made writer
        # kept it, and every later write of this process waited for it in vain.
        lock = self.ix.lock("WRITELOCK")
        if not try_for(lock.acquire, timeout=timeout, delay=0.05):
            raise windex.LockError(f"the search index {self.path} stayed locked by another process")
        try:
            writer = FastSegmentWriter(self.ix, _lk=False)
        except BaseException:
            lock.release()
            raise
        writer.writelock = lock
        return writer

    @contextmanager
    def _in_turn(self) -> Iterator[tuple[list, list]]:
        """Take what is pending (under the write lock, briefly) and a place in the
        commit order, then wait until every earlier commit has landed. Yields the
        taken (docs, deletes). The write lock is not needed while waiting, so a
        caller that holds it cannot deadlock with a commit in progress."""
        with self._write_lock:
            taken = (self._pending_docs, self._pending_deletes)
            self._pending_docs, self._pending_deletes = [], []
            ticket = self._next_ticket
            self._next_ticket += 1
        with self._turn:
            while self._serving != ticket:
                self._turn.wait()
        try:
            yield taken
        finally:
            with self._turn:
                self._serving += 1
                self._turn.notify_all()

    def flush(self, *, quick: bool = False) -> None:
        """Commit what is pending, waiting for another process's writer if need be.

        Returns once everything added before the call is committed (earlier
        flushes still being written included). quick: merge no segments unless
        they pile up (`merge_when_crowded`): for a commit a person waits for; call
        `merge_small()` once the hurry is over."""
        self._commit(merge_when_crowded if quick else MERGE_SMALL, forced=False)

    def merge_small(self) -> None:
        """Merge small segments (Whoosh's MERGE_SMALL), committing anything pending
        too: the tidy-up after quick commits, when nobody is waiting. With nothing
        pending and another writer at work (a bulk save beside), it does nothing:
        that writer's commits merge them, and waiting for it could hold up a close."""
        self._commit(MERGE_SMALL, forced=True)

    def _commit(self, mergetype: Any, *, forced: bool) -> None:
        with self._in_turn() as (docs, deletes):
            if not docs and not deletes:
                if not forced or len(listed_segments(self.ix)) < 2:
                    return
                try:
                    writer = self.writer(timeout=0)
                except windex.LockError:
                    return
            else:
                writer = self.writer()
            try:
                # the text store is written under the index lock too, so two
                # processes' writes land in the same order in both
                self.texts.delete_many(deletes)
                self.texts.put_many((doc["id"], doc.get("_text", "")) for doc in docs)
                for aid in deletes:
                    writer.delete_by_term("id", aid)
                for doc in docs:
                    writer.update_document(**doc)
                writer.commit(mergetype=mergetype)
            except BaseException:
                self.abandon(writer)
                raise
            self._last_flush = time.monotonic()
            self.refresh()

    def abandon(self, writer: Any) -> None:
        """After a failed write or commit (a full disk): release the writer's lock and
        temporary folder and remove the files of the segment it was writing, unless
        the table of contents on disk lists it (the commit got that far). A failed
        commit left its lock held (every later write waited for it) and its partial
        segment files behind, more with each attempt."""
        segment = getattr(writer, "newsegment", None)
        name = segment.segment_id() if segment is not None else None
        writer.release()
        if not name:
            return
        try:
            listed = listed_segments(self.ix)
        except Exception:  # noqa: BLE001 - cannot tell: keep the files
            return
        if name in listed:
            return
        for f in self.path.glob(f"{name}.*"):
            try:
                f.unlink()
            except OSError:
                pass

    def remove_unlisted_segments(self) -> int:
        """Delete the files of segments the table of contents does not list (the leftovers
        of a failed rebuild or commit). Only while holding the index's writer lock: a
        writer of another process may be writing a segment not listed yet."""
        try:
            listed = listed_segments(self.ix)
        except Exception:  # noqa: BLE001 - cannot tell which are in use: keep everything
            return 0
        prefix = f"{self.ix.indexname}_"
        removed = 0
        for f in self.path.iterdir():
            name = f.name
            if not name.startswith(prefix) or name.endswith("WRITELOCK") or not f.is_file():
                continue
            if name.split(".", 1)[0] not in listed:
                try:
                    f.unlink()
                    removed += 1
                except OSError:
                    pass
        return removed

    def size_on_disk(self) -> int:
        """Bytes the index folder takes (segments and stored texts)."""
        total = 0
        for f in self.path.iterdir():
            try:
                total += f.stat().st_size if f.is_file() else 0
            except OSError:
                pass
        return total

    def clear(self) -> None:
        """Drop every document (before a full rebuild)."""
        with self._in_turn():  # what was pending is dropped with the rest
            writer = self.writer()
            self.texts.clear()
            writer.commit(mergetype=CLEAR)
            self.refresh()

    def refresh(self) -> None:
        """Open a new searcher if the index changed.

        Not Searcher.refresh(): in Whoosh-Reloaded 2.7.5 it re-adds the old
        reader's segments to the new list (index.py `_reader(reuse=…)`), which
        fails on an empty index and resurrects merged-away segments.
        """
        with self._read_lock:
            if not self._searcher.up_to_date():
                old = self._searcher
                self._searcher = self.ix.searcher(weighting=FastBM25F())
                self._facet_cache = None
                old.close()

    # -- reading -----------------------------------------------------------------
    @contextmanager
    def searcher(self) -> Iterator[Any]:
        with self._read_lock:
            self.refresh()  # pick up other processes' commits
            yield self._searcher

    def facet_postings(self, searcher: Any, fieldname: str) -> dict[str, frozenset[int]]:
        """term → document numbers, for every term of a small field (tags, sites),
        kept until the searcher changes: facet counts are then set intersections."""
        with self._read_lock:
            if self._facet_cache is None or self._facet_cache[0] is not searcher:
                self._facet_cache = (searcher, {})
            fields = self._facet_cache[1]
            if fieldname not in fields:
                table: dict[str, frozenset[int]] = {}
                for term in searcher.lexicon(fieldname):
                    text = term.decode("utf-8") if isinstance(term, bytes) else term
                    ids = frozenset(searcher.postings(fieldname, text).all_ids())
                    if ids:
                        table[text] = ids
                fields[fieldname] = table
            return fields[fieldname]

    def stored_text(self, article_id: str) -> str | None:
        """The indexed plain text of an article, or None if it is not indexed."""
        return self.texts.get(article_id)

    def texts_of(self, ids: list[str]) -> dict[str, str]:
        return self.texts.get_many(ids)

    def ids(self) -> set[str]:
        with self.searcher() as s:
            return {fields["id"] for fields in s.all_stored_fields()}

    def verify(self) -> str:
        """'ok', or what is damaged (reads the whole index once: archive/search/verify.py)."""
        with self._write_lock:
            self.flush()
            return verify_index(self)

    def doc_count(self) -> int:
        with self.searcher() as s:
            return s.doc_count()

    def generation(self) -> int:
        """The newest committed generation of the index on disk (any process's
        commit moves it): how a watcher learns that searches may find more."""
        return int(self.ix.latest_generation())

    def close(self) -> None:
        with self._write_lock:
            self.flush()
            with self._read_lock:
                self._searcher.close()
            self.ix.close()
            self.texts.close()


def make_document(article: Any, text: str, collections: Iterable[str] = ()) -> dict[str, Any]:
    """The Whoosh document for an article (an archive.models.Article) and its text.

    `collections` defaults to the article's own manual collections. (Searches
    resolve `collection:` from the catalog at query time, so smart collections
    and fresh membership changes work too; this field is the offline copy.)"""
    collections = list(collections) or list(getattr(article, "collections", None) or [])
    states = ["read" if article.is_read else "unread"]
    if article.is_favorite:
        states.append("favorite")
    if article.is_archived:
        states.append("archived")
    if article.uncertain:
        states.append("uncertain")
    if article.status == "pending":
        states.append("pending")
    title = article.title or ""
    # Analysed once here for both word fields. The title is indexed with the text
    # (twice: a title word weighs more), so a plain word is one term lookup in one
    # field, not title OR content.
    title_terms = text_terms(title)
    marks = [m for m in getattr(article, "highlights", None) or []]
    notes = "\n".join(m.note for m in marks if m.note)
    # The description too (a bookmark's note, an export's summary: often all a pending
    # article has), unless the text holds it already (a page's lead paragraph).
    description = (getattr(article, "description", "") or "").strip()
    extra = text_terms(description) if description and description not in (text or "") else []
    # a note's words are the reader's own: a plain search finds them too
    terms = (title_terms + title_terms + extra + text_terms(text or "")
             + (text_terms(notes) if notes else []))
    doc: dict[str, Any] = {
        "id": article.id,
        "title": title,
        "content": terms,
        "words": terms,
        "pairs": terms,
        "_text": text or "",  # for the text store; Whoosh ignores "_" keys
        "author": " ".join(article.authors),
        "site": _site_terms(article.site, article.url),
        # dotted names and plain words both: url:nytimes.com and url:nytimes; the words
        # as url: reads a pasted address (no scheme, www., #fragment, tracking)
        "url": f"{article.url} {' '.join(url_words(article.url))}" if article.url else "",
        "tag": ",".join(t.replace(",", " ") for t in article.tags),
        "lang": (article.lang or "").lower(),
        "is": " ".join(states),
        "collection": ",".join(c.replace(",", " ") for c in collections),
    }
    if marks:
        doc["highlight"] = text_terms("\n".join(m.quote for m in marks))
        doc["has"] = "highlights notes" if notes else "highlights"
    if notes:
        doc["note"] = text_terms(notes)
    site_name = article.site or _host(article.url)
    if site_name:
        doc["site_name"] = site_name
    saved = parse_iso(article.saved)
    if saved:
        doc["saved"] = saved
    published = parse_iso(article.published)
    if published:
        doc["published"] = published
    return doc


def url_words(address: str) -> list[str]:
    """The words of an address as the url field holds them, without the parts
    that vary between copies of one link (scheme, www., #fragment, tracking
    parameters such as utm_source)."""
    text = re.sub(r"^[a-z][\w+.-]*://", "", address.strip(), flags=re.IGNORECASE)
    text = text.split("#", 1)[0]
    base, _, params = text.partition("?")
    kept = strip_tracking(params.replace(";", "&"))
    host, slash, path = base.partition("/")
    host = re.sub(r"^www\d*\.", "", host, flags=re.IGNORECASE)
    return WORD_RE.findall(host + slash + path + ("?" + kept if kept else ""))


def _host(url: str | None) -> str:
    if not url:
        return ""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def _site_terms(site: str, url: str | None) -> str:
    """The site name, the host and the host's parts, so `site:nytimes`,
    `site:nytimes.com` and `site:"new york times"` all match."""
    parts = [site or ""]
    host = _host(url)
    if host:
        parts.append(host)
        parts.extend(host.split("."))
    return " ".join(parts)
