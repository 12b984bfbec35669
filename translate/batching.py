"""Token-budget batching: pure helpers shared by every engine."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")


def length_sorted_batches(lengths: Sequence[int], batch_tokens: int) -> Iterator[list[int]]:
    """Yield batches of indices, longest first, each padded size <= batch_tokens.

    A batch's cost is len(batch) * longest member (what padding makes the model compute).
    A single item longer than the budget still gets a batch of its own.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batch: list[int] = []
    longest = 0
    for i in order:
        width = max(longest, lengths[i], 1)
        if batch and width * (len(batch) + 1) > batch_tokens:
            yield batch
            batch, width = [], max(lengths[i], 1)
        batch.append(i)
        longest = width
    if batch:
        yield batch


def restore_order(batches: Sequence[Sequence[int]], results: Sequence[Sequence[T]]) -> list[T]:
    """Put per-batch results back in input order (inverse of length_sorted_batches)."""
    total = sum(len(b) for b in batches)
    out: list[T | None] = [None] * total
    for batch, batch_results in zip(batches, results, strict=True):
        for index, result in zip(batch, batch_results, strict=True):
            out[index] = result
    if any(r is None for r in out):
        raise ValueError("batches do not cover every input index exactly once")
    return out  # type: ignore[return-value]
