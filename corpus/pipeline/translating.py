"""Prepared sentences -> translations -> checkpoints: the main thread of a local build.

Sentences come from the feed (corpus/pipeline/feed.py) with their unit and position; those a
resumed build already has in a shard are skipped. Each engine call translates the distinct
sentences of the next positions (sized by `SliceSizer` to a few seconds of work) and reports
progress per internal batch, so the bar's sentence count and clock move at least every couple
of seconds whatever the engine's speed. Translated positions of a unit become a checkpoint —
a finish task that writes one shard (corpus.pipeline.tasks.finish) — once `chunk_sentences`
of them or `checkpoint_seconds` of translation have gathered, and at the end of a unit or
before a position already done. An interrupt (Ctrl-C, SIGTERM) stops at the engine's next
batch boundary; what is translated by then is checkpointed, the rest is redone by `--resume`.
"""

from __future__ import annotations

import bisect
import queue
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from corpus.pipeline.checkpoints import ShardInfo, UnitStatus
from corpus.pipeline.executor import Job
from corpus.pipeline.feed import End, Failed, Sentences, UnitEnd
from corpus.pipeline.given import GivenTranslations
from corpus.pipeline.pairs import Unit
from corpus.pipeline.progress import Progress, SliceSizer
from corpus.pipeline.stream import Workers
from corpus.pipeline.tasks import FinishOptions, FinishTask, finish, translation_fields
from translate.base import Translation, Translator, translate_with_progress

FINISHING = 3  # checkpoints being turned into rows at once
INTERRUPT_GRACE_S = 1.0  # for its last checkpoints (what they hold is in the cache anyway)


@dataclass
class _Pos:
    unit: int
    pos: int
    item: Unit


