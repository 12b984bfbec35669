"""The run identity: one object, three views (resume key, translation cache key, provenance)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from corpus.pipeline.config import BuildConfig
from corpus.pipeline.identity import RunIdentity, differences, public_input, public_model_name

DESCRIPTION = {
    "engine": "ctranslate2",
    "model": "/home/me/models/opus-mt-id-en",
    "revision": "",
    "model_fingerprint": "abc123",
    "device": "cpu",
    "compute_type": "int8",
    "num_beams": "4",
    "inter_threads": "2",
    "intra_threads": "1",
}


def identity(config: BuildConfig, **described: str) -> RunIdentity:
    return RunIdentity.create(config, {**DESCRIPTION, **described})


def test_speed_settings_are_not_part_of_the_identity() -> None:
    a = BuildConfig(inputs=("seeds",), out="x")
    faster = replace(
        a,
        engine=replace(a.engine, batch_tokens=999, threads=3),
        quiet=True,
        jobs=7,
        chunk_sentences=10,
        out="elsewhere",
    )
    assert identity(a).resume_key() == identity(faster, inter_threads="8").resume_key()


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"model_fingerprint": "def456"}, "translator.model_fingerprint"),
        ({"compute_type": "float32"}, "translator.compute_type"),
        ({"engine": "transformers"}, "translator.engine"),
        ({"device": "cuda"}, "translator.device"),
    ],
    ids=["weights", "compute-type", "engine", "device"],
)
def test_what_the_engine_loaded_is_part_of_it(change: dict[str, str], key: str) -> None:
    config = BuildConfig(inputs=("seeds",), out="x")
    old, new = identity(config).resume_key(), identity(config, **change).resume_key()
    lines = differences(old, new)
    assert len(lines) == 1 and lines[0].startswith(f"{key}: ")


def test_options_that_shape_the_dataset_are_part_of_it() -> None:
    a = BuildConfig(inputs=("seeds",), out="x")
    for other in (replace(a, seed=1), replace(a, signals=False), replace(a, inputs=("docs",))):
        assert differences(identity(a).resume_key(), identity(other).resume_key())


def test_published_views_hold_no_local_path() -> None:
    config = BuildConfig(inputs=("/data/private/docs",), out="x")
    prov = identity(config).provenance()
    text = repr(prov)
    assert "/home/me" not in text and "/data/private" not in text
    assert prov["translator"]["model"] == "opus-mt-id-en"
    assert "opus-mt-id-en@local#abc123" in prov["signature"]
    assert identity(config).translation()["model_fingerprint"] == "abc123"


@pytest.mark.parametrize(
    ("model", "name"),
    [
        ("Helsinki-NLP/opus-mt-id-en", "Helsinki-NLP/opus-mt-id-en"),
        ("/models/opus-mt-id-en", "opus-mt-id-en"),
        ("./opus-mt-id-en/", "opus-mt-id-en"),
    ],
)
def test_public_model_name(model: str, name: str) -> None:
    assert public_model_name(model) == name


def test_public_input() -> None:
    assert public_input("docs/a") == "docs/a" and public_input("/abs/docs") == "docs"
