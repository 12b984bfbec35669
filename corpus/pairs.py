"""Document + sentence spans + translations -> SentencePair rows with provenance."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from corpus.records import Document, Span
from translate.base import Translation


@dataclass(frozen=True)
class Unit:
    """A source sentence to translate, and where it sits in its cleaned document."""

    doc_id: str
    source: str
    para_index: int
    sent_index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class SentencePair:
    unit: Unit
    translation: Translation
    signals: dict[str, Any] = field(default_factory=dict)

    def as_row(self) -> dict[str, Any]:
        u = self.unit
        return {
            "translation": {"id": u.text, "en": self.translation.text},
            "doc_id": u.doc_id,
            "source": u.source,
            "para_index": u.para_index,
            "sent_index": u.sent_index,
            "src_start": u.start,
            "src_end": u.end,
            "score": round(float(self.translation.score), 4),
            **self.signals,
        }


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


def line_spans(text: str) -> list[Span]:
    """Pre-split input: every non-blank line is one sentence (surrounding spaces trimmed)."""
    spans: list[Span] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped:
            start = pos + line.index(stripped)
            spans.append(Span(start, start + len(stripped), stripped))
        pos += len(line)
    return spans
