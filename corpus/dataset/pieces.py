"""Rows -> the Parquet files of a dataset folder, in pieces that any process can write.

A **piece** is one output file (`data/<split>-NNNNN-of-NNNNN.parquet`, or
`rejected/train-NNNNN-of-NNNNN.parquet`): consecutive rows of one split, taken from slices of
source files (a build's shards) in order. `plan_pieces` cuts each split's rows into files of
`ROWS_PER_FILE` rows from the row counts of the sources alone; `write_piece` writes one piece
through a `PieceWriter`, which writes row groups of exactly `GROUP_ROWS` rows (the last one of
a file shorter). The same rows therefore give the same bytes whoever writes them and however
they were cut into sources: a local build (in its worker processes), a Ray build (in Ray
tasks) and `idcorpus filter` (streaming, corpus.dataset.files.SplitWriter) alike. Each piece
returns its figures (rows, Arrow bytes, rows per flag, the statistics sample), which the
driver's dataset writer adopts: the card's counts are sums of what the pieces wrote, exact
whatever process wrote them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from corpus.dataset.schema import arrow_schema, rejected_schema
from corpus.dataset.splits import split_indices
from corpus.dataset.stats import Sample, arrow_bytes
from corpus.names import ParquetSink, parquet_file

GROUP_ROWS = 10_000
ROWS_PER_FILE = 1_000_000
ROW_SHIFTS = {"src_start": "char", "src_end": "char", "sent_index": "sent",
              "para_index": "para", "line_no": "line"}  # fmt: skip
REJECTED_SHIFTS = {"line_no": "line", "char_start": "raw", "char_end": "raw"}
Base = Mapping[str, int]


@dataclass(frozen=True)
class Slice:
    """Rows [start, stop) of one split's rows of a source file (all its rows: split None),
    with `base` added to their positions and the rows `drop` marks (a bit per row of the
    file, packed) left out first."""

    path: str
    split: str | None
    start: int
    stop: int
    base: Base | None = None
    drop: bytes | None = None


@dataclass(frozen=True)
class Piece:
    name: str  # relative to the dataset folder
    split: str | None  # None: rejected rows
    slices: tuple[Slice, ...]


@dataclass(frozen=True)
class Layout:
    """What every piece of one folder shares: its columns, how rows go to splits, the rows
    of a row group and of a file (read when the layout is made: every process that writes a
    piece gets them with it)."""

    columns: Mapping[str, str] | None  # the pairs' columns; None: rejected rows
    splits: tuple[tuple[str, float], ...] = (("train", 1.0),)
    seed: int = 0
    group_rows: int = field(default_factory=lambda: GROUP_ROWS)
    rows_per_file: int = field(default_factory=lambda: ROWS_PER_FILE)

    def schema(self) -> pa.Schema:
        return arrow_schema(self.columns) if self.columns is not None else rejected_schema()


@dataclass
class Figures:
    """What a written piece adds to its split: rows, Arrow bytes, rows with each flag (every
    bool column of the schema; true only, nulls not counted), statistics sample."""

    rows: int = 0
    nbytes: int = 0
    flags: dict[str, int] = field(default_factory=dict)
    keys: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    values: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Source:
    """A file of rows (a shard) and how many of them go to each split (None: rows without
    splits, the rejected ones)."""

    path: str
    splits: Mapping[str | None, int]
    base: Base | None = None
    drop: bytes | None = None

    @classmethod
    def of(cls, path: str, splits: Mapping[str, int], base: Base | None = None) -> Source:
        counts: dict[str | None, int] = {k: v for k, v in splits.items()}
        return cls(path, counts, base)


class PieceWriter:
    """A Parquet file written in row groups of exactly `group_rows` rows (the last one of the
    file shorter)."""

    def __init__(
        self, path: Path, schema: pa.Schema, sample: Sample | None, group_rows: int = 0
    ) -> None:
        self.path, self.schema, self.sample = path, schema, sample
        self.group_rows = group_rows or GROUP_ROWS
        self.writer: ParquetSink | None = None
        self.buffer: list[pa.Table] = []
        self.buffered = 0
        self.figures = Figures(flags=dict.fromkeys(flag_columns(schema), 0))

    def write(self, table: pa.Table) -> None:
        if not table.num_rows:
            return
        self.buffer.append(table.cast(self.schema))
        self.buffered += table.num_rows
        while self.buffered >= self.group_rows:
            self._group(self.group_rows)

    def _group(self, rows: int) -> None:
        table = pa.concat_tables(self.buffer).combine_chunks()
        group, rest = table.slice(0, rows), table.slice(rows)
        self.buffer, self.buffered = ([rest] if rest.num_rows else []), rest.num_rows
        if self.writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.writer = ParquetSink(self.path, self.schema)
        self.writer.write_table(group, row_group_size=self.group_rows)
        self.figures.rows += group.num_rows
        self.figures.nbytes += arrow_bytes(group)
        for name in self.figures.flags:
            self.figures.flags[name] += true_rows(group.column(name))
        if self.sample is not None:
            self.sample.add_table(group)

    def close(self) -> Figures:
        if self.buffered:
            self._group(self.buffered)
        if self.writer is not None:
            self.writer.close()
        if self.sample is not None:
            self.figures.keys, self.figures.values = self.sample.keys, self.sample.values
        return self.figures


def flag_columns(schema: pa.Schema) -> list[str]:
    """The flags of rows of `schema`: its bool columns, in order."""
    return [f.name for f in schema if pa.types.is_boolean(f.type)]


def true_rows(column: pa.ChunkedArray) -> int:
    """How many values of a bool column are true (null is not)."""
    return int(pc.sum(pc.cast(column, pa.int64())).as_py() or 0)


def add_flags(total: dict[str, int], flags: Mapping[str, int]) -> dict[str, int]:
    """`total` with `flags` added to it, flag by flag."""
    for name, n in flags.items():
        total[name] = total.get(name, 0) + n
    return total


def plan_pieces(
    sources: Sequence[Source], splits: Sequence[str | None], prefix: str, rows_per_file: int
) -> list[Piece]:
    """The output files of `sources` (in order), per split, `rows_per_file` rows each."""
    pieces: list[Piece] = []
    for split in splits:
        files: list[list[Slice]] = []
        room = 0
        for source in sources:
            rows, start = source.splits.get(split, 0), 0
            while start < rows:
                if room == 0:
                    files.append([])
                    room = rows_per_file
                take = min(room, rows - start)
                files[-1].append(Slice(source.path, split, start, start + take, source.base,
                                       source.drop))  # fmt: skip
                start, room = start + take, room - take
        name = split or "train"
        for k, slices in enumerate(files):
            pieces.append(Piece(f"{prefix}/{name}-{k:05d}-of-{len(files):05d}.parquet", split,
                                tuple(slices)))  # fmt: skip
    return pieces


def write_piece(piece: Piece, folder: str, layout: Layout) -> Figures:
    """Write one piece under `folder`; its figures (the sample of the pairs' numeric columns)."""
    schema = layout.schema()
    sample = Sample.of_dataset(layout.columns) if layout.columns is not None else None
    writer = PieceWriter(Path(folder) / piece.name, schema, sample, layout.group_rows)
    for item in piece.slices:
        writer.write(read_slice(item, layout))
    return writer.close()


def read_slice(item: Slice, layout: Layout) -> pa.Table:
    """The rows of a slice, positions shifted, as they go into the piece."""
    table = parquet_file(item.path).read()
    table = table.replace_schema_metadata(None)
    if item.drop is not None:
        keep = np.unpackbits(np.frombuffer(item.drop, dtype=np.uint8))[: table.num_rows] == 0
        table = table.filter(pa.array(keep))
    if item.split is not None and len(layout.splits) > 1:
        names = [name for name, _ in layout.splits]
        index = split_indices(table, layout.splits, layout.seed)
        table = table.filter(pa.array(index == names.index(item.split)))
    table = table.slice(item.start, item.stop - item.start)
    if item.base is not None:
        shifts = ROW_SHIFTS if layout.columns is not None else REJECTED_SHIFTS
        table = shifted(table, shifts, item.base)
    return table


def shifted(table: pa.Table, shifts: Mapping[str, str], base: Base) -> pa.Table:
    """`table` with `base[key]` added to each column of `shifts` (nulls stay null)."""
    for column, key in shifts.items():
        if column in table.column_names and base.get(key):
            i = table.column_names.index(column)
            values = pc.add(table.column(i), pa.scalar(base[key], table.schema.field(i).type))
            table = table.set_column(i, table.schema.field(i), values)
    return table
