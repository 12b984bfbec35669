"""What a build returns and prints: its counts, time, provenance and cache figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.report import Report


@dataclass
class Summary:
    out: Path
    report: Report
    documents: int
    sentences: int
    pairs_written: int
    split_counts: dict[str, int]
    elapsed_s: float
    provenance: dict[str, Any] = field(default_factory=dict)
    cache_stats: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)  # rows written per flag (bool signal)

    @property
    def sentences_per_s(self) -> float:
        return self.sentences / self.elapsed_s if self.elapsed_s > 0 else 0.0
