"""How many pairs each rule of `idcorpus filter` would remove, counted one batch at a time.

The rules and their semantics are those of `corpus.dataset.filter.RowFilter` (a test checks the
counts against `filter_dataset`), evaluated on whole columns with numpy: `alone` is what a
rule removes by itself, `in_order` what it removes when the rules run in the filter's order
(the first failing rule counts the row, as the filter's report does). Duplicates are counted
from a 64-bit hash of each pair (8 bytes a row, kept until the end).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from corpus.dataset.filter import FilterConfig
from corpus.dataset.pairkeys import near_key
from translate.robust import RATIO_MIN_WORDS


def floats(batch: pa.RecordBatch, name: str) -> np.ndarray:
    """A numeric column as float64, nulls as NaN (all NaN when the column is absent)."""
    if name not in batch.schema.names:
        return np.full(batch.num_rows, np.nan)
    column = pc.cast(batch.column(name), pa.float64())
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)


def flags(batch: pa.RecordBatch, name: str) -> np.ndarray:
    """A boolean column, nulls as False (all False when the column is absent)."""
    if name not in batch.schema.names:
        return np.zeros(batch.num_rows, dtype=bool)
    column = pc.fill_null(batch.column(name), False)
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=bool)


def strings(batch: pa.RecordBatch, name: str) -> pa.Array:
    if name not in batch.schema.names:
        return pa.nulls(batch.num_rows, pa.string())
    return batch.column(name)


@dataclass
class RuleCounts:
    """Rows each rule of `config` would remove, alone and in the filter's order."""

    config: FilterConfig = field(default_factory=FilterConfig)
    rows: int = 0
    alone: dict[str, int] = field(init=False)
    in_order: dict[str, int] = field(init=False)
    _hashes: list[np.ndarray] = field(default_factory=list, repr=False)
    _survivors: list[np.ndarray] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.alone = dict.fromkeys(self.config.rules(), 0)
        self.in_order = dict.fromkeys(self.config.rules(), 0)

    def add(self, batch: pa.RecordBatch, sources: list[str], targets: list[str]) -> None:
        """Count a batch; `sources`/`targets` are its translation texts (None as "")."""
        masks = self.masks(batch, sources)
        failed = np.zeros(batch.num_rows, dtype=bool)
        for rule, mask in masks.items():
            self.alone[rule] += int(mask.sum())
            self.in_order[rule] += int((mask & ~failed).sum())
            failed |= mask
        self.rows += batch.num_rows
        if "duplicate" in self.alone:
            near = self.config.dedup == "near"
            hashes = pair_hashes(sources, targets, near=near)
            self._hashes.append(hashes)
            self._survivors.append(hashes[~failed])

    def masks(self, batch: pa.RecordBatch, sources: list[str]) -> dict[str, np.ndarray]:
        """Rows failing each enabled rule but the duplicate one, in the filter's order."""
        c, masks = self.config, {}
        if c.min_score is not None:
            masks["min_score"] = floats(batch, "score") < c.min_score
        if c.min_length_ratio is not None or c.max_length_ratio is not None:
            masks["length_ratio"] = self._ratio_mask(batch, sources)
        for side, lang in (("src", c.require_src_lang), ("tgt", c.require_tgt_lang)):
            if lang:
                other = pc.fill_null(pc.not_equal(strings(batch, f"{side}_lang"), lang), True)
                masks[f"{side}_lang"] = np.asarray(other.to_numpy(zero_copy_only=False)) & (
                    floats(batch, f"{side}_lang_conf") >= c.lang_confidence
                )
        for flag in c.drop_flagged:
            masks[f"flag:{flag}"] = flags(batch, flag)
        return masks

    def _ratio_mask(self, batch: pa.RecordBatch, sources: list[str]) -> np.ndarray:
        ratio = floats(batch, "length_ratio_chars")
        low, high = self.config.min_length_ratio, self.config.max_length_ratio
        out = np.zeros(batch.num_rows, dtype=bool)
        if low is not None:
            out |= ratio < low
        if high is not None:
            out |= ratio > high
        for i in np.flatnonzero(out):  # few rows: the word count only where it matters
            out[i] = len(sources[i].split()) >= RATIO_MIN_WORDS
        return out

    def finish(self) -> None:
        """Add the duplicate counts (call once, after the last batch)."""
        if "duplicate" not in self.alone:
            return
        every = np.concatenate(self._hashes) if self._hashes else np.empty(0, np.int64)
        kept = np.concatenate(self._survivors) if self._survivors else np.empty(0, np.int64)
        self.alone["duplicate"] = repeats(every)
        self.in_order["duplicate"] = repeats(kept)
        self._hashes, self._survivors = [], []


def repeats(hashes: np.ndarray) -> int:
    """How many values of `hashes` equal an earlier one (by sorting: numpy's hash-based
    unique is several times slower on random 64-bit values)."""
    ordered = np.sort(hashes)
    return int((ordered[1:] == ordered[:-1]).sum())


def pair_hashes(sources: list[str], targets: list[str], *, near: bool) -> np.ndarray:
    """A 64-bit hash of each (source, target) pair (near: of their `near_key` forms)."""
    if near:
        sources = [near_key(s) for s in sources]
        targets = [near_key(t) for t in targets]
    pairs = zip(sources, targets, strict=True)
    return np.fromiter((hash(p) for p in pairs), dtype=np.int64, count=len(sources))
