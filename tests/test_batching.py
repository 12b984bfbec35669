"""Token-budget batching: pure helpers, and batch-size independence on the tiny model."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from translate.base import DecodingOptions, EngineConfig
from translate.batching import length_sorted_batches, restore_order
from translate.plan import plan_batches, token_limit

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
    ("limits", "expected_groups"),
    [([], 0), ([30, 30, 30], 1), ([30, 46, 30, 46], 2)],
    ids=["empty", "one-limit", "two-limits"],
)
def test_plan_batches_never_mix_limits(limits: list[int], expected_groups: int) -> None:
    batches = plan_batches([5] * len(limits), limits, batch_tokens=1000)
    assert len(batches) == expected_groups
    assert all(len({limits[i] for i in b}) == 1 for b in batches)


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


@pytest.mark.parametrize("engine", ["transformers", "ctranslate2"])
def test_results_do_not_depend_on_batch_tokens(
    tiny_model: str, tmp_path: Path, engine: str
) -> None:
    from translate.load import load_engine

    base = EngineConfig(
        model=tiny_model,
        engine=engine,
        device="cpu",
        compute_type="float32",
        cache_dir=str(tmp_path),
        decoding=DecodingOptions(num_beams=1),
    )
    reference = load_engine(base).translate_batch(SENTENCES)
    for budget in (1, 40, 100000):
        engine_b = load_engine(replace(base, batch_tokens=budget))
        got = engine_b.translate_batch(SENTENCES)
        assert [t.text for t in got] == [t.text for t in reference]
        assert [t.score for t in got] == pytest.approx([t.score for t in reference], abs=1e-5)


def test_shuffled_input_gives_the_same_translation_per_sentence(tiny_model: str) -> None:
    from translate.marian import MarianEngine

    engine = MarianEngine.load(
        EngineConfig(model=tiny_model, device="cpu", decoding=DecodingOptions(num_beams=1))
    )
    order = list(range(len(SENTENCES)))
    random.Random(3).shuffle(order)
    shuffled = engine.translate_batch([SENTENCES[i] for i in order])
    together = engine.translate_batch(SENTENCES)
    alone = [engine.translate_batch([s])[0] for s in SENTENCES]
    for pos, i in enumerate(order):
        assert shuffled[pos].text == together[i].text == alone[i].text
        assert shuffled[pos].score == pytest.approx(alone[i].score, abs=1e-5)
