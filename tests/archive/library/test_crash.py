"""SIGKILL a bulk save at random moments; afterwards nothing reported saved is lost.

Each run starts `quire add` on 30 local pages in a fresh archive, kills it with
SIGKILL after a different delay, then opens the archive (which finishes or rolls
back what the kill interrupted), runs check --repair and checks every article
the process had reported as saved: folder files, catalog row, index entry.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from archive import Archive
from archive.library.check import check_archive
from tests.support import REPO, make_page

RUNS = 20
PAGES = 80


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    out = []
    for i in range(PAGES):
        f = folder / f"page{i:02}.html"
        f.write_text(make_page(f"Crash test story {i}", f"uniqueword{i} " * 30), encoding="utf-8")
        out.append(str(f))
    return out


def test_sigkill_during_bulk_save_loses_nothing(tmp_path, pages):
    rng = random.Random(20261125)
    report = []
    for run in range(RUNS):
        root = tmp_path / f"run{run}"
        # Kill after the process has reported `after` saves (0: during start-up or the
        # first saves), plus a random few milliseconds, so kills land all through the work.
        after = rng.choice([0, rng.randrange(1, PAGES)])
        delay = rng.uniform(0.2, 1.5) if after == 0 else rng.uniform(0.0, 0.05)
        proc = subprocess.Popen([sys.executable, str(REPO / "main.py"), "--archive", str(root), "add", *pages],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        early: list[str] = []
        while len(early) < after:
            line = proc.stdout.readline()
            if not line:
                break
            early.append(line)
        time.sleep(delay)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the app and its extraction workers, all at once
        out, _err = proc.communicate(timeout=60)
        lines = "".join(early).splitlines() + out.splitlines()
        reported = [line.split("  ", 1)[0] for line in lines if line and not line.startswith("FAILED")]
        with Archive(root, seed=False, fetch=False) as a:
            check_archive(a, repair=True)
            remaining = check_archive(a)
            assert remaining == [], (run, delay, remaining)
            leftovers = [p.name for p in (root / "articles").iterdir() if p.name.startswith(".")]
            assert leftovers == [], (run, leftovers)
            lost = []
            for aid in reported:
                folder = a.article_dir(aid)
                complete = (all((folder / f).is_file() for f in ("article.html", "source.html.gz", "meta.json"))
                            and a.catalog.exists(aid) and a.index.stored_text(aid) is not None)
                if not complete:
                    lost.append(aid)
            assert lost == [], (run, delay, lost)
            # no half-written article is visible: every catalogued article is whole
            for art in a.articles():
                assert (a.article_dir(art.id) / "article.html").is_file()
            report.append((after, len(reported), len(a.articles())))
    print("\nruns (killed after N reported, reported saved, in archive):", report)
    assert len(report) == RUNS
    assert any(r[1] > 0 for r in report) and any(r[1] < PAGES for r in report)  # kills landed mid-work


_ADD_HIGHLIGHTS = """
import sys
from archive import Archive
root, aid = sys.argv[1], sys.argv[2]
with Archive(root, seed=False, fetch=False) as a:
    text = a.highlights.text(aid)
    for n in range(0, len(text) - 12, 14):
        mark = a.highlights.add(aid, n, n + 10, note=f"note {n}")
        print(mark.id, flush=True)
"""


def test_sigkill_while_adding_highlights_loses_none_reported(tmp_path):
    """A highlight reported saved survives a SIGKILL at any moment after."""
    rng = random.Random(14)
    for run in range(5):
        root = tmp_path / f"marks{run}"
        with Archive(root, seed=False, fetch=False) as a:
            aid = a.save_html(make_page(f"Highlight crash {run}", "many words to mark " * 40),
                              f"https://crash.example/{run}").article.id
        env = dict(os.environ, PYTHONPATH=str(REPO))
        proc = subprocess.Popen([sys.executable, "-c", _ADD_HIGHLIGHTS, str(root), aid], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
        reported = []
        wanted = rng.randrange(1, 15)
        while len(reported) < wanted:
            line = proc.stdout.readline()
            if not line:
                break
            reported.append(line.strip())
        time.sleep(rng.uniform(0.0, 0.05))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        out, _err = proc.communicate(timeout=60)
        reported += [line.strip() for line in out.splitlines() if line.strip()]
        assert reported, _err
        with Archive(root, seed=False, fetch=False) as a:
            check_archive(a, repair=True)
            assert check_archive(a) == []
            kept = {m.id for m in a.highlights.list(aid)}
            assert set(reported) <= kept, (run, set(reported) - kept)
            meta = (a.article_dir(aid) / "meta.json").read_text(encoding="utf-8")
            assert all(mark_id in meta for mark_id in reported)
