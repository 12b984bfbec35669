"""Test-set overlap: pairs that share text with the vendored test sets are flagged."""

from __future__ import annotations

import pytest

from corpus.signals.contamination import NGRAM, RUN, STRIDE, OverlapIndex, vendored_test_lines

TEST = [
    "Para ilmuwan mengumumkan penemuan alat diagnostik baru yang bisa mengurutkan sel berdasarkan tipe.",
    "Pendek saja.",
]
INDEX = OverlapIndex(TEST)
WORDS = TEST[0].rstrip(".").split()


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        (TEST[0], "Scientists announced a tool.", True),
        (
            "Kalimat lain.",
            TEST[0].upper().replace(".", " !"),
            True,
        ),  # normalised: case, punctuation
        ("Kata pengantar: " + TEST[0], "x", True),  # the whole test sentence inside a longer one
        (
            "Awal " + " ".join(WORDS[2 : 2 + NGRAM]) + " akhir.",
            "x",
            True,
        ),  # a shared run of NGRAM words
        ("Awal " + " ".join(WORDS[2 : 2 + NGRAM - 1]) + " akhir.", "x", False),  # one word short
        ("pendek saja", "short", True),
        ("Pendek saja sekali.", "Very short.", False),  # a short sentence counts whole only
        ("", "", False),
    ],
    ids=[
        "source",
        "target-normalised",
        "inside",
        "run",
        "run-too-short",
        "short",
        "short-other",
        "empty",
    ],
)
def test_overlap(source: str, target: str, expected: bool) -> None:
    assert INDEX.overlaps(source, target) is expected
    assert INDEX.overlaps_batch([source, "x"], [target, "y"]) == [expected, False]


def test_probed_runs_cover_every_shared_span_of_ngram_words() -> None:
    assert RUN + STRIDE - 1 == NGRAM
    for offset in range(len(WORDS) - NGRAM + 1):
        text = "Mula " + " ".join(WORDS[offset : offset + NGRAM]) + " lalu selesai."
        assert INDEX.overlaps(text, ""), offset


def test_vendored_sets_are_indexed_both_sides() -> None:
    lines = vendored_test_lines()
    assert len(lines) == 2 * sum(n for n in (1012, 997, 1997, 2100, 4289, 400))
    index = OverlapIndex(lines[:50])
    assert all(index.overlaps(line, "") for line in lines[:50] if line.strip())
