"""Parquet files of a dataset folder: written atomically, read back a row group at a time, and
the split writer that cuts rows into `data/<split>-NNNNN-of-NNNNN.parquet`."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from corpus.dataset.schema import rows_to_table
from corpus.dataset.stats import arrow_bytes
from corpus.names import ParquetSink, parquet_file, write_parquet

ROWS_PER_FILE = 1_000_000


def write_parquet_atomic(path: Path, table: pa.Table) -> None:
    """Write `table` to `path` so that `path` is either absent or complete."""
    tmp = path.with_name(path.name + ".tmp")
    write_parquet(table, tmp)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def iter_rows(files: Iterable[Path]) -> Iterator[dict[str, Any]]:
    """Stream rows of Parquet files, one row group at a time."""
    for file in files:
        pf = parquet_file(file)
        for i in range(pf.num_row_groups):
            yield from pf.read_row_group(i).to_pylist()


class SplitWriter:
    """Writes rows (or Arrow tables) to dest/data/<split>-NNNNN-of-MMMMM.parquet, in order,
    in row groups of about `GROUP_ROWS` rows, starting a new file every `rows_per_file` rows."""

    GROUP_ROWS = 10_000

    def __init__(
        self,
        dest: Path,
        schema: pa.Schema,
        splits: Iterable[str] = ("train",),
        rows_per_file: int = ROWS_PER_FILE,
    ):
        self.declared = list(splits)
        self.data_dir = dest / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.schema = schema
        self.rows_per_file = rows_per_file
        self.counts: dict[str, int] = {}
        self.nbytes: dict[str, int] = {}  # Arrow bytes per split, for the card's dataset_info
        self._files: dict[str, list[Path]] = {}
        self._writers: dict[str, ParquetSink] = {}
        self._in_file: dict[str, int] = {}  # rows in the split's current file
        self._rows: dict[str, list[dict[str, Any]]] = {}
        self._tables: dict[str, list[pa.Table]] = {}
        self._buffered: dict[str, int] = {}

    def add(self, split: str, row: dict[str, Any]) -> None:
        self._rows.setdefault(split, []).append(row)
        if len(self._rows[split]) >= self.GROUP_ROWS:
            self._rows_to_table(split)

    def add_table(self, split: str, table: pa.Table) -> None:
        if not table.num_rows:
            return
        self._rows_to_table(split)
        self._tables.setdefault(split, []).append(table.cast(self.schema))
        self._buffered[split] = self._buffered.get(split, 0) + table.num_rows
        if self._buffered[split] >= self.GROUP_ROWS:
            self._flush(split)

    def _rows_to_table(self, split: str) -> None:
        rows = self._rows.pop(split, None)
        if rows:
            self.add_table(split, rows_to_table(rows, self.schema))

    def empty_splits(self) -> list[str]:
        return [s for s in self.declared if not self.counts.get(s)]

    def _flush(self, split: str) -> None:
        tables = self._tables.pop(split, [])
        self._buffered[split] = 0
        if not tables:
            return
        table = pa.concat_tables(tables).combine_chunks()
        while table.num_rows:
            room = self.rows_per_file - self._in_file.get(split, 0)
            piece, table = table.slice(0, room), table.slice(room)
            self._write(split, piece)

    def _write(self, split: str, table: pa.Table) -> None:
        if split not in self._writers:
            path = self.data_dir / f"{split}-{len(self._files.get(split, [])):05d}.parquet"
            self._files.setdefault(split, []).append(path)
            self._writers[split] = ParquetSink(path, self.schema)
            self._in_file[split] = 0
        self._writers[split].write_table(table, row_group_size=self.GROUP_ROWS)

        self.nbytes[split] = self.nbytes.get(split, 0) + arrow_bytes(table)
        self.counts[split] = self.counts.get(split, 0) + table.num_rows
        self._in_file[split] += table.num_rows
        if self._in_file[split] >= self.rows_per_file:
            self._writers.pop(split).close()

    def close(self) -> dict[str, int]:
        """Finish every file and give them their final `-of-N` names; returns row counts.

        A declared split that received no rows gets no file and no entry: `datasets` cannot
        load an empty split ("corresponds to no data"). `empty_splits()` names them."""
        for split in list(self._rows):
            self._rows_to_table(split)
        for split in list(self._tables):
            self._flush(split)
        for writer in self._writers.values():
            writer.close()
        self._writers = {}
        for split, paths in self._files.items():
            for i, path in enumerate(paths):
                path.rename(path.with_name(f"{split}-{i:05d}-of-{len(paths):05d}.parquet"))
        order = {s: i for i, s in enumerate(self.declared)}
        return dict(
            sorted(self.counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
        )


def load(path: str | Path) -> Any:
    """`datasets.load_dataset(path)`: a DatasetDict with one entry per split."""
    try:
        import datasets
    except ImportError as e:
        from corpus.errors import ConfigError

        raise ConfigError(
            'loading needs the datasets package: pip install "idcorpus[datasets]"'
        ) from e
    return datasets.load_dataset(str(path))
