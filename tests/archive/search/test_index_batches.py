"""Batched index commits during bulk work: a commit being written must not hold up
the other threads' adds, and commits must land in the order their documents came."""
from __future__ import annotations

import threading

from archive.search.index import SearchIndex, make_document
from archive.base.models import Article


def _doc(aid: str, text: str) -> dict:
    return make_document(Article(id=aid, title=f"Item {aid}", saved="2026-01-01T00:00:00+00:00"), text)


class _OtherWriter:
    """A real Whoosh writer on the same index (what a CLI command beside the GUI holds),
    let go on release or, if a check fails first, when the block ends."""

    def __init__(self, index: SearchIndex) -> None:
        self.writer = index.ix.writer()
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            self.writer.cancel()

    def __enter__(self) -> "_OtherWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def test_adds_go_on_while_a_batch_commit_waits_for_the_writer(tmp_path) -> None:
    index = SearchIndex(tmp_path / "index")
    with index.batch():
        index.add(_doc("a0001", "first heron"))
        with _OtherWriter(index) as other:  # the commit below must wait for this writer
            index._last_flush = 0.0  # the batch is "old": the next flush_if_due commits it
            committer = threading.Thread(target=index.flush_if_due)
            committer.start()
            committer.join(0.5)
            assert committer.is_alive(), "the commit should be waiting for the other writer"

            adder = threading.Thread(target=lambda: index.add(_doc("a0002", "second heron")))
            adder.start()
            adder.join(10)
            assert not adder.is_alive(), "an add was held up by a commit in progress"
            assert committer.is_alive()
            other.release()  # the other writer goes away: the waiting commit lands
            committer.join(30)
            assert not committer.is_alive()
    assert index.ids() == {"a0001", "a0002"}
    index.close()


def test_commits_land_in_the_order_their_documents_came(tmp_path) -> None:
    index = SearchIndex(tmp_path / "index")
    with index.batch():
        index.add(_doc("a0001", "old words osprey"))
        with _OtherWriter(index) as other:
            index._last_flush = 0.0
            first = threading.Thread(target=index.flush_if_due)
            first.start()
            first.join(0.5)
            index.add(_doc("a0001", "new words kestrel"))  # the same article, changed
            second = threading.Thread(target=index.flush)
            second.start()
            second.join(0.5)
            assert first.is_alive() and second.is_alive()
            other.release()
            first.join(30)
            second.join(30)
    assert index.stored_text("a0001") == "new words kestrel"
    with index.searcher() as s:
        assert s.doc_count() == 1
    index.close()


def _segments(index: SearchIndex) -> int:
    from archive.search.whoosh_internals import listed_segments

    return len(listed_segments(index.ix))


def test_quick_commits_merge_nothing_until_merge_small(tmp_path) -> None:
    """A quick commit (a save someone waits for) leaves its segment unmerged; merge_small
    merges them later with nothing lost. Ordinary commits merge as Whoosh does."""
    index = SearchIndex(tmp_path / "index")
    for i in range(8):
        with index.batch():  # the add waits for the quick flush
            index.add(_doc(f"q{i:04d}", f"quick heron {i}"))
            index.flush(quick=True)
    assert _segments(index) == 8, "quick commits must not merge segments"
    index.merge_small()
    assert _segments(index) < 8
    assert index.ids() == {f"q{i:04d}" for i in range(8)}

    other = SearchIndex(tmp_path / "other")
    for i in range(8):
        other.add(_doc(f"o{i:04d}", f"ordinary heron {i}"))  # outside a batch: commits at once
    assert _segments(other) < 8, "ordinary commits should merge small segments"
    index.close()
    other.close()


def test_quick_commits_merge_once_segments_pile_up(tmp_path, monkeypatch) -> None:
    from archive.search import index as index_module

    monkeypatch.setattr(index_module, "MAX_UNMERGED_SEGMENTS", 6)
    index = SearchIndex(tmp_path / "index")
    counts = []
    for i in range(12):
        with index.batch():
            index.add(_doc(f"p{i:04d}", f"piled heron {i}"))
            index.flush(quick=True)
        counts.append(_segments(index))
    assert max(counts) <= 6, counts
    assert index.ids() == {f"p{i:04d}" for i in range(12)}
    index.close()


def test_merge_small_with_nothing_to_do_commits_nothing(tmp_path) -> None:
    index = SearchIndex(tmp_path / "index")
    index.add(_doc("s0001", "single heron"))
    generation = index.ix.latest_generation()
    index.merge_small()
    assert index.ix.latest_generation() == generation
    index.close()


def test_merge_small_leaves_the_merging_to_another_writer_at_work(tmp_path) -> None:
    """With nothing pending, merge_small does not wait for another process's writer
    (its commits merge; waiting could hold up closing the app)."""
    index = SearchIndex(tmp_path / "index")
    for i in range(6):
        with index.batch():
            index.add(_doc(f"w{i:04d}", f"waiting heron {i}"))
            index.flush(quick=True)
    with _OtherWriter(index):
        done = threading.Thread(target=index.merge_small)
        done.start()
        done.join(30)
        assert not done.is_alive(), "merge_small waited for the other writer"
        assert _segments(index) == 6
    index.merge_small()
    assert _segments(index) < 6
    index.close()
