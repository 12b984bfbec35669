"""The whole build on Ray Data (`--executor ray`): the cluster reads, prepares, translates,
computes signals and writes; the driver plans, keeps checkpoints and publishes.

    driver                 checks, lock, run identity, manifest; work units (whole input files,
                           in reading order); the drop table of repeated lines; one marker per
                           finished unit; the assembly plan; card; publish
    CPU tasks              pass 1: short-line fingerprints -> groupby -> repeated lines
                           pass 2: read + prepare a unit -> sentences (+ one end row per unit)
    actor pool             translate: one engine per actor, loaded once for the whole run
                           (`--workers` actors, `--gpus-per-worker`, `--cpus-per-worker`)
    CPU tasks              finish: signals + rows -> Parquet shards (one per run of sentences)
    CPU tasks              assembly: shards -> data/<split>-*.parquet, statistics

The driver handles one small summary row per shard and per unit, never a sentence. Resume
(corpus/ray/units.py): a unit is done when its marker (`OUT.partial/units/uNNNNNNNN.json`, with
its report and a hash of its documents) exists; a resumed build checks those hashes against the
inputs, deletes the shards of unfinished units and runs only those. Lines repeated across
documents are decided in pass 1 over every document exactly as the local build's tracker decides
them in reading order, so a Ray build and a local build of the same input and options write the
same rows (with a batch-invariant engine setting) and the same report.

The translation cache is not used on a cluster (a SQLite file on shared storage would be
written by every node at once): each translate batch translates its distinct sentences once.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from corpus.errors import ConfigError, InputError
from corpus.pipeline.config import BuildConfig
from corpus.pipeline.identity import RunIdentity
from corpus.pipeline.prepare import PrepareOptions
from corpus.pipeline.workdir import WorkDir
from corpus.ray.stages import (
    FinishOptions,
    ReadUnitOptions,
    Translate,
    WorkUnit,
    fingerprint_unit,
    finish_rows,
    prepare_unit,
    repeated_lines,
)
from corpus.ray.units import UnitMarkers, UnitProgress, plan_units
from corpus.read.manifest import Total, scan
from corpus.report import Report

log = logging.getLogger(__name__)
TRANSLATE_BATCH = 512  # sentences per batch of the translate actors
PREPARE_MEMORY = 512 << 20
"""Memory a read + prepare task reserves (its own resources also keep Ray from fusing it
into the translate actors, which must only translate)."""
ASSEMBLY_ROWS = 250_000  # rows per assembly task


def describe_remote(
    ray: Any, factory: Callable[[], Any], resources: dict[str, float]
) -> dict[str, str]:
    """The engine's description, from a task with the actors' resources (so `--device auto`
    resolves as it will in the actors)."""

    def describe() -> dict[str, str]:
        return dict(factory().describe())

    return dict(ray.get(ray.remote(**resources)(describe).remote()))


class RayBuild:
    def __init__(
        self,
        config: BuildConfig,
        out: Path,
        work: WorkDir,
        factory: Callable[[], Any],
        ray: Any,
    ) -> None:
        self.config, self.out, self.work, self.factory, self.ray = config, out, work, factory, ray
        self.markers = UnitMarkers(work, config.read)
        self.options = PrepareOptions(presplit=config.read.presplit)

    def run(self, identity: RunIdentity, started: float) -> Any:
        from corpus.pipeline.progress import Progress
        from corpus.pipeline.summary import Summary

        config = self.config
        total = Total()
        state = self.work.open(
            identity.resume_key(),
            total.count(scan(config.inputs, config.read)),
            config.effective_chunk,
            resume=config.resume,
        )
        units, tail = plan_units(config, config.ray.unit_documents)
        done = self.markers.finished(units, self.ray) if config.resume else {}
        todo = [u for u in units if u.index not in done]
        self.markers.clear_shards(todo)
        table = {} if self.options.presplit else self._repeated_lines(units)
        with Progress(
            total.value(), initial=sum(u.documents for u in units if u.index in done),
            quiet=config.quiet,
        ) as bar:  # fmt: skip
            self._translate(todo, table, bar, {u.index: u for u in units})
        report = Report()
        for unit in units:
            report.merge(Report.from_dict(self.markers.load(unit.index)["report"]))
        report.merge(tail)
        if report.counts["documents"] == 0:
            from corpus.pipeline.assemble import nothing_usable

            self.work.remove()
            raise InputError(nothing_usable(config.inputs, report))
        prov = identity.provenance()
        counts = self._assemble(report, prov)
        self.work.remove()
        del state
        return Summary(
            self.out,
            report,
            report.counts["documents"],
            report.counts["sentences"],
            sum(counts.values()),
            counts,
            time.perf_counter() - started,
            prov,
            {},
        )

    # pass 1 ------------------------------------------------------------------------------

    def _repeated_lines(self, units: list[WorkUnit]) -> dict[bytes, frozenset[int]]:
        """The lines to drop as repeated across documents: fingerprint -> the positions of the
        documents that keep it (the first cross_doc_min_docs - 1; every later one drops it),
        for the fingerprints the local tracker would track (the first max_tracked_lines
        distinct ones in reading order)."""
        from corpus.clean.config import CleanConfig

        clean = CleanConfig()
        need = clean.cross_doc_min_docs - 1
        if need < 1 or not units:
            return {}
        ds = self._units_dataset(units).map_batches(
            fingerprint_unit, fn_kwargs={"read": self.config.read}, batch_size=1,
            batch_format="pyarrow",
        )  # fmt: skip
        partitions = max(1, min(len(units), int(self.ray.cluster_resources().get("CPU", 1))))
        groups = (
            ds.groupby("fp", num_partitions=partitions)
            .map_groups(partial(repeated_lines, need=need), batch_format="numpy")
            .materialize()
        )  # counted, then read: one execution, not two
        if groups.count() > clean.max_tracked_lines:
            groups = groups.sort(["first", "fp"]).limit(clean.max_tracked_lines)
        table: dict[bytes, frozenset[int]] = {}
        from ray.data.expressions import col

        for row in groups.filter(expr=col("count") > need).iter_rows():
            table[int(row["fp"]).to_bytes(8, "big")] = frozenset(int(k) for k in row["keep"])
        return table

    # pass 2 ------------------------------------------------------------------------------

    def _translate(self, todo: list[WorkUnit], table: dict[bytes, frozenset[int]], bar: Any,
                   units: dict[int, WorkUnit]) -> None:  # fmt: skip
        if not todo:
            return
        config = self.config
        read = ReadUnitOptions(config.read, self.options, config.inputs, table)
        finish = FinishOptions(str(self.work.shards), config.signals, self.options.presplit)
        ds = (
            self._units_dataset(todo)
            .map_batches(
                prepare_unit, fn_kwargs={"options": read}, batch_size=1,
                batch_format="pyarrow",
                num_cpus=1, memory=PREPARE_MEMORY,
            )
            .map_batches(
                Translate, fn_constructor_kwargs={"factory": self.factory},
                batch_size=TRANSLATE_BATCH, batch_format="pyarrow",
                compute=self.ray.data.ActorPoolStrategy(size=config.ray.workers),
                num_gpus=config.ray.gpus_per_worker, num_cpus=config.ray.cpus_per_worker,
            )
            .map_batches(
                finish_rows, fn_kwargs={"options": finish}, batch_size=None,
                batch_format="pyarrow",
            )
        )  # fmt: skip
        progress: dict[int, UnitProgress] = {}
        for batch in ds.iter_batches(batch_size=None, batch_format="pyarrow"):
            for row in batch.to_pylist():
                unit = progress.setdefault(row["unit"], UnitProgress())
                if row["kind"] == "end":
                    unit.end = json.loads(row["info"])
                else:
                    unit.written += row["count"]
                    unit.finish.append((row["seq"], json.loads(row["info"])))
                if unit.end is not None and unit.written == unit.end["sentences"]:
                    self.markers.write(units[row["unit"]], progress.pop(row["unit"]))
                    bar.advance(unit.end["documents"], unit.end["sentences"])

    def _units_dataset(self, units: list[WorkUnit]) -> Any:
        return self.ray.data.from_items([u.to_row() for u in units], override_num_blocks=len(units))

    # assembly ----------------------------------------------------------------------------

    def _assemble(self, report: Report, prov: dict[str, Any]) -> dict[str, int]:
        from corpus.ray.assemble import assemble_on_ray

        return assemble_on_ray(self.ray, self.config, self.work, self.out, report, prov)


def build_on_ray(
    config: BuildConfig,
    out: Path,
    work: WorkDir,
    factory: Callable[[], Any] | None,
    started: float,
) -> Any:
    """The Ray build (see the module docstring); `factory` makes the engine in each actor
    (default: the model of `config.engine` behind the robustness layer)."""
    from corpus.pipeline.engines import robust_engine

    if factory is None:
        from translate.resolve import resolve_model

        resolve_model(config.engine)  # an unavailable model fails here, before Ray starts
        factory = partial(robust_engine, config.engine)
    with ray_session(config) as ray:
        resources = {"num_cpus": config.ray.cpus_per_worker, "num_gpus": config.ray.gpus_per_worker}
        identity = RunIdentity.create(config, describe_remote(ray, factory, resources))
        return RayBuild(config, out, work, factory, ray).run(identity, started)


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
            from corpus.pipeline.stream import available_cores

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
