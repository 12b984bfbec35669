#!/usr/bin/env python3
"""Benchmark the build pipeline around the model: how fast can it feed an engine?

Workload: N Indonesian news-like documents (paragraphs of three sentences drawn from FLORES,
NTREX and TICO-19, seeded per document, so no line repeats across documents) in one JSON Lines
file. The engine is an instant identity engine (it returns each source sentence as its
"translation" with a fixed score): a benchmark device measuring everything but the model —
reading, cleaning, segmentation, language ID and the other signals, Parquet, the dataset.

(a) ceiling: the full build (`corpus.pipeline.run.build`, no cache) with `--jobs 1` and with every
    core, sentences per second; `jobs_speedup` = all cores / 1 job (median of --repeats pairs,
    each pair run back to back).
(b) `ceiling_vs_ct2`: the all-core ceiling over the sentences per second of the CTranslate2 int8
    greedy engine on the opus-mt-id-en shape (random weights; each output forced to its source
    length rounded up to 16 tokens, as in bench_translate.py), measured in the same run.
(c) Ray with 2 workers (`--executor ray`, the same identity engine in the actors): the driver's
    CPU seconds as a share of all CPU seconds the machine spent during the build
    (`ray_driver_cpu_pct`), and its sentences per second over the local all-core ceiling.
(d) `rss_10x`: peak resident memory of the build's main process for 10*N documents over N
    (each in a fresh process; worker processes hold one batch each and are not counted).

    python scripts/bench_pipeline.py                 # full run
    python scripts/bench_pipeline.py --docs 100 --repeats 1 --no-ray   # smoke run

The default N (10,000 documents, 188,172 sentences) is large enough that the fixed costs of a
build (starting the workers, filling and draining the pipeline: a few seconds) do not decide
the ratios; at 3,000 documents they cost `jobs_speedup` about 0.2.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("IDCORPUS_SHARED_DATA", ROOT.parent / "shared" / "data"))
POOL = [
    SHARED / "flores" / "ind_Latn.devtest",
    SHARED / "flores" / "ind_Latn.dev",
    SHARED / "ntrex128" / "newstest2019-ref.ind.txt",
    SHARED / "tico19" / "tico19-test.ind",
]
TARGETS = {"jobs_speedup": 1.7, "ceiling_vs_ct2": 60.0, "ray_driver_cpu_pct": 5.0, "rss_10x": 1.2}


class IdentityEngine:
    """An instant engine for benchmarks: the source is its own translation."""

    def translate_batch(self, sentences: Sequence[str]) -> list[Any]:
        from translate.base import Translation

        return [
            Translation(text=s, score=-0.5, tokens=len(s.split()), src_tokens=len(s.split()) + 1)
            for s in sentences
        ]

    def describe(self) -> dict[str, str]:
        return {"engine": "identity", "model": "identity", "model_fingerprint": "0"}


def sentence_pool() -> list[str]:
    lines: list[str] = []
    for path in POOL:
        if path.is_file():
            lines += [s.strip() for s in path.read_text(encoding="utf-8").splitlines() if s.strip()]
    if len(lines) < 1000:
        sys.exit(f"bench_pipeline: need the shared test sets under {SHARED} (IDCORPUS_SHARED_DATA)")
    return lines


def write_docs(path: Path, n: int, pool: list[str], offset: int = 0) -> None:
    """n documents of 6 paragraphs of 3 sentences each, as JSON Lines."""
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(offset, offset + n):
            rng = random.Random(i)
            paragraphs = [" ".join(rng.sample(pool, 3)) for _ in range(6)]
            fh.write(json.dumps({"text": "\n\n".join(paragraphs)}, ensure_ascii=False) + "\n")


def build_once(data: Path, out: Path, jobs: int) -> tuple[float, int]:
    """(seconds, sentences) of one full build with the identity engine."""
    from corpus.pipeline.config import BuildConfig
    from corpus.pipeline.run import build

    config = BuildConfig(
        inputs=(str(data),),
        out=str(out),
        use_cache=False,
        quiet=True,
        overwrite=True,
        jobs=jobs,
    )
    started = time.perf_counter()
    summary = build(config, IdentityEngine())
    return time.perf_counter() - started, summary.sentences


def ceiling(data: Path, work: Path, repeats: int) -> tuple[float, float, float]:
    """(sentences/s with 1 job, with all cores, median ratio of back-to-back pairs)."""
    from corpus.pipeline.stream import available_cores

    cores = available_cores()
    one, many, ratios = [], [], []
    for r in range(repeats):
        t1, n = build_once(data, work / f"one-{r}", 1)
        tn, _ = build_once(data, work / f"many-{r}", cores)
        one.append(n / t1)
        many.append(n / tn)
        ratios.append(t1 / tn)
        print(f"  repeat {r}: 1 job {n / t1:8.1f} sent/s, {cores} jobs {n / tn:8.1f} sent/s")
    return statistics.median(one), statistics.median(many), statistics.median(ratios)


def ct2_rate(cache_dir: Path, sentences: list[str]) -> float:
    """Sentences per second of the CTranslate2 int8 greedy engine, opus-mt-id-en shape."""
    import importlib.util

    from translate import load_translator
    from translate.base import DecodingOptions, EngineConfig

    spec = importlib.util.spec_from_file_location("btm", ROOT / "scripts" / "build_tiny_model.py")
    assert spec is not None and spec.loader is not None
    builder = importlib.util.module_from_spec(spec)
    sys.modules["btm"] = builder
    spec.loader.exec_module(builder)
    texts = builder.default_texts() + [p for p in POOL if p.is_file()]
    model = str(builder.cached_model(cache_dir, "opus-mt-id-en", texts))
    decoding = DecodingOptions(
        num_beams=1, max_length_ratio=1.0, max_length_offset=0, min_new_tokens=512
    )
    engine = load_translator(
        EngineConfig(model=model, engine="ctranslate2", compute_type="int8", decoding=decoding)
    )
    engine.translate_batch(sentences[:16])  # warm up
    started = time.perf_counter()
    engine.translate_batch(sentences)
    return len(sentences) / (time.perf_counter() - started)


def machine_cpu_seconds() -> float:
    """CPU seconds the whole machine has been busy (user + nice + system + irq), /proc/stat."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def ray_run(work: Path, n: int, pool: list[str]) -> tuple[float, float]:
    """(driver CPU seconds as % of the machine's CPU seconds, sentences/s) of a Ray build."""
    import resource

    from ray import cloudpickle

    from corpus.pipeline.config import BuildConfig, RayOptions
    from corpus.pipeline.run import build

    folder = work / "ray-docs"
    folder.mkdir()
    for k in range(16):
        write_docs(folder / f"part-{k:02d}.jsonl", n // 16, pool, offset=k * (n // 16))
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    config = BuildConfig(
        inputs=(str(folder),),
        out=str(work / "ray-out"),
        executor="ray",
        ray=RayOptions(workers=2, unit_documents=max(1, n // 16)),
        use_cache=False,
        quiet=True,
    )
    before = resource.getrusage(resource.RUSAGE_SELF)
    machine = machine_cpu_seconds()
    started = time.perf_counter()
    summary = build(config, engine_factory=IdentityEngine)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    driver = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    total = machine_cpu_seconds() - machine
    return 100 * driver / total, summary.sentences / elapsed


def peak_rss(data: Path, out: Path) -> float:
    """Peak RSS (MiB, VmHWM: getrusage's maxrss would carry the parent's peak across exec) of
    a build's main process, in a fresh process."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[3]);"
        "from pathlib import Path;"
        "sys.argv[0] = 'bench';"
        "import importlib.util as u; s = u.spec_from_file_location('bp', sys.argv[4]);"
        "m = u.module_from_spec(s); s.loader.exec_module(m);"
        "m.build_once(Path(sys.argv[1]), Path(sys.argv[2]), 0);"
        "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) / 1024)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(data), str(out), str(ROOT), __file__],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--docs", type=int, default=10_000, help="N documents (and 10*N for rss_10x)")
    ap.add_argument("--repeats", type=int, default=3, help="pairs of ceiling runs (median)")
    ap.add_argument("--ct2-sentences", type=int, default=128, help="sentences for the CT2 rate")
    ap.add_argument("--no-ray", action="store_true", help="skip (c)")
    ap.add_argument("--cache-dir", type=Path, default=ROOT / ".cache", help="built models")
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    pool = sentence_pool()
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        work = Path(tmp)
        data, big = work / "docs.jsonl", work / "docs10.jsonl"
        write_docs(data, args.docs, pool)
        write_docs(big, 10 * args.docs, pool)
        print(f"(a) ceiling, {args.docs} documents, identity engine, no cache")
        one, many, speedup = ceiling(data, work, args.repeats)
        results["jobs_speedup"] = speedup
        print(f"(b) CTranslate2 int8 greedy, opus-mt-id-en shape, {args.ct2_sentences} sentences")
        rate = ct2_rate(args.cache_dir, random.Random(0).sample(pool, args.ct2_sentences))
        results["ceiling_vs_ct2"] = many / rate
        print(f"  engine {rate:.2f} sent/s; ceiling {many:.1f} sent/s")
        if not args.no_ray:
            print("(c) Ray, 2 translate actors (identity engine), the documents in 16 files")
            driver_pct, ray_rate = ray_run(work, args.docs, pool)
            results["ray_driver_cpu_pct"] = driver_pct
            print(f"  {ray_rate:.1f} sent/s = {ray_rate / many:.2f} x the local ceiling; "
                  f"driver {driver_pct:.2f}% of the machine's CPU seconds")  # fmt: skip
        print("(d) peak RSS of the main process")
        small, large = peak_rss(data, work / "rss-1"), peak_rss(big, work / "rss-10")
        results["rss_10x"] = large / small
        print(f"  N: {small:.0f} MiB, 10N: {large:.0f} MiB")
    for name, value in results.items():
        target = TARGETS[name]
        ok = value <= target if name in ("ray_driver_cpu_pct", "rss_10x") else value >= target
        print(
            f"{name:20s} {value:8.2f}  target {'<=' if name in ('ray_driver_cpu_pct', 'rss_10x') else '>='} {target}  {'ok' if ok else 'MISSED'}"
        )
    print("RESULT " + " ".join(f"{k}={v:.2f}" for k, v in results.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
