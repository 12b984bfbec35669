#!/usr/bin/env python3
"""Benchmark cleaning and segmentation on real web pages (issues 12, 20): what a build keeps.

Every document of the development set (../shared/data/web_dev: real Indonesian news pages and
scraped texts, with annotations) goes through the stages a build uses: `corpus.read.inputs` (HTML,
and text holding HTML, through `corpus.html.extract`), the repeated lines decided in file order,
`prepare()` (clean, segment, units with a letter). The output sentences are scored by the set's
README rule:

- kept: a must_keep sentence is kept whole when an output sentence contains it and is at most
  40 characters longer (output whitespace-normalised, U+00A0 as a space, NFC);
- junk: a must_drop substring survives when any output sentence contains it.

The table has one row per document and subtotals for the HTML pages, the text files and files
22-36 (measured before anyone tuned on them), and names the documents without rows. Then each
HTML page as a browser copy (its visible text cleaned as plain text: menus, sidebars, teasers
and footers as lines) is scored the same way; `seg_cases.jsonl` (real paragraphs and their
sentences) scores the segmenter alone, by boundary P/R/F1 and exact cases, next to a naive
splitter; the UD treebank figures come from scripts/bench_segment.py; and the speed of cleaning
+ segmentation (MB of UTF-8 input per second, one core; the documents as read and the browser
copies) and of HTML extraction is measured for this tree and for the code at --baseline (a git
ref, default 0476695: before issue 20, checked out into a temporary folder; the timer imports
either package layout), alternating the two in one run, by wall clock and by CPU time.

    .venv/bin/python scripts/bench_clean.py
    .venv/bin/python scripts/bench_clean.py /path/to/web_dev --show --out /tmp/bench_out
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import bench_segment  # scripts/ is on the path when this script runs

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
KEEP_SLACK = 40
WS = re.compile(r"\s+")
TARGETS = {"kept": 0.99, "junk": 0.02, "seg_f1": 0.97}

# Times Cleaner().clean + segment over the texts of a JSON file (the documents as read, then
# the browser copies), and html_to_text over its pages, in whatever tree is on the path (this
# one, or the baseline's, whose modules may have the layout before issue 25); prints one JSON
# object of seconds per pass.
TIMER = """
import json, sys, time
try:  # the package layout of issue 25
    from corpus.clean.cleaner import Cleaner
    from corpus.html.extract import html_to_text
except ImportError:  # a tree from before it (html_to_text was in corpus.clean)
    from corpus.clean import Cleaner, html_to_text
from corpus.segment import segment
data = json.load(open(sys.argv[1], encoding="utf-8"))
runs = {"clean": [], "copies": [], "extract": [], "clean_cpu": [], "copies_cpu": []}
for _ in range(int(sys.argv[2])):
    for kind in ("clean", "copies"):
        cleaner = Cleaner()
        start, cpu = time.perf_counter(), time.process_time()
        for text in data["texts" if kind == "clean" else "copies"]:
            segment(cleaner.clean(text).text)
        runs[kind].append(time.perf_counter() - start)
        runs[kind + "_cpu"].append(time.process_time() - cpu)
    start = time.perf_counter()
    for html in data["pages"]:
        html_to_text(html)
    runs["extract"].append(time.perf_counter() - start)
print(json.dumps(runs))
"""
# The development set's files that no one tuned on before issue 20 measured them.
UNTUNED = tuple(f"{n:02d}_" for n in range(22, 37))


@dataclass
class PageScore:
    name: str
    kept: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    leaked: list[str] = field(default_factory=list)
    junk_total: int = 0
    sentences: int = 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "data",
        nargs="?",
        type=Path,
        default=SHARED / "data" / "web_dev",
        help="the development set folder (default: ../shared/data/web_dev)",
    )
    ap.add_argument("--ud-dir", type=Path, default=SHARED / "data" / "ud")
    ap.add_argument("--seg-eval", type=Path, default=SHARED / "tools" / "seg_eval.py")
    ap.add_argument("--repeats", type=int, default=5, help="timed passes for the speed figure")
    ap.add_argument(
        "--baseline",
        default="0476695",
        help="git ref timed next to this tree (default: the cleaner before issue 20)",
    )
    ap.add_argument("--no-ud", action="store_true", help="skip the UD treebanks")
    ap.add_argument("--no-speed", action="store_true", help="skip the speed measurement")
    ap.add_argument(
        "--no-copies",
        action="store_true",
        help="skip the browser copies (each HTML page's visible text, cleaned as plain text)",
    )
    ap.add_argument("--show", action="store_true", help="print lost sentences and leaked junk")
    ap.add_argument("--out", type=Path, help="write OUT/<file>.txt, one sentence per line")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    return ap.parse_args(argv)


def prepare(doc: Any, tracker: Any) -> list[str]:
    """One document -> the sentences a build translates: the build's own preparation stage
    (clean, segment, units with a letter), with lines repeated across documents decided in
    document order as the build does."""
    from corpus.clean.cleaner import fingerprints
    from corpus.pipeline.prepare import PrepareOptions
    from corpus.pipeline.prepare import prepare as build_prepare

    drop = tracker.observe(fingerprints(doc.text))
    return [u.text for u in build_prepare(doc, PrepareOptions(), drop).units]


def read_set(data: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The annotations and the documents read by corpus.read.inputs, by file name (a page the read
    stage skips, e.g. because no text was found, is missing and scores as no output)."""
    from corpus.read.config import ReadConfig
    from corpus.read.inputs import iter_documents
    from corpus.report import Report

    rows = [json.loads(line) for line in (data / "expected.jsonl").open(encoding="utf-8")]
    report = Report()
    docs = iter_documents([str(data / row["file"]) for row in rows], ReadConfig(), report)
    found = {Path(d.source).name: d for d in docs}
    for source, reason in report.skipped_inputs:
        print(f"read skipped {Path(source).name}: {reason}")
    return rows, found


