"""Orchestration only: stream documents through read -> clean -> segment -> translate -> pairs
-> dataset, in resumable chunks, with the CPU stages in worker processes (`--jobs`).

    producer thread:  read (in order) -> repeat tracker -> prepare (workers, in order) -> chunks
    main thread:      chunk -> translate (cache, engine) -> rows + signals + shard (workers)
                      -> checkpoint (in order) ... -> assemble the dataset -> publish

Documents keep their input order everywhere, and the only state that crosses documents (lines
repeated across documents) is decided in that order before the workers see a document, so the
dataset is byte-identical whatever `--jobs` is. Queues are bounded (a few tasks and chunks
ahead), so memory stays flat, and the engine gets the next chunk as soon as it is free.

Chunks hold whole document parts (about `chunk_sentences` sentences). Each translated chunk
becomes a shard in the work area, followed by a checkpoint; `--resume` replays the finished
documents (checking that they read back identical) and continues with the rest. The dataset
is assembled from the shards through the one dataset writer and appears in one rename.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, NamedTuple

from corpus.assemble import add_by_split, iter_tables
from corpus.config import BuildConfig
from corpus.dataset import BASE_DOCS, arrow_schema, columns, iter_rows, rows_to_table, split_of
from corpus.errors import InputError, OutputError, StorageError
from corpus.filter import filter_rows
from corpus.identity import RunIdentity
from corpus.manifest import Total, scan
from corpus.pairs import Unit, rows_of
from corpus.prepare import PrepareOptions, prepare
from corpus.progress import Progress, SliceSizer
from corpus.read import iter_documents
from corpus.records import Document
from corpus.report import Report
from corpus.stream import Workers, batched
from corpus.workdir import BuildLock, WorkDir, WorkState, is_disk_error
from corpus.writer import DatasetWriter, EmptyDatasetError
from translate.base import Translation, Translator

log = logging.getLogger(__name__)
DOCS_PER_TASK = 16  # documents per preparation task sent to a worker (fewer for tiny chunks)
CHUNKS_AHEAD = 2  # prepared chunks waiting for the engine
CHUNKS_FINISHING = 2  # translated chunks being turned into rows at once
UNITS_PER_FINISH = 512  # sentences per task that turns translations into rows


@dataclass
class Summary:
    out: Path
    report: Report
    documents: int
    sentences: int
    pairs_written: int
    split_counts: dict[str, int]
    elapsed_s: float
    provenance: dict[str, Any] = field(default_factory=dict)
    cache_stats: dict[str, int] = field(default_factory=dict)

    @property
    def sentences_per_s(self) -> float:
        return self.sentences / self.elapsed_s if self.elapsed_s > 0 else 0.0


def build(
    config: BuildConfig,
    translator: Translator | None = None,
    *,
    engine: Translator | None = None,
    engine_factory: Callable[[], Translator] | None = None,
) -> Summary:
    """Build the dataset folder `config.out`; returns the run's summary.

    By default the engine is loaded here, after the inputs and the output were checked.
    `engine`: an already loaded engine (with its robustness layer), used behind the build's
    translation cache and not closed (evaluations of several sets). `translator`: a loaded
    Translator used exactly as given, without the cache (tests, benchmarks).
    `engine_factory` (Ray builds): makes the engine in each actor."""
    started = time.perf_counter()
    out = Path(config.out)
    iter_documents(config.inputs, config.read, Report())  # a missing input fails now
    from corpus.paths import check_output

    check_output(config)
    with BuildLock(out):
        if out.exists() and not config.overwrite:
            raise OutputError(f"{out} already exists: pass --overwrite to replace it")
        work = WorkDir(out)
        work.check_start(resume=config.resume, overwrite=config.overwrite)
        try:
            if config.executor == "ray":
                from corpus.ray_build import build_on_ray

                return build_on_ray(config, out, work, engine_factory, started)
            return _build_here(config, out, work, translator, engine, started)
        except OSError as e:
            if is_disk_error(e):
                raise StorageError(
                    f"cannot write {e.filename or out}: {e.strerror}; free space (or make it "
                    "writable) and rerun the same command with --resume"
                ) from e
            raise


def _build_here(
    config: BuildConfig,
    out: Path,
    work: WorkDir,
    translator: Translator | None,
    engine: Translator | None,
    started: float,
) -> Summary:
    from corpus.engines import close_translator, load_engine, with_cache

    loaded = translator or engine or load_engine(config)
    identity = RunIdentity.create(config, loaded.describe())
    chain = translator or with_cache(loaded, config, identity)
    try:
        return _Run(config, out, work, chain, identity).run(started)
    finally:
        if translator is None:
            close_cache = getattr(chain, "close", None)
            if engine is None:
                close_translator(chain)
            elif callable(close_cache):
                close_cache()  # the cache only: the caller keeps its engine


@dataclass
class _Doc:
    """A document on its way to a worker, with what the reader reported before it."""

    doc: Document
    drop: frozenset[bytes] | None
    read: Report
    record: list[Any]  # [doc_id, part, hash of the text]: checked on --resume


@dataclass
class _Chunk:
    index: int
    units: list[Unit]
    docs: list[list[Any]]
    report: Report
    part_base: dict[str, Any] | None


@dataclass
class _End:
    report: Report  # what the reader reported after the last document


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class _Run:
    def __init__(
        self,
        config: BuildConfig,
        out: Path,
        work: WorkDir,
        translator: Translator,
        identity: RunIdentity,
    ) -> None:
        self.config, self.out, self.work = config, out, work
        self.translator, self.identity = translator, identity
        self.options = PrepareOptions(presplit=config.read.presplit)
        self.report = Report()
        self.sizer = SliceSizer()

    def run(self, started: float) -> Summary:
        total = Total()
        state = self.work.open(
            self.identity.resume_key(),
            total.count(scan(self.config.inputs, self.config.read)),
            self.config.effective_chunk,
            resume=self.config.resume,
        )
        if state.chunks_done:
            self.report.restore(state.report)
        with (
            Workers(self.config.jobs, warm_up=_warm_up(self.config)) as workers,
            Progress(total.value(), initial=state.docs_done, quiet=self.config.quiet) as bar,
        ):
            chunks: queue.Queue[Any] = queue.Queue(maxsize=CHUNKS_AHEAD)
            producer = threading.Thread(
                target=self._produce, args=(state, workers, chunks), daemon=True
            )
            producer.start()
            trailing = self._consume(state, workers, chunks, bar)
        self.report.merge(trailing)
        if self.report.counts["documents"] == 0:
            self.work.remove()
            raise InputError(self._nothing_usable())
        prov = self.identity.provenance()
        counts = self._assemble(state, prov)
        self.work.remove()
        return Summary(
            self.out,
            self.report,
            self.report.counts["documents"],
            self.report.counts["sentences"],
            sum(counts.values()),
            counts,
            time.perf_counter() - started,
            prov,
            _cache_stats(self.translator),
        )

    # producer thread ---------------------------------------------------------------------

    def _produce(self, state: WorkState, workers: Workers, out: queue.Queue[Any]) -> None:
        try:
            read_report = Report()
            docs = iter_documents(self.config.inputs, self.config.read, read_report)
            stream = self._replay(self._tracked(docs, read_report), state)
            tasks = batched(stream, max(1, min(DOCS_PER_TASK, state.chunk_sentences // 64)))
            prepared = workers.map_ordered(_prepare_task, ((t, self.options) for t in tasks))
            for chunk in self._chunks(prepared, state):
                out.put(chunk)
            out.put(_End(read_report.take()))
        except BaseException as e:  # noqa: BLE001 - handed to the main thread
            out.put(_Failed(e))

    def _tracked(self, docs: Iterator[Document], read_report: Report) -> Iterator[_Doc]:
        """Each document with the lines to drop as repeated across documents (decided in
        input order) and what the reader reported while reading it."""
        tracker = None if self.options.presplit else _tracker()
        for doc in docs:
            drop = tracker.observe(_fingerprints(doc.text)) if tracker is not None else None
            doc = public_document(doc, self.config.inputs)
            digest = hashlib.sha256(doc.text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
            yield _Doc(doc, drop, read_report.take(), [doc.doc_id, doc.part, digest])

    def _replay(self, stream: Iterator[_Doc], state: WorkState) -> Iterator[_Doc]:
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

    def _chunks(self, prepared: Iterator[_Prepared], state: WorkState) -> Iterator[_Chunk]:
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
                yield _Chunk(index, units, docs, report, offsets.snapshot())
                index, units, docs, report = index + 1, [], [], Report()
        if docs:
            yield _Chunk(index, units, docs, report, offsets.snapshot())

    # main thread -------------------------------------------------------------------------

    def _consume(
        self, state: WorkState, workers: Workers, chunks: queue.Queue[Any], bar: Progress
    ) -> Report:
        finishing: deque[tuple[_Chunk, list[Future[tuple[Any, Report]]]]] = deque()
        while True:
            item = chunks.get()
            if isinstance(item, _Failed):
                raise item.error
            if isinstance(item, _End):
                break
            translations = [_fields(t) for t in self._translate(item, bar)]
            step = UNITS_PER_FINISH
            tasks = [
                _FinishTask(
                    item.units[i : i + step],
                    translations[i : i + step],
                    self.config.signals,
                    self.options.presplit,
                )
                for i in range(0, len(item.units), step)
            ]
            finishing.append((item, [workers.submit(_finish_task, t) for t in tasks]))
            while finishing and (
                len(finishing) > CHUNKS_FINISHING or all(f.done() for f in finishing[0][1])
            ):
                self._commit(state, *finishing.popleft())
        while finishing:
            self._commit(state, *finishing.popleft())
        return item.report

    def _translate(self, chunk: _Chunk, bar: Progress) -> list[Translation]:
        """Each distinct sentence of the chunk once, shortest first, in slices sized so the
        progress bar moves every few seconds (a length-sorted slice pads no more than the
        whole list would). On Ray the chunk goes in one piece (each call starts a pool)."""
        unique = sorted({u.text for u in chunk.units}, key=lambda t: (len(t), t))
        if not unique:
            bar.advance(len(chunk.docs), 0)
            return []
        done: dict[str, Translation] = {}
        share = len(chunk.docs) / len(unique)
        start = 0
        while start < len(unique):
            step = len(unique) if self.config.executor == "ray" else self.sizer.size
            part = unique[start : start + step]
            began = time.monotonic()
            done.update(zip(part, self.translator.translate_batch(part), strict=True))
            self.sizer.record(len(part), time.monotonic() - began)
            bar.advance(share * len(part), len(part))
            start += step
        return [done[u.text] for u in chunk.units]

    def _commit(
        self, state: WorkState, chunk: _Chunk, futures: list[Future[tuple[Any, Report]]]
    ) -> None:
        """Write the chunk's shard (its rows, in order) and then its checkpoint."""
        import pyarrow as pa

        from corpus.dataset import write_parquet_atomic

        results = [f.result() for f in futures]
        self.report.merge(chunk.report)
        for _, finish_report in results:
            self.report.merge(finish_report)
        tables = [table for table, _ in results] or [rows_to_table([], self._schema())]
        write_parquet_atomic(self.work.shard_path(chunk.index), pa.concat_tables(tables))
        self.work.commit_chunk(
            state, chunk.index, chunk.docs, self.report.to_dict(), chunk.part_base
        )

    def _schema(self) -> Any:
        return schema_of(self.config.signals, self.options.presplit)

    # assembly ----------------------------------------------------------------------------

    def _assemble(self, state: WorkState, prov: dict[str, Any]) -> dict[str, int]:
        from corpus.signals import SIGNAL_COLUMNS, SIGNAL_DOCS

        config = self.config
        cols = columns(SIGNAL_COLUMNS if config.signals else {}, presplit=self.options.presplit)
        writer = DatasetWriter(
            self.work.staging(),
            cols,
            splits=[s for s, _ in config.splits],
            docs={**BASE_DOCS, **(SIGNAL_DOCS if config.signals else {})},
        )
        filter_report = None
        if config.filter is None:
            for table in iter_tables(self.work.shard_files(state)):
                add_by_split(writer, table, config.splits, config.seed)
        else:
            rows, filter_report = filter_rows(
                iter_rows(self.work.shard_files(state)), config.filter
            )
            for row in rows:
                writer.add(split_of(row["doc_id"], config.splits, config.seed), row)
        freport = filter_report.to_dict() if filter_report is not None else None
        for rule, n in (freport or {}).get("dropped", {}).items():
            self.report.drop("filter", rule, n)
        try:
            finished = writer.finish(
                self.out,
                name=f"idcorpus id-en: {self.out.name}",
                provenance=prov,
                report=self.report,
                filter_report=freport,
                overwrite=config.overwrite,
                empty_split="split {split!r} received no documents and is left out of the dataset "
                f"({self.report.counts['documents']} documents in all); use more documents or a "
                "larger fraction",
            )
        except EmptyDatasetError as e:
            self.work.remove()
            raise OutputError(self._empty(freport)) from e
        return finished.counts

    def _nothing_usable(self) -> str:
        from corpus.read_streams import utf8_name

        inputs = ", ".join(utf8_name(arg) for arg in self.config.inputs)
        lines = [f"nothing usable in the input ({inputs}): no document was read"]
        lines += [f"  skipped {src}: {why}" for src, why in self.report.skipped_inputs[:20]]
        return "\n".join(lines)

    def _empty(self, freport: dict[str, Any] | None) -> str:
        """Why a build wrote no row, by cause; nothing was published."""
        r = self.report
        head = f"no dataset written to {self.out}: "
        if freport and freport.get("input_rows"):
            rules = ", ".join(f"{k} {v}" for k, v in freport["dropped"].items() if v)
            return (
                head + f"the filter dropped all {freport['input_rows']} rows ({rules}); "
                "relax the filter options or build without them"
            )
        if not r.counts["sentences"]:
            reasons = ", ".join(f"{k} {v}" for k, v in sorted(r.dropped.items()))
            return (
                head + f"the {r.counts['documents']} document(s) held no sentence after cleaning "
                f"(dropped: {reasons or 'nothing'}); check the input, or use --presplit for "
                "one sentence per line"
            )
        reasons = ", ".join(
            f"{k} {v}" for k, v in sorted(r.dropped.items()) if k.startswith("translate:")
        )
        return head + f"every translation was dropped ({reasons})"


