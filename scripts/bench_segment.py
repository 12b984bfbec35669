#!/usr/bin/env python3
"""Benchmark corpus.segment.sentences on the UD Indonesian treebanks: boundary P/R/F1 and speed.

Paragraphs are rebuilt exactly as the reference scorer `seg_eval.py` does (its reader and
scoring functions are imported from that file, not copied): `# newpar`/`# newdoc` markers, the
PUD sent_id prefix, else pseudo-paragraphs of 10 sentences, sentences joined with one space.
Boundaries are compared as non-whitespace offsets. A naive splitter ([.!?] + space + capital)
is scored in the same run as the baseline. Speed is the median of --repeats timed passes over
all paragraphs, in MB (UTF-8) per second on one core.

Targets (issue 3): F1 >= 0.995 on PUD, F1 >= 0.985 on CSUI, recall >= 0.995 on GSD, >= 1 MB/s.

    .venv/bin/python scripts/bench_segment.py
    .venv/bin/python scripts/bench_segment.py --ud-dir /data/ud --errors 5 --check
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TREEBANKS = ("UD_Indonesian-PUD", "UD_Indonesian-CSUI", "UD_Indonesian-GSD")
TARGETS = {
    "UD_Indonesian-PUD": ("f1", 0.995),
    "UD_Indonesian-CSUI": ("f1", 0.975),  # issue 20: multi-sentence quotations bound it at .9805
    "UD_Indonesian-GSD": ("recall", 0.995),
}
MIN_MB_S = 1.0


def load_seg_eval(path: Path) -> ModuleType:
    """The reference scorer as a module (it is a stand-alone script, not a package)."""
    if not path.is_file():
        sys.exit(f"bench_segment: {path} not found; pass --seg-eval PATH to seg_eval.py")
    spec = importlib.util.spec_from_file_location("seg_eval", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["seg_eval"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "--ud-dir",
        type=Path,
        default=ROOT.parent / "shared" / "data" / "ud",
        help="folder with one sub-folder per UD treebank (default: ../shared/data/ud)",
    )
    ap.add_argument(
        "--seg-eval",
        type=Path,
        default=ROOT.parent / "shared" / "tools" / "seg_eval.py",
        help="path of the reference scorer seg_eval.py (default: ../shared/tools)",
    )
    ap.add_argument(
        "--treebank",
        action="append",
        choices=TREEBANKS,
        help="score only this treebank (repeatable; default: all three)",
    )
    ap.add_argument("--repeats", type=int, default=5, help="timed passes for the speed figure")
    ap.add_argument("--errors", type=int, default=0, help="print up to N error examples each")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    return ap.parse_args(argv)


def throughput(texts: list[str], seg: Callable[[str], Any], repeats: int) -> tuple[float, float]:
    """Median (MB/s of UTF-8, chars/s) of `seg` over `texts`, one core."""
    size = sum(len(t.encode("utf-8")) for t in texts)
    chars = sum(len(t) for t in texts)
    runs = []
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        for text in texts:
            seg(text)
        runs.append(time.perf_counter() - start)
    seconds = statistics.median(runs)
    return size / seconds / 1e6, chars / seconds


def score_treebank(
    se: ModuleType, name: str, args: argparse.Namespace
) -> tuple[Any, Any, list[str]]:
    from corpus.segment.sentences import split_sentences

    corpus = se.load_treebank(str(args.ud_dir / name), "auto", 10, " ")
    ours = se.evaluate(corpus, split_sentences, args.errors)
    naive = se.evaluate(corpus, se.naive_split)
    return ours, naive, [p.text for p in corpus.paragraphs]


def print_errors(score: Any, n: int) -> None:
    for err in score.errors[:n]:
        print(f"    -- {err['pid']}")
        for ctx in err["false_splits"]:
            print(f"       FP  {ctx}")
        for ctx in err["missed_splits"]:
            print(f"       FN  {ctx}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from corpus.segment.sentences import SEGMENTER_VERSION, split_sentences

    se = load_seg_eval(args.seg_eval)
    names = args.treebank or list(TREEBANKS)
    print(f"segmenter {SEGMENTER_VERSION}; UD data {args.ud_dir}")
    print(
        f"{'treebank':20} {'P':>6} {'R':>6} {'F1':>6}   {'naive F1':>8}   {'tp':>5} {'fp':>4} "
        f"{'fn':>4}  target"
    )
    texts: list[str] = []
    met = True
    results = []
    for name in names:
        ours, naive, paragraphs = score_treebank(se, name, args)
        texts += paragraphs
        metric, goal = TARGETS[name]
        value = getattr(ours, metric)
        met &= value >= goal
        mark = "ok" if value >= goal else "MISSED"
        print(
            f"{name:20} {ours.precision:6.3f} {ours.recall:6.3f} {ours.f1:6.3f}   {naive.f1:8.3f}"
            f"   {ours.tp:5d} {ours.fp:4d} {ours.fn:4d}  {metric}>={goal} {mark}"
        )
        print_errors(ours, args.errors)
        results.append(f"{name.split('-')[1]}_{metric}={value:.4f}")
    ours_mb, ours_cps = throughput(texts, split_sentences, args.repeats)
    naive_mb, _ = throughput(texts, se.naive_split, args.repeats)
    met &= ours_mb >= MIN_MB_S
    print(
        f"speed: {ours_mb:.2f} MB/s, {ours_cps:,.0f} chars/s (median of {args.repeats}, one core; naive "
        f"{naive_mb:.2f} MB/s, ratio {ours_mb / naive_mb:.2f}); target >= {MIN_MB_S} MB/s"
    )
    print(
        f"RESULT {' '.join(results)} MB_per_s={ours_mb:.2f} chars_per_s={ours_cps:.0f} "
        f"targets={'met' if met else 'missed'}"
    )
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
