"""Work units -> prepared sentences, in order: the reading side of a local build (a thread).

    read a unit's documents (in order) -> prepare tasks of at most TASK_BYTES of text
    (`--jobs` workers, in order) -> the unit's sentences, numbered 0, 1, 2, ... -> the queue

When a unit's preparation ends its record is written (corpus.pipeline.checkpoints): the digest
of its documents, its counts and report, and its rejected rows. A unit that already has one (a
resumed build) is read again and must give the same digest. A finished unit (record, and shards
covering its sentences) is only read again to check that digest. The queue gets, in order,
`Sentences`, `UnitEnd` and, after the last unit, `End`; or `Failed` with the error that stopped
the thread.
"""

from __future__ import annotations

import queue
from collections.abc import Iterator
from dataclasses import dataclass, field

from corpus.dataset.schema import rejected_schema, rejected_table
from corpus.errors import OutputError
from corpus.pipeline.checkpoints import (
    RowSpill,
    UnitRecord,
    load_unit,
    rejected_file,
    unit_file,
    write_unit,
)
from corpus.pipeline.pairs import Unit
from corpus.pipeline.paths import public_rejected
from corpus.pipeline.plan import WorkUnit
from corpus.pipeline.prepare import PrepareOptions
from corpus.pipeline.stream import Workers
from corpus.pipeline.tasks import DocMeta, Offsets, PreparedBatch, PrepItem, prepare_task
from corpus.pipeline.units import UnitDigest, unit_digest, unit_documents
from corpus.pipeline.workdir import WorkDir
from corpus.read.config import ReadConfig
from corpus.report import Report

TASK_BYTES = 256 << 10  # text per preparation task (a few seconds of cleaning at most)
TASK_DOCUMENTS = 64


@dataclass
class Sentences:
    """Sentences `start`.. of a unit, with the document parts they came from."""

    unit: int
    start: int
    units: list[Unit]
    docs: list[DocMeta]


@dataclass
class UnitEnd:
    unit: int
    sentences: int
    documents: int  # documents that end in this unit (for progress)
    done: bool = False  # finished before: only checked


@dataclass
class End:
    pass


class Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


@dataclass
class Feed:
    """Feeds the units of a build, in order, to a queue (run in its own thread)."""

    units: list[WorkUnit]
    done: set[int]  # units finished before (checked only)
    read: ReadConfig
    inputs: tuple[str, ...]
    options: PrepareOptions
    table: str | None
    work: WorkDir
    rejected: bool = True
    _state: UnitPrep | None = field(default=None, repr=False)

    def run(self, workers: Workers, out: queue.Queue[object]) -> None:
        try:
            items = self._tasks()
            results = workers.map_ordered(_run, items)
            for result in results:
                self._handle(result, out)
            out.put(End())
        except BaseException as e:  # noqa: BLE001 - handed to the main thread
            out.put(Failed(e))

    def _tasks(self) -> Iterator[object]:
        """Preparation tasks and, before and after each unit's, its markers."""
        for unit in self.units:
            if unit.index in self.done:
                yield _Check(unit, self.read, self.inputs, self.work)
            else:
                yield from unit_tasks(unit, self.read, self.inputs, self.options, self.table)

    def _handle(self, result: object, out: queue.Queue[object]) -> None:
        if isinstance(result, _Open):
            self._state = UnitPrep(
                result.unit, self.options.presplit, self.work, self.rejected, self.inputs
            )
        elif isinstance(result, UnitEnd):
            out.put(result)
        else:
            assert self._state is not None
            out.put(self._state.handle(result))


def unit_tasks(
    unit: WorkUnit, read: ReadConfig, inputs: tuple[str, ...], options: PrepareOptions,
    table: str | None,
) -> Iterator[object]:  # fmt: skip
    """A unit's markers and preparation tasks (of at most TASK_BYTES of text each)."""
    yield _Open(unit)
    report, digest = Report(), UnitDigest()
    batch: list[PrepItem] = []
    size = 0
    for item in unit_documents(unit, read, inputs, report):
        digest.add(item.record)
        batch.append(PrepItem(item.doc, item.last, report.take()))
        size += len(item.doc.text)
        if size >= TASK_BYTES or len(batch) >= TASK_DOCUMENTS:
            yield (batch, options, table)
            batch, size = [], 0
    if batch:
        yield (batch, options, table)
    yield _Close(unit, digest.hexdigest(), report.take())


