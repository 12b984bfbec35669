"""corpus/signals/langid_data.py (the model file) and the pure parts of its builder,
scripts/build_langid_model.py (the build itself needs ../shared and wordfreq)."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
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


def test_word_components_and_their_mix() -> None:
    """Rule-based translations count like parallel sentences, in their own component; a
    mild wordfreq lean is no evidence; the mix is a weighted sum of the components."""
    b = builder()
    freqs = ({"karena": 1e-3, "rumah": 1e-3}, {"kerana": 1e-3, "rumah": 1.5e-3})
    components = b.word_components(
        [("uang itu", "wang itu")], [("dia pergi karena sakit", "dia pergi kerana sakit")], freqs
    )
    assert set(components) == set(b.COMPONENTS)
    assert components["apertium"]["kerana"] > 1 > -1 > components["apertium"]["karena"]
    assert components["apertium"]["dia"] == 0.0  # the same on both sides
    assert components["parallel"]["wang"] > 0 > components["parallel"]["uang"]
    assert "rumah" not in components["wordfreq"]  # log(1.5) is inside the dead zone
    assert components["markers"]["kerana"] == 1.0
    assert b.parallel_ratios([], []) == {}
    mixed = b.mix_words(components, [0.0, 1.0, 0.5, 0.0])
    assert mixed["wang"] == pytest.approx(components["parallel"]["wang"])
    assert mixed["kerana"] == pytest.approx(0.5 * components["apertium"]["kerana"])
    sums = b.component_sums(["wang kerana"], components)
    assert sums.shape == (1, len(b.COMPONENTS)) and sums[0, 3] == 1.0  # one marker


def test_synthetic_pairs_keep_their_direction() -> None:
    b = builder()
    d = b.Data(["karena", "kerana"], np.array([0, 1]), np.array([0, 1]), ["a", "b"], [], {})
    d.synthetic = [(0, "kerana!"), (1, "karena!")]
    train = np.array([True, True])
    assert b.synthetic_pairs(d, train) == [("karena", "kerana!"), ("karena!", "kerana")]
    assert b.synthetic_pairs(d, np.array([False, True])) == [("karena!", "kerana")]


def test_apertium_output_keeps_one_line_per_input_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The builder's pipe to `apertium -u MODE` (an optional training source): one output line
    per input line, empty lines kept, a wrong line count refused. A stand-in program on PATH
    plays apertium (rewriting one word as the ind-zlm pair would), so the test needs no Debian
    package; the stand-in is the external program, not anything of ours."""
    fake = tmp_path / "apertium"
    fake.write_text('#!/bin/sh\nsed "s/karena/kerana/g"\n', encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    out = builder().apertium(["Dia tidak bisa datang karena sakit.", "", "Mobil\nitu."], "ind-zlm")
    assert out == ["Dia tidak bisa datang kerana sakit.", "", "Mobil itu."]
    fake.write_text("#!/bin/sh\nhead -n 1\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="gave 2 lines for 3"):
        builder().apertium(["a", "b", "c"], "ind-zlm")


def test_layout_accepts_the_quantized_weights() -> None:
    trained = load_trained()
    model = langid_model.load_model(trained)
    assert model.units.shape[1] == len(trained.languages)  # ten columns: not padded
    assert model.unit == 2.0**-trained.char_exponent or trained.char_units.min() % 2 == 0