def normalise(text: str) -> str:
    return WS.sub(" ", unicodedata.normalize("NFC", text).replace("\u00a0", " ")).strip()


def score_page(row: dict[str, Any], sentences: list[str]) -> PageScore:
    out = [normalise(s) for s in sentences if s.strip()]
    page = PageScore(row["file"], sentences=len(out), junk_total=len(row["must_drop_substrings"]))
    for s in row["must_keep_sentences"]:
        whole = any(s in o and len(o) - len(s) <= KEEP_SLACK for o in out)
        (page.kept if whole else page.lost).append(s)
    page.leaked = [j for j in row["must_drop_substrings"] if any(j in o for o in out)]
    return page


def score_documents(args: argparse.Namespace) -> tuple[list[PageScore], list[str], list[str]]:
    """Build the set through prepare(); the scores per page, the texts read, the HTML pages."""
    from corpus.clean.repeats import RepeatTracker

    rows, docs = read_set(args.data)
    tracker = RepeatTracker()
    pages = []
    for row in rows:
        doc = docs.get(row["file"])
        sentences = prepare(doc, tracker) if doc is not None else []
        pages.append(score_page(row, sentences))
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{row['file']}.txt").write_text(
                "".join(f"{s}\n" for s in sentences), encoding="utf-8"
            )
    html = [
        (args.data / row["file"]).read_text(encoding="utf-8", errors="replace")
        for row in rows
        if row["file"].endswith((".html", ".htm"))
    ]
    return pages, [d.text for d in docs.values()], html


def print_pages(pages: list[PageScore], show: bool) -> tuple[int, int, int, int]:
    """The per-document table, the subtotals (HTML pages, text files, the files untuned before
    issue 20) and the total; returns (kept, article sentences, junk left, junk items)."""
    print(f"{'document':34} {'sents':>5} {'kept':>7} {'junk left':>9}")
    for p in pages:
        n = len(p.kept) + len(p.lost)
        print(
            f"{p.name:34} {p.sentences:5d} {len(p.kept):3d}/{n:<3d} {len(p.leaked):4d}/{p.junk_total:<4d}"
        )
        if show:
            for s in p.lost:
                print(f"    LOST   {s[:150]}")
            for j in p.leaked:
                print(f"    LEAKED {j[:150]}")
    groups = {
        "HTML pages": [p for p in pages if p.name.endswith((".html", ".htm"))],
        "text files": [p for p in pages if not p.name.endswith((".html", ".htm"))],
        "22-36 (untuned)": [p for p in pages if p.name.startswith(UNTUNED)],
    }
    for label, group in groups.items():
        if group and len(group) < len(pages):
            _subtotal(f"  {label}", group)
    totals = _subtotal("TOTAL", pages)
    empty = [p.name for p in pages if not p.sentences]
    print(f"documents without rows: {len(empty)}" + (f" ({', '.join(empty)})" if empty else ""))
    return totals


def _subtotal(label: str, pages: list[PageScore]) -> tuple[int, int, int, int]:
    kept = sum(len(p.kept) for p in pages)
    keep_total = kept + sum(len(p.lost) for p in pages)
    leaked = sum(len(p.leaked) for p in pages)
    junk_total = sum(p.junk_total for p in pages)
    print(
        f"{label:34} {sum(p.sentences for p in pages):5d} {kept:3d}/{keep_total:<3d} "
        f"{leaked:4d}/{junk_total:<4d}  (kept {kept / max(1, keep_total):.3f}, junk left "
        f"{leaked / max(1, junk_total):.3f})"
    )
    return kept, keep_total, leaked, junk_total


