"""archive.library.watch: what another process (here a second handle, with its own
catalog connection and index) changed, and nothing of this handle's own writes."""
from __future__ import annotations

from archive import Archive
from archive.library import collections
from archive.library.watch import ArchiveWatcher
from tests.support import make_page


def _save(archive: Archive, title: str, n: int) -> str:
    return archive.save_html(make_page(title, f"words of {title}"), f"https://w.example/{n}",
                             download_images=False).article.id


def test_another_handles_changes_are_told_and_ours_are_not(tmp_path):
    root = tmp_path / "a"
    with Archive(root, seed=False, fetch=False) as window:
        first = _save(window, "Already there", 0)
        watcher = ArchiveWatcher(window)
        assert not watcher.poll()
        window.tag(first, add=["mine"])  # this handle's own write: its op said so already
        assert not watcher.poll()

        with Archive(root, seed=False, fetch=False) as other:
            added = _save(other, "Saved beside the window", 1)
            changes = watcher.poll()
            assert changes.added == {added} and changes.states and not changes.deleted
            assert not watcher.poll()  # told once

            other.tag(first, add=["theirs"])
            changes = watcher.poll()
            assert changes.articles == {first} and changes.tags and not changes.added
            assert not changes.states  # no read, favourite or archived changed

            other.set_state(added, is_favorite=True)
            changes = watcher.poll()
            assert changes.articles == {added} and changes.states and not changes.tags

            collections.create(other, "Reading list")
            assert watcher.poll().collections

            other.delete(added)
            changes = watcher.poll()
            assert changes.deleted == {added} and changes.counts


def test_the_index_commit_that_follows_a_change_is_told(tmp_path):
    """The other process commits the catalog first and its index after: searches made
    between the two miss the new article, so the index commit is news too."""
    root = tmp_path / "a"
    now = [0.0]
    with Archive(root, seed=False, fetch=False) as window:
        watcher = ArchiveWatcher(window, clock=lambda: now[0])
        with Archive(root, seed=False, fetch=False) as other:
            with other.batch():  # the index commit waits for the end of the batch
                added = _save(other, "Indexed later", 1)
                assert watcher.poll().added == {added}
            changes = watcher.poll()
            assert changes.found and not changes.added
            assert window.search("indexed later")[0].id == added
            now[0] += 3600  # long after: an index commit is this window's own
            _save(window, "Our own", 2)
            assert not watcher.poll()


def test_a_change_before_the_first_snapshot_is_not_lost(tmp_path):
    """The window reads what it shows, then the watcher takes its first snapshot: a
    `quire add` between the two is in the snapshot, so it is told as 'anything may
    have changed' rather than never."""
    root = tmp_path / "a"
    with Archive(root, seed=False, fetch=False) as window:
        since = ArchiveWatcher.mark(window)
        with Archive(root, seed=False, fetch=False) as other:
            _save(other, "Saved while the window opened", 1)
        watcher = ArchiveWatcher(window, since=since)
        changes = watcher.poll()
        assert changes.found and changes.tags and changes.states and changes.collections
        assert not watcher.poll()
        assert not ArchiveWatcher(window, since=ArchiveWatcher.mark(window)).poll()
