"""Shards -> dataset rows, a table at a time: split assignment and the card's statistics.

Assembly works on Arrow tables, not Python rows, so it stays a small share of a build however
many rows there are. Both pieces are independent of how the rows were cut into shards (by the
local build's chunks or by Ray tasks), so a local and a distributed build of the same input
write the same rows to the same splits with the same statistics:

- `split_indices` assigns each row the split of its document (a seeded hash of `doc_id`,
  `corpus.dataset.splits.split_of`), computed once per distinct document of a table;
- `Sample` keeps the rows with the smallest hash of (doc_id, sent_index) — a sample that does
  not depend on the order or grouping of the rows and merges exactly — for the quantiles of
  each signal in the card.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from corpus.dataset.schema import POSITION_COLUMNS
from corpus.names import parquet_file

SAMPLE_ROWS = 20_000
QUANTILES = (0.01, 0.1, 0.5, 0.9, 0.99)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def doc_hash(doc_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest(), "big")


def row_keys(table: pa.Table) -> np.ndarray:
    """A 64-bit hash of (doc_id, sent_index) per row."""
    encoded = pc.dictionary_encode(table.column("doc_id")).combine_chunks()
    per_doc = np.array([doc_hash(d) for d in encoded.dictionary.to_pylist()], dtype=np.uint64)
    docs = per_doc[encoded.indices.to_numpy(zero_copy_only=False)] if len(per_doc) else per_doc
    sent = table.column("sent_index").to_numpy().astype(np.uint64)
    with np.errstate(over="ignore"):
        keys = (docs ^ (sent * _MIX)) * _MIX
        return keys ^ (keys >> np.uint64(29))


class Sample:
    """The `size` rows with the smallest `row_keys`, for each numeric column (see module doc)."""

    def __init__(self, columns: Iterable[str], size: int = SAMPLE_ROWS) -> None:
        self.columns = list(columns)
        self.size = size
        self.keys = np.empty(0, dtype=np.uint64)
        self.values: dict[str, np.ndarray] = {c: np.empty(0) for c in self.columns}

    @classmethod
    def of_dataset(cls, cols: Mapping[str, str]) -> Sample:
        """The sample for a dataset's card: its numeric columns but the positions."""
        numeric = [c for c, t in cols.items() if t.startswith(("float", "int"))]
        return cls(c for c in numeric if c not in POSITION_COLUMNS)

    def add_table(self, table: pa.Table) -> None:
        if not self.columns or not table.num_rows:
            return
        self.merge(row_keys(table), {c: _floats(table.column(c)) for c in self.columns})

    def merge(self, keys: np.ndarray, values: Mapping[str, np.ndarray]) -> None:
        """Add another sample's rows (the result is the sample of the union)."""
        self._keep(np.concatenate([self.keys, keys]),
                   {c: np.concatenate([self.values[c], values[c]]) for c in self.columns})  # fmt: skip

    def _keep(self, keys: np.ndarray, values: dict[str, np.ndarray]) -> None:
        if len(keys) > self.size:
            keep = np.argpartition(keys, self.size - 1)[: self.size]
            keys = keys[keep]
            values = {c: v[keep] for c, v in values.items()}
        self.keys, self.values = keys, values

    def add_rows(self, rows: list[dict[str, object]], schema: pa.Schema) -> None:
        if rows:
            self.add_table(pa.Table.from_pylist(rows, schema=schema))

    def quantiles(self) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for column, values in self.values.items():
            known = np.sort(values[~np.isnan(values)])
            if len(known):
                last = len(known) - 1
                out[column] = {
                    f"p{round(q * 100)}": round(float(known[round(q * last)]), 4) for q in QUANTILES
                }
        return out


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    """The column as float64, nulls as NaN."""
    return np.asarray(pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)


def arrow_bytes(table: pa.Table) -> int:
    """The Arrow size of a table's data, the same however it is cut into pieces: 8, 4 or 1
    bytes a value of a fixed-width column, UTF-8 bytes plus a 4-byte offset a string (the
    figure `dataset_info.splits.num_bytes` reports)."""
    total = 0
    for column in table.columns:
        total += _column_bytes(column)
    return total


def _column_bytes(column: pa.Array | pa.ChunkedArray) -> int:
    kind = column.type
    if pa.types.is_struct(kind):
        flat = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        return sum(_column_bytes(flat.field(i)) for i in range(kind.num_fields))
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        lengths = pc.sum(pc.binary_length(column)).as_py() or 0
        return int(lengths) + 4 * len(column)
    if pa.types.is_boolean(kind):
        return len(column)
    return len(column) * (kind.bit_width // 8)


def iter_tables(files: Iterable[str | Path]) -> Iterable[pa.Table]:
    """The Parquet files as Arrow tables, one row group at a time, in order."""
    for file in files:
        parquet = parquet_file(file)
        for i in range(parquet.num_row_groups):
            yield parquet.read_row_group(i)
