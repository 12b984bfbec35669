"""Orchestration only: stream documents through read -> clean -> segment -> translate -> pairs
-> dataset, in resumable chunks, with the CPU stages in worker processes (`--jobs`).

    producer thread:  read (in order) -> repeat tracker -> prepare (workers, in order) -> chunks
                      (corpus/pipeline/chunks.py)
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

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from corpus.dataset.schema import rows_to_table
from corpus.errors import BuildFinished, InputError, OutputError, StorageError
from corpus.pipeline.assemble import assemble_shards, nothing_usable
from corpus.pipeline.chunks import Chunk, End, Failed, Producer
from corpus.pipeline.config import BuildConfig
from corpus.pipeline.given import GivenTranslations, check_given
from corpus.pipeline.identity import RunIdentity
from corpus.pipeline.prepare import PrepareOptions
from corpus.pipeline.progress import Progress, SliceSizer
from corpus.pipeline.stream import Workers, worker_count
from corpus.pipeline.summary import Summary
from corpus.pipeline.tasks import FinishTask, finish_task, schema_of, translation_fields
from corpus.pipeline.workdir import BuildLock, WorkDir, WorkState, is_disk_error
from corpus.read.inputs import iter_documents
from corpus.read.manifest import Total, scan
from corpus.report import Report
from translate.base import Translation, Translator

log = logging.getLogger(__name__)
CHUNKS_AHEAD = 2  # prepared chunks waiting for the engine
CHUNKS_FINISHING = 2  # translated chunks being turned into rows at once
UNITS_PER_FINISH = 512  # sentences per task that turns translations into rows


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
    check_given(config.inputs, config.read, config.executor)  # a target that does not line up
    from corpus.pipeline.paths import check_output

    check_output(config)
    with BuildLock(out):
        work = WorkDir(out)
        if out.exists() and not config.overwrite:
            if config.resume and (out / "idcorpus.json").is_file() and not work.path.exists():
                raise BuildFinished(
                    f"{out} is complete: its build finished, there is nothing to resume "
                    "(pass --overwrite instead of --resume to build it again)"
                )
            raise OutputError(f"{out} already exists: pass --overwrite to replace it")
        work.check_start(resume=config.resume, overwrite=config.overwrite)
        try:
            if config.executor == "ray":
                from corpus.ray.build import build_on_ray

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
    from corpus.pipeline.engines import close_translator, load_engine, with_cache

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
            Workers(
                worker_count(self.config.jobs, total.bytes()), _warm_up(self.config)
            ) as workers,
            Progress(total.value(), initial=state.docs_done, quiet=self.config.quiet) as bar,
        ):
            chunks: queue.Queue[Any] = queue.Queue(maxsize=CHUNKS_AHEAD)
            producer = threading.Thread(
                target=Producer(self.config, self.options, self.work).run,
                args=(state, workers, chunks),
                daemon=True,
            )
            producer.start()
            trailing = self._consume(state, workers, chunks, bar)
        self.report.merge(trailing)
        if self.report.counts["documents"] == 0:
            self.work.remove()
            raise InputError(nothing_usable(self.config.inputs, self.report))
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

    # main thread -------------------------------------------------------------------------

    def _consume(
        self, state: WorkState, workers: Workers, chunks: queue.Queue[Any], bar: Progress
    ) -> Report:
        finishing: deque[tuple[Chunk, list[Future[tuple[Any, Report]]]]] = deque()
        while True:
            item = chunks.get()
            if isinstance(item, Failed):
                raise item.error
            if isinstance(item, End):
                break
            translations = [translation_fields(t) for t in self._translate(item, bar)]
            step = UNITS_PER_FINISH
            tasks = [
                FinishTask(
                    item.units[i : i + step],
                    translations[i : i + step],
                    self.config.signals,
                    self.options.presplit,
                )
                for i in range(0, len(item.units), step)
            ]
            finishing.append((item, [workers.submit(finish_task, t) for t in tasks]))
            while finishing and (
                len(finishing) > CHUNKS_FINISHING or all(f.done() for f in finishing[0][1])
            ):
                self._commit(state, *finishing.popleft())
        while finishing:
            self._commit(state, *finishing.popleft())
        return item.report

    def _translate(self, chunk: Chunk, bar: Progress) -> list[Translation]:
        """Each distinct sentence of the chunk once, shortest first, in slices sized so the
        progress bar moves every few seconds (a length-sorted slice pads no more than the
        whole list would). On Ray the chunk goes in one piece (each call starts a pool)."""
        if isinstance(self.translator, GivenTranslations):  # --target, --target-field
            found = self.translator.translations(
                [u.text for u in chunk.units], [u.target or "" for u in chunk.units]
            )
            bar.advance(len(chunk.docs), len(found))
            return found
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
        self, state: WorkState, chunk: Chunk, futures: list[Future[tuple[Any, Report]]]
    ) -> None:
        """Write the chunk's shard (its rows, in order) and then its checkpoint."""
        import pyarrow as pa

        from corpus.dataset.files import write_parquet_atomic

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
        return assemble_shards(
            self.config, self.work.shard_files(state), self.work, self.out, self.report, prov
        )


def _warm_up(config: BuildConfig) -> Any:
    if not config.signals:
        return None
    from corpus.signals.quality import language_identifier

    return language_identifier


def _cache_stats(translator: Translator) -> dict[str, int]:
    stats = {}
    for name in ("hits", "misses", "corrupt"):
        if hasattr(translator, name):
            stats[name] = int(getattr(translator, name))
    return stats
