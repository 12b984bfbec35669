"""corpus/signals/langid_model.py: py3langid's model laid out for batch scoring, and its checks."""

from __future__ import annotations

import numpy as np
import pytest

from corpus.errors import ConfigError
from corpus.signals import langid_model


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
        langid_model.load_model(["id", "ms", "xx"])
