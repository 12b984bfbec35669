from __future__ import annotations

import pytest

from corpus.errors import ConfigError
from corpus.pipeline.config import BuildConfig, RayOptions, parse_splits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("train=1", (("train", 1.0),)),
        (
            "train=0.98,validation=0.01,test=0.01",
            (("train", 0.98), ("validation", 0.01), ("test", 0.01)),
        ),
        (" train=0.5 , test=0.5 ", (("train", 0.5), ("test", 0.5))),
    ],
    ids=["one", "three", "spaces"],
)
def test_parse_splits(text: str, expected: tuple[tuple[str, float], ...]) -> None:
    assert parse_splits(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one"),
        ("train=0.5", "add up to 1"),
        ("train=0.5,train=0.5", "unique"),
        ("train=abc", "NAME=FRACTION"),
        ("train", "NAME=FRACTION"),
        ("tr-ain=1", "letters"),
        ("train=1.5,test=-0.5", "fraction"),
    ],
    ids=["empty", "sum", "duplicate", "not-number", "no-equals", "bad-name", "range"],
)
def test_parse_splits_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_splits(text)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"inputs": ()}, "no input"),
        ({"out": ""}, "--out"),
        ({"executor": "spark"}, "local, ray"),
        ({"chunk_sentences": -1}, "chunk_sentences"),
    ],
    ids=["no-inputs", "no-out", "executor", "chunk"],
)
def test_build_config_validation(kwargs: dict[str, object], message: str) -> None:
    base: dict[str, object] = {"inputs": ("seeds",), "out": "x"}
    with pytest.raises(ConfigError, match=message):
        BuildConfig(**{**base, **kwargs})  # type: ignore[arg-type]


def test_ray_options_validation() -> None:
    with pytest.raises(ConfigError, match="--workers"):
        RayOptions(workers=0)


@pytest.mark.parametrize(("given", "expected"), [(0, 2048), (1000, 1000)], ids=["auto", "given"])
def test_checkpoint_size(given: int, expected: int) -> None:
    config = BuildConfig(inputs=("seeds",), out="x", chunk_sentences=given)
    assert config.effective_chunk == expected
