"""The Ray executor (`--executor ray`): the work units of a plan on a Ray cluster.

    driver (here)          run identity, the plan (the same work units as a local build: a
                           large text file is many units), progress; sends units, receives
                           one small summary row per shard and per unit — never a sentence
    CPU tasks              pass 1: each unit's short-line fingerprints -> the repeat table
                           pass 2: read + prepare a unit, write its record -> sentences
    actor pool             translate: one engine per actor, loaded once for the whole run
                           (`--workers` actors, `--gpus-per-worker`, `--cpus-per-worker`)
    CPU tasks              finish: signals + rows -> one shard per run of positions
    CPU tasks              assembly: the dataset's files (corpus.dataset.pieces)

Everything a task does is a function every executor shares (corpus.pipeline.feed,
corpus.pipeline.tasks, corpus.dataset.pieces), and resume is the same unit records and shards
(corpus.pipeline.checkpoints): a resumed build checks the finished units' documents on the
cluster and translates only what no shard holds. So a Ray build and a local build of the same
input and options write the same files, byte for byte (with a batch-invariant engine setting).

The translation cache is not used on a cluster (a SQLite file on shared storage would be
written by every node at once): each translate batch translates its distinct sentences once.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from corpus.clean.config import CleanConfig
from corpus.errors import ConfigError
from corpus.pipeline.checkpoints import UnitStatus, statuses
from corpus.pipeline.config import BuildConfig
from corpus.pipeline.engines import robust_engine
from corpus.pipeline.executor import Engines, Job
from corpus.pipeline.feed import changed
from corpus.pipeline.prepare import PrepareOptions
from corpus.pipeline.progress import Progress
from corpus.pipeline.repeats import RepeatTable, needs_first_pass
from corpus.pipeline.stream import available_cores
from corpus.pipeline.tasks import FinishOptions
from corpus.pipeline.units import unit_digest
from corpus.ray.stages import (
    PrepareStage,
    Translate,
    fingerprint,
    finish_stage,
    prepare,
    repeated,
    unit_row,
)
from translate.resolve import resolve_model

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")
TRANSLATE_BATCH = 512  # sentences per batch of the translate actors
PREPARE_MEMORY = 512 << 20
"""Memory a read + prepare task reserves (its own resources also keep Ray from fusing it
into the translate actors, which must only translate)."""


class RayExecutor:
    def __init__(self, config: BuildConfig, given: Engines) -> None:
        self.config = config
        self.factory = given.factory
        self.ray: Any = None
        self._stack = ExitStack()

    def __enter__(self) -> RayExecutor:
        if self.factory is None:
            resolve_model(self.config.engine)  # an unavailable model fails before Ray starts
            self.factory = partial(robust_engine, self.config.engine)
        self.ray = self._stack.enter_context(ray_session(self.config))
        return self

    def describe(self) -> dict[str, str]:
        """The engine's description, from a task with the actors' resources (so `--device
        auto` resolves as it will in the actors)."""
        factory = self.factory
        assert factory is not None

        def describe() -> dict[str, str]:
            return dict(factory().describe())

        resources = {"num_cpus": self.config.ray.cpus_per_worker,
                     "num_gpus": self.config.ray.gpus_per_worker}  # fmt: skip
        return dict(self.ray.get(self.ray.remote(**resources)(describe).remote()))

    def run(self, job: Job) -> None:
        config, work = job.config, job.work
        units = job.plan.units
        table = self._repeat_table(job)
        status = statuses(work.units, work.shards, len(units))
        self._check_done(job, status)
        todo = [u for u, st in zip(units, status, strict=True) if not st.done]
        initial = sum(st.record.documents for st in status if st.done and st.record)
        with Progress(job.plan.documents, initial=initial, quiet=config.quiet) as bar:
            if todo:
                self._translate(job, todo, status, table, bar)

    def _repeat_table(self, job: Job) -> str | None:
        """Pass 1 on the cluster (a task per unit, grouped by fingerprint; the driver gets the
        repeated lines only), unless a resumed build has the table."""
        config, work = job.config, job.work
        if config.read.presplit or not needs_first_pass(job.plan):
            return None
        if not work.repeats.exists():
            min_docs = CleanConfig().cross_doc_min_docs
            found = np.empty(0, dtype=np.uint64)
            if min_docs >= 1 and job.plan.units:
                rows = [unit_row(u, []) for u in job.plan.units]
                partitions = max(1, min(len(rows), int(self.ray.cluster_resources().get("CPU", 1))))
                ds = (
                    self.ray.data.from_items(rows, override_num_blocks=len(rows))
                    .map_batches(fingerprint, fn_kwargs={"read": config.read, "inputs": config.inputs},
                                 batch_size=1, batch_format="pyarrow")
                    .groupby("fp", num_partitions=partitions)
                    .map_groups(partial(repeated, min_docs=min_docs), batch_format="numpy")
                )  # fmt: skip
                parts = [b["fp"] for b in ds.iter_batches(batch_size=None, batch_format="numpy")]
                found = np.sort(np.concatenate(parts)).astype(np.uint64) if parts else found
            RepeatTable(found).save(work.repeats)
        return str(work.repeats)

    def _check_done(self, job: Job, status: list[UnitStatus]) -> None:
        """The finished units' documents must read back the same (checked on the cluster)."""
        done = [(u, st) for u, st in zip(job.plan.units, status, strict=True) if st.done]
        check = self.ray.remote(unit_digest)
        digests = self.ray.get([check.remote(u, job.config.read, job.config.inputs)
                                for u, _ in done])  # fmt: skip
        for (unit, st), digest in zip(done, digests, strict=True):
            assert st.record is not None
            if digest != st.record.digest:
                raise changed(job.work, unit)

    def _translate(self, job: Job, todo: list[Any], status: list[UnitStatus], table: str | None,
                   bar: Progress) -> None:  # fmt: skip
        config, work, ray = job.config, job.work, self.ray
        stage = PrepareStage(config.read, config.inputs, PrepareOptions(config.read.presplit, config.signals),
                             table, work, config.rejected)  # fmt: skip
        finish = FinishOptions(str(work.shards), config.signals, config.read.presplit,
                               config.splits, config.seed, config.filter, config.rejected)  # fmt: skip
        rows = [unit_row(u, [(s.start, s.end) for s in status[u.index].kept]) for u in todo]
        ds = (
            ray.data.from_items(rows, override_num_blocks=len(rows))
            .map_batches(
                prepare, fn_kwargs={"stage": stage}, batch_size=1, batch_format="pyarrow",
                num_cpus=1, memory=PREPARE_MEMORY,
            )
            .map_batches(
                Translate, fn_constructor_kwargs={"factory": self.factory},
                batch_size=TRANSLATE_BATCH, batch_format="pyarrow",
                compute=ray.data.ActorPoolStrategy(size=config.ray.workers),
                num_gpus=config.ray.gpus_per_worker, num_cpus=config.ray.cpus_per_worker,
            )
            .map_batches(
                finish_stage, fn_kwargs={"options": finish}, batch_size=None,
                batch_format="pyarrow",
            )
        )  # fmt: skip
        for batch in ds.iter_batches(batch_size=None, batch_format="pyarrow"):
            for row in batch.to_pylist():
                if row["kind"] == "end":
                    bar.advance(int(row["count"]), 0)
                else:
                    bar.advance(0, int(row["count"]))

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        task = self.ray.remote(_call)
        return list(self.ray.get([task.remote(fn, item) for item in items]))

    def cache_stats(self) -> dict[str, int]:
        return {}

    def __exit__(self, *exc: object) -> None:
        self._stack.close()


