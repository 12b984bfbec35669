"""A work unit -> its documents, each with its place in the whole input.

`unit_documents` reads a unit's sources exactly as `corpus.read.inputs.iter_documents` reads
them (the same readers, the enumeration events before each source), in any process. Each
document part comes with its document's key (a number all its parts share, sorting in input
order), so that rules over the whole input (repeated lines) can name a document without
counting what came before it; `last` says whether it is the last part of its document. `UnitDigest` hashes a unit's documents (ids, parts and
texts): checked when a build is resumed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import NamedTuple

from corpus.pipeline.paths import public_document
from corpus.pipeline.plan import WorkUnit
from corpus.read.config import ReadConfig
from corpus.read.inputs import READERS
from corpus.records import Document
from corpus.report import Report

SOURCE_SHIFT = 40
"""A key is source index << SOURCE_SHIFT | the document's number in its source."""


class UnitDoc(NamedTuple):
    doc: Document  # with public names (no machine-specific path)
    doc_key: int
    last: bool  # the last part of its document
    record: list[str | int]  # [doc_id, part, hash of the text]: what the unit digest covers


def unit_documents(
    unit: WorkUnit, read: ReadConfig, inputs: tuple[str, ...], report: Report
) -> Iterator[UnitDoc]:
    """The documents of `unit`, in order; reader events go to `report` as they happen."""
    for i, (source, events) in enumerate(zip(unit.sources, unit.events, strict=True)):
        report.merge(Report.from_state(events))
        base = (unit.first_source + i) << SOURCE_SHIFT
        ordinal = -1
        pending: Document | None = None
        for doc in READERS[source.fmt](source, read, report):
            if pending is not None:
                yield _item(pending, base, ordinal, last=doc.part == 0, inputs=inputs)
            if doc.part == 0 or ordinal < 0:  # a range of parts starts inside its document
                ordinal += 1
            pending = doc
        if pending is not None:
            final = unit.final or i < len(unit.sources) - 1
            yield _item(pending, base, ordinal, last=final, inputs=inputs)


def _item(
    doc: Document, base: int, ordinal: int, *, last: bool, inputs: tuple[str, ...]
) -> UnitDoc:
    public = public_document(doc, inputs)
    return UnitDoc(public, base | ordinal, last, record(public))


def record(doc: Document) -> list[str | int]:
    text = hashlib.sha256(doc.text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return [doc.doc_id, doc.part, text]


class UnitDigest:
    """A hash of a unit's documents, fed in order."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, record: list[str | int]) -> None:
        self._hash.update((json.dumps(record) + "\n").encode("utf-8", "surrogatepass"))

    def hexdigest(self) -> str:
        return self._hash.hexdigest()[:16]


def unit_digest(unit: WorkUnit, read: ReadConfig, inputs: tuple[str, ...]) -> str:
    """The digest of `unit`'s documents, read again (a resumed build checks it)."""
    digest = UnitDigest()
    for item in unit_documents(unit, read, inputs, Report()):
        digest.add(item.record)
    return digest.hexdigest()
