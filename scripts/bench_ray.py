#!/usr/bin/env python3
"""Benchmark: `--executor ray` with N workers vs the best local setting, on the same corpus.

Builds (once, cached) a random-weight MarianMT with the exact opus-mt-id-en shape, writes a
corpus of a few thousand Indonesian sentences (FLORES-200 dev+devtest and NTREX-128 from
../shared/data, one document per 50 lines, pre-split), and runs the full `build` pipeline
with each executor, interleaved, taking the median of the repeats. Both use CTranslate2 int8
greedy (the fastest local engine on CPU); locally with all cores in one engine, on Ray with
N actors of one core each. Output lengths are bounded like real translations
(max_length_ratio 1.0) because a random model never emits eos by itself.

Prints wall time and sentences/s of each, and `RESULT ray_overhead_pct=<p>` (positive: Ray
is slower). Ray's overhead on one machine is what a user pays before a cluster pays off.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data"


def write_corpus(root: Path, limit: int, data: Path) -> int:
    lines: list[str] = []
    for name in (
        "flores/ind_Latn.dev",
        "flores/ind_Latn.devtest",
        "ntrex128/newstest2019-ref.ind.txt",
    ):
        path = data / name
        if path.exists():
            lines += [
                ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()
            ]
    if not lines:
        raise SystemExit(f"no sentences found under {data}; pass --data")
    lines = lines[:limit]
    root.mkdir(parents=True, exist_ok=True)
    for i in range(0, len(lines), 50):
        (root / f"doc{i // 50:04d}.txt").write_text(
            "\n".join(lines[i : i + 50]) + "\n", encoding="utf-8"
        )
    return len(lines)


def run_build(inputs: Path, out: Path, model: str, executor: str, workers: int) -> float:
    from corpus.config import BuildConfig, RayOptions
    from corpus.pipeline import build
    from corpus.read import ReadConfig
    from translate.base import DecodingOptions, EngineConfig

    threads = 1 if executor == "ray" else (os.cpu_count() or 1)
    engine = EngineConfig(
        model=model,
        engine="ctranslate2",
        device="cpu",
        compute_type="int8",
        threads=threads,
        decoding=DecodingOptions(num_beams=1, max_length_ratio=1.0, max_length_offset=4),
    )
    config = BuildConfig(
        inputs=(str(inputs),),
        out=str(out),
        engine=engine,
        read=ReadConfig(presplit=True),
        executor=executor,
        ray=RayOptions(workers=workers, cpus_per_worker=1.0),
        use_cache=False,
        overwrite=True,
        quiet=True,
    )
    start = time.perf_counter()
    summary = build(config)
    elapsed = time.perf_counter() - start
    assert summary.pairs_written > 0
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=3000, help="corpus size (default 3000)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    parser.add_argument(
        "--model", default=None, help="model dir (default: build the opus-mt shape)"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    model = args.model or str(_builder().cached_model(REPO / ".cache", "opus-mt-id-en"))
    work = Path(tempfile.mkdtemp(prefix="bench-ray-"))
    try:
        n = write_corpus(work / "in", args.sentences, args.data)
        print(
            f"corpus: {n} sentences in {len(list((work / 'in').iterdir()))} documents; "
            f"model {model}; {os.cpu_count()} cores"
        )
        times: dict[str, list[float]] = {"local": [], "ray": []}
        for rep in range(args.repeats):
            for executor in ("local", "ray"):
                t = run_build(work / "in", work / f"out-{executor}", model, executor, args.workers)
                times[executor].append(t)
                print(f"  repeat {rep + 1}: {executor:<5} {t:8.1f} s  {n / t:8.1f} sentences/s")
        local, ray = statistics.median(times["local"]), statistics.median(times["ray"])
        print(
            f"median: local {local:.1f} s ({n / local:.1f} sent/s), "
            f"ray x{args.workers} {ray:.1f} s ({n / ray:.1f} sent/s)"
        )
        print(f"RESULT ray_overhead_pct={100 * (ray / local - 1):.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _builder():  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_tiny_model", REPO / "scripts" / "build_tiny_model.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_tiny_model"] = module
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    raise SystemExit(main())
