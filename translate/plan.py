"""Source-side planning shared by the engines: tokens, length limits, batches, order.

Batches never change a sentence's result. A sentence's width class is its source length
(eos included) rounded up to `LENGTH_BUCKET` tokens; its new-token limit depends on that
class only, and a batch holds sentences of one class, padded to the class width (the
engines see to that: transformers pads to it, CTranslate2 gets an anchor row of that
width). With every row's shapes fixed by the sentence itself, and the kernels computing
rows independently (int8 GEMMs accumulate exactly; transformers runs at least
`MIN_ROWS` rows per product, one thread per batch), translations and scores come out the
same whatever shares the batch. Batches follow the token budget and results come back in
input order.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from translate.base import DecodingOptions, EngineConfig
from translate.batching import length_sorted_batches, restore_order
from translate.errors import ModelLoadError, TranslationError

logger = logging.getLogger(__name__)

LENGTH_BUCKET = 16
MIN_ROWS = 4
"""Rows (sentences x beams) every transformers batch runs with: MKL computes a row of a
matrix product the same way whatever the other rows only from 4 rows up."""
MAX_INTER_THREADS = 4


def load_tokenizer(path: str) -> Any:
    """The model's tokenizer; any failure (even the TypeError a missing source.spm gives in
    transformers) is a ModelLoadError. translate.modelcheck has named most causes before.

    MarianTokenizer directly, which is what AutoTokenizer picks for the `model_type` "marian"
    modelcheck requires: AutoTokenizer loads the model config first, and transformers'
    configuration module imports torch (about 240 MiB resident), which the CTranslate2
    engine never uses."""
    from transformers.models.marian.tokenization_marian import MarianTokenizer

    try:
        return MarianTokenizer.from_pretrained(path)
    except (OSError, ValueError, KeyError, ImportError, TypeError, RuntimeError) as e:
        raise ModelLoadError(
            f"cannot load the tokenizer from {path} ({type(e).__name__}: {e}); the folder "
            "needs source.spm, target.spm and vocab.json: copy or download the model again"
        ) from e


def model_positions(config: Any) -> int:
    return int(getattr(config, "max_position_embeddings", 512) or 512)


def input_limit(config: EngineConfig, tokenizer: Any, positions: int) -> int:
    """Source tokens (eos included) the model accepts."""
    limit = min(positions, int(getattr(tokenizer, "model_max_length", positions) or positions))
    return min(limit, config.max_input_tokens) if config.max_input_tokens else limit


def count_tokens(tokenizer: Any, sentences: Sequence[str]) -> list[int]:
    """Source tokens per sentence, eos included (what Engine.count_tokens returns)."""
    if not sentences:
        return []
    return [len(ids) for ids in tokenizer(list(sentences), verbose=False)["input_ids"]]


def encode(tokenizer: Any, sentences: Sequence[str], limit: int) -> list[list[int]]:
    if not sentences:
        return []
    ids = tokenizer(list(sentences), truncation=False, verbose=False)["input_ids"]
    for i, row in enumerate(ids):
        if len(row) > limit:
            logger.warning("source %d has %d tokens; truncated to %d", i, len(row), limit)
            ids[i] = row[: limit - 1] + [tokenizer.eos_token_id]
    return [list(row) for row in ids]


def width_class(source_tokens: int) -> int:
    """The padded width a source is translated at: its length rounded up to LENGTH_BUCKET."""
    return max(1, -(-source_tokens // LENGTH_BUCKET)) * LENGTH_BUCKET


def token_limit(decoding: DecodingOptions, source_tokens: int, positions: int) -> int:
    """New tokens allowed for a source: from its width class, capped by the positions."""
    return decoding.new_token_limit(width_class(source_tokens), positions - 1)


def plan_batches(widths: Sequence[int], batch_tokens: int) -> list[list[int]]:
    """Token-budget batches, widest class first, each holding sentences of one width class."""
    groups: dict[int, list[int]] = {}
    for i, width in enumerate(widths):
        groups.setdefault(width, []).append(i)
    batches: list[list[int]] = []
    for width in sorted(groups, reverse=True):
        members = groups[width]
        for batch in length_sorted_batches([width] * len(members), batch_tokens):
            batches.append([members[j] for j in sorted(batch)])
    return batches


@dataclass(frozen=True)
class Output:
    """What an engine decoded for one source: target ids (eos excluded), whether the model
    emitted eos, the plain mean log-prob when decoding could tell it (else None), and the
    source tokens read (eos included)."""

    ids: list[int]
    eos: bool
    score: float | None = None
    src_tokens: int = 0


Wait = Callable[[], list[Output]]
Submit = Callable[[list[list[int]], int, int], Wait]


@dataclass(frozen=True)
class Queued:
    """A batch handed to a thread pool: call it to wait for its outputs."""

    future: Future[list[Output]]

    def __call__(self) -> list[Output]:
        return self.future.result()


def translate_planned(
    sentences: Sequence[str],
    encoded: list[list[int]],
    decoding: DecodingOptions,
    positions: int,
    batch_tokens: int,
    submit: Submit,
    ahead: int = 0,
    done: Callable[[list[int], list[Output]], None] | None = None,
) -> list[Output | None]:
    """Decode non-blank sentences batch by batch; a blank one gives None.

    `submit(rows, limit, width)` starts a batch and returns what waits for its outputs. Up to
    `ahead` batches (0: all) are started before the oldest is collected, so an engine may run
    them side by side; if collecting fails (an interrupt), queued batches are cancelled.
    `done(indices, outputs)` is called as each batch is collected (indices into `sentences`).
    """
    todo = [i for i, s in enumerate(sentences) if s.strip()]
    widths = [width_class(len(encoded[i])) for i in todo]
    batches = plan_batches(widths, batch_tokens)
    starts = [
        partial(
            submit,
            [encoded[todo[j]] for j in batch],
            token_limit(decoding, widths[batch[0]], positions),
            widths[batch[0]],
        )
        for batch in batches
    ]

    def collected(k: int, out: list[Output]) -> None:
        if done is not None:
            check_outputs(len(batches[k]), out)
            rows = [todo[j] for j in batches[k]]
            done(
                rows,
                [replace(o, src_tokens=len(encoded[i])) for i, o in zip(rows, out, strict=True)],
            )

    outputs = run_ahead(starts, ahead or len(starts), collected)
    results: list[Output | None] = [None] * len(sentences)
    checked = [check_outputs(len(b), out) for b, out in zip(batches, outputs, strict=True)]
    for j, output in enumerate(restore_order(batches, checked) if batches else []):
        results[todo[j]] = replace(output, src_tokens=len(encoded[todo[j]]))
    return results


def run_ahead(
    starts: Sequence[Callable[[], Wait]],
    ahead: int,
    collected: Callable[[int, list[Output]], None] | None = None,
) -> list[list[Output]]:
    """Start batches in order, keeping at most `ahead` started and not yet collected;
    `collected(k, outputs)` is called as batch k is collected."""
    window: deque[Wait] = deque()
    outputs: list[list[Output]] = []

    def collect() -> None:
        outputs.append(window.popleft()())
        if collected is not None:
            collected(len(outputs) - 1, outputs[-1])

    try:
        for start in starts:
            if len(window) >= ahead:
                collect()
            window.append(start())
        while window:
            collect()
    except BaseException:
        for wait in window:
            if isinstance(wait, Queued):
                wait.future.cancel()
        raise
    return outputs


def check_outputs(expected: int, outputs: list[Output]) -> list[Output]:
    if len(outputs) != expected:
        raise TranslationError(f"engine returned {len(outputs)} outputs for {expected} sources")
    return outputs


def mean_log_prob(values: Sequence[float]) -> float:
    """Mean of per-token log-probs, 6 decimals, <= 0 (0.0 for no tokens)."""
    if any(v != v for v in values):  # NaN: a token missing from a step record
        raise TranslationError("internal error: a generated token has no recorded score")
    return finish_score(sum(values) / len(values)) if values else 0.0


def finish_score(mean: float) -> float:
    return min(round(float(mean), 6), 0.0)


def default_threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def thread_split(threads: int, device: str) -> tuple[int, int]:
    """(inter_threads, intra_threads) for `threads` cores: batches side by side on CPU.

    On CPU, batches side by side beat threads inside one batch (measured on 2 cores: 2x1
    ran about twice as fast as 1x2), so up to MAX_INTER_THREADS batches run in parallel and
    share the remaining cores. On CUDA one batch at a time feeds the GPU."""
    if device == "cuda":
        return 1, max(1, threads)
    inter = max(1, min(threads, MAX_INTER_THREADS))
    return inter, max(1, threads // inter)
