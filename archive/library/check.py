"""`quire check [--repair]`: find drift between catalog, files and index, and mend it.

Sources of truth (design.md): the files hold the content, the catalog holds the
state and is mirrored into meta.json, the index is derived. So:
- a folder the catalog does not know is adopted from its meta.json;
- a catalog row whose folder is gone keeps its state and becomes *pending*
  (its URL can be fetched again with `quire retry`) — nothing is dropped;
- meta.json is rewritten from the catalog when they disagree;
- index entries are added for articles missing from it and removed for
  articles that no longer exist;
- article.html missing beside a readable source.html.gz is re-extracted;
- highlights: one whose article is not in the catalog is removed (its folder, had
  it one, would have been adopted with it from meta.json); meta.json's highlights
  out of step with the catalog's are rewritten from the catalog; one whose offsets no
  longer hold its quote (article.html changed) is placed again, or flagged;
- articles sharing one address (two imports run at once before the catalog
  had a unique index) are listed; a pending copy is merged into the other
  (tags, states and collections kept) and removed, while two copies with
  content are left for the user to choose from.
"""
from __future__ import annotations

import gzip
import json
import zlib
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from archive.base import atomic
from archive.base.errors import NotFoundError, QuireError
from archive.base.models import SCHEMA_VERSION, Article
from archive.extraction.pages import normalize_tags
from archive.library import collections as coll
from archive.library import layout, userdata
from archive.library.catalog import ReadOnlyError

if TYPE_CHECKING:
    from archive.library.store import Archive


#: For each kind of finding: what it means for the user, and what --repair does about
#: it, in plain words (`quire check` prints them; --json carries them too).
EXPLAINED: dict[str, tuple[str, str]] = {
    "damaged-catalog": (
        "catalog.sqlite, which lists your articles with their tags and states, is damaged: "
        "commands fail or show wrong lists",
        "moves the damaged file aside (it is kept) and rebuilds the catalog from each article's "
        "meta.json and collections.json; nothing you saved is lost"),
    "damaged-index": (
        "the search index is damaged: searches fail or miss articles; your articles are intact",
        "rebuilds the search index from the articles' files"),
    "collections-file": (
        "collections.json, the copy of your collections a rebuilt catalog reads back, is missing "
        "or out of date: a rebuild would lose smart collections",
        "rewrites collections.json from the catalog"),
    "orphan-folder": (
        "an article's folder is on disk but not listed (a crash while saving): you cannot see it",
        "adds it back to the archive from its meta.json, with its tags and states"),
    "missing-folder": (
        "an article is listed but its files are gone: it opens empty",
        "keeps it, with its tags and states, as a pending article that can be fetched or added again"),
    "meta-mismatch": (
        "an article's meta.json disagrees with the catalog: a rebuilt catalog would get old "
        "tags or states",
        "rewrites meta.json from the catalog"),
    "bad-meta": (
        "a folder has no readable meta.json: it cannot be added back by itself",
        "nothing (it is left in place for you to look at)"),
    "bad-source": (
        "the stored original page is unreadable: the article reads fine but cannot be re-extracted",
        "nothing (the article itself is kept)"),
    "missing-html": (
        "an article's readable text (article.html) is missing: it opens empty",
        "extracts it again from the stored original page"),
    "duplicate-url": (
        "the same address was saved more than once: it is listed twice",
        "merges a copy without content into the other; two copies with content are left for you"),
    "index-missing": (
        "an article is missing from the search index: searches do not find it",
        "adds it to the index"),
    "highlight-orphan": (
        "a highlight belongs to an article that no longer exists",
        "removes it"),
    "highlights-mismatch": (
        "an article's meta.json lists other highlights than the catalog: a rebuilt catalog "
        "would get the wrong ones",
        "rewrites meta.json from the catalog"),
    "highlight-drift": (
        "a highlight no longer matches the article's text at its place: it marks the wrong words",
        "places it again by its quoted text (or flags it as not placed)"),
    "index-orphan": (
        "the search index lists an article that no longer exists: a search may show a gap",
        "removes it from the index"),
}


