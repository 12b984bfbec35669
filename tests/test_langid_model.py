"""corpus/signals/langid_model.py: the models laid out for batch scoring, and their checks."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from corpus.errors import ConfigError
from corpus.signals import langid_model
from corpus.signals.langid_data import load_trained


def chain(length: int) -> langid_model.Automaton:
    """States 0..length reading "aaa...": depth `length`; 0xFF resets to the root."""
    rows = np.zeros((length + 1, 256), dtype=np.int64)
    rows[:length, ord("a")] = np.arange(1, length + 1)
    return langid_model.Automaton(rows, np.arange(length + 1), np.arange(length + 1) - 1)


def test_layout_checks_the_automaton() -> None:
    weights, prior = np.zeros((5, 2)), np.zeros(2)
    assert langid_model.layout(chain(4), weights, prior, ("en", "id")).depth == 4
    with pytest.raises(ConfigError, match=r"states of 9 bytes.*idcorpus\[langid\]"):
        langid_model.layout(chain(9), weights, prior, ("en", "id"))
    broken = chain(3)
    broken.rows[1, 0xFF] = 2
    with pytest.raises(ConfigError, match="0xFF"):
        langid_model.layout(broken, weights, prior, ("en", "id"))


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"no \['xx'\]"):
        langid_model.load_py3langid_model(["id", "ms", "xx"])


def test_weights_trained_on_other_features_are_refused() -> None:
    trained = load_trained()
    with pytest.raises(ConfigError, match="another py3langid model's features"):
        langid_model.load_model(dataclasses.replace(trained, features_sha256="0" * 64))
    with pytest.raises(ConfigError, match="does not fit py3langid's features"):
        langid_model.load_model(dataclasses.replace(trained, char_units=trained.char_units[:9]))
