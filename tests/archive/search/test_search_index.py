"""The index: two processes writing at once, batches, and reindex equivalence."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest

from archive.search.index import SearchIndex, make_document
from archive.base.models import Article
from archive.search.engine import run_search

from tests.support import REPO
from tests.support.search import ARTICLES, add_articles, ids

WRITER_SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, {repo!r})
    from archive.search.index import SearchIndex, make_document
    from archive.base.models import Article
    index = SearchIndex({path!r})
    print("ready", flush=True)
    sys.stdin.readline()  # start together with the test process
    for n in range(25):
        a = Article(id=f"cli{{n:04d}}", title=f"Command line note {{n}}", saved="2026-01-01T00:00:00+00:00")
        index.add(make_document(a, f"written by the other process, item {{n}} of the marsh survey"))
    index.close()
    print("done", flush=True)
""")


def test_two_processes_write_the_same_index_without_lock_errors(tmp_path):
    path = tmp_path / "index"
    index = SearchIndex(path)
    proc = subprocess.Popen([sys.executable, "-c", WRITER_SCRIPT.format(repo=str(REPO), path=str(path))],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        proc.stdin.write("go\n")
        proc.stdin.flush()
        for n in range(25):  # one commit each, interleaving with the other process's commits
            a = Article(id=f"gui{n:04d}", title=f"Window note {n}", saved="2026-01-01T00:00:00+00:00")
            index.add(make_document(a, f"written by the test process, item {n} of the marsh survey"))
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert out.strip() == "done"
    assert index.doc_count() == 50
    assert {i for i in index.ids() if i.startswith("cli")} == {f"cli{n:04d}" for n in range(25)}
    assert index.stored_text("cli0007") == "written by the other process, item 7 of the marsh survey"
    index.close()


def test_batch_commits_while_worker_threads_add(tmp_path):
    index = SearchIndex(tmp_path / "index")

    def worker(k: int) -> None:
        for n in range(40):
            a = Article(id=f"t{k}-{n:03d}", title=f"Thread {k} item {n}", saved="2026-01-01T00:00:00+00:00")
            index.add(make_document(a, "heron survey"))

    with index.batch():
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert index.doc_count() == 120
    index.close()


QUERIES = ["heron", '"spring floods"', "solar -battery", "tag:energy", "is:read", "photo*",
           "saved:2024", "grid", "", "title:marsh"]


def _results(arch) -> dict[str, list[str]]:
    return {q: [h.id for h in run_search(arch, q, limit=50, sort="newest").hits] for q in QUERIES}


def _archive_with_files(tmp_path):
    """Articles saved through the archive (files on disk), so reindex reads article.html."""
    from archive import Archive

    arch = Archive(tmp_path / "arch", seed=False, fetch=False)
    for spec in ARTICLES:
        if spec.get("status") == "pending":
            continue
        body = "".join(f"<p>{line}</p>" for line in spec["text"].split(". "))
        arch.save_html(f"<html><body>{body}</body></html>", spec["url"], title=spec["title"], extract=False,
                       tags=spec["tags"], saved=spec["saved"], download_images=False,
                       is_read=spec.get("is_read", False))
    return arch


def test_reindex_gives_the_same_results(tmp_path):
    arch = _archive_with_files(tmp_path)
    try:
        before = _results(arch)
        texts = {i: arch.index.stored_text(i) for i in arch.index.ids()}
        seen = []
        assert arch.reindex(progress=lambda done, total, msg: seen.append((done, total))) == 7
        assert seen[-1] == (7, 7)
        assert _results(arch) == before
        assert {i: arch.index.stored_text(i) for i in arch.index.ids()} == texts
        assert arch.index.doc_count() == 7
    finally:
        arch.close()


def test_a_failed_rebuild_keeps_the_texts_and_a_finished_one_drops_stale_texts(tmp_path, monkeypatch):
    """Snippets of the old index (still in place after a failed rebuild) keep their
    texts; a finished rebuild keeps texts only of the articles it indexed."""
    from archive.search import index as index_module
    from archive.base.errors import ArchiveError
    from archive.search.reindex import archive_items, rebuild

    arch = _archive_with_files(tmp_path)
    try:
        texts = {i: arch.index.stored_text(i) for i in arch.index.ids()}
        assert all(texts.values()) and len(texts) == 7
        real = index_module.make_document
        calls = []

        def failing(article, text, collections=()):
            calls.append(article.id)
            if len(calls) == 4:
                raise ArchiveError(f"{article.id}: made to fail")
            return real(article, text, collections)

        monkeypatch.setattr(index_module, "make_document", failing)
        with pytest.raises(ArchiveError, match="made to fail"):
            rebuild(arch.index, archive_items(arch), procs=1)
        assert {i: arch.index.stored_text(i) for i in arch.index.ids()} == texts
        monkeypatch.setattr(index_module, "make_document", real)

        gone = min(texts)
        rebuild(arch.index, [item for item in archive_items(arch) if item.article.id != gone], procs=1)
        assert arch.index.stored_text(gone) is None
        assert {i: arch.index.stored_text(i) for i in arch.index.ids()} == \
            {i: t for i, t in texts.items() if i != gone}
    finally:
        arch.close()


def test_parallel_reindex_matches_serial(tmp_path, monkeypatch):
    from archive.search import reindex

    arch = _archive_with_files(tmp_path)
    try:
        before = _results(arch)
        monkeypatch.setattr(reindex, "MIN_PARALLEL", 1)
        seen = []
        reindex.rebuild_archive(arch, progress=lambda d, t, m: seen.append(d), procs=2)
        assert max(seen) == 7
        assert _results(arch) == before
        assert arch.index.doc_count() == 7
    finally:
        arch.close()


def test_incremental_updates_and_merges_equal_a_fresh_build(tmp_path):
    """Many small commits (Whoosh merges their segments) then a rebuild: same answers."""
    from archive import Archive

    arch = Archive(tmp_path / "arch", seed=False, fetch=False)
    try:
        add_articles(arch)
        for n in range(12):  # one commit each: small segments, merged along the way
            spec = dict(ARTICLES[n % len(ARTICLES)], id=f"more{n:05d}")
            text = spec.pop("text")
            a = Article(**spec)
            arch.catalog.insert(a, None)
            arch.index.add(make_document(a, text))
        arch.tag("solar00005", add=["storage"])
        arch.index.delete("more00003")
        arch.catalog.delete("more00003")
        before = _results(arch)
        before["tag:storage"] = ids(run_search(arch, "tag:storage"))
        from archive.search.reindex import WorkItem, rebuild

        items = []
        for a in arch.articles():
            items.append(WorkItem(article=a, text=arch.index.stored_text(a.id) or ""))
        rebuild(arch.index, items)
        after = _results(arch)
        after["tag:storage"] = ids(run_search(arch, "tag:storage"))
        # copies share saved dates, so compare sets: tie order follows document numbers
        assert {q: set(v) for q, v in after.items()} == {q: set(v) for q, v in before.items()}
        assert before["tag:storage"] == {"solar00005"}
    finally:
        arch.close()


def test_fast_bm25_scores_equal_whoosh_bm25(tmp_path):
    from whoosh.scoring import BM25F

    from archive.search.query import parse_query
    from archive.search.scoring import FastBM25F

    index = SearchIndex(tmp_path / "index")
    for spec in ARTICLES:  # one commit each: several segments
        spec = dict(spec)
        text = spec.pop("text")
        index.add(make_document(Article(**spec), text))
    scores = {}
    for weighting in (BM25F(), FastBM25F()):
        with index.ix.searcher(weighting=weighting) as s:
            scores[type(weighting).__name__] = [
                [(h["id"], round(h.score, 6)) for h in s.search(parse_query(q).query, limit=10)]
                for q in ("the", "solar battery", "marsh OR grid", '"the marsh"', "tag:energy turbines")]
    assert scores["BM25F"] == scores["FastBM25F"]
    assert any(row for row in scores["BM25F"])
    index.close()


def _flat_postings_used(monkeypatch, flat: bool) -> None:
    """Write every frequent-enough term's flat postings (archive/dense.py), or none."""
    from archive.search import dense

    monkeypatch.setattr(dense, "MIN_DOCS", 1 if flat else 10**9)


def _has_flat_postings(index, term: str) -> bool:
    from archive.search.dense import dense_postings

    with index.searcher() as s:
        return any(dense_postings(sub.reader(), "content", term.encode()) is not None
                   for sub, _off in (s.subsearchers or [(s, 0)]))


@pytest.mark.parametrize("flat", [True, False], ids=["flat-postings", "blocks-only"])
def test_block_scoring_top_n_equals_whoosh_search(tmp_path, monkeypatch, flat):
    """archive.search.topn gives Whoosh's own ranking and scores (and total) for term queries,
    whether frequent terms are read from their flat postings or from blocks."""
    from archive.search.query import parse_query
    from archive.search.topn import top_n

    _flat_postings_used(monkeypatch, flat)
    index = SearchIndex(tmp_path / "index")
    for spec in ARTICLES + [dict(s, id="x" + s["id"][1:]) for s in ARTICLES]:  # several segments
        spec = dict(spec)
        text = spec.pop("text")
        index.add(make_document(Article(**spec), text))
    index.delete("xread00002")  # deletions must be left out
    spec = dict(ARTICLES[1], id="yread00002")
    text = spec.pop("text")
    # merges segments, dropping the deleted one (a text of its own: no tied scores)
    index.add(make_document(Article(**spec), text + " and the late marsh report"))
    checked = 0
    for q in ["the", "the marsh", "solar OR the", "the -grid", "tag:energy turbines", "site:grid the",
              "marsh OR grid OR bread", "is:unread the", "the saved:[2023 to 2025]", "published:2016",
              '"the marsh"', '"the marsh birds"', '"spring floods"', 'marsh "of the"', '"marsh the"',
              '"the northern marsh" OR solar', '"the marsh"^2', '"the dough"']:
        query = parse_query(q).query
        with index.searcher() as s:
            fast = top_n(s, query, 5)
            assert fast is not None, q
            # every hit, ranked: Whoosh's own top 5 of "the -grid" here leaves out the
            # one-document segment's article, which has "the" and no "grid"
            whoosh = list(s.search(query, limit=None))[:5]
            assert [(d, round(sc, 6)) for d, sc in fast[0]] == [(h.docnum, round(h.score, 6)) for h in whoosh], q
            assert fast[1] == len(set(s.docs_for_query(query))), q
            checked += 1
    assert checked == 18
    assert _has_flat_postings(index, "the") == flat
    index.close()


def test_positions_round_trip_through_the_array_encoding():
    from archive.search.phrases import ArrayPositions, encode_positions, positions

    fmt = ArrayPositions()
    for poslist in ([0], [3, 9, 400], [5, 65535], [7, 65536, 1_000_000]):
        value = encode_positions(poslist)
        assert list(positions(value)) == poslist
        assert fmt.decode_positions(value) == poslist
        assert fmt.decode_frequency(value) == len(poslist) == fmt.decode_weight(value)
    assert fmt.decode_positions(fmt.encode([9, 2])) == [2, 9]


def test_phrase_past_the_16_bit_positions_of_a_huge_article(tmp_path):
    """Positions past 65,535 are stored as 32-bit integers; phrases still line up there."""
    from archive.search.query import parse_query
    from archive.search.topn import top_n

    index = SearchIndex(tmp_path / "index")
    spec = dict(ARTICLES[0])
    spec.pop("text")
    filler = " ".join(["marsh water"] * 33_000)  # 66,000 words
    index.add(make_document(Article(**dict(spec, id="huge000001")), filler + " northern herons nest"))
    index.add(make_document(Article(**dict(spec, id="small00002")), "northern herons nest here"))
    for q, expected in (('"northern herons"', 2), ('"water northern herons"', 1), ('"herons northern"', 0)):
        query = parse_query(q).query
        with index.searcher() as s:
            fast = top_n(s, query, 5)
            whoosh = s.search(query, limit=5)
            assert fast is not None and fast[1] == expected == len(whoosh), q
            assert [(d, round(sc, 6)) for d, sc in fast[0]] == [(h.docnum, round(h.score, 6)) for h in whoosh], q
    index.close()


@pytest.mark.parametrize("flat", [True, False], ids=["flat-postings", "blocks-only"])
def test_block_scorer_over_many_blocks_with_deletions(tmp_path, monkeypatch, flat):
    """Postings spanning several (1024-posting positionless, 128-posting positional)
    blocks, some documents deleted: ranking, scores and totals equal Whoosh's, also
    where a rare word's few candidates are looked up in a common word's blocks —
    read from blocks or, for the frequent words, from their flat postings."""
    from archive.search.query import parse_query
    from archive.search.topn import top_n

    if not flat:
        _flat_postings_used(monkeypatch, False)  # else the default threshold: river etc. qualify
    index = SearchIndex(tmp_path / "index")
    spec = dict(ARTICLES[0])
    spec.pop("text")
    words = ["river", "stone", "light", "field", "cloud"]
    with index.batch():
        for n in range(2600):
            text = " ".join(words[(n * k) % 5] for k in range(1, 2 + n % 7))
            if n % 400 == 7:
                text += " heron the marsh"
            index.add(make_document(Article(**dict(spec, id=f"doc{n:07d}", title="")), text))
    for n in range(0, 2600, 97):
        index.delete(f"doc{n:07d}")
    index.flush()
    assert _has_flat_postings(index, "river") == flat
    assert not _has_flat_postings(index, "heron")  # 7 of 2,600 documents
    for q in ["heron river", "river", "river stone", "river OR cloud -light", '"the marsh"',
              '"stone light"', "heron -river", '"heron river"', '"light heron"', '"stone cloud field"']:
        query = parse_query(q).query
        with index.searcher() as s:
            fast = top_n(s, query, 10)
            whoosh = s.search(query, limit=10)
            assert fast is not None, q
            assert [(d, round(sc, 6)) for d, sc in fast[0]] == [(h.docnum, round(h.score, 6)) for h in whoosh], q
            assert fast[1] == len(set(s.docs_for_query(query))), q
    index.close()


def test_an_index_of_an_older_layout_is_replaced_on_open(tmp_path):
    """Index layouts change (v7 positionless words, v8 array positions): an index
    written by an older version is wiped and marked rebuilt, never read as if new."""
    from archive.search.index import INDEX_VERSION, VERSION_FILE

    index = SearchIndex(tmp_path / "index")
    spec = dict(ARTICLES[0])
    text = spec.pop("text")
    index.add(make_document(Article(**spec), text))
    assert index.doc_count() == 1
    index.close()
    (tmp_path / "index" / VERSION_FILE).write_text(str(INDEX_VERSION - 1))
    reopened = SearchIndex(tmp_path / "index")
    assert reopened.was_rebuilt and reopened.doc_count() == 0
    assert (tmp_path / "index" / VERSION_FILE).read_text() == str(INDEX_VERSION)
    reopened.close()
    again = SearchIndex(tmp_path / "index")
    assert not again.was_rebuilt
    again.close()


def test_fast_segment_writer_writes_what_whooshs_own_writer_writes(tmp_path, monkeypatch):
    """Every term of every field: the same postings (document, weight, value) and the
    same term statistics as Whoosh's own SegmentWriter gives, over several blocks."""
    from whoosh import index as windex
    from whoosh.writing import SegmentWriter

    from archive.search.whoosh_internals import FastSegmentWriter

    monkeypatch.setattr("archive.search.whoosh_internals.POSITIONLESS_BLOCK", 16)  # many blocks, quickly
    docs = []
    for n in range(300):
        spec = dict(ARTICLES[n % len(ARTICLES)], id=f"doc{n:07d}")
        text = spec.pop("text") + " extra" * (n % 5)
        docs.append(make_document(Article(**spec), text))
    readers = {}
    for name, writer_class in (("fast", FastSegmentWriter), ("whoosh", SegmentWriter)):
        SearchIndex(tmp_path / name).close()
        ix = windex.open_dir(str(tmp_path / name))
        writer = writer_class(ix)
        for doc in docs:
            writer.add_document(**{k: v for k, v in doc.items() if not k.startswith("_")})
        writer.commit()
        readers[name] = windex.open_dir(str(tmp_path / name)).reader()
    fast, whoosh = readers["fast"], readers["whoosh"]
    terms = list(whoosh.all_terms())
    assert terms == list(fast.all_terms())
    assert len(terms) > 200
    for field, btext in terms:
        a, b = fast.term_info(field, btext), whoosh.term_info(field, btext)
        assert (a.weight(), a.doc_frequency(), a.min_length(), a.max_length(), a.max_weight(),
                a.min_id(), a.max_id()) == (b.weight(), b.doc_frequency(), b.min_length(),
                                            b.max_length(), b.max_weight(), b.min_id(), b.max_id()), (field, btext)
        ma, mb = fast.postings(field, btext), whoosh.postings(field, btext)
        got, want = [], []
        for m, out in ((ma, got), (mb, want)):
            while m.is_active():
                out.append((m.id(), m.weight(), m.value()))
                m.next()
        assert got == want, (field, btext)
    fast.close()
    whoosh.close()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "bad offsets"])
