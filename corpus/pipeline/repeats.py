"""Lines repeated across documents, decided over the whole input before any document is
cleaned: the first pass of a build, the same for every executor.

`unit_fingerprints` (pass 1, one task per work unit, in any process) gives the fingerprints of
the short lines of each document part of a unit (`corpus.clean.cleaner.fingerprints`) with
the part's and the document's keys. `RepeatTable.build` turns them into the table of lines to
drop, and `RepeatTable.drop` is the pure function every preparation task calls: which
fingerprints one document part drops. The rule: a line kept by its first
`cross_doc_min_docs - 1` document parts in input order is dropped from every later one, for
the first `max_tracked_lines` distinct lines in input order (what one process cleaning the
documents in turn with a `corpus.clean.repeats.RepeatTracker` decides).

The table is saved in the work area (`save`) and loaded once per process (`load`), so a
resumed build and every worker use the same one.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from corpus.clean.cleaner import fingerprints
from corpus.clean.config import CleanConfig
from corpus.pipeline.plan import WorkUnit
from corpus.pipeline.units import unit_documents
from corpus.read.config import ReadConfig
from corpus.report import Report


class Fingerprints(NamedTuple):
    """Short-line fingerprints of document parts (as big-endian integers), with their keys."""

    part_keys: np.ndarray
    doc_keys: np.ndarray
    fps: np.ndarray

    @classmethod
    def empty(cls) -> Fingerprints:
        return cls(*(np.empty(0, dtype=np.uint64) for _ in range(3)))


def as_ints(fps: Iterable[bytes]) -> list[int]:
    """Fingerprints as big-endian integers, sorted (so that integers sort as the digests)."""
    return sorted(int.from_bytes(fp, "big") for fp in fps)


def unit_fingerprints(unit: WorkUnit, read: ReadConfig, inputs: tuple[str, ...]) -> Fingerprints:
    """Pass 1 over one work unit (what it reports is reported again in pass 2)."""
    part_keys: list[int] = []
    doc_keys: list[int] = []
    fps: list[int] = []
    for item in unit_documents(unit, read, inputs, Report()):
        found = as_ints(fingerprints(item.doc.text))
        fps += found
        part_keys += [item.part_key] * len(found)
        doc_keys += [item.doc_key] * len(found)
    return Fingerprints(*(np.array(a, dtype=np.uint64) for a in (part_keys, doc_keys, fps)))


@dataclass
class RepeatTable:
    """Fingerprint -> the part keys that keep the line (every other part drops it)."""

    keep: dict[int, frozenset[int]] = field(default_factory=dict)

    @classmethod
    def build(
        cls, passes: Iterable[Fingerprints], config: CleanConfig = CleanConfig()
    ) -> RepeatTable:
        """The table of the whole input, from each unit's pass 1 in input order."""
        need = config.cross_doc_min_docs - 1
        chunks = list(passes)
        if need < 1 or not chunks:
            return cls()
        keys = np.concatenate([c.part_keys for c in chunks])
        fps = np.concatenate([c.fps for c in chunks])
        order = np.lexsort((fps, keys))  # input order; a part's lines by fingerprint
        keys, fps = keys[order], fps[order]
        distinct, first = np.unique(fps, return_index=True)
        tracked = distinct[np.argsort(first, kind="stable")][: config.max_tracked_lines]
        mask = np.isin(fps, tracked)
        keys, fps = keys[mask], fps[mask]
        order = np.lexsort((keys, fps))
        keys, fps = keys[order], fps[order]
        if not len(fps):
            return cls()
        starts = np.flatnonzero(np.r_[True, fps[1:] != fps[:-1]])
        ends = np.r_[starts[1:], len(fps)]
        keep = {
            int(fps[s]): frozenset(int(k) for k in keys[s : s + need])
            for s, e in zip(starts, ends, strict=True)
            if e - s > need
        }
        return cls(keep)

    def drop(self, part_key: int, doc_key: int, found: frozenset[bytes]) -> frozenset[bytes]:
        """The fingerprints (of `found`, a part's own) that this document part drops."""
        if not self.keep:
            return frozenset()
        return frozenset(
            fp
            for fp in found
            if (keep := self.keep.get(int.from_bytes(fp, "big"))) is not None
            and part_key not in keep
        )

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(pickle.dumps(self.keep, protocol=5))
        tmp.replace(path)


@lru_cache(maxsize=2)
def load(path: str) -> RepeatTable:
    """The table saved at `path` (once per process)."""
    return RepeatTable(pickle.loads(Path(path).read_bytes()))  # noqa: S301 - our work area
