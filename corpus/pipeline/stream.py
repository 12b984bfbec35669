"""Ordered, bounded parallel map over worker processes: the build's `--jobs`.

`Workers(jobs)` runs picklable functions in `jobs` processes (spawned, so no thread or
accelerator state is forked), or in the calling thread when `jobs == 1`. `map_ordered`
submits at most `window` tasks ahead of the one the caller waits for, so memory stays flat
however long the input is, and yields results in input order, so the output never depends
on how many processes ran or which finished first.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


SMALL_INPUT_BYTES = 1 << 20
"""Below this much input (a pre-scan's sum of file sizes) `--jobs 0` runs no worker process:
starting them would cost more than the CPU stages of such an input (well under a second)."""


def worker_count(jobs: int, input_bytes: int | None) -> int:
    """`--jobs`; for 0 (auto) one per core, or 1 when the input is known to be small."""
    if jobs > 0:
        return jobs
    if input_bytes is not None and input_bytes < SMALL_INPUT_BYTES:
        return 1
    return available_cores()


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _worker_init(warm_up: Callable[[], object] | None) -> None:
    # Ctrl-C reaches the whole process group: the parent handles it and stops the pool
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    if warm_up is not None:
        warm_up()


def _exit_with_parent(parent: int) -> None:
    """A worker whose build was killed (kill -9 leaves no one to stop the pool) exits too."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


class _Done(Future[Any]):
    """A future that already holds its result (the `jobs == 1` path)."""

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        super().__init__()
        try:
            self.set_result(fn(*args))
        except BaseException as e:  # noqa: BLE001 - re-raised by result(), like a pool's
            self.set_exception(e)


class Workers:
    """`jobs` worker processes, or the calling thread for `jobs == 1`."""

    def __init__(self, jobs: int, warm_up: Callable[[], object] | None = None) -> None:
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None
        if jobs > 1:
            self._pool = ProcessPoolExecutor(
                max_workers=jobs,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_init,
                initargs=(warm_up,),
            )
        elif warm_up is not None:
            warm_up()

    def submit(self, fn: Callable[..., R], *args: Any) -> Future[R]:
        if self._pool is None:
            return _Done(fn, args)
        return self._pool.submit(fn, *args)

    def map_ordered(
        self, fn: Callable[[T], R], items: Iterable[T], window: int | None = None
    ) -> Iterator[R]:
        """fn(item) for every item, in order, with at most `window` tasks in flight."""
        window = window or 2 * self.jobs
        pending: deque[Future[R]] = deque()
        for item in items:
            pending.append(self.submit(fn, item))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def close(self, cancel: bool = False) -> None:
        """Stop the workers: when they are done (`cancel` False), or now — what they were
        doing is dropped (an interrupted build; its work area keeps only complete files)."""
        if self._pool is not None:
            processes = list(getattr(self._pool, "_processes", {}).values()) if cancel else []
            self._pool.shutdown(wait=not cancel, cancel_futures=cancel)
            for process in processes:
                process.terminate()
            self._pool = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.close(cancel=exc_type is not None)