def prepare_unit(
    unit: WorkUnit, read: ReadConfig, inputs: tuple[str, ...], options: PrepareOptions,
    table: str | None, work: WorkDir, rejected: bool,
) -> Iterator[Sentences | UnitEnd]:  # fmt: skip
    """A whole unit prepared in this process (a Ray task): its sentences, then its end (its
    record written, or checked against the one a resumed build has)."""
    state = UnitPrep(unit, options.presplit, work, rejected, inputs)
    for task in unit_tasks(unit, read, inputs, options, table):
        if not isinstance(task, _Open):
            yield state.handle(_run(task))


class UnitPrep:
    """A unit being prepared: its positions, report and rejected rows so far."""

    def __init__(
        self, unit: WorkUnit, presplit: bool, work: WorkDir, keep: bool, inputs: tuple[str, ...]
    ) -> None:
        self.unit, self.offsets, self.work, self.inputs = unit, Offsets(presplit), work, inputs
        self.old = load_unit(work.units, unit.index)  # a resumed unit: its record stands
        self.keep = keep and self.old is None
        self.sentences = self.parts = self.documents = 0
        self.report = Report()
        path = rejected_file(unit_file(work.units, unit.index))
        self.rejected = RowSpill(path, rejected_schema(), rejected_table)

    def handle(self, result: object) -> Sentences | UnitEnd:
        if isinstance(result, PreparedBatch):
            return self.add(result)
        assert isinstance(result, _Close)
        return self.close(result)

    def add(self, batch: PreparedBatch) -> Sentences:
        start, placed = 0, []
        docs = []
        for meta in batch.docs:
            units, rejected = self.offsets.place(meta, batch.units[start : start + meta.units])
            start += meta.units
            placed += units
            if self.keep:
                self.rejected.add(public_rejected(rejected, self.inputs))
            docs.append(meta._replace(rejected=[]))
            self.documents += meta.last
        self.parts += len(batch.docs)
        self.report.merge(batch.report)
        item = Sentences(self.unit.index, self.sentences, placed, docs)
        self.sentences += len(placed)
        return item

    def close(self, end: _Close) -> UnitEnd:
        rows = end.read.take_rejected()
        self.report.merge(end.read)
        old = self.old
        if old is None:
            if self.keep:
                self.rejected.add(public_rejected(rows, self.inputs))
            record = UnitRecord(self.unit.index, end.digest, self.parts, self.documents,
                                self.sentences, self.report.to_dict(), self.rejected.close(),
                                self.offsets.snapshot())  # fmt: skip
            write_unit(self.work.units, record)
        elif (old.digest, old.sentences) != (end.digest, self.sentences):
            raise changed(self.work, self.unit)
        return UnitEnd(self.unit.index, self.sentences, self.documents)


def changed(work: WorkDir, unit: WorkUnit) -> OutputError:
    return OutputError(
        f"cannot resume {work.path}: the documents of {unit.names()} changed since the build "
        "started; restore them, or pass --overwrite instead of --resume"
    )


@dataclass
class _Open:
    unit: WorkUnit


@dataclass
class _Close:
    unit: WorkUnit
    digest: str
    read: Report


@dataclass
class _Check:
    """A finished unit: its documents are read again and compared with its record."""

    unit: WorkUnit
    read: ReadConfig
    inputs: tuple[str, ...]
    work: WorkDir


def _run(item: object) -> object:
    """One item of the feed, in a worker: a preparation task, or a check; markers pass."""
    if isinstance(item, tuple):
        return prepare_task(item)
    if isinstance(item, _Check):
        record = load_unit(item.work.units, item.unit.index)
        assert record is not None
        if unit_digest(item.unit, item.read, item.inputs) != record.digest:
            raise changed(item.work, item.unit)
        return UnitEnd(item.unit.index, record.sentences, record.documents, done=True)
    return item
