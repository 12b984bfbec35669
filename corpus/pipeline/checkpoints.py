"""What a build keeps of finished work in its work area: unit records and shards.

- A **unit record** (`units/uNNNNNNNN.json`) is written when a work unit's preparation ends:
  the digest of its documents (checked on `--resume`), how many document parts and sentences
  it has, the report of reading and preparing it, where its last document's positions end
  (`totals`, for a document that continues in the next unit) and how many rejected rows it
  has (`units/uNNNNNNNN.rejected.parquet`, written before the record).
- A **shard** (`shards/uNNNNNNNN-PPPPPPPPPPPP.parquet`) is one checkpoint: the dataset rows of
  the sentence positions [start, end) of one unit, with what finishing them reported, their
  rows per split and the filter's counts in the file's key-value metadata (so the shard is its
  own marker), and its rejected rows beside it (`….rejected.parquet`, written before it).

Every file is written under a temporary name, fsynced and renamed, so `kill -9` at any moment
leaves only complete files. A unit is done when it has a record and its shards cover
[0, sentences); a resumed build keeps what is covered and translates the rest.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from corpus.dataset.files import write_parquet_atomic
from corpus.names import ParquetSink, parquet_file

META_KEY = b"idcorpus"
_SHARD = re.compile(r"u(\d{8})-(\d{12})\.parquet")


@dataclass
class UnitRecord:
    unit: int
    digest: str
    parts: int  # document parts read
    documents: int  # documents whose last part is in this unit
    sentences: int
    report: dict[str, Any]
    rejected: int = 0
    totals: dict[str, Any] | None = None  # Offsets at the end (relative when `continues`)


@dataclass
class ShardInfo:
    unit: int
    start: int
    end: int
    rows: int
    splits: dict[str, int]
    report: dict[str, Any]
    rejected: int = 0
    filter: dict[str, Any] | None = None
    path: str = field(default="", compare=False)


def unit_file(units: Path, unit: int) -> Path:
    return units / f"u{unit:08d}.json"


def shard_file(shards: Path, unit: int, start: int) -> Path:
    return shards / f"u{unit:08d}-{start:012d}.parquet"


def rejected_file(path: Path) -> Path:
    """Where the rejected rows that go with a unit record or a shard are."""
    return path.with_name(path.name.split(".")[0] + ".rejected.parquet")


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_unit(units: Path, record: UnitRecord) -> None:
    """The unit's record (its rejected rows are written before, by a `RowSpill`)."""
    path = unit_file(units, record.unit)
    write_atomic(path, json.dumps(asdict(record), ensure_ascii=False).encode("utf-8"))


class RowSpill:
    """Rows written to a Parquet file as they come (a few thousand at a time), renamed into
    place by `close`: memory stays bounded however many rows a unit rejects."""

    ROWS = 8192

    def __init__(self, path: Path, schema: pa.Schema, to_table: Any) -> None:
        self.path, self.schema, self.to_table = path, schema, to_table
        self.tmp = path.with_name(path.name + ".tmp")
        self.rows: list[Any] = []
        self.count = 0
        self._writer: ParquetSink | None = None

    def add(self, rows: list[Any]) -> None:
        self.rows += rows
        if len(self.rows) >= self.ROWS:
            self._flush()

    def _flush(self) -> None:
        if self.rows:
            if self._writer is None:
                self._writer = ParquetSink(self.tmp, self.schema)
            self._writer.write_table(self.to_table(self.rows))
            self.count += len(self.rows)
            self.rows = []

    def close(self) -> int:
        """Write what is left and put the file in place (none without rows); the row count."""
        self._flush()
        if self._writer is not None:
            self._writer.close()
            with open(self.tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(self.tmp, self.path)
        return self.count


def load_unit(units: Path, unit: int) -> UnitRecord | None:
    try:
        data = json.loads(unit_file(units, unit).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return UnitRecord(**data)


def write_shard(shards: Path, info: ShardInfo, table: pa.Table, rejected: pa.Table | None) -> None:
    """The checkpoint `info` (its rows in `table`): rejected rows first, then the shard."""
    path = shard_file(shards, info.unit, info.start)
    if rejected is not None and rejected.num_rows:
        write_parquet_atomic(rejected_file(path), rejected)
    meta = dict(table.schema.metadata or {})
    meta[META_KEY] = json.dumps(asdict(info), ensure_ascii=False).encode("utf-8")
    write_parquet_atomic(path, table.replace_schema_metadata(meta))


def read_shard_info(path: Path) -> ShardInfo:
    meta = parquet_file(path).metadata.metadata or {}
    info = ShardInfo(**json.loads(meta[META_KEY]))
    info.path = str(path)
    return info


def shard_infos(shards: Path) -> dict[int, list[ShardInfo]]:
    """Every complete shard in the work area, by unit, in start order."""
    found: dict[int, list[ShardInfo]] = {}
    for path in sorted(shards.glob("u*-*.parquet")):
        if _SHARD.fullmatch(path.name):
            info = read_shard_info(path)
            found.setdefault(info.unit, []).append(info)
    return found


def cover(infos: list[ShardInfo]) -> tuple[list[ShardInfo], list[ShardInfo]]:
    """(the shards kept: non-overlapping, in start order; the ones overlapping them)."""
    kept: list[ShardInfo] = []
    extra: list[ShardInfo] = []
    for info in sorted(infos, key=lambda i: (i.start, -i.end)):
        if kept and info.start < kept[-1].end:
            extra.append(info)
        else:
            kept.append(info)
    return kept, extra


def gaps(kept: list[ShardInfo], sentences: int) -> list[tuple[int, int]]:
    """The position ranges of [0, sentences) that no kept shard covers."""
    out: list[tuple[int, int]] = []
    at = 0
    for info in kept:
        if info.start > at:
            out.append((at, info.start))
        at = max(at, info.end)
    if at < sentences:
        out.append((at, sentences))
    return out


def remove_shard(info: ShardInfo) -> None:
    path = Path(info.path)
    path.unlink(missing_ok=True)  # the marker first: a rejected file alone counts for nothing
    rejected_file(path).unlink(missing_ok=True)


@dataclass
class UnitStatus:
    """What the work area holds of one unit."""

    record: UnitRecord | None
    kept: list[ShardInfo]

    @property
    def done(self) -> bool:
        return self.record is not None and not gaps(self.kept, self.record.sentences)


def statuses(units: Path, shards: Path, count: int) -> list[UnitStatus]:
    """The status of units 0..count-1 (shards that overlap kept ones are removed)."""
    infos = shard_infos(shards)
    found = []
    for unit in range(count):
        kept, extra = cover(infos.get(unit, []))
        for info in extra:
            remove_shard(info)
        found.append(UnitStatus(load_unit(units, unit), kept))
    return found
