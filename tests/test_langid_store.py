"""The language-ID model store: built once, then mapped; damage and a read-only store are
survived."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from corpus.signals import langid_model
from corpus.signals.langid_model import Model
from corpus.signals.langid_store import ARRAYS, cached_model, store_key

LANGS = ("en", "id", "jv", "ms", "tl")


@pytest.fixture(scope="module")
def built() -> Model:
    return langid_model.load_model(LANGS)


def same(a: Model, b: Model) -> bool:
    arrays = all(
        np.array_equal(getattr(a, n), getattr(b, n)) and getattr(a, n).dtype == getattr(b, n).dtype
        for n in ARRAYS
    )
    return arrays and (a.languages, a.root, a.depth, a.unit, a.blank) == (
        b.languages, b.root, b.depth, b.unit, b.blank
    )  # fmt: skip


def test_built_once_then_mapped(tmp_path: Path, built: Model) -> None:
    calls: list[tuple[str, ...]] = []

    def build(languages: object) -> Model:
        calls.append(tuple(languages))  # type: ignore[arg-type]
        return built

    first = cached_model(LANGS, build, tmp_path)
    second = cached_model(LANGS, build, tmp_path)
    assert calls == [LANGS] and same(first, built) and same(second, built)
    assert isinstance(second.moves, np.memmap) and not second.moves.flags.writeable
    assert [p.name for p in tmp_path.iterdir()] == [store_key(LANGS)]


def test_languages_are_part_of_the_key() -> None:
    assert store_key(LANGS) != store_key(("id", "ms"))


def test_a_damaged_store_is_rebuilt(
    tmp_path: Path, built: Model, caplog: pytest.LogCaptureFixture
) -> None:
    cached_model(LANGS, lambda _: built, tmp_path)
    damaged = tmp_path / store_key(LANGS) / "weights.npy"
    damaged.write_bytes(damaged.read_bytes()[:1000])
    with caplog.at_level(logging.WARNING):
        again = cached_model(LANGS, lambda _: built, tmp_path)
    assert same(again, built) and "unreadable" in caplog.text
    assert same(cached_model(LANGS, lambda _: built, tmp_path), built)  # stored again


def test_an_unwritable_store_is_skipped(tmp_path: Path, built: Model) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert same(cached_model(LANGS, lambda _: built, blocker), built)