# worker-side functions (picklable, pure) ---------------------------------------------------


class _DocMeta(NamedTuple):
    """What the main process keeps of a prepared document part."""

    record: list[Any]
    doc_id: str
    part: int
    units: int
    spans: int
    text_length: int
    paragraphs: int
    lines: int


@dataclass
class _Prepared:
    """The result of one preparation task: its units, per document part what the main process
    needs, and one report (each part's reader events, then what preparing it dropped)."""

    units: list[Unit]
    docs: list[_DocMeta]
    report: Report


def _prepare_task(task: tuple[list[_Doc], PrepareOptions]) -> _Prepared:
    items, options = task
    result = _Prepared([], [], Report())
    for item in items:
        prepared = prepare(item.doc, options, item.drop)
        result.report.merge(item.read)
        result.report.merge(prepared.report)
        result.units += prepared.units
        result.docs.append(
            _DocMeta(
                item.record,
                prepared.doc_id,
                prepared.part,
                len(prepared.units),
                prepared.spans,
                prepared.text_length,
                prepared.paragraphs,
                prepared.lines,
            )
        )
    return result


_TRANSLATION_FIELDS = tuple(f.name for f in fields(Translation))


def _fields(translation: Translation) -> tuple[Any, ...]:
    return tuple(getattr(translation, name) for name in _TRANSLATION_FIELDS)


