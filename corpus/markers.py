"""Indonesian/Malay marker words (`data/id_ms_markers.tsv`), counted in a batch of texts.

A marker is a whole word (a maximal `\\w+` run) of the lowercased text that one language
writes and the other does not (kerana/karena, pejabat/kantor, ...). `marker_shifts` counts,
per text, ms markers minus id markers with numpy: the texts' UTF-8 bytes are joined, every
run of a-z letters is coded exactly in base 27 and looked up among the markers' codes. A run
next to a non-ASCII character, which may or may not be a word character, is settled by the
regex on that text alone (`marker_shift`, the definition).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import numpy as np
import numpy.typing as npt

from corpus.errors import ConfigError
from corpus.langid_model import SEPARATOR

Ints = npt.NDArray[np.int64]
Codes = npt.NDArray[np.uint64]

_WORD = re.compile(r"\w+")
_BASE = 27
"""Words are coded in base 27 (a=1 ... z=26, first letter lowest): exact up to 13 letters."""
_INVERSE = pow(_BASE, -1, 2**64)
_FILTER_MASK = np.uint64(0xFFFF)

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


@dataclass(frozen=True)
class Markers:
    """Marker words (word -> "id" | "ms") as sorted base-27 codes, with +1 for ms and -1
    for id; `filter` is True at the low bits of every code (a cheap first test)."""

    words: dict[str, str]
    codes: Codes
    signs: Ints
    filter: npt.NDArray[np.bool_]
    shortest: int
    longest: int


def marker_shift(lowered: str, words: dict[str, str]) -> int:
    """ms marker words minus id marker words among the `\\w+` words of `lowered`."""
    marks = [words.get(w, "") for w in _WORD.findall(lowered)]
    return marks.count("ms") - marks.count("id")


def marker_shifts(markers: Markers, lowered: list[str]) -> npt.NDArray[np.float64]:
    """`marker_shift` of each lowercased text."""
    encoded = [t.encode("utf-8", "surrogatepass") for t in lowered]
    sep = bytes([SEPARATOR])
    data = np.frombuffer(sep + sep.join(encoded) + sep, dtype=np.uint8)
    letter = (data - np.uint8(ord("a"))) < 26  # the separator 0xFF is no letter
    edges = np.flatnonzero(letter[1:] != letter[:-1]) + 1
    starts, ends = edges[0::2], edges[1::2]  # data starts and ends with a separator
    left, right = _BYTE_KIND[data[starts - 1]], _BYTE_KIND[data[ends]]
    fits = (ends - starts >= markers.shortest) & (ends - starts <= markers.longest)
    fits &= (left != _WORD_ASCII) & (right != _WORD_ASCII)
    unsure = ((left == _NON_ASCII) | (right == _NON_ASCII))[fits]
    starts, ends = starts[fits], ends[fits]
    hits, index = lookup(markers, word_codes(data, starts, ends))
    sizes = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    text_of = np.searchsorted(np.cumsum(sizes + 1), starts[hits], side="right")
    sure = ~unsure[hits]
    signs = markers.signs[index[sure]]
    shifts = np.bincount(text_of[sure], weights=signs, minlength=len(lowered))
    for t in np.unique(text_of[~sure]).tolist():
        shifts[t] = marker_shift(lowered[t], markers.words)
    return shifts.astype(np.float64)


def word_codes(data: npt.NDArray[np.uint8], starts: Ints, ends: Ints) -> Codes:
    """Base-27 code of each run data[start:end] of a-z letters. With prefix sums
    H[i] = sum_{j<i} c[j] * 27**j (mod 2**64), a run's code is (H[end] - H[start]) * 27**-start
    (27 is odd, so invertible mod 2**64); other bytes' digits cancel out."""
    powers, inverse = power_tables(max(len(data) - 1, 1).bit_length())
    terms = (data - np.uint8(ord("a") - 1)).astype(np.uint64)  # a=1 ... z=26
    np.multiply(terms, powers[: len(data)], out=terms)
    prefix = np.zeros(len(data) + 1, dtype=np.uint64)
    np.cumsum(terms, out=prefix[1:])
    return (prefix[ends] - prefix[starts]) * inverse[starts]


@functools.lru_cache(maxsize=1)
def power_tables(bits: int) -> tuple[Codes, Codes]:
    """27**j and 27**-j mod 2**64 for j < 2**bits (kept for the next batch of that size)."""
    ones = np.ones(1, dtype=np.uint64)
    powers = np.cumprod(np.full((1 << bits) - 1, _BASE, dtype=np.uint64))
    inverse = np.cumprod(np.full((1 << bits) - 1, _INVERSE, dtype=np.uint64))
    return np.concatenate((ones, powers)), np.concatenate((ones, inverse))


def lookup(markers: Markers, codes: Codes) -> tuple[Ints, Ints]:
    """The positions in `codes` of marker words, and their index among the markers."""
    maybe = np.flatnonzero(markers.filter[codes & _FILTER_MASK])
    index = np.minimum(np.searchsorted(markers.codes, codes[maybe]), len(markers.codes) - 1)
    hit = markers.codes[index] == codes[maybe]
    return maybe[hit], index[hit]


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
    codes = {sum((ord(ch) - 96) * _BASE**i for i, ch in enumerate(w)): w for w in words}
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