def test_a_damaged_flat_postings_file_falls_back_to_the_blocks(tmp_path, monkeypatch, damage):
    """The .dense side file is an accelerator: if it is damaged, searches still give
    Whoosh's answers, read from the posting blocks."""
    import pickle
    import struct

    from whoosh import index as windex

    from archive.search.whoosh_internals import FastSegmentWriter
    from archive.search.query import parse_query
    from archive.search.topn import top_n

    _flat_postings_used(monkeypatch, True)
    SearchIndex(tmp_path / "index").close()
    ix = windex.open_dir(str(tmp_path / "index"))
    writer = FastSegmentWriter(ix, compound=False)  # the side file as a file of its own
    for n, spec in enumerate(ARTICLES * 3):
        spec = dict(spec, id=f"doc{n:07d}")
        text = spec.pop("text")
        writer.add_document(**{k: v for k, v in make_document(Article(**spec), text).items()
                               if not k.startswith("_")})
    writer.commit()
    (dense_file,) = (tmp_path / "index").glob("*.dense")
    data = dense_file.read_bytes()
    if damage == "garbage":
        data = data[:8] + bytes(reversed(data[8:]))
    elif damage == "truncated":
        data = data[:len(data) // 2]
    else:
        (offset,) = struct.unpack("<Q", data[-8:])
        header = pickle.loads(data[offset:-8])
        header["terms"] = {key: (entry[0], len(data) * 2) + entry[2:] for key, entry in header["terms"].items()}
        body = pickle.dumps(header, 5)
        data = data[:offset] + body + struct.pack("<Q", offset)
    dense_file.write_bytes(data)
    index = SearchIndex(tmp_path / "index")
    with index.searcher() as s:
        for q in ["the", '"the marsh"', "marsh OR the", "solar"]:
            query = parse_query(q).query
            fast = top_n(s, query, 5)
            whoosh = list(s.search(query, limit=None))[:5]
            assert fast is not None and fast[1] > 0, q
            assert [(d, round(sc, 6)) for d, sc in fast[0]] == [(h.docnum, round(h.score, 6)) for h in whoosh], q
    index.close()


def test_a_rebuild_cut_short_is_redone_whole_on_the_next_open(tmp_path, monkeypatch):
    """`reindex` queues every article first; if it never finishes, the next open finds
    them all queued and runs a full rebuild instead of indexing one by one."""
    from archive import Archive
    from archive.search import reindex
    from archive.library import store

    arch = _archive_with_files(tmp_path)
    before = _results(arch)
    ids_all = sorted(arch.catalog.ids())
    arch.catalog.queue_for_index(ids_all)  # as Archive.reindex does before rebuilding
    arch.index.clear()  # and the rebuild died before its new index was in place
    arch.close()
    monkeypatch.setattr(store, "REBUILD_QUEUE_FROM", 5)
    rebuilds = []
    real = reindex.rebuild_archive
    monkeypatch.setattr(reindex, "rebuild_archive",
                        lambda *a, **k: rebuilds.append(1) or real(*a, **k))
    arch = Archive(tmp_path / "arch", seed=False, fetch=False)
    try:
        assert rebuilds == [1]
        assert arch.catalog.index_queue() == []
        assert _results(arch) == before
        assert sorted(arch.index.ids()) == ids_all
    finally:
        arch.close()


def test_rebuilding_an_empty_archive_gives_an_empty_index(tmp_path):
    from archive import Archive

    arch = Archive(tmp_path / "arch", seed=False, fetch=False)
    try:
        assert arch.reindex() == 0
        assert arch.index.doc_count() == 0
        assert run_search(arch, "anything").total == 0
    finally:
        arch.close()