@dataclass
class _FinishTask:
    units: list[Unit]
    translations: list[tuple[Any, ...]]  # Translation fields, in order (tuples pickle fast)
    signals: bool
    presplit: bool


def _finish_task(task: _FinishTask) -> tuple[Any, Report]:
    """Rows with their signals, as an Arrow table (cheap to send back)."""
    translations = [Translation(*fields) for fields in task.translations]
    rows, report = rows_of(task.units, translations, signals=task.signals, presplit=task.presplit)
    return rows_to_table(rows, schema_of(task.signals, task.presplit)), report


def schema_of(signals: bool, presplit: bool) -> Any:
    from corpus.signals import SIGNAL_COLUMNS

    return arrow_schema(columns(SIGNAL_COLUMNS if signals else {}, presplit=presplit))


def _warm_up(config: BuildConfig) -> Any:
    if not config.signals:
        return None
    from corpus.signals import language_identifier

    return language_identifier


# helpers ---------------------------------------------------------------------------------


class Offsets:
    """Offsets, sentence, paragraph and line numbers continued across the parts of a long
    document (a part's own start at 0)."""

    def __init__(self, base: dict[str, Any] | None, presplit: bool) -> None:
        self.base = dict(base) if base else None
        self.joiner = 0 if presplit else 2  # parts of cleaned text are joined by a blank line

    def place(self, doc: _DocMeta, units: list[Unit]) -> list[Unit]:
        base = self.base if doc.part and self.base and self.base["doc"] == doc.doc_id else None
        if base is not None:
            units = [
                u._replace(
                    start=u.start + base["char"],
                    end=u.end + base["char"],
                    sent_index=u.sent_index + base["sent"],
                    para_index=u.para_index + base["para"],
                    line_no=None if u.line_no is None else u.line_no + base["line"],
                )
                for u in units
            ]
        else:
            base = {"doc": doc.doc_id, "char": 0, "sent": 0, "para": 0, "line": 0}
        self.base = {
            "doc": doc.doc_id,
            "char": base["char"] + doc.text_length + self.joiner,
            "sent": base["sent"] + doc.spans,
            "para": base["para"] + doc.paragraphs,
            "line": base["line"] + doc.lines,
        }
        return units

    def place_prepared(self, prepared: Any) -> list[Unit]:
        """`place` for a corpus.prepare.Prepared result."""
        meta = _DocMeta(
            [],
            prepared.doc_id,
            prepared.part,
            len(prepared.units),
            prepared.spans,
            prepared.text_length,
            prepared.paragraphs,
            prepared.lines,
        )
        return self.place(meta, prepared.units)

    def snapshot(self) -> dict[str, Any] | None:
        return dict(self.base) if self.base else None


