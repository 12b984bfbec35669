"""Benchmark the translation engines against the loop most users write.

Model: a random-weight MarianMT with exactly the opus-mt-id-en shape (vocab 54,796; 6+6
layers; d_model 512; 8 heads; FFN 2048; swish; 512 static positions; pad = decoder start =
54795; eos 0), built once by scripts/build_tiny_model.py into the cache directory.
Workload: Indonesian news sentences (NTREX-128, else FLORES, else seeds/ variations).

Every engine produces the same output: sentence i gets exactly L_i target tokens, L_i = its
source token count rounded up to 16 (max new tokens; the benchmark's copy of the model has
its eos logit biased by -1e4, so no output ends early and decoding stays plain, as in a real
build), so all do the same useful work.
The naive loop (a) — transformers, fp32, 16 sentences per batch in input order, plain
`generate` — runs each batch to its longest L_i, as a real batch runs until its longest
output ends; throughput counts the useful tokens (sum of L_i) for every engine.

Runs, interleaved, `--repeats` times (median): (a) naive loop; (b) our transformers engine;
(c) our CTranslate2 engine, int8; (d) the full `idcorpus build` path (presplit input, one
sentence per line, same loaded CTranslate2 engine, no cache; the robustness layer's
degenerate-output retry is off, as random weights make nearly every output look degenerate)
— each greedy and with beam 4. One-time costs (model load, lazy imports) are warmed up
first. Ratios are medians over the repeats of ratios taken within one repeat (a run and the
contestant it is compared with ran minutes apart, not a whole repeat apart), which keeps a
shared machine's changing load out of them; tok/s, sent/s and seconds are median times. Then a
cache run: the default build (CTranslate2, beam 4) twice with the translation cache, ratio
first / second. RESULT: hf_engine is the greedy ratio (the loop (a) is greedy;
the beam-4 ratio is printed above it); overhead_pct is the larger of greedy and beam 4.

    python scripts/bench_translate.py            # full run (several minutes on 2 cores)
    python scripts/bench_translate.py --quick    # smoke run
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("IDCORPUS_SHARED_DATA", ROOT.parent / "shared" / "data"))
NEWS = [SHARED / "ntrex128" / "newstest2019-ref.ind.txt", SHARED / "flores" / "ind_Latn.devtest"]
SPM_TEXT = NEWS + [SHARED / "flores" / "ind_Latn.dev"]
TARGETS = {"ct2_greedy": 6.0, "ct2_beam4": 5.0, "hf_engine": 2.0}


def load_builder() -> Any:
    spec = importlib.util.spec_from_file_location(
        "build_tiny_model", ROOT / "scripts" / "build_tiny_model.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def workload(n: int) -> list[str]:
    """n news-like Indonesian sentences: NTREX-128 / FLORES when present, else seeds/."""
    for path in NEWS:
        if path.is_file():
            lines = [
                line.strip()
                for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip()
            ]
            if len(lines) >= n:
                return lines[:n]
    builder = load_builder()
    base = builder.training_sentences(builder.default_texts())
    return [
        f"{base[i % len(base)]} ({i // len(base)})" if i >= len(base) else base[i] for i in range(n)
    ]


class PeakRss:
    """Peak resident memory (MiB) while the block runs, sampled from /proc every 20 ms."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()

    @staticmethod
    def current() -> float:
        try:
            pages = int(Path("/proc/self/statm").read_text().split()[1])
        except OSError:
            import resource

            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.current())

    @contextmanager
    def watch(self) -> Iterator[None]:
        self.peak = self.current()
        thread = threading.Thread(target=self._sample, daemon=True)
        thread.start()
        try:
            yield
        finally:
            self._stop.set()
            thread.join()
            self._stop.clear()
            self.peak = max(self.peak, self.current())


def naive_loop(
    model: Any, tokenizer: Any, sentences: list[str], lengths: list[int], beams: int, threads: int
) -> int:
    """(a) transformers fp32, 16 per batch in input order, plain generate on every core
    (our transformers engine sets torch to one thread per batch); returns useful tokens."""
    import torch

    torch.set_num_threads(threads)
    try:
        for start in range(0, len(sentences), 16):
            batch = sentences[start : start + 16]
            longest = max(lengths[start : start + 16])
            inputs = tokenizer(batch, return_tensors="pt", padding=True)
            model.generate(**inputs, num_beams=beams, max_new_tokens=longest)
    finally:
        torch.set_num_threads(1)
    return sum(lengths)


def engine_run(translator: Any, sentences: list[str]) -> int:
    return sum(t.tokens for t in translator.translate_batch(sentences))


