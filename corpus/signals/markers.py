"""Weighted Indonesian/Malay words, summed over a batch of texts.

A word is a whole word (a maximal `\\w+` run) of the lowercased text made of 1 to `LONGEST`
letters a-z (`words_of`). Each word of a table has an integer weight in units of `unit`:
the trained model's words (corpus/data/langid_model.npz, positive for Malay, negative for
Indonesian; `word_table`), or the hand-made marker list `data/id_ms_markers.tsv` (+1 for a
Malay word such as kerana, -1 for an Indonesian one such as karena; `load_markers`: the
identifier before the trained one, and a prior of the model's training). `marker_shifts`
sums, per text, the weights of its words with numpy: the texts' UTF-8 bytes are joined, every
run of a-z letters is coded exactly in base 27 and looked up in the table's hash table. A run
next to a non-ASCII character is whole if that character is no word character: read from its
bytes for two-byte characters and U+2000-U+203F (quotes, dashes, no-break space, Latin-1
letters), otherwise settled by the regex on that text alone (`marker_shift`, the definition). Sums are exact integers, so a
text's sum does not depend on its batch.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import numpy as np
import numpy.typing as npt

from corpus.errors import ConfigError
from corpus.signals.langid_model import SEPARATOR

Ints = npt.NDArray[np.int64]
Codes = npt.NDArray[np.uint64]

_WORD = re.compile(r"\w+")
LONGEST = 13
"""Letters of the longest word of a table: its base-27 code still fits 64 bits."""
_TABLE_WORD = re.compile(f"[a-z]{{1,{LONGEST}}}")
_BASE = 27
"""Words are coded in base 27 (a=1 ... z=26, first letter lowest)."""

_OTHER, _WORDISH, _UNSURE = 0, 1, 2
"""What a run's neighbour is: no word character, a word character, not known here."""
_BYTE_KIND = np.array(
    [_WORDISH if re.match(r"\w", chr(b)) else _OTHER for b in range(128)]
    + [_UNSURE] * 127
    + [_OTHER],  # the separator
    dtype=np.uint8,
)
"""ASCII bytes by kind; a non-ASCII byte is unsure until its character is read."""
_TWO_BYTE_KIND = np.array(
    [_WORDISH if re.match(r"\w", chr(c)) else _OTHER for c in range(0x800)], dtype=np.uint8
)
"""Kind of each character of two UTF-8 bytes (U+0080-U+07FF: Latin-1, Latin Extended, ...).
The three-byte characters U+2000-U+203F (quotes, dashes, ellipsis, ...) are no word
characters; any other is left to the regex."""


@dataclass(frozen=True)
class Markers:
    """Words (word -> weight in units of `unit`) as base-27 `codes` with their `units`
    (and a last code 0, no word's: what an empty slot points to); `slots`, their hash table
    (`hash_slots`); `shapes[length, first, last]` (letters a=1 ... z=26) is True for the
    words' lengths and first and last letters (a cheap first test)."""

    words: dict[str, int]
    codes: Codes
    units: Ints
    unit: float
    shapes: npt.NDArray[np.bool_]
    slots: Ints


def words_of(lowered: str) -> list[str]:
    """The words of a lowercased text that a table can hold: whole `\\w+` runs of 1 to
    `LONGEST` letters a-z (what `marker_shifts` looks up)."""
    return [w for w in _WORD.findall(lowered) if _TABLE_WORD.fullmatch(w)]


def marker_shift(lowered: str, words: dict[str, int]) -> int:
    """The sum of the weights (units) of the `\\w+` words of `lowered`."""
    return sum(words.get(w, 0) for w in _WORD.findall(lowered))


