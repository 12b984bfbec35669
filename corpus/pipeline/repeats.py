"""Lines repeated across documents, decided over the whole input before any document is
cleaned: the first pass of a build, the same for every executor (issue 20.5).

The rule: a short line (a fingerprint of `corpus.clean.cleaner.fingerprints`: up to
`cross_doc_max_chars` characters, compared without case, spacing and edge punctuation) found
in at least `cross_doc_min_docs` documents of the input is dropped from every one of them. No
document keeps it for being early, so the first pages of a site lose their menus as the later
ones do, and the decision depends on the set of documents only: not on their order, on
`--jobs`, on how the input was cut into work units, or on the executor.

`needs_first_pass` says when the input cannot hold such a line (fewer one-document files than
`cross_doc_min_docs`): no first pass then. `unit_fingerprints` (pass 1, one task per work unit,
in any process) gives each document's distinct fingerprints with the document's key (the
parts of a large text file are one document). `RepeatCounter` counts, per fingerprint, the documents holding it: exactly, with
memory bounded by spilling (fingerprint, document) pairs to partition files in the work area
once `SPILL_PAIRS` are held, each partition then counted alone. `RepeatTable` is the result, a
sorted array of the fingerprints to drop, saved in the work area (a resumed build reuses it),
loaded once per process; `RepeatTable.drop` is the pure function every preparation task
calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from corpus.clean.cleaner import fingerprints
from corpus.clean.config import CleanConfig
from corpus.pipeline.plan import Plan, WorkUnit
from corpus.pipeline.units import unit_documents
from corpus.read.config import ReadConfig
from corpus.records import Document
from corpus.report import Report

ONE_DOCUMENT_FORMATS = frozenset({"text", "html"})  # a file of these is one document


def needs_first_pass(plan: Plan, min_docs: int = CleanConfig().cross_doc_min_docs) -> bool:
    """Whether the input can hold a line of `min_docs` documents: not when it is fewer files
    than that, each one document (text and HTML files; the parts of a large text file are one
    document). Then no line can go, and the first pass is skipped: one huge text file, or a
    gzip bomb, starts translating at once instead of being read whole first."""
    documents = set()
    for unit in plan.units:
        for source in unit.sources:
            if source.skip is not None:
                continue
            if source.path is None or source.fmt not in ONE_DOCUMENT_FORMATS:
                return True  # records, stdin: documents are known only by reading
            documents.add(source.name)
    return len(documents) >= max(min_docs, 1)


SPILL_PAIRS = 4 << 20  # (fingerprint, document) pairs held in memory before spilling (64 MiB)
PARTITIONS = 64  # spill files, by the fingerprint's top 6 bits
PARTITION_SHIFT = np.uint64(58)
PAIR = np.dtype([("fp", "<u8"), ("doc", "<u8")])


@dataclass
class Fingerprints:
    """Distinct short-line fingerprints (big-endian integers) per document, with its key."""

    docs: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    fps: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.uint64))

    def pairs(self) -> np.ndarray:
        out = np.empty(len(self.fps), dtype=PAIR)
        out["fp"], out["doc"] = self.fps, self.docs
        return np.unique(out)


def as_ints(fps: Iterable[bytes]) -> np.ndarray:
    return np.array([int.from_bytes(fp, "big") for fp in fps], dtype=np.uint64)


def unit_fingerprints(unit: WorkUnit, read: ReadConfig, inputs: tuple[str, ...]) -> Fingerprints:
    """Pass 1 over one work unit (what reading it reports is reported again in pass 2)."""
    docs: list[np.ndarray] = []
    fps: list[np.ndarray] = []
    for item in unit_documents(unit, read, inputs, Report()):
        found = as_ints(fingerprints(item.doc.text))
        fps.append(found)
        docs.append(np.full(len(found), item.doc_key, dtype=np.uint64))
    if not fps:
        return Fingerprints()
    return Fingerprints(np.concatenate(docs), np.concatenate(fps))


class RepeatCounter:
    """Documents per fingerprint, counted exactly in bounded memory (see the module doc)."""

    def __init__(self, spill: Path | None, config: CleanConfig = CleanConfig()) -> None:
        self.spill, self.min_docs = spill, config.cross_doc_min_docs
        self.held: list[np.ndarray] = []
        self.size = 0
        self.spilled = False

    def add(self, found: Fingerprints) -> None:
        if self.min_docs < 1 or not len(found.fps):
            return
        self.held.append(found.pairs())
        self.size += len(self.held[-1])
        if self.size >= SPILL_PAIRS and self.spill is not None:
            self._spill()

    def _spill(self) -> None:
        assert self.spill is not None
        self.spill.mkdir(parents=True, exist_ok=True)
        pairs = np.concatenate(self.held)
        part = (pairs["fp"] >> PARTITION_SHIFT).astype(np.int64)
        for k in range(PARTITIONS):
            chosen = pairs[part == k]
            if len(chosen):
                with open(self.spill / f"p{k:03d}.bin", "ab") as fh:
                    chosen.tofile(fh)
        self.held, self.size, self.spilled = [], 0, True

    def table(self) -> RepeatTable:
        """The fingerprints found in at least `cross_doc_min_docs` documents."""
        if self.min_docs < 1:
            return RepeatTable()
        if not self.spilled:
            return RepeatTable(_repeated(self.held, self.min_docs))
        if self.held:
            self._spill()
        assert self.spill is not None
        found = [
            _repeated([np.fromfile(path, dtype=PAIR)], self.min_docs)
            for path in sorted(self.spill.glob("p*.bin"))
        ]
        return RepeatTable(np.sort(np.concatenate(found)) if found else _NONE)


_NONE = np.empty(0, dtype=np.uint64)


def _repeated(chunks: list[np.ndarray], min_docs: int) -> np.ndarray:
    if not chunks:
        return _NONE
    pairs = np.unique(np.concatenate(chunks))  # a document counts once per line
    fps, counts = np.unique(pairs["fp"], return_counts=True)
    return np.asarray(fps[counts >= min_docs], dtype=np.uint64)


@dataclass
class RepeatTable:
    """The fingerprints of the lines every document drops (sorted)."""

    fps: np.ndarray = field(default_factory=lambda: _NONE)

    def drop(self, found: frozenset[bytes]) -> frozenset[bytes]:
        """Which of a document part's own fingerprints it drops."""
        if not len(self.fps) or not found:
            return frozenset()
        items = list(found)
        ints = as_ints(items)
        at = np.minimum(np.searchsorted(self.fps, ints), len(self.fps) - 1)
        hits = self.fps[at] == ints
        return frozenset(fp for fp, hit in zip(items, hits, strict=True) if hit)

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp.npy")
        np.save(tmp, self.fps)
        tmp.replace(path)


@lru_cache(maxsize=2)
def load(path: str) -> RepeatTable:
    """The table saved at `path` (once per process)."""
    return RepeatTable(np.load(path))


def table_of(documents: Iterable[Document]) -> RepeatTable:
    """The table of a stream of documents read in one process (`idcorpus clean`): the parts of
    a document are one document."""
    counter = RepeatCounter(None)
    key = -1
    for doc in documents:
        key += doc.part == 0
        found = as_ints(fingerprints(doc.text))
        counter.add(Fingerprints(np.full(len(found), max(key, 0), dtype=np.uint64), found))
    return counter.table()
