"""Inputs -> manifest: every input file with its size and modification time, before reading.

A fast pre-scan (stat calls, no reading of text files) serves two purposes:
- the resume check: a resumed build compares the manifest with the one stored when the build
  started, and refuses changed, added or removed inputs, naming them (content is checked too,
  document by document, when the finished part is replayed: see corpus.pipeline.workdir);
- the progress bar's total: an estimate of the number of documents (one per text or HTML file,
  lines of JSON Lines/CSV/TSV files counted, Parquet row counts from the footer).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from corpus.names import parquet_file
from corpus.read.config import ReadConfig
from corpus.read.inputs import _plan, _sources
from corpus.read.paths import Source
from corpus.report import Report

log = logging.getLogger(__name__)

COUNT_LINES_UP_TO = 256 << 20
"""Record files up to this size have their lines counted; larger ones are estimated from their
first `SAMPLE_BYTES`."""
SAMPLE_BYTES = 16 << 20
COMPRESSED_UP_TO = 64 << 20
"""Compressed record files up to this size are decompressed and counted; larger: unknown."""


@dataclass(frozen=True)
class Entry:
    """One input: where (as the reports name it), size and mtime (-1 when unknown: stdin,
    datasets by name), and the estimated number of documents (None when unknown)."""

    input: str
    size: int
    mtime_ns: int
    documents: int | None

    def key(self) -> tuple[int, int]:
        return self.size, self.mtime_ns

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def scan(inputs: Sequence[str], config: ReadConfig) -> Iterator[Entry]:
    """The manifest of `inputs`, in reading order (problems are reported when reading)."""
    report = Report()
    for arg in inputs:
        for src in _sources(arg, _plan(arg, config), config, report):
            yield _entry(src, config)


def _entry(src: Source, config: ReadConfig) -> Entry:
    if src.path is None:
        return Entry(src.location, -1, -1, None)
    if src.skip is not None:
        return Entry(src.location, -1, -1, 0)
    try:
        st = src.path.stat()
    except OSError:
        return Entry(src.location, -1, -1, 0)  # reported as skipped when it is read
    if src.path.is_dir():
        return Entry(src.location, -1, st.st_mtime_ns, _dataset_rows(src.path))
    return Entry(src.location, st.st_size, st.st_mtime_ns, _documents(src, st.st_size, config))


def estimate_documents(src: Source, config: ReadConfig) -> int | None:
    """The estimated number of documents of one source (None when unknown)."""
    return _entry(src, config).documents


def _documents(src: Source, size: int, config: ReadConfig) -> int | None:
    assert src.path is not None
    if src.fmt in ("text", "html"):
        return 1  # a large text file too: one document, read in parts
    if src.fmt in ("jsonl", "csv", "tsv"):
        lines = _count_lines(src, size)
        return None if lines is None else max(0, lines - (0 if src.fmt == "jsonl" else 1))
    if src.fmt == "parquet":
        return _parquet_rows(src.path)
    return None


def _count_lines(src: Source, size: int) -> int | None:
    """Lines of a record file: counted up to COUNT_LINES_UP_TO bytes, else estimated from the
    first SAMPLE_BYTES; a compressed file over COMPRESSED_UP_TO is left unknown (None)."""
    from corpus.errors import InputError
    from corpus.read.streams import open_input

    assert src.path is not None
    if src.compression and size > COMPRESSED_UP_TO:
        return None
    try:
        with open_input(src.path, src.compression) as stream:
            lines = read = 0
            while block := stream.read(1 << 20):
                lines += block.count(b"\n")
                read += len(block)
                if not src.compression and size > COUNT_LINES_UP_TO and read >= SAMPLE_BYTES:
                    return int(lines * size / read)
            return lines
    except (OSError, InputError):
        return 0  # reported when it is read


def _parquet_rows(path: Path) -> int | None:
    try:
        return int(parquet_file(path).metadata.num_rows)
    except Exception:  # noqa: BLE001 - a broken file is reported when it is read
        return None


def _dataset_rows(path: Path) -> int | None:
    return None


def compare(old: list[dict[str, Any]], new: list[Entry], limit: int = 10) -> list[str]:
    """Lines naming each input that changed, appeared or disappeared since `old`."""
    before = {e["input"]: (e["size"], e["mtime_ns"]) for e in old}
    after = {e.input: e.key() for e in new}
    lines = []
    for name, key in after.items():
        if name not in before:
            lines.append(f"added: {name}")
        elif before[name] != key:
            size, _ = before[name]
            lines.append(f"changed: {name} (size {size} -> {key[0]}, or modified since)")
    lines += [f"removed: {name}" for name in before if name not in after]
    if len(lines) > limit:
        lines = lines[:limit] + [f"... and {len(lines) - limit} more"]
    return lines


class Total:
    """The documents and bytes of a manifest, summed while it streams by (the progress bar's
    total; None when an input's size is unknown, as stdin's)."""

    def __init__(self) -> None:
        self.documents = self.size = 0
        self.unknown = self.unknown_size = False

    def count(self, entries: Iterable[Entry]) -> Iterator[Entry]:
        for entry in entries:
            self.unknown |= entry.documents is None
            self.documents += entry.documents or 0
            self.unknown_size |= entry.size < 0
            self.size += max(entry.size, 0)
            yield entry

    def value(self) -> int | None:
        return None if self.unknown else self.documents

    def bytes(self) -> int | None:
        return None if self.unknown_size else self.size
