"""Benchmark of report.html: its size and build time on synthetic corpora of 100,000 and
1,000,000 pairs, measured in the same run.

    python scripts/bench_report.py            # ends with: RESULT report_mb=... linear=...

Each corpus is a dataset folder in the real schema (data/train-*.parquet with every signal
column and line_no, a rejected configuration with 0.4 dropped units per pair, idcorpus.json
and the card, written by the dataset writer), with URL document ids over 200 sites, about 20
pairs a document. `report_mb` is the size of the 1M report (target <= 5); `linear` is the
ratio of the 1M build time to the 100k one (target <= 12: ten times the data), medians of
`--repeats` builds; `cpu_linear` the same ratio in CPU time (steadier on a shared machine),
`scan_cpu_linear` the CPU ratio of the streaming pass alone, without the charts and page (a
constant few seconds, mostly matplotlib). The page's load time in headless Chromium
(`open_s`, target < 2) is measured when Chromium is installed.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus.dataset.schema import (  # noqa: E402
    arrow_schema,
    columns,
    rejected_schema,  # noqa: E402
)
from corpus.dataset.writer import DatasetWriter  # noqa: E402
from corpus.report import Report  # noqa: E402
from corpus.review import write_report  # noqa: E402
from corpus.review.scan import scan  # noqa: E402
from corpus.signals.quality import SIGNAL_COLUMNS  # noqa: E402

WORDS = ["pemerintah", "kota", "jakarta", "presiden", "menteri", "ekonomi", "rakyat", "sekolah", "rumah", "sakit", "pasar", "harga", "beras", "naik", "turun", "hari", "ini", "kemarin", "akan", "sudah", "belum", "dengan", "untuk", "dari", "yang", "dalam", "pada", "kepada", "oleh", "karena", "tetapi", "juga", "lebih", "sangat", "banyak", "sedikit", "baru", "lama", "polisi", "warga", "desa", "daerah", "provinsi", "negara", "dunia", "olahraga", "sepak", "bola", "pemain", "tim"]  # fmt: skip
EN = ["government", "city", "president", "minister", "economy", "people", "school", "hospital", "market", "price", "rice", "rises", "falls", "today", "yesterday", "will", "already", "not", "yet", "with", "for", "from", "which", "in", "on", "to", "by", "because", "but", "also", "more", "very", "many", "few", "new", "old", "police", "residents", "village", "region"]  # fmt: skip
DROPS = [("html", "boilerplate", 0.25), ("html", "menu", 0.1), ("clean", "dateline", 0.15),
         ("clean", "related_link", 0.15), ("clean", "call_to_action", 0.05),
         ("clean", "empty", 0.05), ("segment", "fragment", 0.05), ("langid", "not_id", 0.05),
         ("translate", "degenerate", 0.05), ("dedup", "duplicate", 0.1)]  # fmt: skip
GROUP = 100_000


def sentences(rng: np.random.Generator, words: list[str], n: int, offset: int) -> pa.Array:
    """`n` distinct sentences of 6-24 words (a pool of 4096 made unique by a number)."""
    pool = [" ".join(rng.choice(words, size=rng.integers(6, 25))).capitalize() + "."
            for _ in range(4096)]  # fmt: skip
    picked = pa.array(pool).take(pa.array(rng.integers(0, len(pool), n)))
    numbers = pc.cast(pa.array(np.arange(offset, offset + n)), pa.string())
    return pc.binary_join_element_wise(picked, numbers, " ")


def pairs_table(rng: np.random.Generator, n: int, offset: int, docs: np.ndarray) -> pa.Table:
    """`n` pairs of documents `docs` (one id per pair) with plausible signals."""
    src, tgt = sentences(rng, WORDS, n, offset), sentences(rng, EN, n, offset)
    starts = np.r_[True, docs[1:] != docs[:-1]]
    sent = np.arange(n) - np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    flag = lambda p: rng.random(n) < p  # noqa: E731
    langs = rng.choice(["id", "ms", "en", "jv"], n, p=[0.93, 0.04, 0.02, 0.01])
    data = {
        "translation": pa.StructArray.from_arrays([tgt, src], ["en", "id"]),
        "doc_id": pa.array(_urls(docs)), "source": pa.array(_files(docs)),
        "para_index": sent // 3, "sent_index": sent, "src_start": sent * 90,
        "src_end": sent * 90 + 80, "line_no": 3 + sent * 2,
        "score": -np.abs(rng.normal(0.6, 0.7, n)) - 0.05,
        "length_ratio_chars": rng.lognormal(-0.1, 0.3, n),
        "length_ratio_tokens": rng.lognormal(0.0, 0.25, n),
        "src_lang": langs, "src_lang_conf": rng.beta(8, 2, n),
        "tgt_lang": rng.choice(["en", "id"], n, p=[0.98, 0.02]), "tgt_lang_conf": rng.beta(9, 1, n),
        "repetition": rng.beta(0.3, 6, n), "is_split": flag(0.01), "has_unk": flag(0.005),
        "is_retried": flag(0.02), "is_degenerate": flag(0.01), "is_untranslated": flag(0.005),
        "is_non_indonesian_source": (langs != "id") & flag(0.6), "is_short": flag(0.03),
    }  # fmt: skip
    return pa.table(data).cast(arrow_schema(columns(SIGNAL_COLUMNS, presplit=True)))


def _urls(docs: np.ndarray) -> list[str]:
    return [f"https://www.site{d % 200}.example.id/berita/{d}" for d in docs.tolist()]


def _files(docs: np.ndarray) -> list[str]:
    return [f"crawl/part-{d % 64:02d}.jsonl" for d in docs.tolist()]


def rejected_table(
    rng: np.random.Generator, n: int, docs: np.ndarray
) -> tuple[pa.Table, Counter[str]]:
    """`n` rejected units of documents drawn from `docs`, and their count per stage:reason."""
    p = np.array([w for _, _, w in DROPS])
    kinds = rng.choice(len(DROPS), n, p=p / p.sum())
    chosen = np.sort(rng.choice(docs, n))
    text = sentences(rng, WORDS, n, 0)
    data = {
        "doc_id": pa.array(_urls(chosen)), "source": pa.array(_files(chosen)),
        "stage": pa.array([DROPS[k][0] for k in kinds.tolist()]),
        "reason": pa.array([DROPS[k][1] for k in kinds.tolist()]),
        "text": text, "translation": pa.nulls(n, pa.string()),
        "line_no": rng.integers(1, 80, n), "char_start": pa.nulls(n, pa.int64()),
        "char_end": pa.nulls(n, pa.int64()),
    }  # fmt: skip
    counts = Counter(f"{DROPS[k][0]}:{DROPS[k][1]}" for k in kinds.tolist())
    return pa.table(data).cast(rejected_schema()), counts


def synthetic_corpus(out: Path, n: int, seed: int = 0) -> Path:
    """A dataset folder of `n` pairs (see the module docstring)."""
    rng = np.random.default_rng(seed)
    doc_of = np.cumsum(rng.random(n) < 1 / 20)
    cols = columns(SIGNAL_COLUMNS, presplit=True)
    writer = DatasetWriter(out.with_name(f".{out.name}.staged"), cols, ["train"], docs={})
    for start in range(0, n, GROUP):
        docs = doc_of[start : start + GROUP]
        writer.add_table("train", pairs_table(rng, len(docs), start, docs))
    rejected, counts = rejected_table(rng, int(n * 0.4), np.unique(doc_of))
    report = Report(dropped=counts)
    report.count("documents", int(doc_of[-1]) + 1)
    writer.finish(out, name=f"synthetic {n:,}", provenance={"tool_version": "bench"},
                  report=report, filter_report=None, overwrite=True)  # fmt: skip
    (out / "rejected").mkdir()
    pq.write_table(
        rejected, out / "rejected" / "train-00000-of-00001.parquet", row_group_size=GROUP
    )
    return out


def timed(work: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds (this process, all threads) of `work()` over
    `repeats` runs: on a shared machine the CPU time is the steadier measure of the work."""
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def open_seconds(page: Path) -> float | None:
    """The page's load time in headless Chromium (None when Chromium is not installed)."""
    spec = importlib.util.spec_from_file_location(
        "browser_check", ROOT / "scripts" / "browser_check.py"
    )
    assert spec is not None and spec.loader is not None
    browser = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = browser
    spec.loader.exec_module(browser)
    if browser.available():
        return None
    with browser.open_browser() as driver:
        check = browser.check_page(driver, page)
    if check.errors:
        raise SystemExit(f"console errors in {page}: {check.errors}")
    return check.load_ms / 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=100_000, help="pairs of the small corpus")
    parser.add_argument("--large", type=int, default=1_000_000, help="pairs of the large corpus")
    parser.add_argument("--repeats", type=int, default=3, help="report builds per corpus (median)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the corpora in this folder")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-report-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        times, scans, sizes = {}, {}, {}
        for n in (args.small, args.large):
            folder = synthetic_corpus(root / f"corpus-{n}", n)
            times[n] = timed(lambda f=folder: write_report(f), args.repeats)
            scans[n] = timed(lambda f=folder: scan(f), args.repeats)
            sizes[n] = (folder / "report.html").stat().st_size / 1e6
            print(f"{n:>9,} pairs: report {sizes[n]:.2f} MB, built in {times[n][0]:.2f} s "
                  f"({times[n][1]:.2f} s CPU; the scan alone {scans[n][1]:.2f} s CPU)", flush=True)  # fmt: skip
        opened = open_seconds(root / f"corpus-{args.large}" / "report.html")
        big, small = args.large, args.small
        ratios = (f"linear={times[big][0] / times[small][0]:.2f} "
                  f"cpu_linear={times[big][1] / times[small][1]:.2f} "
                  f"scan_cpu_linear={scans[big][1] / scans[small][1]:.2f}")  # fmt: skip
        extra = f" open_s={opened:.2f}" if opened is not None else ""
        print(f"RESULT report_mb={sizes[big]:.2f} {ratios}{extra}")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