def marker_shifts(markers: Markers, lowered: list[str]) -> npt.NDArray[np.float64]:
    """`marker_shift` of each lowercased text (exact integers, as floats)."""
    encoded = [t.encode("utf-8", "surrogatepass") for t in lowered]
    sep = bytes([SEPARATOR])
    data = np.frombuffer(sep * 3 + sep.join(encoded) + sep * 3, dtype=np.uint8)
    letter = (data - np.uint8(ord("a"))) < 26  # the separator 0xFF is no letter
    edges = np.flatnonzero(letter[1:] != letter[:-1]) + 1
    starts, ends = edges[0::2], edges[1::2]  # data starts and ends with a separator
    size = ends - starts
    size[size > LONGEST] = 0  # no marker is that long (and none is empty)
    shaped = np.flatnonzero(markers.shapes[size, data[starts] - 96, data[ends - 1] - 96])
    starts, ends = starts[shaped], ends[shaped]  # a marker's length, first and last letter
    left, right = left_kind(data, starts - 1), right_kind(data, ends)
    whole = (left != _WORDISH) & (right != _WORDISH)  # not part of a longer \w+ run
    unsure = ((left == _UNSURE) | (right == _UNSURE))[whole]
    starts, ends = starts[whole], ends[whole]
    hits, index = lookup(markers, word_codes(data, starts, ends))
    sizes = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    text_of = np.searchsorted(np.cumsum(sizes + 1) + 2, starts[hits], side="right")
    sure = ~unsure[hits]
    units = markers.units[index[sure]]
    shifts = np.bincount(text_of[sure], weights=units, minlength=len(lowered))
    for t in np.unique(text_of[~sure]).tolist():
        shifts[t] = marker_shift(lowered[t], markers.words)
    return shifts.astype(np.float64)


def right_kind(data: npt.NDArray[np.uint8], at: Ints) -> npt.NDArray[np.uint8]:
    """Kind of the character that starts at byte `at` (valid UTF-8, padded after)."""
    kind = _BYTE_KIND[data[at]]
    lead, second = data[at], data[at + 1]
    two = (lead >= 0xC2) & (lead <= 0xDF)
    code = ((lead[two].astype(np.int64) & 0x1F) << 6) | (second[two] & 0x3F)
    kind[two] = _TWO_BYTE_KIND[code]
    kind[(lead == 0xE2) & (second == 0x80)] = _OTHER  # U+2000-U+203F
    return kind


def left_kind(data: npt.NDArray[np.uint8], at: Ints) -> npt.NDArray[np.uint8]:
    """Kind of the character that ends at byte `at` (valid UTF-8, padded before)."""
    kind = _BYTE_KIND[data[at]]
    before, before2 = data[at - 1], data[at - 2]
    two = (data[at] >= 0x80) & (before >= 0xC2) & (before <= 0xDF)
    code = ((before[two].astype(np.int64) & 0x1F) << 6) | (data[at][two] & 0x3F)
    kind[two] = _TWO_BYTE_KIND[code]
    kind[(data[at] >= 0x80) & (before2 == 0xE2) & (before == 0x80)] = _OTHER  # U+2000-U+203F
    return kind


def word_codes(data: npt.NDArray[np.uint8], starts: Ints, ends: Ints) -> Codes:
    """Base-27 code of each run data[start:end] of 1 to `LONGEST` a-z letters.

    With P[i] = sum over j < i of digit_j * 27**j (mod 2**64; a digit is 0 off a letter), a
    run's code is (P[end] - P[start]) * 27**-start: 27 is odd, so it has an inverse mod
    2**64, and a code of at most `LONGEST` letters is below 2**64, so it comes out exactly."""
    powers, inverses = _power_tables(len(data) + 1)
    digits = np.where((data - np.uint8(ord("a"))) < 26, data - np.uint8(96), 0).astype(np.uint64)
    prefix = np.zeros(len(data) + 1, dtype=np.uint64)
    np.cumsum(digits * powers[: len(data)], out=prefix[1:])
    return (prefix[ends] - prefix[starts]) * inverses[starts]


_POWER_TABLES: list[tuple[Codes, Codes]] = []


def _power_tables(size: int) -> tuple[Codes, Codes]:
    """27**i and 27**-i mod 2**64 for i < at least `size` (grown by doubling, kept)."""
    if _POWER_TABLES and len(_POWER_TABLES[-1][0]) >= size:
        return _POWER_TABLES[-1]
    n = 1 << max(16, (size - 1).bit_length())
    powers = np.full(n, _BASE, dtype=np.uint64)
    inverses = np.full(n, pow(_BASE, -1, 2**64), dtype=np.uint64)
    powers[0] = inverses[0] = 1
    tables = (np.cumprod(powers, dtype=np.uint64), np.cumprod(inverses, dtype=np.uint64))
    _POWER_TABLES.append(tables)
    return tables


