"""Document + sentence spans + translations -> rows of the dataset, with provenance and signals.

`units_of` places each sentence in its document (paragraph, sentence index, offsets);
`rows_of` pairs units with their translations and quality signals — a pure function of its
arguments, run in the build's worker processes. A unit's source language comes with it when
it was identified with its whole document (the build does so when it prepares documents);
else its sentence is identified alone here.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from typing import Any, NamedTuple

from corpus.records import Document, Span
from corpus.report import Report
from corpus.signals.quality import compute_signals_batch
from translate.base import Translation

SIGNAL_BLOCK = 512
"""Pairs whose signals are computed together (the values do not depend on it): language ID's
working arrays grow with the block, and a worker's resident size with them (a checkpoint of
2,048 pairs at once: 28 MiB more while it is finished; in blocks of 512: 20)."""


class Unit(NamedTuple):
    """A source sentence to translate, and where it sits in its cleaned document.

    `line_no` is the 1-based line of the document as read that its paragraph came from (for
    presplit input, its own line).
    `target`: the translation given with it, which is used instead of translating.
    `src_lang`, `src_lang_conf`: its language ID, decided with its document's evidence where
    the whole document was in hand (corpus.pipeline.tasks.prepare_task); None: not yet.
    (A tuple: units cross process boundaries by the thousand, and tuples pickle fast.)"""

    doc_id: str
    source: str
    para_index: int
    sent_index: int
    start: int
    end: int
    text: str
    line_no: int | None = None
    target: str | None = None  # the given translation (--target, --target-field), untouched
    src_lang: str | None = None
    src_lang_conf: float | None = None


def units_of(doc: Document, spans: Sequence[Span], paragraphs: Sequence[Span]) -> list[Unit]:
    """One Unit per sentence span; `para_index` is the paragraph that holds the span's start."""
    starts = [p.start for p in paragraphs]
    return [
        Unit(
            doc_id=doc.doc_id,
            source=doc.source,
            para_index=max(bisect.bisect_right(starts, s.start) - 1, 0),
            sent_index=i,
            start=s.start,
            end=s.end,
            text=s.text,
        )
        for i, s in enumerate(spans)
    ]


def row_of(
    unit: Unit, translation: Translation, signals: dict[str, Any], presplit: bool
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "translation": {"id": unit.text, "en": translation.text},
        "doc_id": unit.doc_id,
        "source": unit.source,
        "para_index": unit.para_index,
        "sent_index": unit.sent_index,
        "src_start": unit.start,
        "src_end": unit.end,
        "line_no": unit.line_no,
    }
    score = float(translation.score)
    row["score"] = None if math.isnan(score) else round(score, 4)
    row.update(signals)
    return row


def rows_of(
    units: Sequence[Unit],
    translations: Sequence[Translation],
    *,
    signals: bool,
    presplit: bool,
) -> tuple[list[dict[str, Any]], Report]:
    """The dataset rows of translated units, and what was dropped on the way.

    An empty translation is dropped (`translate:empty_output`, naming the document) — except
    for presplit input, which is one row per line whatever the model made of it."""
    report = Report()
    kept = []
    for unit, tr in zip(units, translations, strict=True):
        if not tr.text.strip() and not presplit:
            report.drop("translate", "empty_output", doc=unit.doc_id, text=unit.text,
                        source=unit.source, line_no=unit.line_no, translation=tr.text)  # fmt: skip
        else:
            kept.append((unit, tr))
    values: list[dict[str, Any]] = [{} for _ in kept]
    if signals and kept:
        src_langs = None  # identified with their documents already, or here, each alone
        if all(u.src_lang is not None for u, _ in kept):
            src_langs = [(str(u.src_lang), u.src_lang_conf or 0.0) for u, _ in kept]
        values = []
        for start in range(0, len(kept), SIGNAL_BLOCK):
            block, end = kept[start : start + SIGNAL_BLOCK], start + SIGNAL_BLOCK
            sources, targets = [u.text for u, _ in block], [t for _, t in block]
            langs = src_langs[start:end] if src_langs is not None else None
            values += compute_signals_batch(sources, targets, src_langs=langs)
    rows = [row_of(u, t, v, presplit) for (u, t), v in zip(kept, values, strict=True)]
    report.count("pairs", len(rows))
    return rows, report
