"""The transformers engine on the tiny real MarianMT model (trained to copy its input)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from engine_helpers import plain_score, synthetic_sentences

from translate.base import VOLATILE_KEYS, DecodingOptions, EngineConfig, Translation
from translate.engine import SCORING_VERSION
from translate.errors import ModelLoadError, TranslationError
from translate.marian import MarianEngine
from translate.marian_scores import StepRecorder, path_log_probs
from translate.plan import Output

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
    """With plain decoding our mean log-prob equals `sequences_scores` (length_penalty=1,
    renormalised after the <pad> ban), computed without output_scores."""
    import torch

    beam = engine.with_decoding(DecodingOptions(num_beams=4))
    batch = engine.tokenizer(SEEN + UNSEEN, return_tensors="pt", padding=True)
    config = beam.generation_config(40)
    config.output_scores, config.return_dict_in_generate = True, True
    recorder = StepRecorder(8)
    with torch.inference_mode():
        out = beam.model.generate(**batch, generation_config=config, logits_processor=[recorder])
    ours = beam.outputs(out.sequences, path_log_probs(recorder, out.sequences, 4))
    assert [o.score for o in ours] == pytest.approx(out.sequences_scores.tolist(), abs=1e-5)


SOURCES = synthetic_sentences(12)


@pytest.mark.parametrize(
    "decoding",
    [
        DecodingOptions(num_beams=1),
        DecodingOptions(num_beams=4),
        DecodingOptions(num_beams=1, min_new_tokens=20),
        DecodingOptions(num_beams=4).anti_repetition(),
    ],
    ids=["greedy", "beam4", "min-length", "beam4-ngram-ban"],
)
def test_score_is_the_plain_models_whatever_the_decoding(
    engine: MarianEngine, decoding: DecodingOptions
) -> None:
    """From the decoder's record (plain decoding) or a forced pass (the others), the score is
    the plain model's mean log-prob of the output tokens, computed here independently."""
    outputs = engine.with_decoding(decoding).decode(SOURCES)
    for source, out in zip(SOURCES, outputs, strict=True):
        assert out is not None and out.score is not None
        target = out.ids + [engine.tokenizer.eos_token_id] * out.eos
        assert out.score == pytest.approx(
            plain_score(engine.model, engine.tokenizer, source, target), abs=1e-5
        )


def test_score_api(engine: MarianEngine) -> None:
    outputs = engine.decode(SEEN)
    ids = [o.ids + [engine.tokenizer.eos_token_id] * o.eos for o in outputs if o is not None]
    by_ids = engine.score(SEEN, ids)
    # The decoder's own record (step by step, through its cache) and scoring (one forced pass)
    # compute the same log-probs by two float32 paths that agree to about 2e-7, whatever the
    # batch or thread count; rounded to 6 decimals they can land on either side of a rounding
    # boundary (-0.0291585922 and -0.0291584341 on an AMD EPYC: -0.029159 and -0.029158), so
    # they agree to one unit of the last digit, not to the last digit.
    assert by_ids == pytest.approx([o.score for o in outputs if o is not None], rel=0, abs=1.5e-6)
    assert engine.score(SEEN, SEEN) == by_ids  # the same path: text or its ids, to the last digit
    assert engine.score(SEEN[:1], [ids[0][:-1]])[0] != by_ids[0]  # without eos: eos not scored
    assert engine.score([], []) == [] and engine.score(["Halo"], [[]]) == [0.0]
    with pytest.raises(ValueError, match="1 sources but 2 targets"):
        engine.score(["Halo"], ["a", "b"])
    with pytest.raises(TranslationError, match="cannot be scored"):
        engine.score(["Halo"], [[5] * 600])


def test_unk_is_flagged(engine: MarianEngine) -> None:
    """<unk> disappears from the decoded text; the translation says it was there."""
    ids = engine.tokenizer("Nyaman tanpa iklan")["input_ids"][:-1]
    unk = engine.tokenizer.unk_token_id
    with_unk = engine.translation(Output(ids[:2] + [unk] + ids[2:], eos=True, score=-1.0))
    without = engine.translation(Output(ids, eos=True, score=-1.0))
    assert with_unk.unk and not without.unk
    assert with_unk.text == without.text and with_unk.tokens == without.tokens + 1


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
    assert info["scoring_version"] == SCORING_VERSION and info["forced_eos"] == "none"
    assert "max_length_ratio" in info["length_cap"] and info["length_penalty"] == "1.0"
    assert (
        info["early_stopping"].startswith("true")
        and '"no_repeat_ngram_size": 0' in info["decoding"]
    )
    assert {"transformers", "tokenizers", "sentencepiece", "torch"} <= set(info)
    assert {"inter_threads", "intra_threads"} <= set(info) and "inter_threads" in VOLATILE_KEYS


@pytest.mark.parametrize(("threads", "inter"), [(1, 1), (2, 2), (9, 4)], ids=["1", "2", "9"])
def test_batches_run_side_by_side_on_one_thread_each(
    tiny_model: str, threads: int, inter: int
) -> None:
    import torch

    loaded = MarianEngine.load(EngineConfig(model=tiny_model, device="cpu", threads=threads))
    assert (loaded.runtime.inter_threads, loaded.runtime.intra_threads) == (inter, 1)
    assert torch.get_num_threads() == 1 and (loaded.pool is None) == (inter == 1)


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
