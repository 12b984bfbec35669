"""Counts of what a run read, dropped and skipped, with reasons: the end-of-run report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Report:
    """Mutable run statistics. Every dropped unit is counted under `stage:reason`."""

    counts: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    skipped_inputs: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] += n

    def drop(self, stage: str, reason: str, n: int = 1) -> None:
        """Record that `n` units were dropped at `stage` (e.g. "clean", "read") for `reason`."""
        if n:
            self.dropped[f"{stage}:{reason}"] += n

    def skip_input(self, source: str, reason: str) -> None:
        """An input file (or record) was skipped as a whole; `reason` says why."""
        self.skipped_inputs.append((source, reason))
        self.drop("read", "skipped_input")

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": dict(self.counts),
            "dropped": dict(self.dropped),
            "skipped_inputs": [list(s) for s in self.skipped_inputs],
            "warnings": list(self.warnings),
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Replace this report's contents in place (objects holding it see the change)."""
        other = Report.from_dict(data)
        self.counts, self.dropped = other.counts, other.dropped
        self.skipped_inputs, self.warnings = other.skipped_inputs, other.warnings

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        return cls(
            counts=Counter(data.get("counts", {})),
            dropped=Counter(data.get("dropped", {})),
            skipped_inputs=[(s, r) for s, r in data.get("skipped_inputs", [])],
            warnings=list(data.get("warnings", [])),
        )
