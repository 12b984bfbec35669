"""The build's progress bar: whole documents done out of the pre-scan's estimate, sentences.

A document counts when all its sentences are translated; sentences count as the engine's
internal batches end (progress is reported from inside engine calls), and a timer redraws the
bar every REFRESH_S seconds, so its clock, counts and rate move even while a slow engine is in
the middle of a call. The postfix shows sentences done and sentences per second. Silent with
`--quiet`.
"""

from __future__ import annotations

import threading
import time
from typing import Any

REFRESH_S = 1.0
"""Seconds between two redraws of the bar (at most)."""
TARGET_SLICE_S = 5.0
"""Seconds of translation an engine call aims at."""
MIN_SLICE, MAX_SLICE = 256, 8192
"""Fewer sentences per call leave an engine's batches and cores half idle at each call's end
(CTranslate2 int8 beam 4 on 2 CPU cores: calls of ~60 sentences cost 12% of its speed); the
bar moves per batch within a call anyway."""


class Progress:
    def __init__(self, total: int | None, initial: int = 0, quiet: bool = False) -> None:
        self.total, self.initial, self.quiet = total, initial, quiet
        self.sentences = 0
        self.started = time.monotonic()
        self.bar: Any = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None

    def __enter__(self) -> Progress:
        from tqdm import tqdm

        self.bar = tqdm(
            total=self.total,
            initial=self.initial,
            unit="doc",
            desc="translating",
            disable=self.quiet,
            dynamic_ncols=True,
            mininterval=REFRESH_S,
            smoothing=0.1,
        )
        if not self.quiet:
            self._timer = threading.Thread(target=self._tick, daemon=True)
            self._timer.start()
        return self

    def advance(self, documents: int, sentences: int) -> None:
        """`documents` more whole documents and `sentences` more sentences are done."""
        assert self.bar is not None
        with self._lock:
            self.sentences += sentences
            if self.total is not None and self.bar.n + documents > self.total:
                self.bar.total = int(self.bar.n + documents + 1)  # estimates are estimates
            if documents:
                self.bar.update(int(documents))

    def _postfix(self) -> str:
        elapsed = time.monotonic() - self.started
        rate = self.sentences / elapsed if elapsed > 0 else 0.0
        return f"{self.sentences:,} sent, {rate:,.1f} sent/s"

    def _tick(self) -> None:
        while not self._stop.wait(REFRESH_S):
            with self._lock:
                self.bar.set_postfix_str(self._postfix(), refresh=False)
                self.bar.refresh()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._timer is not None:
            self._timer.join()
        if self.bar is not None:
            if not self.quiet:
                self.bar.set_postfix_str(self._postfix(), refresh=False)
            if exc[0] is None and self.bar.total is not None:
                self.bar.n = self.bar.total  # estimates are estimates: end at 100%
            self.bar.refresh()
            self.bar.close()


FIRST_SLICE = 32
"""The first call, which measures the engine's speed: short, whatever the engine."""


class SliceSizer:
    """Sentences per engine call, adapted so that each call takes about TARGET_SLICE_S (at
    least MIN_SLICE sentences), and never more than `max_seconds`: a checkpoint comes between
    calls, so a slow engine gets shorter calls rather than late checkpoints."""

    def __init__(self, start: int = FIRST_SLICE, max_seconds: float | None = None) -> None:
        self.size = start
        self.max_seconds = max_seconds

    def record(self, sentences: int, seconds: float) -> None:
        if sentences < self.size or seconds <= 0:
            return  # a short last slice says little about the engine's speed
        rate = sentences / seconds
        size = min(MAX_SLICE, max(MIN_SLICE, rate * TARGET_SLICE_S))
        if self.max_seconds is not None:
            size = min(size, max(1.0, rate * self.max_seconds))
        self.size = int(size)
