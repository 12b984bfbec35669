"""The transformers engine on the tiny real MarianMT model (trained to copy its input)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from translate.base import DecodingOptions, EngineConfig, Translation
from translate.errors import ModelLoadError
from translate.marian import MarianEngine, StepRecorder, path_log_probs

SEEN = ["Nyaman tanpa iklan.", "China dan Kazakhstan Tingkatkan Kerja Sama", "Sumber : Xinhua"]
UNSEEN = ["Presiden meresmikan jalan tol baru di Jawa Tengah pada hari Senin.", "Halo"]


@pytest.fixture(scope="module")
def engine(tiny_model: str) -> MarianEngine:
    return MarianEngine.load(
        EngineConfig(model=tiny_model, device="cpu", decoding=DecodingOptions(num_beams=1))
    )


def test_copies_its_training_sentences(engine: MarianEngine) -> None:
    assert [t.text for t in engine.translate_batch(SEEN)] == SEEN


@pytest.mark.parametrize("beams", [1, 4], ids=["greedy", "beam4"])
def test_scores_tokens_and_source_counts(engine: MarianEngine, beams: int) -> None:
    results = engine.with_decoding(DecodingOptions(num_beams=beams)).translate_batch(SEEN + UNSEEN)
    assert all(-50 < t.score <= 0 for t in results)
    assert all(t.tokens > 0 for t in results)
    assert [t.src_tokens for t in results] == engine.count_tokens(SEEN + UNSEEN)


@pytest.mark.parametrize(
    ("sentences", "expected"),
    [([], []), (["", "   "], [Translation("", 0.0), Translation("", 0.0)])],
    ids=["no-sentences", "blank-sentences"],
)
def test_empty_input(
    engine: MarianEngine, sentences: list[str], expected: list[Translation]
) -> None:
    assert engine.translate_batch(sentences) == expected


def test_blank_sentence_keeps_its_place(engine: MarianEngine) -> None:
    results = engine.translate_batch([SEEN[0], "", SEEN[1]])
    assert [t.text for t in results] == [SEEN[0], "", SEEN[1]]


def test_beam_score_is_transformers_sequences_score(engine: MarianEngine) -> None:
    """Our mean log-prob equals `sequences_scores` (length_penalty=1), computed without output_scores."""
    import torch

    beam = engine.with_decoding(DecodingOptions(num_beams=4))
    batch = engine.tokenizer(SEEN + UNSEEN, return_tensors="pt", padding=True)
    config = beam.generation_config(40)
    config.output_scores, config.return_dict_in_generate = True, True
    recorder = StepRecorder(8)
    with torch.inference_mode():
        out = beam.model.generate(**batch, generation_config=config, logits_processor=[recorder])
    ours = beam.results(
        out.sequences, path_log_probs(recorder, out.sequences, 4), engine.tokenizer.pad_token_id, 0
    )
    assert [t.score for t in ours] == pytest.approx(out.sequences_scores.tolist(), abs=1e-5)


@pytest.mark.parametrize("beams", [1, 4], ids=["greedy", "beam4"])
def test_forced_length(engine: MarianEngine, beams: int) -> None:
    decoding = DecodingOptions(num_beams=beams, min_new_tokens=12, max_new_tokens=12)
    results = engine.with_decoding(decoding).translate_batch(SEEN + UNSEEN)
    assert [t.tokens for t in results] == [12] * len(SEEN + UNSEEN)


def test_limits_and_describe(engine: MarianEngine, tiny_model: str) -> None:
    assert engine.max_input_tokens == 512
    assert engine.count_tokens(["", "Halo"]) == [1, len(engine.tokenizer("Halo")["input_ids"])]
    small = MarianEngine.load(EngineConfig(model=tiny_model, device="cpu", max_input_tokens=16))
    assert small.max_input_tokens == 16
    info = engine.describe()
    assert info["engine"] == "transformers" and info["compute_type"] == "float32"
    assert info["num_beams"] == "1" and info["model"] == tiny_model
    assert (
        engine.with_decoding(DecodingOptions()).describe()["num_beams"] == "4"
    )  # generation config


def test_overlong_source_is_truncated_not_fatal(tiny_model: str) -> None:
    engine = MarianEngine.load(
        EngineConfig(
            model=tiny_model,
            device="cpu",
            max_input_tokens=16,
            decoding=DecodingOptions(num_beams=1, max_new_tokens=5),
        )
    )
    [result] = engine.translate_batch([" ".join(SEEN * 5)])
    assert result.src_tokens == 16 and result.tokens <= 5


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"compute_type": "int8"}, "not supported by the transformers engine"),
        ({"device": "cuda"}, "no CUDA device"),
    ],
    ids=["int8", "cuda"],
)
def test_bad_settings_fail_at_load(tiny_model: str, change: dict[str, Any], match: str) -> None:
    import torch

    config = replace(EngineConfig(model=tiny_model), **change)
    if "device" in change and torch.cuda.is_available():  # the same setting must then work
        assert MarianEngine.load(config).device == "cuda"
        return
    with pytest.raises(ModelLoadError, match=match):
        MarianEngine.load(config)