def score_copies(args: argparse.Namespace) -> tuple[list[PageScore], list[str]]:
    """Each HTML page of the set as a browser copy: its visible text (the set's own
    check_set.py definition, one block a line: menus, sidebars, teasers, footers as lines)
    cleaned and segmented as plain text, scored by the same rule."""
    sys.path.insert(0, str(args.data))
    import check_set  # the development set's own visible-text definition

    from corpus.clean.cleaner import Cleaner
    from corpus.clean.config import CleanConfig
    from corpus.segment.sentences import segment

    rows = [json.loads(line) for line in (args.data / "expected.jsonl").open(encoding="utf-8")]
    pages, texts = [], []
    for row in rows:
        if not row["file"].endswith((".html", ".htm")):
            continue
        text = check_set.visible_text(str(args.data / row["file"]))
        cleaned = Cleaner(CleanConfig(cross_doc_min_docs=0)).clean(text).text
        sentences = [s.text for s in segment(cleaned) if any(c.isalpha() for c in s.text)]
        pages.append(score_page(row, sentences))
        texts.append(text)
    return pages, texts


def score_seg_cases(se: ModuleType, data: Path, show: bool) -> tuple[Any, Any]:
    """seg_cases.jsonl scored by seg_eval's reference functions: ours and the naive splitter."""
    from corpus.segment.sentences import split_sentences

    cases = se.load_jsonl(str(data / "seg_cases.jsonl"))
    ours = se.evaluate(cases, split_sentences, 1000 if show else 0)
    naive = se.evaluate(cases, se.naive_split)
    print(f"{'seg_cases (' + str(ours.paras) + ')':20} {'P':>6} {'R':>6} {'F1':>6} {'exact':>7}")
    for label, sc in (("idcorpus", ours), ("naive", naive)):
        print(
            f"{label:20} {sc.precision:6.3f} {sc.recall:6.3f} {sc.f1:6.3f} "
            f"{sc.exact:3d}/{sc.paras:<3d}  (tp {sc.tp}, fp {sc.fp}, fn {sc.fn})"
        )
    if show:
        bench_segment.print_errors(ours, len(ours.errors))
    return ours, naive


def score_ud(se: ModuleType, args: argparse.Namespace) -> dict[str, float]:
    ud_args = argparse.Namespace(ud_dir=args.ud_dir, errors=0)
    figures: dict[str, float] = {}
    for name in bench_segment.TREEBANKS:
        ours, naive, _ = bench_segment.score_treebank(se, name, ud_args)
        metric, goal = bench_segment.TARGETS[name]
        value = getattr(ours, metric)
        print(
            f"{name:20} P {ours.precision:.4f} R {ours.recall:.4f} F1 {ours.f1:.4f} "
            f"(naive F1 {naive.f1:.4f}); target {metric} >= {goal} "
            f"{'ok' if value >= goal else 'MISSED'}"
        )
        figures[f"{name.split('-')[1].lower()}_{metric}"] = value
    return figures


def time_tree(tree: Path, data_file: Path, repeats: int) -> dict[str, list[float]]:
    """Seconds per pass of TIMER with `tree` first on the path."""
    done = subprocess.run(
        [sys.executable, "-c", TIMER, str(data_file), str(repeats)],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"bench_clean: timing in {tree} failed:\n{done.stderr[-2000:]}")
    runs: dict[str, list[float]] = json.loads(done.stdout.strip().splitlines()[-1])
    return runs


