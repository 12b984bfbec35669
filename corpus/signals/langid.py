"""Language ID of many sentences at once: naive Bayes over py3langid's byte n-grams, scored
for a whole batch in numpy, then Indonesian vs Malay split by weighted words.

py3langid 0.4 walks a byte automaton over each text in a Python loop (one step per UTF-8
byte), counts the features (byte n-grams) of the states it visits, and scores them with a
naive Bayes table: sum over distinct features of log(1 + count) * log P(feature | language),
plus the language prior, divided by sqrt(bytes), then a softmax. This module computes the
same numbers for a batch with a fixed number of numpy operations, over its automaton and our
own table for ten languages (corpus/signals/langid_model.py lays the model out,
corpus/signals/langid_data.py reads the trained file):

- the automaton is Aho-Corasick over n-grams of at most `depth` (6) bytes, so its state after
  any byte depends on the last `depth` bytes only: the state at every `STRIDE`-th position of
  the concatenated bytes comes from its window in `depth` vectorised steps, the states between
  from one step each (0xFF, which no UTF-8 text holds, separates texts and returns every state
  to the root);
- features are counted per text by sorting each text's row of features (in blocks of texts
  of similar length, padded with a blank feature);
- sums are exact integers, so independent of order (the weights are integer multiples of a
  power of two; the extra weight of a repeated feature is rounded to 64-bit fixed point
  first), and every later step is elementwise per text: a text's result does not depend on
  the batch it came in.

Indonesian and Malay share most of their words and spelling, so the naive Bayes table only
says "id or ms" well; `Split` divides that share by a stacked score of the two languages'
char logits and the sum of the text's weighted words (corpus/signals/markers.py):
P(ms | id or ms) = sigmoid(d). Without a `Split` (py3langid's own model, the identifier
before this one) each marker word adds 1 to the log-odds of its language over the other.
"""

from __future__ import annotations

import sys
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from corpus.blocks import slices
from corpus.signals.langid_data import Trained, file_digest, load_trained, model_path
from corpus.signals.langid_model import (
    SCALE,
    SEPARATOR,
    Model,
    load_model,
    load_py3langid_model,
)
from corpus.signals.langid_store import cached_model
from corpus.signals.markers import (
    Markers,
    load_markers,
    marker_shift,
    marker_shifts,
    word_table,
)

UNDETERMINED = ("und", 0.0)
"""The result for a text without letters."""

STRIDE = 12
"""Positions per row of the walk: one window of `depth` steps per row, then one step each."""

SMALL = 3
"""Batches of fewer texts are scored one text at a time (same results, less overhead)."""

SUB_BATCH = 2048
"""Texts scored together at most; larger batches are scored in slices (same results)."""

SUB_BATCH_CHARS = 1 << 19
"""Characters scored together at most (a longer text alone): bounds the working memory."""

GROUP = 256
"""Texts (of similar length) whose features are sorted in one padded block, at most..."""

GROUP_CELLS = 1 << 19
"""...and positions in it (rows x the longest row; a longer text alone)."""

_LOW, _HIGH = (0, 1) if sys.byteorder == "little" else (1, 0)
"""The int32 halves of an int64, in memory order."""

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Split:
    """How the id+ms probability is divided: the char logits are multiplied by `scale`,
    then d = bias + char * (ms logit - id logit) + word * (the text's word sum) and
    P(ms | id or ms) = sigmoid(d) (scripts/build_langid_model.py fits them)."""

    bias: float
    char: float
    word: float
    scale: float


