"""The local executor: the work units of a plan on this machine.

    first pass     each unit's short-line fingerprints (--jobs workers) -> the repeat table
    feed thread    read (in order) -> prepare (--jobs workers, in order) -> sentences, unit
                   records (corpus/pipeline/feed.py)
    main thread    sentences -> translate (cache, engine; progress per batch) -> checkpoints:
                   rows + signals + shard (--jobs workers) (corpus/pipeline/translating.py)

The engine and the translation cache live in this process. With `--no-cache` the build still
keeps what it translated, batch by batch, in a cache inside its work area (removed with it),
so an interrupted engine call loses at most the batch in flight. Queues are bounded, so memory
stays flat; documents keep their input order everywhere, so the dataset does not depend on
`--jobs`.
"""

from __future__ import annotations

import functools
import queue
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from corpus.pipeline.checkpoints import statuses
from corpus.pipeline.config import BuildConfig
from corpus.pipeline.engines import close_translator, load_engine, with_cache
from corpus.pipeline.executor import Engines, Job
from corpus.pipeline.feed import Feed
from corpus.pipeline.plan import Plan
from corpus.pipeline.prepare import PrepareOptions
from corpus.pipeline.repeats import RepeatCounter, needs_first_pass, unit_fingerprints
from corpus.pipeline.stream import Workers, worker_count
from corpus.pipeline.tasks import warm_worker
from corpus.pipeline.translating import Translating
from translate.base import Translator

T = TypeVar("T")
R = TypeVar("R")
FEED_AHEAD = 4  # prepared batches waiting for the engine


class LocalExecutor:
    def __init__(self, config: BuildConfig, given: Engines) -> None:
        self.config = config
        self.given, self.engine = given.translator, given.engine
        self.loaded: Translator | None = None
        self.chain: Translator | None = None
        self.workers: Workers | None = None

    def __enter__(self) -> LocalExecutor:
        self.loaded = self.given or self.engine or load_engine(self.config)
        return self

    def describe(self) -> dict[str, str]:
        assert self.loaded is not None
        return dict(self.loaded.describe())

    def run(self, job: Job) -> None:
        config, work = job.config, job.work
        assert self.loaded is not None
        if self.chain is None:
            own = str(work.cache) if not config.use_cache else None
            self.chain = self.given or with_cache(self.loaded, config, job.identity, own)
        if self.workers is None:
            jobs = worker_count(config.jobs, job.input_bytes)
            self.workers = Workers(jobs, _warm_up(config, job.plan, jobs))
        workers = self.workers
        table = self._repeat_table(job, workers)
        status = statuses(work.units, work.shards, len(job.plan.units))
        done = {i for i, s in enumerate(status) if s.done}
        feed = Feed(
            job.plan.units, done, config.read, config.inputs,
            PrepareOptions(config.read.presplit, identify=config.signals), table, work,
            config.rejected,
        )  # fmt: skip
        items: queue.Queue[object] = queue.Queue(maxsize=FEED_AHEAD)
        thread = threading.Thread(target=feed.run, args=(workers, items), daemon=True)
        thread.start()
        Translating(job, self.chain, workers, status).run(items)

    def _repeat_table(self, job: Job, workers: Workers) -> str | None:
        """The path of the repeat table (the first pass, unless a resumed build has it)."""
        config, work = job.config, job.work
        if config.read.presplit or not needs_first_pass(job.plan):
            return None
        if not work.repeats.exists():
            units = [(u, config.read, config.inputs) for u in job.plan.units]
            counter = RepeatCounter(work.path / "repeats")
            for found in workers.map_ordered(_fingerprints, units):
                counter.add(found)
            counter.table().save(work.repeats)
        return str(work.repeats)

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        if self.workers is None or len(items) < 2:
            return [fn(item) for item in items]
        return list(self.workers.map_ordered(fn, items))

    def cache_stats(self) -> dict[str, int]:
        stats = {}
        for name in ("hits", "misses", "corrupt"):
            if hasattr(self.chain, name):
                stats[name] = int(getattr(self.chain, name))
        return stats

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if self.workers is not None:
            self.workers.close(cancel=exc_type is not None)
        if self.given is None:
            chain = self.chain if self.chain is not None else self.loaded
            if self.engine is None:
                close_translator(chain)
            elif chain is not None and chain is not self.engine:
                close = getattr(chain, "close", None)
                if callable(close):
                    close()  # the cache only: the caller keeps its engine


def _fingerprints(args: tuple[Any, ...]) -> Any:
    return unit_fingerprints(*args)


def _warm_up(config: BuildConfig, plan: Plan, jobs: int) -> functools.partial[None]:
    """What each worker loads once, before its first task (corpus.pipeline.tasks.warm_worker).
    Worker processes (not this one, `jobs` 1) keep pyarrow from importing pandas unless they
    may read a Hugging Face dataset (`datasets` uses pandas)."""
    reads_hf = any(source.fmt == "hf" for unit in plan.units for source in unit.sources)
    return functools.partial(warm_worker, config.signals, jobs > 1 and not reads_hf)