def _tracker() -> Any:
    from corpus.clean import RepeatTracker

    return RepeatTracker()


def _fingerprints(text: str) -> frozenset[bytes]:
    from corpus.clean import fingerprints

    return fingerprints(text)


def public_document(doc: Document, inputs: tuple[str, ...]) -> Document:
    """`doc` with its id and source free of the machine-specific part of absolute inputs."""
    if not (doc.source.startswith("/") or doc.doc_id.startswith("/")):
        return doc
    return replace(
        doc,
        doc_id=public_location(doc.doc_id, inputs),
        source=public_location(doc.source, inputs),
    )


def public_location(location: str, inputs: tuple[str, ...]) -> str:
    """`location` without the machine-specific part of an absolute input argument: relative to
    the folder that holds the argument (a folder, a file, or a glob's fixed part)."""
    if not location.startswith("/"):
        return location
    for arg in inputs:
        if not arg.startswith("/"):
            continue
        fixed = Path(arg.split("*", 1)[0].split("?", 1)[0].split("[", 1)[0])
        anchor = fixed if arg.rstrip("/") == str(fixed).rstrip("/") else fixed / "x"
        parent = str(anchor.parent).rstrip("/") + "/"
        if location.startswith(parent):
            return location[len(parent) :]
    return Path(location).name


def _cache_stats(translator: Translator) -> dict[str, int]:
    stats = {}
    for name in ("hits", "misses", "corrupt"):
        if hasattr(translator, name):
            stats[name] = int(getattr(translator, name))
    return stats
