"""The CTranslate2 engine: same translations as transformers (float32), conversion cached."""

from __future__ import annotations

from pathlib import Path

import pytest

from translate.base import DecodingOptions, EngineConfig
from translate.ct2 import CT2Engine, conversion_dir
from translate.errors import ModelLoadError
from translate.load import resolve_model
from translate.marian import MarianEngine

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
    hf = MarianEngine.load(config).translate_batch(SENTENCES)
    ct2 = CT2Engine.load(config).translate_batch(SENTENCES)
    assert [t.text for t in ct2] == [t.text for t in hf]
    assert [(t.tokens, t.src_tokens) for t in ct2] == [(t.tokens, t.src_tokens) for t in hf]
    assert [t.score for t in ct2] == pytest.approx([t.score for t in hf], abs=1e-4)


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
    assert engine.translate_batch([]) == []
    results = engine.translate_batch(SENTENCES[:3])
    assert results[0].text == SENTENCES[0] and all(t.score <= 0 for t in results)


def test_unknown_compute_type_lists_the_choices(tiny_model: str, cache_dir: str) -> None:
    with pytest.raises(ModelLoadError, match="choose one of: auto, int8"):
        CT2Engine.load(EngineConfig(model=tiny_model, compute_type="int4", cache_dir=cache_dir))