def export_tree(ref: str, dest: Path) -> bool:
    """The corpus/ and translate/ packages of git `ref` into `dest`."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "corpus", "translate"],
        capture_output=True,
        check=False,
    )
    if archive.returncode:
        print(f"speed: baseline {ref!r} not available ({archive.stderr.decode().strip()})")
        return False
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return True


def measure_speed(
    texts: list[str], copies: list[str], pages: list[str], args: argparse.Namespace
) -> tuple[float, float | None]:
    """MB/s of clean + segment (the documents as read, and the browser copies) and of HTML
    extraction, median of the passes, for this tree and the baseline timed in alternating
    rounds (the first to run alternates too); the ratio is the median of the per-round ratios,
    so load that changes between rounds cancels out. Returns the clean + segment figures."""
    sizes = {
        "clean": sum(len(t.encode("utf-8")) for t in texts) / 1e6,
        "copies": sum(len(t.encode("utf-8")) for t in copies) / 1e6,
        "extract": sum(len(p.encode("utf-8")) for p in pages) / 1e6,
    }
    with tempfile.TemporaryDirectory(prefix="bench_clean_") as tmp:
        data_file = Path(tmp) / "data.json"
        data = {"texts": texts, "copies": copies, "pages": pages}
        data_file.write_text(json.dumps(data), encoding="utf-8")
        base = Path(tmp) / "base"
        base.mkdir()
        trees: dict[str, Path] = {"this tree": ROOT}
        if args.baseline and export_tree(args.baseline, base):
            trees[args.baseline] = base
        rounds = [_round(trees, data_file, i) for i in range(max(1, args.repeats))]
    lines, figures = _speed_lines(rounds, sizes, args.baseline if len(trees) > 1 else "")
    print("\n".join(lines))
    return figures["this tree"], figures.get(args.baseline)


def _round(trees: dict[str, Path], data_file: Path, i: int) -> dict[str, dict[str, float]]:
    """One round: each tree times two passes (this tree first in even rounds)."""
    order = list(trees.items()) if i % 2 == 0 else list(reversed(trees.items()))
    found = {}
    for name, tree in order:
        runs = time_tree(tree, data_file, 2)
        found[name] = {kind: min(seconds) for kind, seconds in runs.items()}
    return found


def _speed_lines(
    rounds: list[dict[str, dict[str, float]]], sizes: dict[str, float], baseline: str
) -> tuple[list[str], dict[str, float]]:
    lines, figures = [], {}
    kinds = (
        ("clean", "clean + segment"),
        ("copies", "clean + segment, browser copies"),
        ("extract", "HTML extraction"),
    )
    for kind, label in kinds:
        if not sizes[kind]:
            continue
        ours = sizes[kind] / statistics.median(r["this tree"][kind] for r in rounds)
        line = f"speed ({label}, {sizes[kind]:.3f} MB, {len(rounds)} rounds): {ours:.2f} MB/s"
        if kind == "clean":
            figures["this tree"] = ours
        if baseline:
            base = sizes[kind] / statistics.median(r[baseline][kind] for r in rounds)
            ratios = [r[baseline][kind] / r["this tree"][kind] for r in rounds]
            line += f"; {baseline}: {base:.2f} MB/s; ratio {statistics.median(ratios):.2f}"
            line += f" (per round {min(ratios):.2f}-{max(ratios):.2f})"
            if f"{kind}_cpu" in rounds[0]["this tree"]:  # CPU time: less moved by other load
                cpu = [r[baseline][f"{kind}_cpu"] / r["this tree"][f"{kind}_cpu"] for r in rounds]
                line += f"; CPU-time ratio {statistics.median(cpu):.2f}"
                line += f" ({min(cpu):.2f}-{max(cpu):.2f})"
            if kind == "clean":
                figures[baseline] = base
        lines.append(line)
    return lines, figures


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from corpus.clean.cleaner import CLEANER_VERSION
    from corpus.segment.sentences import SEGMENTER_VERSION

    if not (args.data / "expected.jsonl").is_file():
        sys.exit(f"bench_clean: {args.data} holds no expected.jsonl; pass the web_dev folder")
    print(f"cleaner {CLEANER_VERSION}, segmenter {SEGMENTER_VERSION}; data {args.data}")
    pages, texts, html = score_documents(args)
    kept, keep_total, leaked, junk_total = print_pages(pages, args.show)
    copies: list[str] = []
    copied = (0, 0, 0, 0)
    if not args.no_copies:
        print("\nbrowser copies: each HTML page's visible text cleaned as plain text")
        copy_pages, copies = score_copies(args)
        copied = print_pages(copy_pages, args.show)
        print()
    se = bench_segment.load_seg_eval(args.seg_eval)
    ours, _ = score_seg_cases(se, args.data, args.show)
    ud = {} if args.no_ud else score_ud(se, args)
    mb_s, base_mb = (0.0, None) if args.no_speed else measure_speed(texts, copies, html, args)
    met = (
        kept / keep_total >= TARGETS["kept"]
        and leaked / junk_total <= TARGETS["junk"]
        and ours.f1 >= TARGETS["seg_f1"]
        and all(p.sentences for p in pages)
    )
    fields = [f"kept={kept}/{keep_total}", f"junk={leaked}/{junk_total}", f"seg_f1={ours.f1:.3f}"]
    if copied[1]:
        fields += [f"copies_kept={copied[0]}/{copied[1]}", f"copies_junk={copied[2]}/{copied[3]}"]
    fields += [f"{k}={v:.4f}" for k, v in ud.items()]
    fields.append(f"mb_s={mb_s:.2f}")
    if base_mb is not None:
        fields.append(f"{args.baseline}_mb_s={base_mb:.2f}")
    print("RESULT " + " ".join(fields))
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
