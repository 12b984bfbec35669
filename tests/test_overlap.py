"""corpus/signals/overlap.py: trigram overlap counts of string pairs, against Python sets."""

from __future__ import annotations

import random

import pytest

from corpus.signals import overlap


def by_sets(source: str, target: str) -> tuple[int, int]:
    src = {source[i : i + 3] for i in range(len(source) - 2)}
    tgt = {target[i : i + 3] for i in range(len(target) - 2)}
    return len(tgt), len(tgt & src)


def random_pairs(seed: int, count: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    alphabet = "ab c\U0001f600\ud800é日" + "\U0010ffff"

    def text() -> str:  # fmt: skip
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))

    pairs = [(text(), text()) for _ in range(count)]
    return pairs + [(t, t) for _, t in pairs[:20]] + [("", ""), ("ab", "abc"), ("aaaa", "aaa")]


@pytest.mark.parametrize(
    ("group", "cells"), [(1, 1 << 19), (7, 1 << 19), (256, 1 << 19), (256, 100)],
    ids=["group1", "group7", "group256", "cells100"],
)  # fmt: skip
def test_counts_equal_python_sets(group: int, cells: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(overlap, "GROUP", group)
    monkeypatch.setattr(overlap, "GROUP_CELLS", cells)
    pairs = random_pairs(group + cells, 300)
    counts = overlap.trigram_overlaps([s for s, _ in pairs], [t for _, t in pairs])
    assert counts == [by_sets(s, t) for s, t in pairs]


def test_no_pairs() -> None:
    assert overlap.trigram_overlaps([], []) == []
