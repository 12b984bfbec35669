"""Language ID of many sentences at once: py3langid's model, scored for a whole batch in numpy.

py3langid 0.4 walks a byte automaton over each text in a Python loop (one step per UTF-8
byte), counts the features (byte n-grams) of the states it visits, and scores them with a
naive Bayes table: sum over distinct features of log(1 + count) * log P(feature | language),
plus the language prior, divided by sqrt(bytes), then a softmax. This module computes the
same numbers for a batch with a fixed number of numpy operations:

- the automaton is Aho-Corasick over n-grams of at most `depth` (6) bytes, so its state after
  any byte depends on the last `depth` bytes only: the state at every `STRIDE`-th position of
  the concatenated bytes comes from its window in `depth` vectorised steps, the states between
  from one step each (0xFF, which no UTF-8 text holds, separates texts and returns every state
  to the root);
- features are counted per text by sorting each text's row of features (in blocks of texts
  of similar length, padded with a blank feature);
- sums are taken in 64-bit fixed point, exact and so independent of order, and every later
  step is elementwise per text: a text's result does not depend on the batch it came in.

Indonesian/Malay marker words (`data/id_ms_markers.tsv`) tip the result as before: each
marker adds 1 to the log-odds of its language over the other. They are found with numpy too:
every run of ASCII letters is coded exactly in base 27 and looked up among the markers' codes;
a run next to a non-ASCII character (which may or may not be a word character) is decided by
the regex `\\w+` on that text alone.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from corpus.errors import ConfigError

MISSING = 'language ID needs py3langid 0.4.x: pip install "idcorpus[langid]"'
try:
    import numpy as np
    import numpy.typing as npt
except ImportError as e:  # numpy comes with py3langid
    raise ConfigError(MISSING) from e

UNDETERMINED = ("und", 0.0)
"""The result for a text without letters."""

MAX_DEPTH = 8
"""Longest automaton state (in bytes) the vectorised walk accepts; py3langid 0.4 has 6."""

SEPARATOR = 0xFF
"""A byte no UTF-8 text contains; the model's automaton goes back to its root on it."""

STRIDE = 12
"""Positions per row of the walk: one window of `depth` steps per row, then one step each."""

SMALL = 3
"""Batches of fewer texts are scored one text at a time (same results, less overhead)."""

SUB_BATCH = 2048
"""Texts scored together; larger batches are scored in slices of this many (same results)."""

GROUP = 256
"""Texts (of similar length) whose features are sorted in one padded block."""

_SCALE = 2.0**32
"""Fixed-point scale of feature scores: sums are exact int64, whatever their order."""

_BASE = np.uint64(27)
"""Marker words are coded in base 27 (a=1 ... z=26): exact for up to 13 letters."""

_WORD = re.compile(r"\w+")

_OTHER, _LETTER, _WORD_ASCII, _NON_ASCII = 0, 1, 2, 3
_BYTE_KIND = np.array(
    [
        _LETTER if chr(b).islower() else _WORD_ASCII if re.match(r"\w", chr(b)) else _OTHER
        for b in range(128)
    ]
    + [_NON_ASCII] * 127
    + [_OTHER],  # the separator
    dtype=np.uint8,
)
"""Bytes by kind: a-z, other ASCII word characters ([A-Z0-9_]), other ASCII, non-ASCII."""
_LOW, _HIGH = (0, 1) if sys.byteorder == "little" else (1, 0)
"""The int32 halves of an int64, in memory order."""
_FILTER_MASK = np.uint64(0xFFFF)
_INVERSE = np.uint64(pow(int(_BASE), -1, 2**64))

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Model:
    """py3langid's model restricted to `languages`, laid out for batch scoring.

    `moves[(row << 8) + byte]` is the feature of the state the byte leads to (`blank` for
    none) << 32 | that state's `row << 8`; `pairs[(b1 << 8) + b2]` is the `row << 8` of the
    state two bytes take the root to. `weights[f, lang]` is log P(f | language),
    `once[f, lang]` the fixed-point score of a feature seen once; row `blank` is all zero.
    """

    languages: tuple[str, ...]
    root: int
    moves: Ints
    pairs: npt.NDArray[np.int32]
    depth: int
    weights: Floats
    once: Ints
    prior: Floats
    blank: int


