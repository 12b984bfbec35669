"""Bounded summaries of a stream of record batches: fixed-bin histograms and bottom-k samples.

Each takes one batch at a time and keeps O(bins) or O(k) state, so a report costs time linear
in the corpus and memory independent of it. Samples are bottom-k by a key: the lowest scores,
or a seeded random key per row (a uniform sample without replacement, the same for the same
corpus), or a stable hash of the document id (the same documents at every rebuild, for pairs
and rejected rows alike).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

Row = dict[str, Any]


@dataclass
class Histogram:
    """Counts of values in `bins` equal bins over [lo, hi]; values outside go to the end bins
    (`below` and `above` count them) and nulls/NaN to `missing`."""

    lo: float
    hi: float
    bins: int
    counts: np.ndarray = field(init=False)
    below: int = 0
    above: int = 0
    missing: int = 0

    def __post_init__(self) -> None:
        self.counts = np.zeros(self.bins, dtype=np.int64)

    @property
    def edges(self) -> np.ndarray:
        return np.linspace(self.lo, self.hi, self.bins + 1)

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    def add(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=np.float64)
        finite = values[np.isfinite(values)]
        self.missing += len(values) - len(finite)
        self.below += int((finite < self.lo).sum())
        self.above += int((finite > self.hi).sum())
        clipped = np.clip(finite, self.lo, self.hi)
        self.counts += np.histogram(clipped, bins=self.bins, range=(self.lo, self.hi))[0]


class BottomK:
    """The `k` rows with the smallest keys seen so far (ties: the earlier row), each a dict of
    `columns` (those the batch has) plus `extra` values given per batch."""

    def __init__(self, k: int, columns: Sequence[str]) -> None:
        self.k = k
        self.columns = list(columns)
        self._keys = np.empty(0, dtype=np.float64)
        self._rows: list[Row] = []

    def offer(self, keys: np.ndarray, batch: pa.RecordBatch, **extra: Any) -> None:
        """Consider the rows of `batch` whose key is finite (NaN/inf keys are never taken)."""
        keys = np.asarray(keys, dtype=np.float64)
        candidates = np.flatnonzero(np.isfinite(keys))
        if len(self._keys) >= self.k:
            candidates = candidates[keys[candidates] < self._keys[-1]]
        if not len(candidates):
            return
        if len(candidates) > self.k:
            part = np.argpartition(keys[candidates], self.k - 1)[: self.k]
            candidates = np.sort(candidates[part])
        cols = [c for c in self.columns if c in batch.schema.names]
        rows = batch.select(cols).take(pa.array(candidates)).to_pylist()
        for row in rows:
            row.update(extra)
        merged_keys = np.concatenate([self._keys, keys[candidates]])
        order = np.argsort(merged_keys, kind="stable")[: self.k]
        merged = self._rows + rows
        self._keys = merged_keys[order]
        self._rows = [merged[i] for i in order]

    @property
    def rows(self) -> list[Row]:
        return list(self._rows)


def stable_key(text: str) -> int:
    """A 64-bit key of `text` that is the same in every process and run."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


class DocSample:
    """The rows of the `k` documents with the smallest `stable_key(doc_id)`, over every batch
    offered (pairs and rejected rows alike), at most `max_rows` rows of each kind per document.

    The admission bound only falls, so a document left out of one batch is never in the final
    sample, and one in the sample was in it for all its batches: each kept document has every
    row (up to the cap)."""

    def __init__(self, k: int, max_rows: int) -> None:
        self.k = k
        self.max_rows = max_rows
        self._chosen: dict[str, int] = {}
        self.rows: dict[str, dict[str, list[Row]]] = {}
        self.cut: dict[str, dict[str, int]] = {}  # rows over the cap, per document and kind

    def _bound(self) -> int | None:
        return max(self._chosen.values()) if len(self._chosen) >= self.k else None

    def _admit(self, docs: list[str]) -> None:
        for doc in docs:
            if doc in self._chosen:
                continue
            key, bound = stable_key(doc), self._bound()
            if bound is not None and key >= bound:
                continue
            self._chosen[doc] = key
            if len(self._chosen) > self.k:
                worst = max(self._chosen, key=lambda d: self._chosen[d])
                del self._chosen[worst]
                self.rows.pop(worst, None)
                self.cut.pop(worst, None)

    def offer(self, kind: str, batch: pa.RecordBatch, columns: Sequence[str]) -> None:
        """Keep the rows of `batch` (a `doc_id` column) whose document is in the sample."""
        doc_col = batch.column("doc_id")
        self._admit([d for d in pc.unique(doc_col).to_pylist() if d is not None])
        if not self._chosen:
            return
        mask = pc.is_in(doc_col, value_set=pa.array(list(self._chosen), pa.string()))
        picked = batch.filter(mask)
        if not picked.num_rows:
            return
        cols = [c for c in columns if c in picked.schema.names]
        for row in picked.select(cols).to_pylist():
            found = self.rows.setdefault(row["doc_id"], {}).setdefault(kind, [])
            if len(found) < self.max_rows:
                found.append(row)
            else:
                cut = self.cut.setdefault(row["doc_id"], {})
                cut[kind] = cut.get(kind, 0) + 1

    def documents(self) -> list[tuple[str, dict[str, list[Row]], dict[str, int]]]:
        """(doc_id, rows by kind, rows left out by kind) of each sampled document, by id."""
        return [(d, self.rows.get(d, {}), self.cut.get(d, {})) for d in sorted(self._chosen)]
