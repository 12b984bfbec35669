"""corpus/signals/markers.py: weighted Indonesian/Malay words summed in a batch, against the regex."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from test_langid import FLORES, TRICKY, rng_texts

from corpus.errors import ConfigError
from corpus.signals import markers
from corpus.signals.quality import language_identifier


def trained_table() -> markers.Markers:
    return language_identifier().markers


@pytest.mark.parametrize("table", [markers.load_markers, trained_table], ids=["tsv", "trained"])
def test_marker_shifts_equal_the_word_regex(table: Callable[[], markers.Markers]) -> None:
    lowered = [t.lower() for t in TRICKY + rng_texts(2, 400)]
    lowered += [t.lower() for t in FLORES.joinpath("ind_Latn.txt").read_text("utf-8").splitlines()]
    words = table().words
    expected = [markers.marker_shift(t, words) for t in lowered]
    assert markers.marker_shifts(table(), lowered).tolist() == expected
    if table is markers.load_markers:
        assert expected[:3] == [1, 0, 1]


def test_word_codes_are_exact() -> None:
    words = ["a", "z", "kerana", "zzzzzzzzzzzzz", "abcdefghijklm"]
    body = np.frombuffer(b"\xff" + b"\xff".join(w.encode() for w in words) + b"\xff", np.uint8)
    starts = np.flatnonzero(body[:-1] == 0xFF) + 1
    ends = np.flatnonzero(body[1:] == 0xFF) + 1
    codes = markers.word_codes(body, starts, ends).tolist()
    assert codes == [sum((ord(c) - 96) * 27**i for i, c in enumerate(w)) for w in words]
    long_data = np.concatenate((np.zeros(100_000, np.uint8), body))  # far from the start
    assert markers.word_codes(long_data, starts + 100_000, ends + 100_000).tolist() == codes


def test_lookup_finds_every_word_despite_collisions() -> None:
    """A table a quarter full still has runs of slots; every word is found, others are not."""
    words = {"".join(chr(97 + (i * 7 + j) % 26) for j in range(1 + i % 13)): i - 500
             for i in range(1000)}  # fmt: skip
    table = markers.word_table(words, 0.5)
    text = " ".join(words) + " zzzzz qqqq " + " ".join(words)[::-1]
    assert markers.marker_shifts(table, [text]).tolist() == [markers.marker_shift(text, words)]
    assert len(table.slots) >= 4 * len(words) and (table.slots >= 0).sum() == len(words)


def test_a_table_refuses_words_it_cannot_code() -> None:
    for bad in ("Kerana", "keranaé", "a" * 14, ""):
        with pytest.raises(ConfigError, match="letters a-z"):
            markers.word_table({"kerana": 1, bad: 2}, 1.0)


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
    assert words["kerana"] == 1 and words["karena"] == -1
    assert set(words.values()) == {-1, 1}
    trained = trained_table()
    assert trained.words["kerana"] > 0 > trained.words["karena"] and trained.unit < 1
