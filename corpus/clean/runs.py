"""Maximum-sum runs of block scores (Kadane's scan), for the article span
(corpus/clean/span.py): a run is a range of blocks, its weight the sum of their scores."""

from __future__ import annotations

from collections.abc import Sequence


def best_run(scores: Sequence[float]) -> tuple[int, int, float]:
    """The segment of maximum sum (Kadane), as (start, end, sum)."""
    best, best_lo, best_hi = 0.0, 0, 0
    total, lo = 0.0, 0
    for i, s in enumerate(scores):
        if total <= 0:
            total, lo = 0.0, i
        total += s
        if total > best:
            best, best_lo, best_hi = total, lo, i + 1
    return best_lo, best_hi, best


def runs(scores: Sequence[float]) -> list[tuple[int, int, float]]:
    """The runs Kadane's scan passes through: (start, end of its best prefix, its sum)."""
    found: list[tuple[int, int, float]] = []
    total, lo, best, hi = 0.0, 0, 0.0, 0
    for i, s in enumerate(scores):
        if total <= 0:
            if best > 0:
                found.append((lo, hi, best))
            total, lo, best, hi = 0.0, i, 0.0, i
        total += s
        if total > best:
            best, hi = total, i + 1
    if best > 0:
        found.append((lo, hi, best))
    return found


def best_runs_after(scores: Sequence[float], start: int, end: int) -> list[tuple[int, int, float]]:
    """For each i in [start, end): the maximum-sum run within (i, end), as (lo, hi, sum); one
    pass from the right (Kadane backwards)."""
    found: list[tuple[int, int, float]] = [(end, end, 0.0)] * (end - start)
    best = (end, end, 0.0)
    here, here_end = 0.0, end  # the best run starting exactly at j
    for i in range(end - 1, start - 1, -1):
        found[i - start] = best  # runs strictly after i
        if here <= 0:
            here, here_end = 0.0, i + 1
        here += scores[i]
        if here > best[2]:
            best = (i, here_end, here)
    return found