class Identifier:
    """Text -> (language, probability) over the model's languages; "und", 0.0 without
    letters. Call it on one text, or `identify_batch` on many (the same results).
    `split` None: the marker words tip the id/ms odds by e each (py3langid's model)."""

    def __init__(self, model: Model, markers: Markers, split: Split | None = None) -> None:
        self.model = model
        self.markers = markers
        self.split = split
        self._ms = model.languages.index("ms")
        self._id = model.languages.index("id")

    def __call__(self, text: str) -> tuple[str, float]:
        return self.identify_batch([text])[0]

    def identify_batch(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """One (language, probability) per text; the same whatever the batch."""
        if len(texts) < SMALL:
            return [self._identify_one(text) for text in texts]
        results: list[tuple[str, float]] = []
        chars = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        for start, end in slices(chars, SUB_BATCH, SUB_BATCH_CHARS):
            results.extend(self._identify(texts[start:end]))
        return results

    def _identify(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        lowered = [t.lower() for t in texts]
        scored = [i for i, low in enumerate(lowered) if any(map(str.isalpha, low))]
        if len(scored) < len(texts):  # some are "und": score the others
            results = [UNDETERMINED] * len(texts)
            picked = self._identify([texts[i] for i in scored]) if scored else []
            for i, result in zip(scored, picked, strict=True):
                results[i] = result
            return results
        encoded = [model_input(text, low) for text, low in zip(texts, lowered, strict=True)]
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        sums = feature_sums(self.model, encoded, lengths)
        return self.finish(sums, lengths, marker_shifts(self.markers, lowered))

    def _identify_one(self, text: str) -> tuple[str, float]:
        """`_identify` of one text, with the same arithmetic: the walk in Python (cheaper
        than numpy's per-call cost for a few texts), the rest on one-row arrays."""
        lowered = text.lower()
        if not any(map(str.isalpha, lowered)):
            return UNDETERMINED
        encoded = model_input(text, lowered)
        counts = Counter(walk_one(self.model, encoded))
        counts.pop(self.model.blank, None)
        features = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        runs = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
        units = np.take(self.model.units, features, axis=0)[:, : len(self.model.languages)]
        once = units.sum(axis=0, dtype=np.int64)
        repeated = runs > 1
        extra = repeat_extra(self.model, features[repeated], runs[repeated]).sum(axis=0)
        sums = (once[None, :], extra[None, :], np.array([len(counts) > 0]))
        shift = marker_shift(lowered, self.markers.words)
        lengths, shifts = np.array([len(encoded)]), np.array([shift], dtype=np.float64)
        return self.finish(sums, lengths, shifts)[0]

    def finish(self, sums: Sums, lengths: Ints, shifts: Floats) -> list[tuple[str, float]]:
        """From per-text feature sums to (language, probability): naive Bayes scores (0 for
        a text without features) divided by sqrt(bytes), id/ms split by the words, softmax."""
        once, extra, found = sums
        scale = 1.0 / np.sqrt(np.maximum(lengths, 1))
        scores = once * (self.model.unit * np.log1p(1.0)) + extra / SCALE
        logits = (scores + self.model.prior) * scale[:, None]
        logits[~found] = 0.0
        words = shifts * self.markers.unit
        if self.split is None:
            logits[:, self._ms] += words
            logits[:, self._id] -= words
            return best(logits, self.model.languages)
        logits *= self.split.scale
        ms, id_ = logits[:, self._ms], logits[:, self._id]
        d = self.split.bias + self.split.char * (ms - id_) + self.split.word * words
        pair = np.logaddexp(ms, id_)
        logits[:, self._ms] = pair - np.logaddexp(0.0, -d)  # + log sigmoid(d)
        logits[:, self._id] = pair - np.logaddexp(0.0, d)
        return best(logits, self.model.languages)


def load_identifier(path: Path | None = None, store: Path | None = None) -> Identifier:
    """The trained identifier (corpus/data/langid_model.npz, or `path`), its laid-out model
    kept in `store` (default: the user cache); ImportError without numpy or py3langid."""
    path = path or model_path()
    trained: list[Trained] = []  # read only when the store has no laid-out model

    def build() -> Model:
        trained.append(load_trained(path))
        return load_model(trained[0])

    model = cached_model(f"trained:{file_digest(path)}", build, store)
    return trained_identifier(model, trained[0] if trained else load_trained(path, char=False))


def trained_identifier(model: Model, trained: Trained) -> Identifier:
    words = dict(zip(trained.words, trained.word_units.tolist(), strict=True))
    split = Split(*trained.stack, scale=trained.char_scale)
    return Identifier(model, word_table(words, 2.0**-trained.word_exponent), split)


def load_py3langid_identifier(languages: Sequence[str]) -> Identifier:
    """py3langid 0.4's own model over `languages` (which include id and ms), tipped by the
    marker words of corpus/data/id_ms_markers.tsv: the identifier before the trained one
    (scripts/bench_langid.py's baseline)."""
    languages = tuple(languages)
    model = cached_model(
        f"py3langid:{','.join(sorted(languages))}", lambda: load_py3langid_model(languages)
    )
    return Identifier(model, load_markers())


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


def best(logits: Floats, languages: tuple[str, ...]) -> list[tuple[str, float]]:
    """Softmax per row; the most probable language (the first in `languages` on a tie)."""
    exps = np.exp(logits - logits.max(axis=1, keepdims=True))
    total = exps[:, 0].copy()
    for col in range(1, exps.shape[1]):
        total += exps[:, col]
    probs = exps / total[:, None]
    top = probs.argmax(axis=1)
    conf = probs[np.arange(len(top)), top]
    return [(languages[i], c) for i, c in zip(top.tolist(), conf.tolist(), strict=True)]