def _call(fn: Callable[[T], R], item: T) -> R:
    return fn(item)


@contextmanager
def ray_session(config: BuildConfig) -> Iterator[Any]:
    """Ray, joined (`--ray-address`) or started on this machine for the build; progress
    bars, the dashboard, usage statistics and Ray's own chatter off (unless -v); shut down
    after if we started it."""
    import warnings

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    quiet = not logging.getLogger().isEnabledFor(logging.DEBUG)
    if quiet:
        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
        warnings.filterwarnings("ignore", module=r"ray(\.|$)")
    try:
        import ray
    except ImportError as e:
        raise ConfigError('--executor ray needs Ray Data: pip install "idcorpus[ray]"') from e
    started = not ray.is_initialized()
    if started:
        kwargs: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,
            "configure_logging": False,
        }
        if config.ray.address:
            kwargs["address"] = config.ray.address
        else:
            out = Path(config.out)
            tmp = config.ray.tmp_dir or str(out.with_name(out.name + ".ray"))
            # the translate actors hold their CPUs for the whole run: the machine's cores are
            # left to the read/prepare, finish and assembly tasks (logical CPUs, on one machine)
            actors = config.ray.workers * config.ray.cpus_per_worker
            kwargs["num_cpus"] = available_cores() + int(-(-actors // 1))
            kwargs["_temp_dir"] = short_temp_dir(tmp)
            kwargs["object_store_memory"] = 512 * 1024 * 1024
        ray.init(**kwargs)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    if quiet:  # after ray.data set up its loggers
        for name in ("ray", "ray.data"):
            logging.getLogger(name).setLevel(logging.ERROR)
    try:
        yield ray
    finally:
        if started and ray.is_initialized():
            ray.shutdown()


def short_temp_dir(preferred: str | None) -> str:
    """Ray's socket paths must stay short (about 107 bytes): use `preferred` when it is."""
    import tempfile

    if preferred and len(os.path.abspath(preferred)) <= 40:
        os.makedirs(preferred, exist_ok=True)
        return os.path.abspath(preferred)
    return tempfile.mkdtemp(prefix="idcorpus-ray-")
