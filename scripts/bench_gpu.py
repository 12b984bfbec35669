#!/usr/bin/env python3
"""GPU benchmark: is the GPU kept busy? Run it on a machine with a CUDA GPU.

Model: a random-weight MarianMT with the exact opus-mt-id-en shape (built once, cached, as in
bench_translate.py); every output forced to its source length rounded up to 16 tokens, so all
runs do the same useful work. Workload: Indonesian sentences from FLORES, NTREX and TICO-19
(../shared/data, or IDCORPUS_SHARED_DATA).

1. Engines alone, greedy: CTranslate2 float16 and transformers float16 at token budgets of
   4,096, 16,384 and 65,536 (`--batch-tokens`): target tokens/s, sentences/s, mean GPU
   utilisation (nvidia-smi sampled every 0.2 s while the engine runs).
2. The full build (`corpus.pipeline.run.build`, CTranslate2 float16, greedy, every core as
   `--jobs`, no cache) on N documents of news-like paragraphs: sentences/s, its ratio to the
   engine alone at the same budget, and GPU utilisation sampled during the translate phase.

Ends with one line:
RESULT ct2_fp16_tok_s=… hf_fp16_tok_s=… build_sent_s=… build_vs_engine=… gpu_util_build=…

    python scripts/bench_gpu.py                  # about 5 minutes on one GPU
    python scripts/bench_gpu.py --quick          # a smoke run
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


class GpuSampler:
    """GPU utilisation (%) from nvidia-smi, sampled in the background while a block runs."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.samples: list[float] = []
        self._stop = threading.Event()

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            out = subprocess.run(
                ["nvidia-smi", "--query-gpu=utilization.gpu", "--format=csv,noheader,nounits"],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            values = [float(v) for v in out.stdout.split() if v.strip().isdigit()]
            if values:
                self.samples.append(statistics.mean(values))

    @contextmanager
    def watch(self) -> Iterator[GpuSampler]:
        self.samples, thread = [], threading.Thread(target=self._sample, daemon=True)
        self._stop.clear()
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()

    def mean(self) -> float:
        return statistics.mean(self.samples) if self.samples else float("nan")


def load_model(cache_dir: Path) -> str:
    import importlib.util

    spec = importlib.util.spec_from_file_location("btm", ROOT / "scripts" / "build_tiny_model.py")
    assert spec is not None and spec.loader is not None
    builder = importlib.util.module_from_spec(spec)
    sys.modules["btm"] = builder
    spec.loader.exec_module(builder)
    from bench_pipeline import POOL

    texts = builder.default_texts() + [p for p in POOL if p.is_file()]
    return str(builder.cached_model(cache_dir, "opus-mt-id-en", texts))


def engine(model: str, name: str, budget: int) -> Any:
    from translate import load_translator
    from translate.base import DecodingOptions, EngineConfig

    forced = DecodingOptions(num_beams=1, max_length_ratio=1.0, max_length_offset=0,
                             min_new_tokens=512)  # fmt: skip
    return load_translator(
        EngineConfig(
            model=model,
            engine=name,
            device="cuda",
            compute_type="float16",
            batch_tokens=budget,
            decoding=forced,
        )  # fmt: skip
    )


def timed(fn: Callable[[], Any], sampler: GpuSampler) -> tuple[float, Any, float]:
    with sampler.watch():
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
    return elapsed, result, sampler.mean()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--sentences", type=int, default=4096, help="sentences per engine run")
    ap.add_argument("--docs", type=int, default=3000, help="documents of the build run")
    ap.add_argument("--quick", action="store_true", help="a smoke run (small sizes)")
    ap.add_argument("--cache-dir", type=Path, default=ROOT / ".cache", help="built models")
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.quick:
        args.sentences, args.docs = 512, 200
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import random

    from bench_pipeline import sentence_pool, write_docs

    from corpus.pipeline.config import BuildConfig
    from corpus.pipeline.run import build
    from corpus.pipeline.stream import available_cores

    pool = sentence_pool()
    sentences = random.Random(0).sample(pool, min(args.sentences, len(pool)))
    model = load_model(args.cache_dir)
    sampler = GpuSampler()
    result: dict[str, float] = {}
    engine_rate = float("nan")
    print(f"1. engines alone, {len(sentences)} sentences, greedy, float16")
    for name in ("ctranslate2", "transformers"):
        for budget in (4096, 16384, 65536):
            loaded = engine(model, name, budget)
            loaded.translate_batch(sentences[:64])  # warm up
            seconds, out, util = timed(lambda e=loaded: e.translate_batch(sentences), sampler)
            tokens = sum(t.tokens for t in out)
            print(f"  {name:13s} budget {budget:6d}: {tokens / seconds:10.0f} tok/s "
                  f"{len(out) / seconds:8.1f} sent/s  GPU {util:5.1f}%")  # fmt: skip
            key = "ct2_fp16_tok_s" if name == "ctranslate2" else "hf_fp16_tok_s"
            result[key] = max(result.get(key, 0.0), tokens / seconds)
            if name == "ctranslate2" and budget == 16384:
                engine_rate = len(out) / seconds
            del loaded
    print(f"2. full build, {args.docs} documents, CTranslate2 float16, {available_cores()} jobs")
    with tempfile.TemporaryDirectory(prefix="bench-gpu-") as tmp:
        data = Path(tmp) / "docs.jsonl"
        write_docs(data, args.docs, pool)
        from translate.robust import RobustTranslator

        # random weights make most outputs look degenerate: no retry, as in bench_translate
        loaded = RobustTranslator(engine(model, "ctranslate2", 16384), retry_degenerate=False)
        config = BuildConfig(inputs=(str(data),), out=str(Path(tmp) / "out"), use_cache=False,
                             quiet=True, jobs=0)  # fmt: skip
        seconds, summary, util = timed(lambda: build(config, loaded), sampler)
    rate = summary.sentences / seconds
    result.update(build_sent_s=rate, build_vs_engine=rate / engine_rate, gpu_util_build=util)
    print(f"  {rate:.1f} sent/s = {rate / engine_rate:.2f} x the engine alone; GPU {util:.1f}%")
    print("RESULT " + " ".join(f"{k}={v:.2f}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
