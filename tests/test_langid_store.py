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
KEY = "py3langid:en,id,jv,ms,tl"


@pytest.fixture(scope="module")
def built() -> Model:
    return langid_model.load_py3langid_model(LANGS)


def same(a: Model, b: Model) -> bool:
    arrays = all(
        np.array_equal(getattr(a, n), getattr(b, n)) and getattr(a, n).dtype == getattr(b, n).dtype
        for n in ARRAYS
    )
    return arrays and (a.languages, a.root, a.depth, a.unit, a.blank) == (
        b.languages, b.root, b.depth, b.unit, b.blank
    )  # fmt: skip


def test_built_once_then_mapped(tmp_path: Path, built: Model) -> None:
    calls: list[str] = []

    def build() -> Model:
        calls.append("built")
        return built

    first = cached_model(KEY, build, tmp_path)
    second = cached_model(KEY, build, tmp_path)
    assert calls == ["built"] and same(first, built) and same(second, built)
    assert isinstance(second.moves, np.memmap) and not second.moves.flags.writeable
    assert [p.name for p in tmp_path.iterdir()] == [store_key(KEY)]


def test_the_weights_are_part_of_the_key() -> None:
    assert store_key(KEY) != store_key("py3langid:id,ms")
    assert store_key(KEY) != store_key("trained:0123")


def test_a_damaged_store_is_rebuilt(
    tmp_path: Path, built: Model, caplog: pytest.LogCaptureFixture
) -> None:
    cached_model(KEY, lambda: built, tmp_path)
    damaged = tmp_path / store_key(KEY) / "weights.npy"
    damaged.write_bytes(damaged.read_bytes()[:1000])
    with caplog.at_level(logging.WARNING):
        again = cached_model(KEY, lambda: built, tmp_path)
    assert same(again, built) and "unreadable" in caplog.text
    assert same(cached_model(KEY, lambda: built, tmp_path), built)  # stored again


def test_an_unwritable_store_is_skipped(tmp_path: Path, built: Model) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert same(cached_model(KEY, lambda: built, blocker), built)
