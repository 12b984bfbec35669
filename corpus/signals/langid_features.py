"""Feature sums of many texts at once for the language identifier (corpus/signals/langid.py):
py3langid's byte automaton walked over a whole batch in numpy, the features (byte n-grams) of
each text counted and summed as exact integers.

- the automaton is Aho-Corasick over n-grams of at most `depth` (6) bytes, so its state after
  any byte depends on the last `depth` bytes only: the state at every `STRIDE`-th position of
  the concatenated bytes comes from its window in `depth` vectorised steps, the states between
  from one step each (0xFF, which no UTF-8 text holds, separates texts and returns every state
  to the root);
- features are counted per text by sorting each text's row of features (in blocks of texts
  of similar length, padded with a blank feature);
- sums are exact integers, so independent of order (the weights are integer multiples of a
  power of two; the extra weight of a repeated feature is rounded to 64-bit fixed point
  first): a text's sums do not depend on the batch it came in.
"""

from __future__ import annotations

import sys
import unicodedata

import numpy as np
import numpy.typing as npt

from corpus.blocks import slices
from corpus.signals.langid_model import SCALE, SEPARATOR, Model

_LOW, _HIGH = (0, 1) if sys.byteorder == "little" else (1, 0)
"""The int32 halves of an int64, in memory order."""


STRIDE = 12
"""Positions per row of the walk: one window of `depth` steps per row, then one step each."""


GROUP = 256
"""Texts (of similar length) whose features are sorted in one padded block, at most..."""


GROUP_CELLS = 1 << 19
"""...and positions in it (rows x the longest row; a longer text alone)."""


Ints = npt.NDArray[np.int64]


def model_input(text: str, lowered: str) -> bytes:
    """The bytes py3langid scores: lowercased if all upper case, NFC, UTF-8."""
    chosen = lowered if text.isupper() else text
    if chosen.isascii():  # NFC leaves ASCII as it is
        return chosen.encode()
    return unicodedata.normalize("NFC", chosen).encode("utf-8", "surrogatepass")


def walk(model: Model, body: bytes) -> npt.NDArray[np.int32]:
    """The feature of each byte position of `body`: texts each followed by one or more
    separator bytes (whose feature is `blank`).

    Positions are taken in rows of `STRIDE`: the state before a row's first position comes
    from its window of `depth` - 1 bytes (the first two in one lookup of `pairs`), then each
    position is one lookup of `moves`, all rows at once."""
    sep = bytes([SEPARATOR])
    rows = -(-len(body) // STRIDE)
    data = np.frombuffer(
        sep * (model.depth - 1) + body + sep * (rows * STRIDE - len(body)), dtype=np.uint8
    )
    window = np.arange(rows, dtype=np.int64) * STRIDE  # where each row's first window starts
    index = (data[window].astype(np.int64) << 8) | data[window + 1]
    state = np.take(model.pairs, index, mode="clip")
    move = np.empty(rows, dtype=np.int64)  # (feature << 32) | next row << 8
    for k in range(2, model.depth - 1):
        np.add(state, data[window + k], out=index)
        np.take(model.moves, index, out=move, mode="clip")
        state = move.view(np.int32)[_LOW::2]
    features = np.empty((rows, STRIDE), dtype=np.int32)
    for k in range(STRIDE):  # the k-th position of every row
        np.add(state, data[model.depth - 1 + k :: STRIDE], out=index)
        np.take(model.moves, index, out=move, mode="clip")
        features[:, k] = move.view(np.int32)[_HIGH::2]
        state = move.view(np.int32)[_LOW::2]
    return features.ravel()[: len(body)]


def walk_one(model: Model, encoded: bytes) -> list[int]:
    """`walk` of one text, one byte at a time (the separator's blank not included)."""
    moves = model.moves.data
    state, features = model.root, []
    for byte in encoded:
        move = moves[state + byte]
        features.append(move >> 32)
        state = move & 0xFFFFFFFF
    return features


Sums = tuple[Ints, Ints, npt.NDArray[np.bool_]]
"""Per text: `units` summed over its distinct features, the fixed-point extra of its repeated
features (`repeat_extra`), and whether it has any feature. Both sums are exact integers,
so the same whatever the order: sum_f log(1 + count_f) * weights_f
= (units sum) * unit * log(2) + (extra sum) / SCALE."""


def feature_sums(model: Model, encoded: list[bytes], lengths: Ints) -> Sums:
    """`Sums` of the texts, taken in blocks of `GROUP` texts of similar length: a block's
    texts are padded with separators to the same width, walked, and each row of features is
    sorted, so that equal features are runs."""
    order = np.argsort(lengths, kind="stable")
    blocks = slices(lengths[order] + 1, GROUP, GROUP_CELLS, widest=True)  # +1: a separator
    groups = [order[start:end] for start, end in blocks]
    widths = [int(lengths[rows[-1]]) + 1 for rows in groups]
    sep = bytes([SEPARATOR])
    padded = [
        encoded[i].ljust(w, sep) for rows, w in zip(groups, widths, strict=True) for i in rows
    ]
    features = walk(model, b"".join(padded))
    row_starts, start = [], 0
    for rows, width in zip(groups, widths, strict=True):
        features[start : start + len(rows) * width].reshape(len(rows), width).sort(axis=1)
        row_starts.append(np.arange(start, start + len(rows) * width, width))
        start += len(rows) * width
    back = np.argsort(order)  # rows are in length order
    once, extra, found = run_sums(model, features, np.concatenate(row_starts))
    return once[back], extra[back], found[back]


def run_sums(model: Model, flat: npt.NDArray[np.int32], row_starts: Ints) -> Sums:
    """`Sums` of each row of sorted features, the rows starting at `row_starts` of `flat`
    (a run of equal features in a row is a feature and its count)."""
    new = np.empty(flat.size, dtype=bool)
    new[0] = True
    np.not_equal(flat[1:], flat[:-1], out=new[1:])
    new[row_starts] = True
    run_start = np.flatnonzero(new)
    counts = np.empty_like(run_start)
    np.subtract(run_start[1:], run_start[:-1], out=counts[:-1])
    counts[-1] = flat.size - run_start[-1]
    values = flat[run_start]
    first_run = np.searchsorted(run_start, row_starts)
    units = np.take(model.units, values, axis=0, mode="clip")[:, : len(model.languages)]
    once = np.add.reduceat(units, first_run, axis=0, dtype=np.int32).astype(np.int64)
    extra = np.zeros_like(once)
    repeated = np.flatnonzero(counts > 1)
    if repeated.size:
        row_of = np.searchsorted(first_run, repeated, side="right") - 1
        first = np.flatnonzero(np.diff(row_of, prepend=-1))  # runs are in row order
        scores = repeat_extra(model, values[repeated], counts[repeated])
        extra[row_of[first]] = np.add.reduceat(scores, first, axis=0)
    return once, extra, flat[row_starts] != model.blank


def repeat_extra(model: Model, features: npt.NDArray[np.integer], counts: Ints) -> Ints:
    """Fixed-point (log(1 + count) - log(2)) * weights of features seen more than once."""
    factor = (np.log1p(counts.astype(np.float64)) - np.log1p(1.0)) * SCALE
    weights = np.take(model.weights, features, axis=0, mode="clip")
    return np.rint(weights * factor[:, None]).astype(np.int64)