def build_run(model: str, engine: Any, lines: Path, out: Path, cache: str | None) -> int:
    """(d) corpus.pipeline.run.build on presplit lines, with the same loaded engine (no model load)."""
    from corpus.pipeline.config import BuildConfig
    from corpus.pipeline.run import build
    from corpus.read.config import ReadConfig
    from translate.base import EngineConfig
    from translate.cache import CachedTranslator
    from translate.robust import RobustTranslator

    config = BuildConfig(
        inputs=(str(lines),),
        out=str(out),
        engine=EngineConfig(model=model),
        read=ReadConfig(presplit=True),
        use_cache=cache is not None,
        cache_path=cache,
        overwrite=True,
        quiet=True,
    )
    translator = CachedTranslator(RobustTranslator(engine, retry_degenerate=False), path=cache)
    try:
        summary = build(config, translator)
    finally:
        translator.close()
    return int(summary.pairs_written)


def timed(fn: Callable[[], int], rss: PeakRss) -> tuple[float, int, float]:
    with rss.watch():
        start = time.perf_counter()
        tokens = fn()
        elapsed = time.perf_counter() - start
    return elapsed, tokens, rss.peak


def forced(beams: int) -> Any:
    """Decoding that gives each sentence exactly its limit (source tokens rounded up to 16)
    on a model that never emits eos: plain decoding, as in a real build."""
    from translate.base import DecodingOptions

    return DecodingOptions(num_beams=beams, max_length_ratio=1.0, max_length_offset=0)


