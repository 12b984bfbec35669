"""Character-trigram overlap of many string pairs at once (numpy), for `is_untranslated`.

For each pair (source, target): how many distinct trigrams the target has, and how many of
those the source has too; exactly what Python sets of the substrings give. Each trigram is
one int64 (three code points of 21 bits); a pair is one row of the target's trigrams and one
of the source's, each sorted and deduplicated, then merged: a trigram in both appears twice
in a row. Pairs are taken in blocks of similar length, padded with a key no trigram has.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from corpus.blocks import slices

GROUP = 256
"""Pairs (of similar length) handled in one padded block, at most..."""

GROUP_CELLS = 1 << 19
"""...and trigrams in it (rows x the longest pair; a longer pair alone)."""

_PAD = np.iinfo(np.int64).max
"""Sorts after every trigram key (keys are below 2**63 - 1)."""

Ints = npt.NDArray[np.int64]


def trigram_overlaps(sources: Sequence[str], targets: Sequence[str]) -> list[tuple[int, int]]:
    """(distinct trigrams of the target, how many of them the source has) for each pair."""
    src_keys, src_starts, src_counts = trigram_keys(sources)
    tgt_keys, tgt_starts, tgt_counts = trigram_keys(targets)
    distinct = np.zeros(len(targets), dtype=np.int64)
    shared = np.zeros(len(targets), dtype=np.int64)
    order = np.argsort(src_counts + tgt_counts, kind="stable")
    widths = (src_counts + tgt_counts)[order] + 1
    for start, end in slices(widths, GROUP, GROUP_CELLS, widest=True):
        rows = order[start:end]
        tgt = unique_rows(tgt_keys, tgt_starts[rows], tgt_counts[rows])
        src = unique_rows(src_keys, src_starts[rows], src_counts[rows])
        distinct[rows] = (tgt != _PAD).sum(axis=1)
        both = np.sort(np.hstack((tgt, src)), axis=1)
        shared[rows] = ((both[:, 1:] == both[:, :-1]) & (both[:, 1:] != _PAD)).sum(axis=1)
    return list(zip(distinct.tolist(), shared.tolist(), strict=True))


def trigram_keys(texts: Sequence[str]) -> tuple[Ints, Ints, Ints]:
    """All trigram keys of the texts joined, with each text's first key and key count."""
    joined = "".join(texts).encode("utf-32-le", "surrogatepass")
    points = np.frombuffer(joined, dtype=np.uint32).astype(np.int64)
    keys = (points[:-2] << 42) | (points[1:-1] << 21) | points[2:]
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    return keys, starts, np.maximum(lengths - 2, 0)


def unique_rows(keys: Ints, starts: Ints, counts: Ints) -> Ints:
    """One row per text: its distinct keys (and `_PAD`s where there is none)."""
    width = max(int(counts.max()), 1)
    offsets = np.arange(width, dtype=np.int64)
    index = np.minimum(starts[:, None] + offsets, max(len(keys) - 1, 0))
    block = np.where(offsets < counts[:, None], np.take(keys, index) if len(keys) else _PAD, _PAD)
    block.sort(axis=1)
    repeat = np.zeros(block.shape, dtype=bool)
    repeat[:, 1:] = block[:, 1:] == block[:, :-1]
    block[repeat] = _PAD
    return block
