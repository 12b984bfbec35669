"""corpus/signals/markers.py: Indonesian/Malay marker words counted in a batch, against the regex."""

from __future__ import annotations

import numpy as np
import pytest
from test_langid import TRICKY, rng_texts

from corpus.errors import ConfigError
from corpus.signals import markers


def test_marker_shifts_equal_the_word_regex() -> None:
    lowered = [t.lower() for t in TRICKY + rng_texts(2, 400)]
    words = markers.load_markers().words
    expected = [markers.marker_shift(t, words) for t in lowered]
    assert markers.marker_shifts(markers.load_markers(), lowered).tolist() == expected
    assert expected[:3] == [1, 0, 1]


def test_word_codes_are_exact() -> None:
    words = ["a", "z", "kerana", "zzzzzzzzzzzzz", "abcdefghijklm"]
    body = np.frombuffer(b"\xff" + b"\xff".join(w.encode() for w in words) + b"\xff", np.uint8)
    starts = np.flatnonzero(body[:-1] == 0xFF) + 1
    ends = np.flatnonzero(body[1:] == 0xFF) + 1
    data = np.concatenate((body, np.full(markers.LONGEST, 0xFF, dtype=np.uint8)))
    codes = markers.word_codes(data, starts, ends).tolist()
    assert codes == [sum((ord(c) - 96) * 27**i for i, c in enumerate(w)) for w in words]


@pytest.mark.parametrize(
    ("text", "message"),
    [("kerana\tms\nKarena\tid\n", r"x\.tsv:2: .*'Karena\\tid'"), ("# only\n", "no marker words"),
     ("kerana\tjv\n", r"x\.tsv:1: expected"), ("kerana\n", r"x\.tsv:1")],
    ids=["upper-case", "empty", "language", "no-tab"],
)  # fmt: skip
def test_marker_file_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        markers.parse_markers(text, "x.tsv")


def test_markers_load() -> None:
    words = markers.load_markers().words
    assert words["kerana"] == "ms" and words["karena"] == "id"
    assert set(words.values()) == {"id", "ms"}