def never_ending(model_dir: Path) -> Path:
    """A copy of the benchmark model whose eos logit is biased by -1e4 (built once)."""
    import shutil

    from transformers import AutoModelForSeq2SeqLM

    final = model_dir.with_name(model_dir.name + "-noeos")
    if (final / "config.json").is_file():
        return final
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=model_dir.parent))
    try:
        model = AutoModelForSeq2SeqLM.from_pretrained(model_dir, use_safetensors=True)
        model.final_logits_bias[0, model.config.eos_token_id] = -1e4
        model.save_pretrained(tmp / "model", safe_serialization=True)
        for name in ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json"):
            shutil.copyfile(model_dir / name, tmp / "model" / name)
        os.rename(tmp / "model", final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def load_all(args: argparse.Namespace) -> dict[str, Any]:
    """Build/load the model once for every contestant; returns what the runs need."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from translate.base import EngineConfig
    from translate.ct2 import CT2Engine
    from translate.marian import MarianEngine
    from translate.plan import default_threads, token_limit

    builder = load_builder()
    texts = builder.default_texts() + [p for p in SPM_TEXT if p.is_file()]
    model_dir = str(never_ending(builder.cached_model(args.cache_dir, "opus-mt-id-en", texts)))
    threads = args.threads or default_threads()
    torch.set_num_threads(threads)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    sentences = workload(args.sentences)
    lengths = [token_limit(forced(1), len(ids), 512) for ids in tokenizer(sentences)["input_ids"]]
    naive = (
        AutoModelForSeq2SeqLM.from_pretrained(model_dir, use_safetensors=True)
        .eval()
        .to(args.device)
    )
    gpu = args.device == "cuda"
    base = EngineConfig(
        model=model_dir,
        device=args.device,
        batch_tokens=args.batch_tokens,
        threads=threads,
        cache_dir=args.cache_dir,
    )
    hf = MarianEngine.load(
        replace(base, engine="transformers", compute_type="auto" if gpu else "float32")
    )
    ct2 = CT2Engine.load(
        replace(base, engine="ctranslate2", compute_type="float16" if gpu else "int8")
    )
    return {
        "model": model_dir,
        "tokenizer": tokenizer,
        "sentences": sentences,
        "lengths": lengths,
        "naive": naive,
        "hf": hf,
        "ct2": ct2,
        "threads": threads,
    }


def contestants(
    env: dict[str, Any], lines: Path, out: Path
) -> dict[tuple[str, int], Callable[[], int]]:
    s, lengths = env["sentences"], env["lengths"]
    runs: dict[tuple[str, int], Callable[[], int]] = {}
    for beams in (1, 4):
        hf, ct2 = env["hf"].with_decoding(forced(beams)), env["ct2"].with_decoding(forced(beams))
        runs[("naive", beams)] = partial(
            naive_loop, env["naive"], env["tokenizer"], s, lengths, beams, env["threads"]
        )
        runs[("hf_engine", beams)] = partial(engine_run, hf, s)
        runs[("ct2", beams)] = partial(engine_run, ct2, s)
        runs[("build", beams)] = partial(build_tokens, env["model"], ct2, lines, out, sum(lengths))
    return runs


def build_tokens(model: str, engine: Any, lines: Path, out: Path, tokens: int) -> int:
    """Run the build; the tokens it translated (every line must become a pair)."""
    pairs = build_run(model, engine, lines, out, None)
    return tokens if pairs == len(lines.read_text(encoding="utf-8").splitlines()) else -pairs


def warm_up(env: dict[str, Any], tmp: Path) -> None:
    """One-time costs (allocations, lazy imports, language-ID model) stay out of the timings."""
    few, lengths = env["sentences"][:4], env["lengths"][:4]
    naive_loop(env["naive"], env["tokenizer"], few, lengths, 1, env["threads"])
    for name in ("hf", "ct2"):
        env[name].with_decoding(forced(1)).translate_batch(few)
    lines = tmp / "warm.txt"
    lines.write_text("\n".join(few) + "\n", encoding="utf-8")
    build_run(env["model"], env["ct2"].with_decoding(forced(1)), lines, tmp / "warm", None)


def run_benchmark(args: argparse.Namespace) -> int:
    env = load_all(args)
    rss = PeakRss()
    times: dict[tuple[str, int], list[float]] = {}
    peaks: dict[tuple[str, int], float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        lines = Path(tmp) / "sentences.txt"
        lines.write_text("\n".join(env["sentences"]) + "\n", encoding="utf-8")
        runs = contestants(env, lines, Path(tmp) / "out")
        warm_up(env, Path(tmp))
        for rep in range(args.repeats):
            for key, fn in runs.items():
                elapsed, tokens, peak = timed(fn, rss)
                if tokens != sum(env["lengths"]):
                    raise SystemExit(
                        f"{key} produced {tokens} target tokens, expected {sum(env['lengths'])}"
                    )
                times.setdefault(key, []).append(elapsed)
                peaks[key] = max(peaks.get(key, 0.0), peak)
                print(f"  repeat {rep + 1} {key[0]:<9} beam {key[1]}: {elapsed:7.2f} s", flush=True)
        cache_ratio = cache_run(env, lines, Path(tmp), args.repeats)
    return report(args, env, times, peaks, cache_ratio)


def cache_run(env: dict[str, Any], lines: Path, tmp: Path, repeats: int) -> float:
    """The default build (CTranslate2, beam 4) twice with the translation cache: first / second."""
    ratios = []
    engine = env["ct2"].with_decoding(forced(4))
    for rep in range(repeats):
        db = str(tmp / f"cache{rep}.sqlite3")
        first = time.perf_counter()
        build_run(env["model"], engine, lines, tmp / "cached", db)
        second = time.perf_counter()
        build_run(env["model"], engine, lines, tmp / "cached", db)
        ratios.append((second - first) / (time.perf_counter() - second))
        print(f"  repeat {rep + 1} cache: {ratios[-1]:.1f}x", flush=True)
    return statistics.median(ratios)


def report(
    args: argparse.Namespace,
    env: dict[str, Any],
    times: dict[tuple[str, int], list[float]],
    peaks: dict[tuple[str, int], float],
    cache_ratio: float,
) -> int:
    n, tokens = len(env["sentences"]), sum(env["lengths"])
    median = {key: statistics.median(v) for key, v in times.items()}

    def paired(slow: tuple[str, int], fast: tuple[str, int]) -> float:
        """Median over repeats of time(slow) / time(fast), each ratio within one repeat."""
        return statistics.median(a / b for a, b in zip(times[slow], times[fast], strict=True))

    print(
        f"\n{n} sentences, {tokens} target tokens per run, {args.repeats} repeats (median), "
        f"device {args.device}, {env['threads']} threads, batch_tokens {args.batch_tokens}"
    )
    print(
        f"{'run':<10} {'beam':>4} {'seconds':>8} {'tok/s':>8} {'sent/s':>7} {'peak MiB':>9} {'vs (a)':>7}"
    )
    for (name, beams), seconds in median.items():
        ratio = paired(("naive", beams), (name, beams))
        print(
            f"{name:<10} {beams:>4} {seconds:8.2f} {tokens / seconds:8.1f} {n / seconds:7.2f} "
            f"{peaks[(name, beams)]:9.0f} {ratio:7.2f}"
        )
    ct2 = {b: paired(("naive", b), ("ct2", b)) for b in (1, 4)}
    hf = {b: paired(("naive", b), ("hf_engine", b)) for b in (1, 4)}
    overhead = {b: 100 * (paired(("build", b), ("ct2", b)) - 1) for b in (1, 4)}
    print(
        f"transformers engine vs (a): greedy {hf[1]:.2f}x, beam 4 {hf[4]:.2f}x (RESULT: greedy, the loop (a) is)"
    )
    print(
        f"build overhead vs the same engine: greedy {overhead[1]:.1f}%, beam 4 {overhead[4]:.1f}% (RESULT: the larger)"
    )
    print(f"cache: second build {cache_ratio:.1f}x faster than the first")
    print(
        f"RESULT ct2_greedy={ct2[1]:.2f} ct2_beam4={ct2[4]:.2f} hf_engine={hf[1]:.2f} "
        f"overhead_pct={max(overhead.values()):.1f} cache={cache_ratio:.1f}"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sentences", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="32 sentences, 1 repeat (smoke run)")
    parser.add_argument(
        "--threads", type=int, default=0, help="0 = every core this process may use"
    )
    parser.add_argument("--batch-tokens", type=int, default=4096)
    parser.add_argument(
        "--cache-dir", default=str(ROOT / ".cache"), help="where the model and conversions go"
    )
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    args = parser.parse_args(argv)
    if args.quick:
        args.sentences, args.repeats = 32, 1
    return run_benchmark(args)


if __name__ == "__main__":
    raise SystemExit(main())
