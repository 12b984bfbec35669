"""Cutting a sequence of sized items into consecutive slices of bounded count and size.

Batch scoring in numpy pads rows to the longest one of a block; `slices` keeps both the
number of rows and the padded size of a block bounded, whatever the lengths.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt


def slices(
    sizes: npt.NDArray[np.int64], most: int, budget: int, widest: bool = False
) -> Iterator[tuple[int, int]]:
    """Consecutive (start, end) spans of `sizes`: at most `most` items, costing at most
    `budget` (a single item may cost more). The cost is the sum of the sizes, or with
    `widest` (sizes ascending) the number of items times the last size."""
    start, total = 0, np.cumsum(sizes)
    while start < len(sizes):
        ends = np.arange(start + 1, min(start + most, len(sizes)) + 1)
        if widest:
            cost = (ends - start) * sizes[ends - 1]
        else:
            cost = total[ends - 1] - (total[start - 1] if start else 0)
        end = start + max(int(np.searchsorted(cost, budget, side="right")), 1)
        yield start, end
        start = end
