"""Parquet files of a dataset folder: written atomically, read back a row group at a time, and
the split writer that cuts rows into `data/<split>-NNNNN-of-NNNNN.parquet`."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

import pyarrow as pa

from corpus.dataset import pieces
from corpus.dataset.pieces import Figures, PieceWriter
from corpus.dataset.schema import rows_to_table
from corpus.dataset.stats import Sample
from corpus.errors import ConfigError
from corpus.names import parquet_file, write_parquet


def write_parquet_atomic(path: Path, table: pa.Table) -> None:
    """Write `table` to `path` so that `path` is either absent or complete."""
    tmp = path.with_name(path.name + ".tmp")
    write_parquet(table, tmp)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def iter_rows(files: Iterable[Path]) -> Iterator[dict[str, object]]:
    """Stream rows of Parquet files, one row group at a time."""
    for file in files:
        pf = parquet_file(file)
        for i in range(pf.num_row_groups):
            yield from pf.read_row_group(i).to_pylist()


class SplitWriter:
    """Writes rows (or Arrow tables) to dest/<prefix>/<split>-NNNNN-of-MMMMM.parquet, in order,
    through `PieceWriter`s (row groups of exactly GROUP_ROWS rows), starting a new file every
    `rows_per_file` rows: the files a build's pieces would be for the same rows."""

    def __init__(
        self,
        dest: Path,
        schema: pa.Schema,
        splits: Iterable[str] = ("train",),
        rows_per_file: int = 0,
        sample: Callable[[], Sample | None] = lambda: None,
        prefix: str = "data",
    ):
        self.declared = list(splits)
        self.data_dir = dest / prefix
        self.schema = schema
        self.rows_per_file = rows_per_file or pieces.ROWS_PER_FILE
        self.group_rows = pieces.GROUP_ROWS
        self.new_sample = sample
        self.figures: dict[str, list[Figures]] = {}
        self._files: dict[str, list[Path]] = {}
        self._writers: dict[str, PieceWriter] = {}
        self._in_file: dict[str, int] = {}
        self._rows: dict[str, list[Mapping[str, object]]] = {}

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(f.rows for f in figs) for s, figs in self.figures.items()}

    @property
    def nbytes(self) -> dict[str, int]:
        return {s: sum(f.nbytes for f in figs) for s, figs in self.figures.items()}

    def add(self, split: str, row: Mapping[str, object]) -> None:
        self._rows.setdefault(split, []).append(row)
        if len(self._rows[split]) >= self.group_rows:
            self._rows_to_table(split)

    def _rows_to_table(self, split: str) -> None:
        rows = self._rows.pop(split, None)
        if rows:
            self.add_table(split, rows_to_table(rows, self.schema))

    def add_table(self, split: str, table: pa.Table) -> None:
        self._rows_to_table(split)
        while table.num_rows:
            writer = self._writer(split)
            room = self.rows_per_file - self._in_file[split]
            writer.write(table.slice(0, room))
            self._in_file[split] += min(room, table.num_rows)
            table = table.slice(room)
            if self._in_file[split] >= self.rows_per_file:
                self._close_file(split)

    def _writer(self, split: str) -> PieceWriter:
        if split not in self._writers:
            path = self.data_dir / f"{split}-{len(self._files.get(split, [])):05d}.parquet"
            self._files.setdefault(split, []).append(path)
            self._writers[split] = PieceWriter(
                path, self.schema, self.new_sample(), self.group_rows
            )
            self._in_file[split] = 0
        return self._writers[split]

    def _close_file(self, split: str) -> None:
        self.figures.setdefault(split, []).append(self._writers.pop(split).close())

    def empty_splits(self) -> list[str]:
        counts = self.counts
        return [s for s in self.declared if not counts.get(s)]

    def close(self) -> dict[str, int]:
        """Finish every file and give them their final `-of-N` names; returns row counts.

        A declared split that received no rows gets no file and no entry: `datasets` cannot
        load an empty split ("corresponds to no data"). `empty_splits()` names them."""
        for split in list(self._rows):
            self._rows_to_table(split)
        for split in list(self._writers):
            self._close_file(split)
        for split, paths in self._files.items():
            for i, path in enumerate(paths):
                path.rename(path.with_name(f"{split}-{i:05d}-of-{len(paths):05d}.parquet"))
        order = {s: i for i, s in enumerate(self.declared)}
        return dict(
            sorted(self.counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
        )


def load(path: str | Path) -> object:
    """`datasets.load_dataset(path)`: a DatasetDict with one entry per split."""
    try:
        import datasets
    except ImportError as e:
        raise ConfigError(
            'loading needs the datasets package: pip install "idcorpus[datasets]"'
        ) from e
    return datasets.load_dataset(str(path))
