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
from corpus.signals.langid_model import SEPARATOR

Ints = npt.NDArray[np.int64]
Codes = npt.NDArray[np.uint64]

_WORD = re.compile(r"\w+")
LONGEST = 13
"""Letters of the longest marker word: its base-27 code still fits 64 bits."""
_BASE = 27
"""Words are coded in base 27 (a=1 ... z=26, first letter lowest)."""
_POWERS = np.array([_BASE**i for i in range(LONGEST)], dtype=np.uint64)

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
    for id; `shapes[length, first, last]` (letters a=1 ... z=26) is True for the words'
    lengths and first and last letters (a cheap first test)."""

    words: dict[str, str]
    codes: Codes
    signs: Ints
    shapes: npt.NDArray[np.bool_]


def marker_shift(lowered: str, words: dict[str, str]) -> int:
    """ms marker words minus id marker words among the `\\w+` words of `lowered`."""
    marks = [words.get(w, "") for w in _WORD.findall(lowered)]
    return marks.count("ms") - marks.count("id")


def marker_shifts(markers: Markers, lowered: list[str]) -> npt.NDArray[np.float64]:
    """`marker_shift` of each lowercased text."""
    encoded = [t.encode("utf-8", "surrogatepass") for t in lowered]
    sep = bytes([SEPARATOR])
    data = np.frombuffer(sep + sep.join(encoded) + sep * LONGEST, dtype=np.uint8)
    letter = (data - np.uint8(ord("a"))) < 26  # the separator 0xFF is no letter
    edges = np.flatnonzero(letter[1:] != letter[:-1]) + 1
    starts, ends = edges[0::2], edges[1::2]  # data starts and ends with a separator
    size = ends - starts
    size[size > LONGEST] = 0  # no marker is that long (and none is empty)
    shaped = np.flatnonzero(markers.shapes[size, data[starts] - 96, data[ends - 1] - 96])
    starts, ends = starts[shaped], ends[shaped]  # a marker's length, first and last letter
    left, right = _BYTE_KIND[data[starts - 1]], _BYTE_KIND[data[ends]]
    whole = (left != _WORD_ASCII) & (right != _WORD_ASCII)  # not part of a longer \w+ run
    unsure = ((left == _NON_ASCII) | (right == _NON_ASCII))[whole]
    starts, ends = starts[whole], ends[whole]
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
    """Base-27 code of each run data[start:end] of at most `LONGEST` a-z letters (`data`
    goes on for `LONGEST` bytes after every start)."""
    offsets = np.arange(LONGEST)
    digits = np.take(data, starts[:, None] + offsets).astype(np.uint64) - np.uint64(96)
    digits[offsets >= (ends - starts)[:, None]] = 0  # past the run
    return (digits * _POWERS).sum(axis=1, dtype=np.uint64)


def lookup(markers: Markers, codes: Codes) -> tuple[Ints, Ints]:
    """The positions in `codes` of marker words, and their index among the markers."""
    index = np.minimum(np.searchsorted(markers.codes, codes), len(markers.codes) - 1)
    hit = markers.codes[index] == codes
    return np.flatnonzero(hit), index[hit]


@functools.lru_cache(maxsize=1)
def load_markers() -> Markers:
    """corpus/data/id_ms_markers.tsv, loaded once."""
    text = resources.files("corpus").joinpath("data/id_ms_markers.tsv").read_text("utf-8")
    return parse_markers(text, "corpus/data/id_ms_markers.tsv")


def parse_markers(text: str, name: str) -> Markers:
    """Lines of word <TAB> id|ms (each word of 1 to `LONGEST` letters a-z); # comments."""
    words: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        word, _, lang = (part.strip() for part in line.partition("\t"))
        if not re.fullmatch(f"[a-z]{{1,{LONGEST}}}", word) or lang not in ("id", "ms"):
            raise ConfigError(f"{name}:{number}: expected a-z word <TAB> id|ms, got {line!r}")
        words[word] = lang
    if not words:
        raise ConfigError(f"{name}: no marker words")
    codes = {sum((ord(ch) - 96) * _BASE**i for i, ch in enumerate(w)): w for w in words}
    order = sorted(codes)
    shapes = np.zeros((LONGEST + 1, 27, 27), dtype=bool)
    for word in words:
        shapes[len(word), ord(word[0]) - 96, ord(word[-1]) - 96] = True
    return Markers(
        words=words,
        codes=np.array(order, dtype=np.uint64),
        signs=np.array([1 if words[codes[c]] == "ms" else -1 for c in order], dtype=np.int64),
        shapes=shapes,
    )
