"""The language-ID model, laid out for scoring a batch with numpy.

py3langid 0.4 ships a byte automaton (deduplicated rows of 256 next states, a feature per
state: about 100,000 byte n-grams of up to 6 bytes) and a naive Bayes table over 97
languages. `load_model` takes the automaton and our own weights for id, ms, en, jv, su, tl,
min, ban, bjn and ace (corpus/data/langid_model.npz, trained on those same features by
scripts/build_langid_model.py); `load_py3langid_model` takes py3langid's own table for the
languages asked for (the identifier before ours, kept for the benchmark and the tests). Both
lay the automaton out so that one int64 lookup per byte gives both the feature of the state
it leads to and that state's row; `layout` checks what corpus/signals/langid.py relies on and
refuses a model that breaks it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from corpus.errors import ConfigError
from corpus.signals.langid_data import Trained

SEPARATOR = 0xFF
"""A byte no UTF-8 text contains; the model's automaton goes back to its root on it."""

MAX_DEPTH = 8
"""Longest automaton state (in bytes) the vectorised walk accepts; py3langid 0.4 has 6."""

SCALE = 2.0**32
"""Fixed-point scale of the extra score of repeated features: exact int64 sums."""

REINSTALL = 'install py3langid 0.4.x: pip install "idcorpus[langid]"'

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Model:
    """A naive Bayes table over py3langid's automaton for `languages` (in the model's
    order: a tie goes to the first), laid out for batch scoring.

    `moves[(row << 8) + byte]` is the feature of the state the byte leads to (`blank` for
    none) << 32 | that state's `row << 8`; `pairs[(b1 << 8) + b2]` is the `row << 8` of the
    state two bytes take the root to; `depth` is the longest state in bytes.
    `weights[f, lang]` is log P(f | language) (up to a constant per feature), exactly
    `units[f, lang] * unit` (both models' weights are multiples of a power of two; `units`
    may have zero columns after them: `padded_columns`); row `blank` is all
    zero.
    """

    languages: tuple[str, ...]
    root: int
    moves: Ints
    pairs: npt.NDArray[np.int32]
    depth: int
    weights: Floats
    units: npt.NDArray[np.int16]
    unit: float
    prior: Floats
    blank: int


@dataclass(frozen=True)
class Automaton:
    """py3langid's automaton: `rows[row[state], byte]` is the next state, `out[state]` its
    feature (-1 for none)."""

    rows: npt.NDArray[np.integer]
    row: npt.NDArray[np.integer]
    out: npt.NDArray[np.integer]


def read_py3langid() -> tuple[Automaton, npt.NDArray[np.float16], Floats, list[str]]:
    """py3langid 0.4's automaton, naive Bayes table, prior and languages (ImportError
    without py3langid)."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE
    from py3langid.modelio import load_model as read_model

    ptc, pc, classes, nextmove, row, out = read_model(MODEL_DIR / MODEL_FILE)
    automaton = Automaton(np.asarray(nextmove).reshape(-1, 256), np.asarray(row), np.asarray(out))
    return automaton, np.asarray(ptc), np.asarray(pc, np.float64), list(classes)


def features_digest(automaton: Automaton) -> str:
    """sha256 of the automaton: the features (and their order) that weights are trained on."""
    digest = hashlib.sha256()
    for array in (automaton.rows, automaton.row, automaton.out):
        digest.update(np.ascontiguousarray(array, dtype=np.int64).tobytes())
    return digest.hexdigest()


def load_model(trained: Trained) -> Model:
    """py3langid's automaton with our trained weights (ImportError without py3langid)."""
    automaton, ptc, _, _ = read_py3langid()
    if trained.char_units.shape != (len(ptc), len(trained.languages)):
        raise ConfigError(f"the language-ID model does not fit py3langid's features; {REINSTALL}")
    if features_digest(automaton) != trained.features_sha256:
        raise ConfigError(
            "the language-ID model was trained on another py3langid model's features; "
            f"{REINSTALL} (or rebuild it: python scripts/build_langid_model.py)"
        )
    weights = np.vstack((trained.char_weights(), np.zeros((1, len(trained.languages)))))
    return layout(automaton, weights, trained.char_prior, trained.languages)


