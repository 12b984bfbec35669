"""Documents -> prepared chunks: the producer thread of a local build (see corpus.pipeline.run).

    read (in order) -> repeat tracker -> resume replay -> prepare (workers, in order) -> chunks

The lines repeated across documents are decided here, in input order, before a worker sees a
document. On `--resume` the document parts of the finished chunks are read again and checked
against the checkpoint, then skipped. A chunk holds whole preparation tasks, about
`chunk_sentences` sentences; after the last one the queue gets an `End` (what the reader
reported), or a `Failed` with the error that stopped the thread.
"""

from __future__ import annotations

import hashlib
import queue
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from corpus.errors import OutputError
from corpus.pipeline.config import BuildConfig
from corpus.pipeline.pairs import Unit
from corpus.pipeline.paths import public_document
from corpus.pipeline.prepare import PrepareOptions
from corpus.pipeline.stream import Workers, batched
from corpus.pipeline.tasks import Doc, Offsets, PreparedBatch, prepare_task
from corpus.pipeline.workdir import WorkDir, WorkState
from corpus.read.inputs import iter_documents
from corpus.records import Document
from corpus.report import Report

DOCS_PER_TASK = 16  # documents per preparation task sent to a worker (fewer for tiny chunks)


@dataclass
class Chunk:
    index: int
    units: list[Unit]
    docs: list[list[Any]]
    report: Report
    part_base: dict[str, Any] | None


@dataclass
class End:
    report: Report  # what the reader reported after the last document


class Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class Producer:
    """Puts the chunks of a build on a queue, in order (run in its own thread)."""

    def __init__(self, config: BuildConfig, options: PrepareOptions, work: WorkDir) -> None:
        self.config, self.options, self.work = config, options, work

    def run(self, state: WorkState, workers: Workers, out: queue.Queue[Any]) -> None:
        try:
            read_report = Report()
            docs = iter_documents(self.config.inputs, self.config.read, read_report)
            stream = self._replay(self._tracked(docs, read_report), state)
            tasks = batched(stream, max(1, min(DOCS_PER_TASK, state.chunk_sentences // 64)))
            prepared = workers.map_ordered(prepare_task, ((t, self.options) for t in tasks))
            for chunk in self._chunks(prepared, state):
                out.put(chunk)
            out.put(End(read_report.take()))
        except BaseException as e:  # noqa: BLE001 - handed to the main thread
            out.put(Failed(e))

    def _tracked(self, docs: Iterator[Document], read_report: Report) -> Iterator[Doc]:
        """Each document with the lines to drop as repeated across documents (decided in
        input order) and what the reader reported while reading it."""
        tracker = None if self.options.presplit else _tracker()
        for doc in docs:
            drop = tracker.observe(_fingerprints(doc.text)) if tracker is not None else None
            doc = public_document(doc, self.config.inputs)
            digest = hashlib.sha256(doc.text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
            yield Doc(doc, drop, read_report.take(), [doc.doc_id, doc.part, digest])

    def _replay(self, stream: Iterator[Doc], state: WorkState) -> Iterator[Doc]:
        """Skip the document parts of finished chunks, checking that they read back the same."""
        done = self.work.done_documents(state) if state.docs_done else iter(())
        for expected in done:
            item = next(stream, None)
            if item is None or item.record != expected:
                found = item.record[:2] if item else "the end of the input"
                raise OutputError(
                    f"cannot resume {self.work.path}: the input changed since it started "
                    f"(expected document {expected[0]!r} part {expected[1]} with the same text, "
                    f"found {found}); restore it, or pass --overwrite instead of --resume"
                )
        yield from stream

    def _chunks(self, prepared: Iterator[PreparedBatch], state: WorkState) -> Iterator[Chunk]:
        """Chunks of whole preparation tasks, each of about `chunk_sentences` sentences
        (where a chunk ends changes no row: translations do not depend on their batch)."""
        offsets = Offsets(state.part_base, presplit=self.options.presplit)
        index, size = state.chunks_done, state.chunk_sentences
        units: list[Unit] = []
        docs: list[list[Any]] = []
        report = Report()
        for task in prepared:
            report.merge(task.report)
            start = 0
            for meta in task.docs:
                units += offsets.place(meta, task.units[start : start + meta.units])
                start += meta.units
                docs.append(meta.record)
            if len(units) >= size:
                yield Chunk(index, units, docs, report, offsets.snapshot())
                index, units, docs, report = index + 1, [], [], Report()
        if docs:
            yield Chunk(index, units, docs, report, offsets.snapshot())


def _tracker() -> Any:
    from corpus.clean.repeats import RepeatTracker

    return RepeatTracker()


def _fingerprints(text: str) -> frozenset[bytes]:
    from corpus.clean.cleaner import fingerprints

    return fingerprints(text)