@dataclass(frozen=True)
class Markers:
    """Marker words as sorted base-27 codes, with +1 for ms and -1 for id; `filter` is
    True at the low bits of every code (a cheap first test)."""

    words: dict[str, str]
    codes: npt.NDArray[np.uint64]
    signs: Ints
    filter: npt.NDArray[np.bool_]
    shortest: int
    longest: int


class Identifier:
    """Text -> (language, probability) over the model's languages; "und", 0.0 without
    letters. Call it on one text, or `identify_batch` on many (the same results)."""

    def __init__(self, model: Model, markers: Markers) -> None:
        self.model = model
        self.markers = markers
        self._ms = model.languages.index("ms")
        self._id = model.languages.index("id")

    def __call__(self, text: str) -> tuple[str, float]:
        return self.identify_batch([text])[0]

    def identify_batch(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """One (language, probability) per text; the same whatever the batch."""
        if len(texts) < SMALL:
            return [self._identify_one(text) for text in texts]
        results: list[tuple[str, float]] = []
        for start in range(0, len(texts), SUB_BATCH):
            results.extend(self._identify(texts[start : start + SUB_BATCH]))
        return results

    def _identify(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        lowered = [t.lower() for t in texts]
        scored = [i for i, low in enumerate(lowered) if any(map(str.isalpha, low))]
        results = [UNDETERMINED] * len(texts)
        if not scored:
            return results
        encoded = [model_input(texts[i], lowered[i]) for i in scored]
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
        sums, found = feature_sums(self.model, walk(self.model, encoded), starts, lengths)
        shifts = self.marker_shifts([lowered[i] for i in scored])
        for i, result in zip(scored, self.finish(sums, found, lengths, shifts), strict=True):
            results[i] = result
        return results

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
        sums = run_scores(self.model, features, runs).sum(axis=0, keepdims=True)
        shift = marker_shift(lowered, self.markers.words)
        lengths, shifts = np.array([len(encoded)]), np.array([shift], dtype=np.float64)
        return self.finish(sums, np.array([len(counts) > 0]), lengths, shifts)[0]

    def finish(
        self, sums: Ints, found: npt.NDArray[np.bool_], lengths: Ints, shifts: Floats
    ) -> list[tuple[str, float]]:
        """From per-text feature sums to (language, probability): py3langid's scores (0 for
        a text without features) divided by sqrt(bytes), tipped by the markers, softmax."""
        scale = 1.0 / np.sqrt(np.maximum(lengths, 1))
        logits = (sums / _SCALE + self.model.prior) * scale[:, None]
        logits[~found] = 0.0
        logits[:, self._ms] += shifts
        logits[:, self._id] -= shifts
        return best(logits, self.model.languages)

    def marker_shifts(self, lowered: list[str]) -> Floats:
        """Per text: ms marker words minus id marker words (whole words of the lowered text)."""
        encoded = [t.encode("utf-8", "surrogatepass") for t in lowered]
        sep = bytes([SEPARATOR])
        data = np.frombuffer(sep + sep.join(encoded) + sep, dtype=np.uint8)
        letter = (data - np.uint8(ord("a"))) < 26  # the separator 0xFF is no letter
        edges = np.flatnonzero(letter[1:] != letter[:-1]) + 1
        starts, ends = edges[0::2], edges[1::2]  # data starts and ends with a separator
        left, right = (
            np.take(_BYTE_KIND, data[starts - 1], mode="clip"),
            np.take(_BYTE_KIND, data[ends]),
        )
        fits = (ends - starts >= self.markers.shortest) & (ends - starts <= self.markers.longest)
        fits &= (left != _WORD_ASCII) & (right != _WORD_ASCII)
        unsure = ((left == _NON_ASCII) | (right == _NON_ASCII))[fits]
        starts, ends = starts[fits], ends[fits]
        hits, index = lookup(self.markers, word_codes(data, starts, ends))
        sizes = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        text_of = np.searchsorted(np.cumsum(sizes + 1), starts[hits], side="right")
        sure = ~unsure[hits]
        signs = self.markers.signs[index[sure]]
        shifts = np.bincount(text_of[sure], weights=signs, minlength=len(lowered)).astype(
            np.float64
        )
        for t in np.unique(text_of[~sure]).tolist():
            shifts[t] = marker_shift(lowered[t], self.markers.words)
        return shifts


def model_input(text: str, lowered: str) -> bytes:
    """The bytes py3langid scores: lowercased if all upper case, NFC, UTF-8."""
    chosen = lowered if text.isupper() else text
    return unicodedata.normalize("NFC", chosen).encode("utf-8", "surrogatepass")


def marker_shift(lowered: str, words: dict[str, str]) -> int:
    """ms marker words minus id marker words among the `\\w+` words of `lowered`."""
    marks = [words.get(w, "") for w in _WORD.findall(lowered)]
    return marks.count("ms") - marks.count("id")


def walk(model: Model, encoded: list[bytes]) -> npt.NDArray[np.int32]:
    """The feature of each byte position of the texts, each followed by a separator byte
    (whose feature is `blank`).

    Positions are taken in rows of `STRIDE`: the state before a row's first position comes
    from its window of `depth` - 1 bytes (the first two in one lookup of `pairs`), then each
    position is one lookup of `moves`, all rows at once."""
    sep = bytes([SEPARATOR])
    body = sep.join(encoded) + sep
    rows = -(-len(body) // STRIDE)
    data = np.frombuffer(
        sep * (model.depth - 1) + body + sep * (rows * STRIDE - len(body)), dtype=np.uint8
    )
    window = np.arange(rows, dtype=np.int64) * STRIDE  # where each row's first window starts
    index = (data[window].astype(np.int64) << 8) | data[window + 1]
    state = np.take(model.pairs, index, mode="clip")
    moves = np.empty((STRIDE, rows), dtype=np.int64)  # (feature << 32) | next row << 8
    for k in range(2, model.depth - 1):
        np.add(state, data[window + k], out=index)
        np.take(model.moves, index, out=moves[0], mode="clip")
        state = moves[0].view(np.int32)[_LOW::2]
    columns = np.ascontiguousarray(data[model.depth - 1 :].reshape(rows, STRIDE).T)
    np.add(state, columns[0], out=index)
    np.take(model.moves, index, out=moves[0], mode="clip")
    for k in range(1, STRIDE):
        np.add(moves[k - 1].view(np.int32)[_LOW::2], columns[k], out=index)
        np.take(model.moves, index, out=moves[k], mode="clip")
    features = np.ascontiguousarray(moves.view(np.int32)[:, _HIGH::2].T)
    return features.ravel()[: len(body)]


def feature_sums(
    model: Model, features: npt.NDArray[np.int32], starts: Ints, lengths: Ints
) -> tuple[Ints, npt.NDArray[np.bool_]]:
    """Per text: fixed-point sum over its distinct features of log(1 + count) * weights,
    and whether it has any feature. Texts are taken in groups of similar length."""
    sums = np.zeros((len(starts), len(model.languages)), dtype=np.int64)
    found = np.zeros(len(starts), dtype=bool)
    order = np.argsort(lengths, kind="stable")
    for first in range(0, len(order), GROUP):
        rows = order[first : first + GROUP]
        block = sorted_rows(features, starts[rows], lengths[rows])
        sums[rows], found[rows] = row_sums(model, block)
    return sums, found


def sorted_rows(
    features: npt.NDArray[np.int32], starts: Ints, lengths: Ints
) -> npt.NDArray[np.int32]:
    """One sorted row of features per text, as wide as the longest, padded with the
    separator's feature (`blank`, sorted last)."""
    index = np.minimum(np.arange(int(lengths.max()) + 1, dtype=np.int64), lengths[:, None])
    index += starts[:, None]
    block = np.take(features, index, mode="clip")
    block.sort(axis=1)
    return block


def row_sums(model: Model, block: npt.NDArray[np.int32]) -> tuple[Ints, npt.NDArray[np.bool_]]:
    """Sum of each row's runs of equal features: `once` for a single one, else the weights
    times log(1 + run length), in fixed point."""
    width = block.shape[1]
    flat = block.ravel()
    new = np.empty(flat.size, dtype=bool)
    new[0] = True
    np.not_equal(flat[1:], flat[:-1], out=new[1:])
    new[::width] = True
    run_start = np.flatnonzero(new)
    counts = np.empty_like(run_start)
    np.subtract(run_start[1:], run_start[:-1], out=counts[:-1])
    counts[-1] = flat.size - run_start[-1]
    values = flat[run_start]
    scores = run_scores(model, values, counts)
    first_run = np.searchsorted(run_start, np.arange(0, flat.size, width))
    return np.add.reduceat(scores, first_run, axis=0), block[:, 0] != model.blank


def run_scores(model: Model, features: npt.NDArray[np.integer], counts: Ints) -> Ints:
    """Fixed-point log(1 + count) * weights of each (feature, count), a row each."""
    scores = np.take(model.once, features, axis=0, mode="clip")
    repeated = np.flatnonzero(counts > 1)
    if repeated.size:
        factor = np.log1p(counts[repeated].astype(np.float64)) * _SCALE
        weights = np.take(model.weights, features[repeated], axis=0, mode="clip")
        scores[repeated] = np.rint(weights * factor[:, None]).astype(np.int64)
    return scores


def walk_one(model: Model, encoded: bytes) -> list[int]:
    """`walk` of one text, one byte at a time (the separator's blank not included)."""
    moves = model.moves.data
    state, features = model.root, []
    for byte in encoded:
        move = moves[state + byte]
        features.append(move >> 32)
        state = move & 0xFFFFFFFF
    return features


def word_codes(data: npt.NDArray[np.uint8], starts: Ints, ends: Ints) -> npt.NDArray[np.uint64]:
    """Base-27 code of each run data[start:end] of a-z letters (a=1, first letter lowest):
    exact up to 13 letters. With prefix sums H[i] = sum_{j<i} c[j] * 27**j (mod 2**64), a
    run's code is (H[end] - H[start]) * 27**-start (27 is odd, so invertible mod 2**64)."""
    powers, inverse = power_tables(max(len(data) - 1, 1).bit_length())
    terms = (data - np.uint8(ord("a") - 1)).astype(np.uint64)  # a=1 ... z=26 (others: any)
    np.multiply(terms, powers[: len(data)], out=terms)
    prefix = np.zeros(len(data) + 1, dtype=np.uint64)
    np.cumsum(terms, out=prefix[1:])
    return (prefix[ends] - prefix[starts]) * inverse[starts]


@functools.lru_cache(maxsize=1)
def power_tables(bits: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """27**j and 27**-j mod 2**64 for j < 2**bits (kept for the next batch of that size)."""
    size = 1 << bits
    ones = np.ones(1, dtype=np.uint64)
    powers = np.cumprod(np.full(size - 1, _BASE, dtype=np.uint64))
    inverse = np.cumprod(np.full(size - 1, _INVERSE, dtype=np.uint64))
    return np.concatenate((ones, powers)), np.concatenate((ones, inverse))


def lookup(markers: Markers, codes: npt.NDArray[np.uint64]) -> tuple[Ints, Ints]:
    """The positions in `codes` of marker words, and their index among the markers."""
    maybe = np.flatnonzero(np.take(markers.filter, codes & _FILTER_MASK, mode="clip"))
    index = np.minimum(np.searchsorted(markers.codes, codes[maybe]), len(markers.codes) - 1)
    hit = markers.codes[index] == codes[maybe]
    return maybe[hit], index[hit]


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


def load_identifier(languages: Sequence[str]) -> Identifier:
    """The identifier over `languages` (which include id and ms) with the marker words."""
    return Identifier(load_model(languages), load_markers())


def load_model(languages: Sequence[str]) -> Model:
    """py3langid's bundled model, restricted to `languages` (ConfigError if unusable)."""
    try:
        from py3langid.langid import MODEL_DIR, MODEL_FILE
        from py3langid.modelio import load_model as read_model
    except ImportError as e:
        raise ConfigError(MISSING) from e
    ptc, pc, classes, nextmove, row, out = read_model(MODEL_DIR / MODEL_FILE)
    unknown = sorted(set(languages) - set(classes))
    if unknown:
        raise ConfigError(f"py3langid's model has no {unknown}; {MISSING}")
    columns = [classes.index(lang) for lang in sorted(languages)]
    automaton = Automaton(np.asarray(nextmove).reshape(-1, 256), np.asarray(row), np.asarray(out))
    weights = np.vstack((np.asarray(ptc)[:, columns], np.zeros((1, len(columns)))))
    return layout(
        automaton,
        weights.astype(np.float64),
        np.asarray(pc, np.float64)[columns],
        tuple(sorted(languages)),
    )


@dataclass(frozen=True)
class Automaton:
    """py3langid's automaton: `rows[row[state], byte]` is the next state, `out[state]` its
    feature (-1 for none)."""

    rows: npt.NDArray[np.integer]
    row: npt.NDArray[np.integer]
    out: npt.NDArray[np.integer]


def layout(
    automaton: Automaton, weights: Floats, prior: Floats, languages: tuple[str, ...]
) -> Model:
    """The batch-scoring tables, after checking what the vectorised walk relies on."""
    rows, row = automaton.rows.astype(np.int64), automaton.row.astype(np.int64)
    if rows.size == 0 or np.any(rows[:, SEPARATOR] != 0):
        raise ConfigError(f"unsupported py3langid model (byte 0xFF must reset it); {MISSING}")
    depth = automaton_depth(rows, row)
    if not 3 <= depth <= MAX_DEPTH:
        raise ConfigError(f"unsupported py3langid model (states of {depth} bytes); {MISSING}")
    weights = np.ascontiguousarray(weights, dtype=np.float64)  # np.take copies others whole
    blank = len(weights) - 1
    if np.abs(weights).max() * 64 * blank * _SCALE >= 2.0**63:
        raise ConfigError(f"unsupported py3langid model (weights too large); {MISSING}")
    rowbase = (row << 8).astype(np.int32)
    step = rowbase[rows].ravel()
    feature = np.where(automaton.out >= 0, automaton.out, blank)[rows].ravel()
    pair = np.arange(1 << 16)
    return Model(
        languages=languages,
        root=int(rowbase[0]),
        moves=(feature.astype(np.int64) << 32) | step,
        pairs=step[step[rowbase[0] + (pair >> 8)] + (pair & 0xFF)],
        depth=depth,
        weights=weights,
        once=np.rint(weights * (np.log1p(1.0) * _SCALE)).astype(np.int64),
        prior=prior,
        blank=blank,
    )


def automaton_depth(rows: Ints, row: Ints) -> int:
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


@functools.lru_cache(maxsize=1)
def load_markers() -> Markers:
    """corpus/data/id_ms_markers.tsv, loaded once."""
    text = resources.files("corpus").joinpath("data/id_ms_markers.tsv").read_text("utf-8")
    return parse_markers(text, "corpus/data/id_ms_markers.tsv")


def parse_markers(text: str, name: str) -> Markers:
    """Lines of word <TAB> id|ms (each word of 1-13 letters a-z); # comments."""
    words: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        word, _, lang = (part.strip() for part in line.partition("\t"))
        if not re.fullmatch("[a-z]{1,13}", word) or lang not in ("id", "ms"):
            raise ConfigError(f"{name}:{number}: expected a-z word <TAB> id|ms, got {line!r}")
        words[word] = lang
    if not words:
        raise ConfigError(f"{name}: no marker words")
    codes = {sum((ord(ch) - 96) * 27**i for i, ch in enumerate(w)): w for w in words}
    order = sorted(codes)
    filter = np.zeros(int(_FILTER_MASK) + 1, dtype=bool)
    filter[np.array(order, dtype=np.uint64) & _FILTER_MASK] = True
    return Markers(
        words=words,
        codes=np.array(order, dtype=np.uint64),
        signs=np.array([1 if words[codes[c]] == "ms" else -1 for c in order], dtype=np.int64),
        filter=filter,
        shortest=min(map(len, words)),
        longest=max(map(len, words)),
    )
