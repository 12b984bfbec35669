"""Token-budget batching: pure helpers, and batch-size independence on the tiny model."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
from engine_helpers import synthetic_sentences

from translate.base import DecodingOptions, EngineConfig
from translate.batching import length_sorted_batches, restore_order
from translate.plan import Output, Queued, plan_batches, run_ahead, token_limit, width_class

SENTENCES = [
    "Nyaman tanpa iklan.",
    "China dan Kazakhstan Tingkatkan Kerja Sama",
    "Menlu China Wang Yi/Reuters",
    "Sumber : Xinhua",
    "Kedua pihak akan melanjutkan upaya mereka untuk bergabung dalam inisiatif jalur ekonomi sutra China.",
    "Artikel Terkait",
    "Presiden meresmikan jalan tol baru di Jawa Tengah pada hari Senin.",
]


@pytest.mark.parametrize(
    ("lengths", "budget"),
    [([], 10), ([5], 1), ([3, 9, 1, 4, 4, 7], 12), ([2] * 10, 4), ([50, 1, 1], 8)],
    ids=["empty", "over-budget-single", "mixed", "uniform", "one-huge"],
)
def test_length_sorted_batches_cover_and_fit(lengths: list[int], budget: int) -> None:
    batches = list(length_sorted_batches(lengths, budget))
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        cost = len(batch) * max(max(lengths[i] for i in batch), 1)
        assert cost <= budget or len(batch) == 1
    restored = restore_order(batches, [[f"r{i}" for i in b] for b in batches])
    assert restored == [f"r{i}" for i in range(len(lengths))]


def test_restore_order_rejects_gaps() -> None:
    with pytest.raises(ValueError, match="exactly once"):
        restore_order([[0, 0]], [["a", "b"]])


@pytest.mark.parametrize(
    ("widths", "budget", "expected"),
    [
        ([], 100, []),
        ([16, 16, 16], 100, [[0, 1, 2]]),
        ([16, 32, 16, 32], 1000, [[1, 3], [0, 2]]),
        ([16] * 5, 40, [[0, 1], [2, 3], [4]]),
        ([64, 16], 10, [[0], [1]]),
    ],
    ids=["empty", "one-class", "two-classes", "budget", "over-budget"],
)
def test_plan_batches_hold_one_width_class(
    widths: list[int], budget: int, expected: list[list[int]]
) -> None:
    assert plan_batches(widths, budget) == expected


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [(0, 16), (1, 16), (16, 16), (17, 32), (512, 512)],
    ids=["none", "one", "edge", "next", "model-limit"],
)
def test_width_class(tokens: int, expected: int) -> None:
    assert width_class(tokens) == expected


@pytest.mark.parametrize(
    ("source", "decoding", "expected"),
    [
        (1, DecodingOptions(), 2 * 16 + 10),
        (16, DecodingOptions(), 2 * 16 + 10),
        (17, DecodingOptions(), 2 * 32 + 10),
        (300, DecodingOptions(), 511),
        (17, DecodingOptions(max_new_tokens=20), 20),
    ],
    ids=["bucket-low", "bucket-edge", "next-bucket", "model-limit", "forced"],
)
def test_token_limit_depends_on_own_length_only(
    source: int, decoding: DecodingOptions, expected: int
) -> None:
    assert token_limit(decoding, source, positions=512) == expected


def test_run_ahead_keeps_order_and_a_bounded_window() -> None:
    in_flight: list[int] = []
    most = [0]

    def start(i: int) -> Callable[[], Callable[[], list[Output]]]:
        def begin() -> Callable[[], list[Output]]:
            in_flight.append(i)
            most[0] = max(most[0], len(in_flight))

            def wait() -> list[Output]:
                in_flight.remove(i)
                return [Output([i], eos=True)]

            return wait

        return begin

    outputs = run_ahead([start(i) for i in range(7)], ahead=3)
    assert [o[0].ids for o in outputs] == [[i] for i in range(7)]
    assert most[0] == 3 and not in_flight


def test_run_ahead_cancels_queued_batches_when_interrupted() -> None:
    release = threading.Event()
    with ThreadPoolExecutor(1) as pool:
        busy = pool.submit(release.wait)  # the only worker is busy: later batches stay queued
        queued: list[Queued] = []

        def interrupted() -> list[Output]:
            raise KeyboardInterrupt

        def later() -> Callable[[], list[Output]]:
            queued.append(Queued(pool.submit(list)))
            return queued[-1]

        with pytest.raises(KeyboardInterrupt):
            run_ahead([lambda: interrupted, later, later], ahead=3)
        assert len(queued) == 2 and all(q.future.cancelled() for q in queued)
        release.set()
        busy.result()


CASES = [
    ("transformers", "float32", 1),
    ("transformers", "float32", 4),
    ("ctranslate2", "int8", 1),
    ("ctranslate2", "int8", 4),
]


@pytest.mark.parametrize(
    ("engine", "compute_type", "beams"), CASES, ids=[f"{e}-{c}-beam{b}" for e, c, b in CASES]
)
def test_results_do_not_depend_on_batching(
    tiny_model: str, tmp_path: Path, engine: str, compute_type: str, beams: int
) -> None:
    """Translations and scores are identical, to the last digit, whatever the token budget,
    the order and the other sentences of the call (transformers float32; CTranslate2 int8,
    the default)."""
    from translate.load import load_engine

    base = EngineConfig(
        model=tiny_model,
        engine=engine,
        device="cpu",
        compute_type=compute_type,
        cache_dir=str(tmp_path),
        decoding=DecodingOptions(num_beams=beams),
    )
    sentences = SENTENCES + synthetic_sentences(30)
    loaded = load_engine(base)
    reference = [(t.text, t.score) for t in loaded.translate_batch(sentences)]
    for budget, seed in ((1, 1), (300, 2), (100_000, 3)):
        order = list(range(len(sentences)))
        random.Random(seed).shuffle(order)
        others = synthetic_sentences(5, seed=seed)  # other company in the batches
        got = loaded.with_decoding(loaded.decoding)
        got.config = replace(base, batch_tokens=budget)
        results = got.translate_batch([sentences[i] for i in order] + others)
        assert [(t.text, t.score) for t in results[: len(order)]] == [reference[i] for i in order]