class Translating:
    def __init__(
        self, job: Job, translator: Translator, workers: Workers, status: list[UnitStatus]
    ) -> None:
        config = job.config
        self.translator, self.workers = translator, workers
        self.covered = {i: [(s.start, s.end) for s in st.kept] for i, st in enumerate(status)}
        self.options = FinishOptions(
            str(job.work.shards), config.signals, config.read.presplit, config.splits,
            config.seed, config.filter, config.rejected,
        )  # fmt: skip
        self.chunk = config.effective_chunk
        self.every = config.checkpoint_seconds
        self.sizer = SliceSizer(max_seconds=config.checkpoint_seconds / 2)
        self.pending: deque[_Pos] = deque()  # waiting for the engine
        self.translated: deque[tuple[_Pos, Translation]] = deque()  # not checkpointed yet
        self.ended: dict[int, int] = {}  # units all of whose sentences have come: how many
        self.doc_ends: deque[tuple[int, int]] = deque()  # (unit, end position) of documents
        self.finishing: deque[Future[ShardInfo]] = deque()
        self.last_checkpoint = time.monotonic()
        total = job.plan.documents if _known(job) else None
        initial = sum(st.record.documents for st in status if st.done and st.record is not None)
        self.bar = Progress(total, initial=initial, quiet=config.quiet)
        self.finished_input = False

    def run(self, items: queue.Queue[object]) -> None:
        with self.bar:
            try:
                self._loop(items)
            except BaseException:
                self._interrupted()
                raise
            self._close_checkpoints(force=True)
            while self.finishing:
                self._collect(self.finishing.popleft())

    def _loop(self, items: queue.Queue[object]) -> None:
        while True:
            while not self.finished_input and len(self.pending) < min(self.sizer.size, self.chunk):
                self._take(items.get())
            if not self.pending:
                if self.finished_input:
                    return
                continue
            self._translate_next()
            self._close_checkpoints(force=False)
            self._collect_done()

    def _take(self, item: object) -> None:
        if isinstance(item, Failed):
            raise item.error
        if isinstance(item, End):
            self.finished_input = True
        elif isinstance(item, Sentences):
            at = item.start
            for meta in item.docs:
                at += meta.units
                if meta.last:
                    self.doc_ends.append((item.unit, at))
            for k, unit in enumerate(item.units):
                pos = item.start + k
                if self._covered(item.unit, pos):
                    self.bar.advance(0, 1)
                else:
                    self.pending.append(_Pos(item.unit, pos, unit))
        elif isinstance(item, UnitEnd):
            self.ended[item.unit] = item.sentences
            if item.done:
                self.bar.advance(0, 0)  # its documents were counted as done at the start
            self._count_documents()

    def _covered(self, unit: int, pos: int) -> bool:
        runs = self.covered.get(unit, [])
        k = bisect.bisect_right(runs, (pos, float("inf"))) - 1
        return k >= 0 and runs[k][0] <= pos < runs[k][1]

    def _translate_next(self) -> None:
        """One engine call: the distinct sentences of the next positions."""
        if isinstance(self.translator, GivenTranslations):
            self._given_next(self.translator)
            return
        taken: list[_Pos] = []
        distinct: dict[str, list[int]] = {}
        size = min(self.sizer.size, self.chunk)  # a checkpoint never waits for a longer call
        while self.pending and len(distinct) < size:
            p = self.pending.popleft()
            distinct.setdefault(p.item.text, []).append(len(taken))
            taken.append(p)
        texts = sorted(distinct, key=lambda t: (len(t), t))
        result: list[Translation | None] = [None] * len(taken)

        def progress(rows: Sequence[int], done: Sequence[Translation]) -> None:
            self.bar.advance(0, sum(len(distinct[texts[r]]) for r in rows))

        began = time.monotonic()
        translations = translate_with_progress(self.translator, texts, progress)
        self.sizer.record(len(texts), time.monotonic() - began)
        for text, tr in zip(texts, translations, strict=True):
            for k in distinct[text]:
                result[k] = tr
        for p, found in zip(taken, result, strict=True):
            assert found is not None
            self.translated.append((p, found))
        self._count_documents()

    def _given_next(self, given: GivenTranslations) -> None:
        """The next positions' given translations (--target, --target-field), each pair as it
        is: no de-duplication by text (a repeated source may have two English versions), and a
        call only scores them when a model was named."""
        size = min(self.sizer.size, self.chunk)
        taken = [self.pending.popleft() for _ in range(min(size, len(self.pending)))]
        began = time.monotonic()
        found = given.translations([p.item.text for p in taken],
                                   [p.item.target or "" for p in taken])  # fmt: skip
        self.sizer.record(len(taken), time.monotonic() - began)
        self.bar.advance(0, len(taken))
        self.translated.extend(zip(taken, found, strict=True))
        self._count_documents()

    def _count_documents(self) -> None:
        """Documents all of whose sentences are translated (or were before)."""
        head = self.pending[0] if self.pending else None
        while self.doc_ends:
            unit, end = self.doc_ends[0]
            if head is not None and (head.unit, head.pos) < (unit, end):
                return
            self.doc_ends.popleft()
            self.bar.advance(1, 0)

    def _close_checkpoints(self, force: bool) -> None:
        """Checkpoint runs of consecutive translated positions of one unit (see the module
        docstring for when)."""
        due = force or time.monotonic() - self.last_checkpoint >= self.every
        while self.translated:
            run = self._head_run()
            last = run[-1][0]
            complete = len(run) < len(self.translated) or not self._may_grow(last)
            if not (due or complete or len(run) >= self.chunk):
                return
            run = run[: self.chunk]
            for _ in run:
                self.translated.popleft()
            self._submit(run)

    def _head_run(self) -> list[tuple[_Pos, Translation]]:
        first = self.translated[0][0]
        run: list[tuple[_Pos, Translation]] = []
        for entry in self.translated:
            p = entry[0]
            if p.unit != first.unit or p.pos != first.pos + len(run):
                break
            run.append(entry)
        return run

    def _may_grow(self, last: _Pos) -> bool:
        """Whether the position after `last` may still come, untranslated, to this run."""
        nxt = last.pos + 1
        if self.pending:
            head = self.pending[0]
            return head.unit == last.unit and head.pos == nxt
        ended = self.ended.get(last.unit)
        return (ended is None or nxt < ended) and not self._covered(last.unit, nxt)

    def _submit(self, run: list[tuple[_Pos, Translation]]) -> None:
        first = run[0][0]
        task = FinishTask(
            first.unit, first.pos, first.pos + len(run), [p.item for p, _ in run],
            [translation_fields(t) for _, t in run], self.options,
        )  # fmt: skip
        self.finishing.append(self.workers.submit(finish, task))
        self.last_checkpoint = time.monotonic()
        while len(self.finishing) > FINISHING:
            self._collect(self.finishing.popleft())

    def _collect_done(self) -> None:
        while self.finishing and self.finishing[0].done():
            self._collect(self.finishing.popleft())

    def _collect(self, future: Future[ShardInfo]) -> None:
        future.result()  # raises what the task raised

    def _interrupted(self) -> None:
        """Checkpoint what the engine finished, within a few seconds, then stop."""
        try:
            self._close_checkpoints(force=True)
            deadline = time.monotonic() + INTERRUPT_GRACE_S
            while self.finishing and time.monotonic() < deadline:
                future = self.finishing.popleft()
                future.result(timeout=max(0.0, deadline - time.monotonic()))
        except BaseException:  # noqa: BLE001 - the first interrupt is what is reported
            pass


def _known(job: Job) -> bool:
    """Whether the progress bar has a total (unknown with stdin)."""
    return all(s.path is not None for u in job.plan.units for s in u.sources)
