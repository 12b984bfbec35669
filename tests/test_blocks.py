"""corpus/blocks.py: slices of bounded count and size."""

from __future__ import annotations

import numpy as np
import pytest

from corpus.blocks import slices


@pytest.mark.parametrize(
    ("sizes", "most", "budget", "widest", "expected"),
    [([1, 1, 1, 10, 1], 10, 3, False, [(0, 3), (3, 4), (4, 5)]),
     ([1, 1, 1, 1, 1], 2, 99, False, [(0, 2), (2, 4), (4, 5)]),
     ([1, 2, 3, 100], 10, 8, True, [(0, 2), (2, 3), (3, 4)]),
     ([], 4, 4, False, [])],
    ids=["sum", "count", "widest", "empty"],
)  # fmt: skip
def test_slices(
    sizes: list[int], most: int, budget: int, widest: bool, expected: list[tuple[int, int]]
) -> None:
    array = np.array(sizes, dtype=np.int64)
    assert list(slices(array, most, budget, widest)) == expected
