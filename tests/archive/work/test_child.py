"""Long jobs in a child process (archive.child): results, progress, errors,
Cancel, and a child that dies — against a real archive on disk."""
from __future__ import annotations

import os
import threading

import pytest
from tests.support import make_page

from archive import Archive
from archive.work.bulk import save_all
from archive.work.child import run_in_child
from archive.base.errors import ArchiveError
from archive.interchange.importers import import_file
from archive.interchange.importers.driver import ImportFileError


def _pages(folder, n: int) -> list[str]:
    folder.mkdir()
    paths = []
    for i in range(n):
        p = folder / f"page{i}.html"
        p.write_text(make_page(f"Heron count number {i}", f"The marsh held {i} herons and a bittern."),
                     encoding="utf-8")
        paths.append(str(p))
    return paths


def wait_for_cancel(archive, *, progress, cancel, seconds: float):
    """A job that only ends when cancelled (or after `seconds`)."""
    progress(0, 1, "waiting")
    return "cancelled" if cancel.wait(seconds) else "not cancelled"


def die(archive, *, progress, cancel):
    os._exit(3)


def test_bulk_save_in_a_child_is_seen_by_the_parents_archive(tmp_path) -> None:
    pages = _pages(tmp_path / "pages", 9)
    with Archive(tmp_path / "a", seed=False, fetch=False) as archive:
        before = archive.count("bittern")
        reports: list[tuple[int, int]] = []
        outcomes = run_in_child(archive, save_all, progress=lambda d, t, m: reports.append((d, t)),
                                items=pages, tags=["birds"])
        assert [item for item, _ in outcomes] and sorted(i for i, _ in outcomes) == sorted(pages)
        assert all(res.created for _, res in outcomes)
        assert reports[-1] == (9, 9) and len(reports) == 9
        # the parent's handle sees the child's work: catalog and index
        assert before == 0
        assert archive.count("bittern") == 9
        assert archive.count("tag:birds") == 9
        first = outcomes[0][1].article
        assert archive.get(first.id).title == first.title
        # saving them again from the parent finds them as duplicates
        again = run_in_child(archive, save_all, items=pages[:3])
        assert [res.created for _, res in again] == [False, False, False]


def test_errors_in_the_child_are_raised_in_the_parent(tmp_path) -> None:
    with Archive(tmp_path / "a", seed=False, fetch=False) as archive:
        with pytest.raises(ImportFileError, match="no such file"):
            run_in_child(archive, import_file, path=str(tmp_path / "missing.csv"))


def test_cancel_reaches_the_child(tmp_path) -> None:
    cancel = threading.Event()
    with Archive(tmp_path / "a", seed=False, fetch=False) as archive:
        result = run_in_child(archive, wait_for_cancel, progress=lambda *_: cancel.set(),
                              cancel=cancel, seconds=60)
    assert result == "cancelled"


def test_a_child_that_dies_is_reported(tmp_path) -> None:
    with Archive(tmp_path / "a", seed=False, fetch=False) as archive:
        with pytest.raises(ArchiveError, match="stopped unexpectedly .*exit code 3"):
            run_in_child(archive, die)


def niceness(archive, *, progress, cancel):
    return os.nice(0)


def test_the_child_runs_at_a_lower_cpu_priority(tmp_path) -> None:
    """Background work must yield the cores to the window (bench/ui_latency.py)."""
    from archive.work.child import NICENESS

    with Archive(tmp_path / "a", seed=False, fetch=False) as archive:
        assert run_in_child(archive, niceness) == min(19, os.nice(0) + NICENESS)


def test_reextract_and_reindex_jobs_in_a_child(tmp_path) -> None:
    from archive.work.child import reextract_job, reindex_job

    pages = _pages(tmp_path / "pages", 8)
    with Archive(tmp_path / "a", seed=False, fetch=False) as archive:
        ids = [res.article.id for _, res in save_all(archive, pages)]
        archive.tag(ids[0], add=["kept"])
        done, failures = run_in_child(archive, reextract_job, ids=ids)
        assert (done, failures) == (8, [])
        assert archive.get(ids[0]).tags == ["kept"]  # re-extraction keeps tags
        assert run_in_child(archive, reindex_job) == 8
        assert archive.count("bittern") == 8 and archive.count("tag:kept") == 1


ORPHAN_PARENT = r"""
import json, sys, time
sys.path[:0] = {paths!r}
from archive import Archive
from archive.work.bulk import save_all
from archive.work.child import run_in_child
with Archive({root!r}, seed=False, fetch=False) as archive:
    run_in_child(archive, save_all,
                 progress=lambda d, t, m: print("progress", d, flush=True),
                 items=json.load(open({items!r})))
"""


def test_a_child_stops_when_its_parent_is_killed(tmp_path) -> None:
    """SIGKILL of the window must not leave a child saving on its own for long:
    it notices at its next item and stops; what it saved is whole."""
    import json
    import signal
    import subprocess
    import sys
    import time

    from archive.library.check import check_archive

    pages = _pages(tmp_path / "pages", 150)
    # items that fail at once make the final answer big (more than a pipe holds): an
    # orphan that tried to send it would block for ever in its exit
    missing = [str(tmp_path / f"no-such-page-{i:05d}.html") for i in range(2000)]
    root = tmp_path / "a"
    Archive(root, seed=False, fetch=False).close()
    listing = tmp_path / "items.json"
    listing.write_text(json.dumps(missing + pages))
    script = ORPHAN_PARENT.format(paths=sys.path, root=str(root), items=str(listing))
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    for line in parent.stdout:  # wait until the child has saved something
        if line.startswith("progress") and int(line.split()[1]) >= len(missing) + 3:
            break
    children = subprocess.run(["pgrep", "-P", str(parent.pid)], capture_output=True, text=True)
    # the job's child runs niced (multiprocessing's resource tracker is a child too)
    child_pids = [int(p) for p in children.stdout.split() if os.getpriority(os.PRIO_PROCESS, int(p)) > 0]
    assert len(child_pids) == 1
    parent.send_signal(signal.SIGKILL)
    parent.wait()

    def running(pid: int) -> bool:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
        except FileNotFoundError:
            return False

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and running(child_pids[0]):
        time.sleep(0.2)
    assert not running(child_pids[0]), "the child went on (or hung) after its parent died"
    with Archive(root, seed=False, fetch=False) as archive:
        assert check_archive(archive) == []
        assert 3 <= archive.count("bittern") < 150


def test_run_job_keeps_small_tasks_in_this_process(tmp_path) -> None:
    from archive.work.child import CHILD_FROM, run_job

    with Archive(tmp_path / "a", seed=False, fetch=False) as archive:
        assert run_job(archive, niceness, size=CHILD_FROM - 1) == os.nice(0)
        assert run_job(archive, niceness, size=CHILD_FROM) == min(19, os.nice(0) + 10)
