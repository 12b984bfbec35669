"""corpus/signals/langid_data.py (the model file) and the pure parts of its builder,
scripts/build_langid_model.py (the build itself needs ../shared and wordfreq)."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from corpus.errors import ConfigError
from corpus.signals import langid, langid_model
from corpus.signals.langid_data import load_trained, model_path, save_trained

ROOT = Path(__file__).resolve().parents[1]


def builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_langid_model", ROOT / "scripts" / "build_langid_model.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_file_round_trips(tmp_path: Path) -> None:
    trained = load_trained()
    save_trained(tmp_path / "m.npz", trained)
    again = load_trained(tmp_path / "m.npz")
    assert np.array_equal(again.char_units, trained.char_units)
    assert np.array_equal(again.word_units, trained.word_units)
    assert again.words == trained.words and again.stack == trained.stack
    assert again.languages == trained.languages and again.meta == trained.meta
    lean = load_trained(tmp_path / "m.npz", char=False)
    assert lean.char_units.shape == (0, len(trained.languages)) and lean.words == trained.words


def test_a_damaged_or_foreign_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "cut.npz").write_bytes(model_path().read_bytes()[:5000])
    with pytest.raises(ConfigError, match=r"unreadable .*build_langid_model\.py"):
        load_trained(tmp_path / "cut.npz")
    meta = np.frombuffer(json.dumps({"format": 0}).encode(), dtype=np.uint8)
    np.savez(tmp_path / "old.npz", meta=meta)
    with pytest.raises(ConfigError, match="format 0, this code reads 1"):
        load_trained(tmp_path / "old.npz")
    with pytest.raises(ConfigError, match="missing.npz"):
        load_trained(tmp_path / "missing.npz")


def test_an_identifier_loads_from_another_file(tmp_path: Path) -> None:
    """A rebuilt file is used as it is (its own store key), e.g. with a shifted cut."""
    trained = load_trained()
    path = tmp_path / "shifted.npz"
    save_trained(path, dataclasses.replace(trained, stack=(50.0, *trained.stack[1:])))
    text = "Saya tidak bisa datang ke kantor hari ini karena anak saya sakit."
    assert langid.load_identifier()(text)[0] == "id"
    assert langid.load_identifier(path, tmp_path)(text)[0] == "ms"  # the bias now says Malay


def test_builder_pieces() -> None:
    b = builder()
    weights = np.array([[-3.5, -12.25], [-0.5, -20.0]])
    units, exponent = b.quantize_char(weights)
    assert np.abs(units).max() < 2**31 / 3 and np.allclose(
        units * 2.0**-exponent, weights, atol=1e-3
    )
    freqs = ({"karena": 1e-3, "uang": 1e-4}, {"kerana": 1e-3, "wang": 1e-4})
    words = b.word_weights(["uang itu karena dia"], ["wang itu kerana dia"], freqs)
    assert words["kerana"] > 1 and words["karena"] < -1 and words["wang"] > 0 > words["uang"]
    assert "itu" not in words and "dia" not in words  # the same in both: no weight
    char = np.zeros((2, len(b.LANGS)))
    logits = b.split_logits(char, np.array([5.0, -5.0]), [0.0, 0.0, 1.0])
    assert logits.argmax(1).tolist() == [1, 0]  # ms, id
    assert np.allclose(np.logaddexp(logits[:, 0], logits[:, 1]), np.log(2.0))  # the pair's mass


def test_layout_accepts_the_quantized_weights() -> None:
    trained = load_trained()
    model = langid_model.load_model(trained)
    assert model.units.shape[1] == len(trained.languages)  # ten columns: not padded
    assert model.unit == 2.0**-trained.char_exponent or trained.char_units.min() % 2 == 0
