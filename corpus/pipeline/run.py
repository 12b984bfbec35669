"""Orchestration only: one build, whatever executes it.

    checks -> lock, work area -> engine -> run identity -> plan -> executor -> assemble -> Summary

The inputs and the output are checked before the engine loads. The executor (local worker
processes, or Ray: corpus.pipeline.executor) loads or reaches the engine, whose description
makes the run identity; the work area is opened (or, with `--resume`, continued after the
identity and the inputs were checked); the plan cuts the input into work units
(corpus.pipeline.plan); the executor runs them to completion, leaving unit records and shards;
the assembly writes the dataset through the one dataset writer and publishes it in one rename
(corpus.pipeline.assemble). An interrupt or a crash at any moment leaves a work area from
which `--resume` finishes the same dataset.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from corpus.dataset.writer import signals_deferred
from corpus.errors import BuildFinished, OutputError, StorageError
from corpus.pipeline.assemble import assemble
from corpus.pipeline.config import BuildConfig
from corpus.pipeline.executor import Engines, Job, make_executor
from corpus.pipeline.given import check_given
from corpus.pipeline.identity import RunIdentity
from corpus.pipeline.paths import check_output
from corpus.pipeline.plan import UnitSizes, plan_units
from corpus.pipeline.summary import Summary
from corpus.pipeline.workdir import BuildLock, WorkDir, is_disk_error
from corpus.read.inputs import iter_documents
from corpus.read.manifest import Total, scan
from corpus.report import Report
from translate.base import Translator


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
            given = Engines(translator, engine, engine_factory)
            return _run(config, out, work, started, given)
        except OSError as e:
            if is_disk_error(e):
                raise StorageError(
                    f"cannot write {e.filename or out}: {e.strerror}; free space (or make it "
                    "writable) and rerun the same command with --resume"
                ) from e
            raise


def _run(config: BuildConfig, out: Path, work: WorkDir, started: float, given: Engines) -> Summary:
    executor = make_executor(config, given)
    with executor:
        identity = RunIdentity.create(config, executor.describe())
        total = Total()
        state = work.open(
            identity.resume_key(),
            total.count(scan(config.inputs, config.read)),
            unit_sizes(config),
            resume=config.resume,
        )
        plan = plan_units(config.inputs, config.read, state.unit_sizes())
        job = Job(config, plan, work, identity, total.bytes())
        executor.run(job)
        provenance = identity.provenance()
        try:
            finished = assemble(job, executor.map, provenance)
            with signals_deferred():
                work.remove()
        except KeyboardInterrupt as e:
            if published(out, provenance):  # too late to stop: say so, not --resume
                work.remove()
                e.published = str(out)  # type: ignore[attr-defined]
            raise
        return Summary(
            out,
            finished.report,
            finished.report.counts["documents"],
            finished.report.counts["sentences"],
            sum(finished.counts.values()),
            finished.counts,
            time.perf_counter() - started,
            provenance,
            executor.cache_stats(),
            finished.flags,
        )


def published(out: Path, provenance: dict[str, object]) -> bool:
    """Whether `out` holds the dataset this run builds (it was published before an interrupt
    got through)."""
    try:
        found = json.loads((out / "idcorpus.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(found, dict) and found.get("provenance") == json.loads(
        json.dumps(provenance, sort_keys=True, default=str)
    )


def unit_sizes(config: BuildConfig) -> UnitSizes:
    """How large the work units of a new build are (a resumed one keeps its own)."""
    if config.executor == "ray":
        return UnitSizes(unit_documents=config.ray.unit_documents)
    return UnitSizes()
