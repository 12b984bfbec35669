"""The build's progress bar: documents done out of the pre-scan's estimate, with an ETA.

Documents advance as their sentences are translated (a chunk's share per translated slice),
so the bar moves every few seconds whatever the engine's speed; the postfix shows sentences
per second. Silent with `--quiet`.
"""

from __future__ import annotations

import time
from typing import Any

TARGET_SLICE_S = 5.0
"""Seconds of translation between two updates of the bar."""
MIN_SLICE, MAX_SLICE = 256, 8192
"""Fewer sentences per call leave an engine's batches and cores half idle at each call's end
(CTranslate2 int8 beam 4 on 2 CPU cores: calls of ~60 sentences cost 12% of its speed), so a
slow engine's bar moves every MIN_SLICE sentences instead (about 20 s there)."""


class Progress:
    def __init__(self, total: int | None, initial: int = 0, quiet: bool = False) -> None:
        self.total, self.initial, self.quiet = total, initial, quiet
        self.sentences = 0
        self.started = time.monotonic()
        self.bar: Any = None

    def __enter__(self) -> Progress:
        from tqdm import tqdm

        self.bar = tqdm(
            total=self.total,
            initial=self.initial,
            unit="doc",
            desc="translating",
            disable=self.quiet,
            dynamic_ncols=True,
            mininterval=0.5,
            smoothing=0.1,
            bar_format=None,
        )
        return self

    def advance(self, documents: float, sentences: int) -> None:
        self.sentences += sentences
        assert self.bar is not None
        if self.total is not None and self.bar.n + documents > self.total:
            self.bar.total = None if self.bar.total is None else int(self.bar.n + documents + 1)
        self.bar.update(documents)
        elapsed = time.monotonic() - self.started
        if elapsed > 0 and not self.quiet:
            self.bar.set_postfix_str(f"{self.sentences / elapsed:,.1f} sent/s", refresh=False)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            if exc[0] is None and self.bar.total is not None:
                self.bar.n = self.bar.total  # estimates are estimates: end at 100%
                self.bar.refresh()
            self.bar.close()


class SliceSizer:
    """Sentences per engine call, adapted so that each call takes about TARGET_SLICE_S."""

    def __init__(self, start: int = MIN_SLICE) -> None:
        self.size = start

    def record(self, sentences: int, seconds: float) -> None:
        if sentences < self.size or seconds <= 0:
            return  # a short last slice says little about the engine's speed
        rate = sentences / seconds
        self.size = int(min(MAX_SLICE, max(MIN_SLICE, rate * TARGET_SLICE_S)))