def load_py3langid_model(languages: Sequence[str]) -> Model:
    """py3langid's bundled model, restricted to `languages` (ImportError without it)."""
    automaton, ptc, pc, classes = read_py3langid()
    unknown = sorted(set(languages) - set(classes))
    if unknown:
        raise ConfigError(f"py3langid's model has no {unknown}; {REINSTALL}")
    columns = [classes.index(lang) for lang in sorted(languages)]
    weights = np.vstack((ptc[:, columns], np.zeros((1, len(columns))))).astype(np.float64)
    return layout(automaton, weights, pc[columns], tuple(sorted(languages)))


def layout(
    automaton: Automaton, weights: Floats, prior: Floats, languages: tuple[str, ...]
) -> Model:
    """The batch-scoring tables, after checking what the vectorised walk relies on."""
    rows, row = automaton.rows, automaton.row.astype(np.int64)
    if rows.size == 0 or np.any(rows[:, SEPARATOR] != 0):
        raise ConfigError(f"unsupported py3langid model (byte 0xFF must reset it); {REINSTALL}")
    depth = automaton_depth(rows, row)
    if not 3 <= depth <= MAX_DEPTH:
        raise ConfigError(f"unsupported py3langid model (states of {depth} bytes); {REINSTALL}")
    weights = np.ascontiguousarray(weights, dtype=np.float64)  # np.take copies others whole
    blank = len(weights) - 1
    exponent = next((e for e in range(25) if np.all(np.mod(weights * 2.0**e, 1) == 0)), None)
    units = weights * 2.0 ** (exponent or 0)
    if exponent is None or np.abs(units).max() >= min(2**15, 2**31 / len(weights)):
        raise ConfigError(f"unsupported py3langid model (weights not float16); {REINSTALL}")
    # renumber features, most probable first, so that the common ones share cache lines
    order = np.argsort(-weights[:blank].max(axis=1), kind="stable")
    renumber = np.empty(len(weights), dtype=np.int64)
    renumber[order], renumber[blank] = np.arange(blank), blank
    weights, units = weights[np.append(order, blank)], units[np.append(order, blank)]
    feature = renumber[np.where(automaton.out >= 0, automaton.out, blank)]
    move_to = (feature << 32) | (row << 8)  # per state: what a move to it gives
    moves = move_to[rows].ravel()  # the one table of the size of the automaton
    first = moves[(row[0] << 8) + np.arange(256)] & 0xFFFFFFFF
    pairs = moves[np.repeat(first, 256) + np.tile(np.arange(256), 256)] & 0xFFFFFFFF
    return Model(
        languages=languages,
        root=int(row[0] << 8),
        moves=moves,
        pairs=pairs.astype(np.int32),
        depth=depth,
        weights=weights,
        units=padded_columns(units.astype(np.int16)),
        unit=2.0**-exponent,
        prior=prior,
        blank=blank,
    )


def padded_columns(table: npt.NDArray[np.int16]) -> npt.NDArray[np.int16]:
    """`table` with zero columns added up to a power of two when that adds at most 3
    (5 languages -> 8: rows numpy copies fastest; 10 stay 10: fewer bytes gather faster,
    3% over 16)."""
    width = 1 << (table.shape[1] - 1).bit_length()
    width = width if width - table.shape[1] <= 3 else table.shape[1]
    padded = np.zeros((len(table), width), dtype=table.dtype)
    padded[:, : table.shape[1]] = table
    return padded


def automaton_depth(rows: npt.NDArray[np.integer], row: Ints) -> int:
    """Bytes from the root to the farthest state (breadth-first): the walk's window."""
    seen = np.zeros(len(row), dtype=bool)
    seen[0] = True
    frontier, depth = np.zeros(1, dtype=np.int64), 0
    while True:
        reached = np.zeros(len(row), dtype=bool)
        reached[rows[np.unique(row[frontier])].ravel()] = True
        reached &= ~seen
        if not reached.any():
            return depth
        depth += 1
        seen |= reached
        frontier = np.flatnonzero(reached)
