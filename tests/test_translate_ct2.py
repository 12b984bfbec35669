"""The CTranslate2 engine: same translations as transformers (float32), conversion cached."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from engine_helpers import synthetic_sentences

from translate.base import DecodingOptions, EngineConfig
from translate.ct2 import CT2Engine, conversion_dir
from translate.errors import ModelLoadError
from translate.marian import MarianEngine
from translate.plan import width_class
from translate.resolve import resolve_model

SENTENCES = [
    "Nyaman tanpa iklan.",
    "Menteri Luar Negeri China Wang Yi bertemu dengan Menlu Kazakhstan Erlan Idrissov untuk memperkuat hubungan bilateral.",
    "Sumber : Xinhua",
    "",
    "Presiden meresmikan jalan tol baru di Jawa Tengah pada hari Senin.",
    "Halo",
]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("ct2cache"))


@pytest.mark.parametrize(
    "decoding",
    [
        DecodingOptions(num_beams=1),
        DecodingOptions(num_beams=4),
        DecodingOptions(num_beams=1, min_new_tokens=9, max_new_tokens=9),
    ],
    ids=["greedy", "beam4", "forced-length"],
)
def test_same_translations_as_transformers_in_float32(
    tiny_model: str, cache_dir: str, decoding: DecodingOptions
) -> None:
    config = EngineConfig(
        model=tiny_model,
        device="cpu",
        compute_type="float32",
        cache_dir=cache_dir,
        decoding=decoding,
    )
    sentences = SENTENCES + synthetic_sentences(20)
    hf = MarianEngine.load(config).translate_batch(sentences)
    ct2 = CT2Engine.load(config).translate_batch(sentences)
    assert [t.text for t in ct2] == [t.text for t in hf]
    assert [(t.tokens, t.src_tokens) for t in ct2] == [(t.tokens, t.src_tokens) for t in hf]
    assert [t.score for t in ct2] == pytest.approx([t.score for t in hf], abs=1e-4)


@pytest.fixture(scope="module")
def float32_pair(tiny_model: str, cache_dir: str) -> tuple[MarianEngine, CT2Engine]:
    config = EngineConfig(
        model=tiny_model, device="cpu", compute_type="float32", cache_dir=cache_dir
    )
    return MarianEngine.load(config), CT2Engine.load(config)


def test_score_api_agrees_with_transformers(float32_pair: tuple[MarianEngine, CT2Engine]) -> None:
    """score_batch (which appends and scores an eos of its own) gives what a forced pass
    through the transformers model gives, for texts and for ids with and without eos."""
    hf, ct2 = float32_pair
    sources = SENTENCES[:3] + SENTENCES[4:]
    targets: list[Any] = ["I met the minister.", "Halo", "", [5, 6, 7], [5, 6, 7, 0]]
    assert ct2.score(sources, targets) == pytest.approx(hf.score(sources, targets), abs=1e-4)
    assert ct2.score(["Halo"], [[]]) == [0.0]
    scores = ct2.score(sources * 3, targets * 3)  # one pair per CTranslate2 batch, in order
    assert scores == ct2.score(sources, targets) * 3


class SpyTranslator:
    """Passes every call to the real CTranslate2 translator and keeps the sources it got."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.batches: list[list[list[str]]] = []

    def translate_batch(self, source: list[list[str]], **options: Any) -> Any:
        self.batches.append(source)
        return self.real.translate_batch(source, **options)

    def score_batch(self, *args: Any, **options: Any) -> Any:
        return self.real.score_batch(*args, **options)


@pytest.mark.parametrize("beams", [1, 4], ids=["greedy", "beam4"])
def test_every_batch_is_padded_to_its_width_class(
    tiny_model: str, cache_dir: str, beams: int
) -> None:
    """Each source is padded to its own width class whatever shares its batch: the widest
    row of every batch CTranslate2 gets (an anchor when needed) is that class's width."""
    engine = CT2Engine.load(
        EngineConfig(
            model=tiny_model, cache_dir=cache_dir, decoding=DecodingOptions(num_beams=beams)
        )
    )
    spy = SpyTranslator(engine.translator)
    engine.translator = spy
    sentences = synthetic_sentences(30)
    results = engine.translate_batch(sentences)
    lengths = engine.count_tokens(sentences)
    for batch in spy.batches:
        real = [row for row in batch if set(row) != {"</s>"}]
        width = width_class(max(len(row) for row in real))
        assert {width_class(len(row)) for row in real} == {width}
        assert max(len(row) for row in batch) == width
    assert sum(len(b) for b in spy.batches) >= len(sentences)
    assert [t.src_tokens for t in results] == lengths


def test_unk_is_flagged(tiny_model: str, cache_dir: str) -> None:
    engine = CT2Engine.load(EngineConfig(model=tiny_model, cache_dir=cache_dir))
    out = engine.output(["▁N", "ya", "<unk>", "man", "</s>"], -1.0)
    assert out.eos and out.ids[2] == engine.tokenizer.unk_token_id
    assert engine.translation(out).unk and engine.translation(out).text == "Nyaman"
    assert not engine.translation(engine.output(["▁N", "ya"], None)).unk


def test_converted_model_is_reused(tiny_model: str, tmp_path: Path) -> None:
    config = EngineConfig(
        model=tiny_model, device="cpu", compute_type="int8", cache_dir=str(tmp_path)
    )
    first = CT2Engine.load(config)
    model_bin = conversion_dir(resolve_model(config), "int8", tmp_path / "ct2") / "model.bin"
    stamp = model_bin.stat().st_mtime_ns
    second = CT2Engine.load(config)
    assert first.converted and not second.converted
    assert model_bin.stat().st_mtime_ns == stamp
    assert [p.name for p in (tmp_path / "ct2").iterdir()] == [
        model_bin.parent.name
    ]  # no temp dir left


def test_conversion_is_keyed_by_quantization(tiny_model: str) -> None:
    resolved = resolve_model(EngineConfig(model=tiny_model))
    root = Path("/x")
    assert conversion_dir(resolved, "int8", root) != conversion_dir(resolved, "float32", root)


def test_defaults_on_cpu_and_describe(tiny_model: str, cache_dir: str) -> None:
    engine = CT2Engine.load(EngineConfig(model=tiny_model, cache_dir=cache_dir, threads=1))
    info = engine.describe()
    assert (info["engine"], info["device"], info["compute_type"]) == ("ctranslate2", "cpu", "int8")
    assert (info["inter_threads"], info["intra_threads"], info["num_beams"]) == ("1", "1", "4")
    assert {"ctranslate2", "transformers", "tokenizers", "sentencepiece"} <= set(info)
    assert info["scoring_version"] and info["forced_eos"] == "none"
    assert engine.translate_batch([]) == []
    results = engine.translate_batch(SENTENCES[:3])
    assert results[0].text == SENTENCES[0] and all(t.score <= 0 for t in results)


def test_unknown_compute_type_lists_the_choices(tiny_model: str, cache_dir: str) -> None:
    with pytest.raises(ModelLoadError, match="choose one of: auto, int8"):
        CT2Engine.load(EngineConfig(model=tiny_model, compute_type="int4", cache_dir=cache_dir))