@dataclass
class Problem:
    kind: str  # a key of EXPLAINED
    article_id: str
    detail: str
    repaired: bool = False

    @property
    def means(self) -> str:
        return EXPLAINED.get(self.kind, ("", ""))[0]

    @property
    def repair_does(self) -> str:
        return EXPLAINED.get(self.kind, ("", ""))[1]

    def to_dict(self) -> dict:
        return {**asdict(self), "means": self.means, "repair": self.repair_does}


def _read_meta(path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def check_archive(archive: "Archive", repair: bool = False, progress=None) -> list[Problem]:
    problems: list[Problem] = []
    if repair and archive.read_only:
        raise ReadOnlyError(f"this archive is read-only: {archive.root} cannot be repaired here "
                            "(read-only media or no write permission); `quire check` without "
                            "--repair still reports")
    # 0. the catalog itself: garbage inside it fails every command that meets it
    verdict = archive.catalog.verify()
    if verdict != "ok":
        p = Problem("damaged-catalog", "", f"catalog.sqlite is damaged ({verdict})")
        problems.append(p)
        if not repair:
            return problems  # nothing read from it can be trusted
        try:
            p.detail = archive.rebuild_catalog(f"the catalog was damaged ({verdict})")
            p.repaired = True
        except QuireError as exc:
            p.detail += f"; not rebuilt: {exc}"
            return problems
    index_verdict = archive.index.verify()
    index_ok = index_verdict == "ok"
    if not index_ok:
        p = Problem("damaged-index", "", f"the search index is damaged: {index_verdict}")
        if repair:
            try:
                archive.reindex()
                p.detail += "; rebuilt"
                p.repaired = index_ok = archive.index.verify() == "ok"
            except QuireError as exc:
                p.detail += f"; not rebuilt: {exc}"
        problems.append(p)
    if not userdata.in_step(archive):
        p = Problem("collections-file", "", f"{userdata.FILENAME} does not match the catalog's collections")
        if repair:
            userdata.save(archive)
            p.repaired = True
        problems.append(p)
    paths = archive.layout
    catalog_ids = set(archive.catalog.ids())
    folder_ids = paths.folder_ids()

    # 1. folders the catalog does not know
    problems.extend(adopt_orphans(archive, sorted(folder_ids - catalog_ids), repair))

    # 2. catalog rows whose folder is gone
    for aid in sorted(catalog_ids - folder_ids):
        article = archive.catalog.get(aid)
        p = Problem("missing-folder", aid, f"{article.title!r}: its folder articles/{aid} is missing")
        leftover = paths.set_aside(aid)
        if repair and leftover is not None:
            # an interrupted swap or delete left the whole folder under another name:
            # it is put back (making the article pending would lose it on the next open)
            try:
                leftover.rename(paths.folder(aid))
                p.detail += f"; put back from {leftover.name}"
                p.repaired = True
            except OSError as exc:
                p.detail += f" (could not put back {leftover.name}: {exc})"
        elif repair:
            article.status = "pending"
            article.error = f"the article's files were missing; {how_to_refill(article)}"
            p.detail += f"; kept as a pending article: {how_to_refill(article)}"
            try:
                paths.folder(aid).mkdir()
                archive.update(article)
                p.repaired = True
            except OSError as exc:
                p.detail += f" (could not repair: {exc})"
        problems.append(p)

    # 3. per-article files
    ids = sorted(catalog_ids & folder_ids)
    rows = archive.get_many(ids)  # a few queries per 500 articles, not four per article
    for n, aid in enumerate(ids, 1):
        if progress:
            progress(n, len(ids), aid)
        article = rows.get(aid)
        if article is None:  # deleted meanwhile (by another process)
            continue
        folder = paths.folder(aid)
        meta = _read_meta(layout.meta_file(folder))
        expected = article.to_dict()
        # the version a meta.json was written with is no disagreement: an upgraded
        # archive keeps its files as they were until each article is next written
        # (and one from before highlights has none)
        plain = [k for k in expected if k not in ("schema_version", "highlights")]
        rewrite = False
        if meta is None or {k: meta.get(k) for k in plain} != {k: expected[k] for k in plain}:
            problems.append(Problem("meta-mismatch", aid, f"{article.title!r}: meta.json differs from the catalog"))
            rewrite = True
        elif (meta.get("highlights") or []) != expected["highlights"]:
            have = len(meta.get("highlights") or []) if isinstance(meta.get("highlights"), list) else 0
            problems.append(Problem("highlights-mismatch", aid, f"{article.title!r}: meta.json lists {have} "
                                    f"highlight(s), the catalog {len(article.highlights)}"))
            rewrite = True
        if rewrite and repair:
            atomic.write_json(layout.meta_file(folder), expected)
            problems[-1].repaired = True
        if article.status == "saved" and any(not m.unplaced for m in article.highlights) \
                and layout.article_file(folder).exists():
            problems.extend(_check_anchors(archive, article, repair))
        if article.status != "saved":
            continue
        source = layout.source_file(folder)
        source_ok = False
        if source.exists():
            try:
                with gzip.open(source) as fh:
                    while fh.read(1 << 20):
                        pass
                source_ok = True
            except (OSError, EOFError, zlib.error) as exc:
                problems.append(Problem("bad-source", aid, f"{article.title!r}: source.html.gz is unreadable ({exc}); "
                                        "the article itself is intact but cannot be re-extracted"))
        if not layout.article_file(folder).exists():
            p = Problem("missing-html", aid, f"{article.title!r}: article.html is missing")
            if repair and source_ok:
                try:
                    archive.replace_content(aid, archive.source_html(aid), extract=not article.is_welcome)
                    p.repaired = True
                except QuireError as exc:
                    p.detail += f" (re-extraction failed: {exc})"
            problems.append(p)

    # highlights whose article is gone
    orphans = archive.catalog.orphan_highlights()
    for mark in orphans:
        p = Problem("highlight-orphan", mark.article_id,
                    f"highlight {mark.id} ({mark.quote[:40]!r}) belongs to article {mark.article_id}, "
                    "which is not in the archive")
        if repair:
            with archive.catalog.transaction() as db:
                archive.catalog.drop_highlights([mark.id], db)
            p.repaired = True
        problems.append(p)

    # 4. one article per address
    problems.extend(_check_duplicates(archive, repair))

    # 5. index ↔ catalog (a damaged index cannot be compared: reported above)
    if not index_ok:
        return problems
    catalog_ids = set(archive.catalog.ids())
    indexed = archive.index.ids()
    for aid in sorted(catalog_ids - indexed):
        p = Problem("index-missing", aid, f"article {aid} is not in the search index")
        if repair:
            archive.index_from_files(archive.catalog.get(aid))
            p.repaired = True
        problems.append(p)
    for aid in sorted(indexed - catalog_ids):
        p = Problem("index-orphan", aid, f"the search index lists {aid}, which is not in the archive")
        if repair:
            archive.unindex(aid)
            p.repaired = True
        problems.append(p)
    return problems


def how_to_refill(article: Article) -> str:
    """What will actually give a pending article its content back, in words: `retry`
    fetches an address, a page saved from a file is added again, and one that came
    from neither (pasted HTML, a welcome page) has nothing to fetch."""
    source = article.source or ""
    if article.url:
        return f"fetch it again with `quire retry {article.id}` (or add {article.url} again)"
    if source.startswith("file:"):
        return f"add its file again with `quire add {source[len('file:'):]!s}`"
    if article.is_welcome:
        return "it is a welcome article: delete it with `quire delete " + article.id + "`"
    return ("it has no address or file to fetch it from again: save the page again, or delete it "
            f"with `quire delete {article.id}` (its tags and states are kept until then)")


def adopt_orphans(archive: "Archive", ids: list[str], repair: bool = True, *,
                  index: bool = True) -> list[Problem]:
    """A problem per article folder in `ids` (folders the catalog does not know);
    `repair` records each from its meta.json, with its manual collections, and
    (`index`) indexes it at once, else it waits in the index queue. A folder
    without a readable meta.json, or one from a newer Quire, is left in place."""
    problems: list[Problem] = []
    for aid in ids:
        meta = _read_meta(archive.layout.meta_file(aid))
        if meta is None or meta.get("id") != aid:
            problems.append(Problem("bad-meta", aid, f"folder articles/{aid} has no readable meta.json; left in place"))
            continue
        try:
            newer = int(meta.get("schema_version", 1)) > SCHEMA_VERSION
        except (TypeError, ValueError):
            newer = False
        if newer:
            problems.append(Problem("bad-meta", aid, f"articles/{aid}/meta.json is from a newer Quire; left in place"))
            continue
        p = Problem("orphan-folder", aid, f"articles/{aid} ({meta.get('title', '')!r}) is not in the catalog")
        if repair:
            try:
                article = Article.from_dict(meta)
            except (TypeError, ValueError, KeyError) as exc:
                problems.append(Problem("bad-meta", aid, f"articles/{aid}/meta.json cannot be read as an "
                                        f"article ({exc}); left in place"))
                continue
            archive.adopt(article)
            _restore_memberships(archive, article)
            if index:
                archive.index_from_files(article)
            p.repaired = True
        problems.append(p)
    return problems


def _check_duplicates(archive: "Archive", repair: bool) -> list[Problem]:
    """A problem per address saved more than once. Repair keeps the copy with content
    (else the oldest), merges each pending copy into it and removes that copy; copies
    that have content of their own are left: which one to keep is the user's call."""
    problems: list[Problem] = []
    merged = False
    # one index commit for all the merges, not one each
    with archive.batch() if repair else nullcontext():
        for group in archive.catalog.duplicate_urls():
            copies = [archive.catalog.get(aid) for aid in group]  # oldest first
            keep = next((a for a in copies if a.status == "saved"), copies[0])
            others = [a for a in copies if a.id != keep.id]
            p = Problem("duplicate-url", keep.id, f"{keep.url}: saved {len(copies)} times "
                                                  f"({', '.join(a.id for a in copies)})")
            if repair:
                for other in (a for a in others if a.status != "saved"):
                    keep = _merge_into(archive, keep, other)
                    merged = True
                with_content = [a.id for a in others if a.status == "saved"]
                if with_content:
                    verb = "has" if len(with_content) == 1 else "have"
                    p.detail += (f"; {', '.join(with_content)} also {verb} content: compare "
                                 "them and remove one with `quire delete ID`")
                else:
                    p.detail += f"; the pending copies were merged into {keep.id}"
                    p.repaired = True
            problems.append(p)
    if merged:  # the unique index no longer needs to leave the removed copies out
        archive.catalog.guard_unique_urls(rebuild=True)
    return problems


def _merge_into(archive: "Archive", keep: Article, pending: Article) -> Article:
    """Give `keep` the tags, states, progress and manual collections of `pending`, a copy
    of the same address without content, then remove that copy."""
    for name in pending.collections:
        if name not in keep.collections:
            coll.add(archive, name, [keep.id])
    current = archive.get(keep.id)  # with the memberships just added
    current.tags = normalize_tags([*current.tags, *pending.tags])
    current.is_read = current.is_read or pending.is_read
    current.is_favorite = current.is_favorite or pending.is_favorite
    current.is_archived = current.is_archived or pending.is_archived
    current.progress = max(current.progress, pending.progress)
    keep = archive.update(current)
    archive.delete(pending.id)
    return keep


def _restore_memberships(archive: "Archive", article: Article) -> None:
    """Put an adopted article back in the manual collections its meta.json names
    (creating a collection that no longer exists)."""
    for name in article.collections:
        try:
            existing = coll.get(archive, name)
        except NotFoundError:
            existing = coll.create(archive, name)
        if not existing.is_smart:
            with archive.catalog.transaction() as db:
                db.execute("INSERT OR IGNORE INTO collection_members (collection_id, article_id, added) "
                           "SELECT id, ?, ? FROM collections WHERE name = ?",
                           (article.id, article.saved, name))
                userdata.write(archive.root, db)


def _check_anchors(archive: "Archive", article: Article, repair: bool) -> list[Problem]:
    """A highlight whose offsets no longer hold its quote (article.html changed by hand or
    by a tool): repair places it again (or flags it as could-not-be-placed)."""
    text = archive.highlights.text(article.id)
    drifted = [m for m in article.highlights if not m.unplaced and text[m.start:m.end] != m.quote]
    if not drifted:
        return []
    p = Problem("highlight-drift", article.id, f"{article.title!r}: {len(drifted)} highlight(s) no longer "
                "match the article's text at their place")
    if repair:
        with archive.commit_lock:
            with archive.catalog.transaction() as db:
                report = archive.highlights.reanchor_in(db, article.id, text)
                archive.catalog.queue_for_index([article.id], db)
            archive.mirror(archive.catalog.get(article.id), searchable=True)
        p.detail += f"; {report.summary()}"
        p.repaired = True
    return [p]
