"""What an executor is: the part of a build that runs the work units of a plan.

`build()` (corpus.pipeline.run) reads: checks -> identity -> plan -> executor -> assemble ->
one Summary. An executor loads (or reaches) the engine, describes it for the run identity,
runs every unit of the plan to completion — the first pass over the input (lines repeated
across documents), then per unit: read, prepare, translate, finish — leaving unit records
and shards in the work area (corpus.pipeline.checkpoints), and runs the assembly's pieces.
Both executors do the same work through the same functions; they differ in where it runs:

- `local`: `--jobs` worker processes on this machine, the engine and the translation cache
  in this process (corpus.pipeline.local);
- `ray`: Ray Data tasks and one pool of translate actors on a cluster (corpus.ray.build).

They are found by name in `EXECUTORS` and imported only when chosen, so a build that runs
locally never imports Ray.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from corpus.pipeline.config import BuildConfig
from corpus.pipeline.identity import RunIdentity
from corpus.pipeline.plan import Plan
from corpus.pipeline.workdir import WorkDir
from translate.base import Translator

T = TypeVar("T")
R = TypeVar("R")

EXECUTORS = {"local": "corpus.pipeline.local:LocalExecutor", "ray": "corpus.ray.build:RayExecutor"}


@dataclass
class Job:
    """One build's work, for an executor."""

    config: BuildConfig
    plan: Plan
    work: WorkDir
    identity: RunIdentity
    input_bytes: int | None = None  # the pre-scan's sum of input sizes (None: unknown)


class Executor(Protocol):
    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...

    def describe(self) -> dict[str, str]:
        """The engine's description (what the run identity is made from)."""
        ...

    def run(self, job: Job) -> None:
        """Run every work unit of `job.plan` to completion (see the module docstring)."""
        ...

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """fn(item) for every item, in order, where the executor runs tasks."""
        ...

    def cache_stats(self) -> dict[str, int]: ...


@dataclass(frozen=True)
class Engines:
    """What the caller of `build()` gave instead of a model to load: a Translator to use as it
    is (`translator`), a loaded engine to put behind the build's cache and not close
    (`engine`), or what makes the engine in each Ray actor (`factory`)."""

    translator: Translator | None = None
    engine: Translator | None = None
    factory: Callable[[], Translator] | None = None


def make_executor(config: BuildConfig, given: Engines) -> Executor:
    """The executor `config.executor` names (imported now, not before)."""
    module, name = EXECUTORS[config.executor].split(":")
    cls: Any = getattr(importlib.import_module(module), name)
    executor: Executor = cls(config, given)
    return executor
