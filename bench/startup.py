"""Cold start of the GUI on a big archive, as JSON: startup_s and rss_mb.

Builds (or reuses, with --dir) a synthetic archive of N articles the way
bench/search.py does (catalog rows plus a Whoosh index, no article files:
start-up never reads them), then launches a fresh Python process that opens
the window offscreen and reports when it is interactive: the archive is
open, the first page of results is on screen and the tag pane has its
counts. startup_s is measured from just before the launch, so it includes
the interpreter, the imports and Qt. rss_mb is the child's peak RSS.

usage: python bench/startup.py [--articles 50000] [--dir DIR] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import os, sys, time, json, resource
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, {root!r})
from pathlib import Path
from app.gui.main import make_app
from PySide6.QtCore import QSettings, QTimer
app = make_app(True)
from app.gui.main_window import MainWindow
settings = QSettings({ini!r}, QSettings.Format.IniFormat)
window = MainWindow(Path({archive!r}), settings)
window.resize(1360, 860)
window.show()
marks = {{}}
state = {{"results": False, "library": False}}
def shown():
    marks.setdefault("window_shown", time.time())
QTimer.singleShot(0, shown)
def check():
    if window.archive is not None:
        marks.setdefault("archive_open", time.time())
    if state["results"] and state["library"]:
        marks["interactive"] = time.time()
        app.quit()
def on_results(_q, _n):
    marks.setdefault("results", time.time()); state["results"] = True; check()
def on_library():
    marks.setdefault("library", time.time()); state["library"] = True; check()
window.search.searched.connect(on_results)
window.library_refreshed.connect(on_library)
window.archive_ready.connect(check)
QTimer.singleShot(60000, app.quit)
app.exec()
rows = window.search.model.rowCount()
total = window.search.model.total
window.close()
usage = resource.getrusage(resource.RUSAGE_SELF)
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child of a big
# parent (this bench right after building the archive) would report the parent's peak
peak_kb = next((int(line.split()[1]) for line in open("/proc/self/status")
                if line.startswith("VmHWM:")), usage.ru_maxrss)
print(json.dumps({{"marks": marks, "rss_mb": peak_kb / 1024, "cpu_s": usage.ru_utime + usage.ru_stime,
                  "rows": rows, "total": total}}))
"""


def ensure_archive(path: Path, n: int) -> None:
    """Build the synthetic archive unless one of the right size is there."""
    from archive.library.layout import Layout
    from archive.search.index import INDEX_VERSION, VERSION_FILE

    marker = path / "bench-articles.txt"
    version = Layout(path).index / VERSION_FILE
    if (
        marker.exists()
        and marker.read_text().strip() == str(n)
        and version.exists()
        and version.read_text().strip() == str(INDEX_VERSION)
        and _indexed(Layout(path).index) == n
    ):
        return  # the same size and a whole index this code reads as is (no rebuild on open)
    shutil.rmtree(path, ignore_errors=True)
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_search", ROOT / "bench" / "search.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    module.build(path, n, None)
    marker.write_text(str(n))


def _indexed(folder: Path) -> int:
    """Documents in the Whoosh index at folder (0 if unreadable)."""
    try:
        from whoosh import index

        ix = index.open_dir(str(folder))
        try:
            return ix.doc_count()
        finally:
            ix.close()
    except Exception:  # noqa: BLE001 - any trouble means: build it again
        return 0


def _child_env() -> dict[str, str]:
    """The GUI process's environment: offscreen, and Python's bytecode cache on.

    Some shells (this project's sandbox among them) export PYTHONDONTWRITEBYTECODE;
    a user's Python caches compiled modules, so every launch after the first
    skips compiling them (~0.2 s here). `main` makes one untimed launch first."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def one_run(archive: Path, workdir: Path) -> dict:
    ini = workdir / f"settings-{time.monotonic_ns()}.ini"
    code = CHILD.format(root=str(ROOT), ini=str(ini), archive=str(archive))
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=_child_env(),
    )
    if out.returncode != 0 or not out.stdout.strip():
        raise SystemExit(f"bench/startup.py: the GUI process failed:\n{out.stderr[-3000:]}")
    data = json.loads(out.stdout.strip().splitlines()[-1])
    marks = data["marks"]
    if "interactive" not in marks:
        raise SystemExit(f"bench/startup.py: the window never became interactive: {data}")
    return {
        "startup_s": marks["interactive"] - start,
        "window_shown_s": marks["window_shown"] - start,
        "archive_open_s": marks.get("archive_open", marks["interactive"]) - start,
        "rss_mb": data["rss_mb"],
        "cpu_s": data["cpu_s"],  # less sensitive than wall time to other load on the machine
        "rows": data["rows"],
        "total": data["total"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50000)
    parser.add_argument("--dir", type=Path, help="keep the built archive here and reuse it")
    parser.add_argument(
        "--runs", type=int, default=3, help="report the median of this many launches"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="quire-startup-"))
    archive = args.dir or work / "archive"
    try:
        t0 = time.perf_counter()
        ensure_archive(archive, args.articles)
        build_s = time.perf_counter() - t0
        one_run(archive, work)  # untimed: fills the bytecode cache, as a first launch does
        runs = [one_run(archive, work) for _ in range(max(1, args.runs))]
        med = {
            key: statistics.median(r[key] for r in runs)
            for key in ("startup_s", "window_shown_s", "archive_open_s", "rss_mb", "cpu_s")
        }
        print(
            json.dumps(
                {
                    "articles": args.articles,
                    "startup_s": round(med["startup_s"], 3),
                    "rss_mb": round(max(r["rss_mb"] for r in runs), 1),
                    "window_shown_s": round(med["window_shown_s"], 3),
                    "archive_open_s": round(med["archive_open_s"], 3),
                    "cpu_s": round(med["cpu_s"], 3),
                    "load_avg": round(os.getloadavg()[0], 2),
                    "results_total": runs[0]["total"],
                    "runs": len(runs),
                    "build_s": round(build_s, 1),
                }
            )
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