def lookup(markers: Markers, codes: Codes) -> tuple[Ints, Ints]:
    """The positions in `codes` of the table's words (in no particular order), and their
    index in the table (open addressing: `markers.slots` holds each word's index at its
    hash's slot or after it)."""
    mask = np.uint64(len(markers.slots) - 1)
    slot = _hash(codes, len(markers.slots))
    pending = np.arange(len(codes))
    found, index = [], []
    while pending.size:
        word = markers.slots[slot]
        code = markers.codes[word]  # codes[-1] is 0: the empty slot's, no word's
        hit = code == codes[pending]
        found.append(pending[hit])
        index.append(word[hit])
        going = ~hit & (word >= 0)
        pending, slot = pending[going], (slot[going] + np.uint64(1)) & mask
    if not found:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(found), np.concatenate(index)  # in no particular order


def _hash(codes: Codes, size: int) -> Codes:
    """The home slot of each code in a table of `size` (a power of two) slots."""
    shift = np.uint64(64 - (size.bit_length() - 1))
    return (codes * np.uint64(0x9E3779B97F4A7C15)) >> shift


def hash_slots(codes: Codes) -> Ints:
    """The open-addressing table of `codes` (linear probing, at most a quarter full):
    each slot holds the index of a code, or -1."""
    size = 1 << max(4, (4 * len(codes) - 1).bit_length())
    slots = np.full(size, -1, dtype=np.int64)
    pending = np.arange(len(codes))
    slot = _hash(codes, size)
    while pending.size:
        free = slots[slot] < 0
        placed = np.unique(slot[free], return_index=True)[1]  # one code per free slot
        take = np.flatnonzero(free)[placed]
        slots[slot[take]] = pending[take]
        left = np.ones(len(pending), dtype=bool)
        left[take] = False
        pending, slot = pending[left], (slot[left] + np.uint64(1)) & np.uint64(size - 1)
    return slots


@functools.lru_cache(maxsize=1)
def load_markers() -> Markers:
    """corpus/data/id_ms_markers.tsv (ms +1, id -1), loaded once."""
    return parse_markers(marker_text(), "corpus/data/id_ms_markers.tsv")


def marker_text() -> str:
    return resources.files("corpus").joinpath("data/id_ms_markers.tsv").read_text("utf-8")


def parse_markers(text: str, name: str) -> Markers:
    """Lines of word <TAB> id|ms (each word of 1 to `LONGEST` letters a-z); # comments."""
    words: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        word, _, lang = (part.strip() for part in line.partition("\t"))
        if not _TABLE_WORD.fullmatch(word) or lang not in ("id", "ms"):
            raise ConfigError(f"{name}:{number}: expected a-z word <TAB> id|ms, got {line!r}")
        words[word] = 1 if lang == "ms" else -1
    if not words:
        raise ConfigError(f"{name}: no marker words")
    return word_table(words, 1.0)


def word_table(words: dict[str, int], unit: float) -> Markers:
    """The table of `words` (word -> weight in units of `unit`, words as `words_of` gives)."""
    listed = list(words)
    encoded = [w.encode("utf-8", "surrogatepass") for w in listed]
    sizes = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    data = np.frombuffer(b"".join(encoded) + bytes(LONGEST), dtype=np.uint8)
    letters = (data[: sizes.sum()] - np.uint8(ord("a"))) < 26
    if not listed or sizes.min() < 1 or sizes.max() > LONGEST or not letters.all():
        bad = [w for w in listed if not _TABLE_WORD.fullmatch(w)] or ["(none)"]
        raise ConfigError(f"not words of 1 to {LONGEST} letters a-z: {bad[:5]}")
    ends = np.cumsum(sizes)
    codes = word_codes(data, ends - sizes, ends)
    shapes = np.zeros((LONGEST + 1, 27, 27), dtype=bool)
    shapes[sizes, data[ends - sizes] - 96, data[ends - 1] - 96] = True
    return Markers(
        words=words,
        codes=np.append(codes, np.uint64(0)),
        units=np.fromiter(words.values(), dtype=np.int64, count=len(words)),
        unit=unit,
        shapes=shapes,
        slots=hash_slots(codes),
    )
