"""Search speed on a synthetic archive, against SQLite FTS5 on the same data, as JSON.

Builds N articles of realistic length (12–30 paragraphs, ~780 words) by
recombining the paragraphs of the extraction corpus's ground-truth texts
(../shared/corpus/extraction/ground-truth.json; no network), with titles,
sites, authors, tags, dates and states. The index is built the way `reindex`
builds it (archive/search/reindex.py, worker processes), bypassing fetch/extract.
Then 200 mixed queries (one word, two words, a phrase, a field filter, a date
range, a tag filter, a prefix) run through `run_search` for the first page of
20 hits with snippets and the total count, and the same queries run on an FTS5
table (porter tokenizer, bm25 rank, snippet()) of the same data.

usage: python bench/search.py --articles N [--dir DIR] [--procs P] [--queries Q] [--files]
       --dir keeps the built archive there and reuses it on the next run (built again
       when its index is of an older layout);
       --files times Archive.reindex from written article.html files.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "extraction" / "ground-truth.json"
sys.path.insert(0, str(ROOT))

from archive.base.models import Article  # noqa: E402
from archive.library import layout  # noqa: E402
from archive.library.layout import Layout  # noqa: E402

TAGS = ["science", "politics", "recipes", "long reads", "tech", "history", "health", "climate",
        "economy", "sport", "music", "film", "books", "travel", "design", "programming", "space",
        "education", "law", "energy", "to-read", "work", "family", "ideas", "photography"]
AUTHORS = [f"{first} {last}" for first in ("Ada", "Ben", "Chloé", "Dmitri", "Eva", "Farid", "Grace",
                                            "Hiro", "Inès", "Jon")
           for last in ("Smith", "Okafor", "Müller", "Garcia", "Ivanova", "Chen")]
START = datetime(2019, 1, 1)
SPAN_DAYS = 2880  # to late 2026


def paragraphs() -> list[str]:
    if not CORPUS.exists():
        sys.exit(f"bench/search.py: corpus not found at {CORPUS}")
    truth = json.loads(CORPUS.read_text(encoding="utf-8"))
    out = []
    for value in truth.values():
        for p in value["articleBody"].split("\n"):
            if len(p.split()) >= 8:
                out.append(p.strip())
    return out


def make_articles(n: int, paras: list[str]) -> list[tuple[Article, str]]:
    out = []
    sites = [(f"Example Post {k}", f"https://www.site{k}.example/") for k in range(40)]
    for i in range(n):
        rng = random.Random(i)
        body = "\n".join(rng.choice(paras) for _ in range(rng.randint(12, 30)))
        words = rng.choice(paras).split()
        start = rng.randrange(max(1, len(words) - 8))
        title = " ".join(words[start:start + rng.randint(5, 9)]).strip(".,;:").capitalize()
        site, host = sites[min(39, int(rng.expovariate(0.12)))]
        saved = START + timedelta(days=rng.random() * SPAN_DAYS)
        published = saved - timedelta(days=rng.random() * 400)
        tags = sorted({TAGS[min(len(TAGS) - 1, int(rng.expovariate(0.2)))] for _ in range(rng.randint(0, 3))})
        aid = f"{i:010x}"
        out.append((Article(
            id=aid, title=title, url=f"{host}{i}/{'-'.join(title.lower().split()[:4])}", site=site,
            authors=[rng.choice(AUTHORS)], published=published.isoformat(timespec="seconds") + "+00:00",
            saved=saved.isoformat(timespec="seconds") + "+00:00", lang="en",
            word_count=len(body.split()), tags=tags, is_read=rng.random() < 0.4,
            is_favorite=rng.random() < 0.05, is_archived=rng.random() < 0.2), body))
    return out


_WORD = re.compile(r"^[A-Za-z]{4,}$")


def make_queries(count: int, paras: list[str], seed: int = 7) -> list[tuple[str, str, dict]]:
    """(kind, quire query, FTS5 parts) triples, the seven kinds in turn."""
    rng = random.Random(seed)

    def words(k: int = 1) -> list[str]:
        while True:
            p = rng.choice(paras).split()
            cands = [w.strip(".,;:!?\"'()").lower() for w in p]
            cands = [w for w in cands if _WORD.match(w)]
            if len(cands) >= k:
                pos = rng.randrange(len(cands) - k + 1)
                return cands[pos:pos + k]

    def phrase() -> list[str]:
        while True:
            p = rng.choice(paras).split()
            pos = rng.randrange(max(1, len(p) - 3))
            ws = [w for w in p[pos:pos + rng.randint(2, 3)]]
            if all(re.fullmatch(r"[A-Za-z]+", w) for w in ws) and len(ws) >= 2:
                return [w.lower() for w in ws]

    out: list[tuple[str, str, dict]] = []
    kinds = ["word", "two words", "phrase", "field", "date range", "tag", "prefix"]
    for i in range(count):
        kind = kinds[i % len(kinds)]
        if kind == "word":
            w = words()[0]
            out.append((kind, w, {"match": f'"{w}"'}))
        elif kind == "two words":
            a, b = words(2) if rng.random() < 0.5 else (words()[0], words()[0])
            out.append((kind, f"{a} {b}", {"match": f'"{a}" "{b}"'}))
        elif kind == "phrase":
            ws = phrase()
            out.append((kind, '"' + " ".join(ws) + '"', {"match": '"' + " ".join(ws) + '"'}))
        elif kind == "field":
            if rng.random() < 0.5:
                w = words()[0]
                out.append((kind, f"title:{w}", {"match": f'title : "{w}"'}))
            else:
                k, w = min(39, int(rng.expovariate(0.12))), words()[0]
                out.append((kind, f"site:site{k}.example {w}",
                            {"match": f'site : "site{k}" AND "{w}"'}))
        elif kind == "date range":
            y = rng.randint(2019, 2026)
            m = rng.randint(1, 10)
            w = words()[0]
            lo, hi = f"{y}-{m:02d}-01", f"{y}-{m + 2:02d}-28"
            out.append((kind, f"{w} saved:[{lo} to {hi}]",
                        {"match": f'"{w}"', "saved": (lo, hi + "T23:59:59")}))
        elif kind == "tag":
            t = TAGS[min(len(TAGS) - 1, int(rng.expovariate(0.2)))]
            w = words()[0]
            out.append((kind, f'tag:"{t}" {w}', {"match": f'tags : "{t}" AND "{w}"'}))
        else:
            w = words()[0][:rng.randint(4, 5)]
            out.append((kind, f"{w}*", {"match": f'"{w}"*'}))
    return out


def build(root: Path, n: int, procs: int | None, files: bool = False) -> tuple[float, float]:
    """The archive (catalog rows + index) at root; returns (index seconds, catalog seconds).

    files=True also writes each article.html and times Archive.reindex (HTML → text
    in the workers, as a real rebuild does) instead of indexing the texts directly."""
    import html as htmlmod

    from archive import Archive
    from archive.search.reindex import WorkItem, rebuild
    from archive.library.store import article_document

    paras = paragraphs()
    data = make_articles(n, paras)
    arch = Archive(root, seed=False, fetch=False)
    try:
        t0 = time.perf_counter()
        with arch.catalog.transaction() as db:
            for article, _body in data:
                arch.catalog.insert(article, article.url, db)
        arch.catalog.dequeue_indexed([a.id for a, _ in data])
        if files:
            for article, body in data:
                folder = arch.article_dir(article.id)
                folder.mkdir()
                paras = "".join(f"<p>{htmlmod.escape(p)}</p>\n" for p in body.split("\n"))
                layout.article_file(folder).write_text(article_document(article, paras), encoding="utf-8")
        t1 = time.perf_counter()
        if files:
            arch.reindex()
        else:
            rebuild(arch.index, [WorkItem(article=a, text=body) for a, body in data], procs=procs)
        t2 = time.perf_counter()
    finally:
        arch.close()
    return t2 - t1, t1 - t0


def build_fts(path: Path, n: int) -> float:
    paras = paragraphs()
    data = make_articles(n, paras)
    db = sqlite3.connect(path)
    t0 = time.perf_counter()
    db.execute("CREATE VIRTUAL TABLE fts USING fts5(title, content, tags, site, "
               "tokenize = 'porter unicode61 remove_diacritics 2')")
    db.execute("CREATE TABLE meta (id INTEGER PRIMARY KEY, saved TEXT)")
    db.execute("CREATE INDEX meta_saved ON meta(saved)")
    with db:
        for k, (a, body) in enumerate(data, 1):
            db.execute("INSERT INTO fts (rowid, title, content, tags, site) VALUES (?, ?, ?, ?, ?)",
                       (k, a.title, body, " ".join(t.replace(" ", "_") for t in a.tags),
                        a.site + " " + (a.url or "")))
            db.execute("INSERT INTO meta (id, saved) VALUES (?, ?)", (k, a.saved[:19]))
    db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    db.commit()
    seconds = time.perf_counter() - t0
    db.close()
    return seconds


def fts_query(db: sqlite3.Connection, parts: dict) -> list:
    match = parts["match"].replace('tags : "long reads"', 'tags : "long_reads"')
    sql = ("SELECT fts.rowid, fts.title, snippet(fts, 1, '<b>', '</b>', '…', 24) FROM fts "
           "{join} WHERE fts MATCH ? {where} ORDER BY rank LIMIT 20")
    if "saved" in parts:
        lo, hi = parts["saved"]
        return db.execute(sql.format(join="JOIN meta ON meta.id = fts.rowid",
                                     where="AND meta.saved BETWEEN ? AND ?"), (match, lo, hi)).fetchall()
    return db.execute(sql.format(join="", where=""), (match,)).fetchall()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return round(values[k], 2)


def _index_is_current(root: Path) -> bool:
    from archive.search.index import INDEX_VERSION, VERSION_FILE

    try:
        return int((Layout(root).index / VERSION_FILE).read_text().strip()) == INDEX_VERSION
    except (OSError, ValueError):
        return False


def folder_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6, 1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--procs", type=int, default=None, help="index worker processes (default: cores)")
    ap.add_argument("--dir", type=Path, default=None, help="keep the archive here and reuse it")
    ap.add_argument("--no-fts", action="store_true", help="skip the FTS5 comparison")
    ap.add_argument("--files", action="store_true",
                    help="write article.html files and time Archive.reindex from them")
    args = ap.parse_args()

    from archive import Archive
    from archive.search.engine import run_search

    tmp = None
    if args.dir is None:
        tmp = Path(tempfile.mkdtemp(prefix="quire-bench-"))
        base = tmp
    else:
        base = args.dir
    root = base / f"arch-{args.articles}{'-files' if args.files else ''}"
    marker = root / "bench-built.json"
    out: dict = {"articles": args.articles}
    try:
        if marker.exists() and not _index_is_current(root):
            # an archive built before an index layout change: opening it would wipe the
            # index and rebuild it from article files the bench never wrote
            print(f"bench/search.py: {root} holds an older index layout; building it again",
                  file=sys.stderr)
            marker.unlink()
        if marker.exists():
            built = json.loads(marker.read_text())
        else:
            shutil.rmtree(root, ignore_errors=True)
            index_s, catalog_s = build(root, args.articles, args.procs, args.files)
            built = {"index_s": index_s, "catalog_s": catalog_s}
            marker.write_text(json.dumps(built))
        out["index_articles_per_s"] = round(args.articles / built["index_s"], 1)
        out["index_from"] = "article.html files (Archive.reindex)" if args.files else "texts (reindex.rebuild)"
        out["index_mb"] = folder_mb(Layout(root).index)

        queries = make_queries(args.queries, paragraphs())
        warm = make_queries(20, paragraphs(), seed=99)
        arch = Archive(root, seed=False, fetch=False)
        times: list[float] = []
        cpu_times: list[float] = []
        by_kind: dict[str, list[float]] = {}
        cpu_by_kind: dict[str, list[float]] = {}
        totals = []
        try:
            for _kind, q, _parts in warm:
                run_search(arch, q, limit=20, snippets=True)
            for kind, q, _parts in queries:
                t0, c0 = time.perf_counter(), time.process_time()
                result = run_search(arch, q, limit=20, snippets=True)
                ms = (time.perf_counter() - t0) * 1000
                cpu_ms = (time.process_time() - c0) * 1000
                cpu_times.append(cpu_ms)
                times.append(ms)
                by_kind.setdefault(kind, []).append(ms)
                cpu_by_kind.setdefault(kind, []).append(cpu_ms)
                totals.append(result.total)
        finally:
            arch.close()
        out["p50_ms"] = pct(times, 50)
        out["p95_ms"] = pct(times, 95)
        out["max_ms"] = round(max(times), 1)
        # CPU time of the same searches: what they cost when other programs share the cores
        out["cpu_p50_ms"] = pct(cpu_times, 50)
        out["cpu_p95_ms"] = pct(cpu_times, 95)
        out["p95_ms_by_kind"] = {k: pct(v, 95) for k, v in by_kind.items()}
        out["p50_ms_by_kind"] = {k: pct(v, 50) for k, v in by_kind.items()}
        # the same by CPU time: comparable between runs on a shared machine
        out["cpu_p95_ms_by_kind"] = {k: pct(v, 95) for k, v in cpu_by_kind.items()}
        out["median_hits"] = statistics.median(totals)

        if not args.no_fts:
            fts_path = base / f"fts-{args.articles}.sqlite"
            fts_marker = base / f"fts-{args.articles}.json"
            if not fts_marker.exists():
                fts_path.unlink(missing_ok=True)
                fts_marker.write_text(json.dumps({"seconds": build_fts(fts_path, args.articles)}))
            fts_s = json.loads(fts_marker.read_text())["seconds"]
            db = sqlite3.connect(fts_path)
            for _kind, _q, parts in warm:
                fts_query(db, parts)
            ftimes = []
            for _kind, _q, parts in queries:
                t0 = time.perf_counter()
                fts_query(db, parts)
                ftimes.append((time.perf_counter() - t0) * 1000)
            db.close()
            out["fts5_p50_ms"] = pct(ftimes, 50)
            out["fts5_p95_ms"] = pct(ftimes, 95)
            out["fts5_index_articles_per_s"] = round(args.articles / fts_s, 1)
            out["fts5_mb"] = round(fts_path.stat().st_size / 1e6, 1)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    out["load_avg_1min"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
