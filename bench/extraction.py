"""Extraction quality and speed on the shared corpus, as one JSON object.

Quality uses the team's scorer (../shared/tools/score_extraction.py, the
public article-extraction benchmark's shingle F1) so the figure here is the
same one the issue states; speed is the wall time of extract_text per page
(parse + metadata + readability + clean-up + sanitize + text).

Wall-clock figures (median_ms, p95_ms) are what the issue's target is about;
median_cpu_ms is this process's CPU time, which stays meaningful when other
work shares the machine.

usage: python bench/extraction.py [--corpus DIR] [--repeat N]
"""
from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCORER = ROOT.parent / "shared" / "tools" / "score_extraction.py"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "extraction"

sys.path.insert(0, str(ROOT))


def _load_scorer():
    if not SCORER.exists():
        sys.exit(f"bench/extraction.py: scorer not found at {SCORER}")
    spec = importlib.util.spec_from_file_location("score_extraction", SCORER)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=1, help="timing runs per page (best kept)")
    args = parser.parse_args()
    truth_file = args.corpus / "ground-truth.json"
    if not truth_file.exists():
        sys.exit(
            f"bench/extraction.py: corpus not found: {truth_file} is missing "
            "(expected the shared extraction corpus next to the repository)"
        )
    scorer = _load_scorer()
    from archive.extraction.extract import extract_text

    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    pages = []
    for key, item in sorted(truth.items()):
        with gzip.open(args.corpus / "html" / f"{key}.html.gz") as f:
            pages.append((key, f.read().decode("utf-8"), item))

    extract_text(pages[0][1], pages[0][2]["url"])  # warm imports and caches
    pairs, times, cpu_times = [], [], []
    for key, html, item in pages:
        best = best_cpu = float("inf")
        for _ in range(max(1, args.repeat)):
            start, start_cpu = time.perf_counter(), time.process_time()
            try:
                text = extract_text(html, item["url"])
            except Exception as exc:  # a crash scores as an empty extraction
                print(f"error on {key}: {exc!r}", file=sys.stderr)
                text = ""
            best = min(best, time.perf_counter() - start)
            best_cpu = min(best_cpu, time.process_time() - start_cpu)
        times.append(best * 1000)
        cpu_times.append(best_cpu * 1000)
        pairs.append((key, text, item["articleBody"]))

    result, _ = scorer.score(pairs)
    times.sort()
    result["median_ms"] = round(statistics.median(times), 1)
    result["p95_ms"] = round(times[min(len(times) - 1, int(0.95 * len(times)))], 1)
    # CPU time of this process: the same figure when other work shares the machine.
    result["median_cpu_ms"] = round(statistics.median(cpu_times), 1)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
