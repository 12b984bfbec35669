"""Counts of what a run read, dropped and skipped, with reasons: the end-of-run report.

Every dropped unit is counted under `stage:reason`, and the first few of each reason are kept
as examples naming their document (`examples`), so a reader of the card can see what a reason
means in this corpus and where it happened. Reports of parts of a run (one document, one
chunk) are merged in document order, so a resumed or parallel build reports exactly what a
sequential one does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

EXAMPLES_PER_REASON = 3
EXAMPLE_CHARS = 160


@dataclass
class Report:
    """Mutable run statistics."""

    counts: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    skipped_inputs: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] += n

    def drop(
        self,
        stage: str,
        reason: str,
        n: int = 1,
        *,
        doc: str | None = None,
        text: str = "",
        line_no: int | None = None,
        start: int | None = None,
        end: int | None = None,
        translation: str | None = None,
    ) -> None:
        """Record that `n` units were dropped at `stage` (e.g. "clean", "read") for `reason`;
        `doc` names the document (kept for the first few of each reason); `line_no`, `start`
        and `end` say where the unit was in the document as read, where known."""
        if not n:
            return
        key = f"{stage}:{reason}"
        self.dropped[key] += n
        if doc is not None:
            self.example(key, doc, text)

    def example(self, key: str, doc: str, text: str = "") -> None:
        found = self.examples.setdefault(key, [])
        if len(found) < EXAMPLES_PER_REASON:
            found.append({"doc": doc, "text": _clip(text)})

    def skip_input(self, source: str, reason: str) -> None:
        """An input file (or record) was skipped as a whole; `reason` says why."""
        self.skipped_inputs.append((source, reason))
        self.drop("read", "skipped_input", doc=source, text=reason)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def merge(self, other: Report) -> None:
        """Add `other` (a later part of the run) to this report."""
        self.counts.update(other.counts)
        self.dropped.update(other.dropped)
        for key, found in other.examples.items():
            for example in found:
                self.example(key, example["doc"], example.get("text", ""))
        self.skipped_inputs.extend(other.skipped_inputs)
        self.warnings.extend(other.warnings)

    def take(self) -> Report:
        """What was recorded since the last take, leaving this report empty (the readers hold
        a reference to it, so it is emptied in place)."""
        taken = Report(self.counts, self.dropped, self.examples, self.skipped_inputs, self.warnings)
        self.counts, self.dropped, self.examples = Counter(), Counter(), {}
        self.skipped_inputs, self.warnings = [], []
        return taken

    def __getstate__(self) -> dict[str, Any]:
        return self.to_dict()  # plain dicts and lists pickle several times faster than Counters

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.restore(state)

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": dict(self.counts),
            "dropped": dict(self.dropped),
            "examples": {k: list(v) for k, v in self.examples.items()},
            "skipped_inputs": [list(s) for s in self.skipped_inputs],
            "warnings": list(self.warnings),
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Replace this report's contents in place (objects holding it see the change)."""
        other = Report.from_dict(data)
        self.counts, self.dropped, self.examples = other.counts, other.dropped, other.examples
        self.skipped_inputs, self.warnings = other.skipped_inputs, other.warnings

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        return cls(
            counts=Counter(data.get("counts", {})),
            dropped=Counter(data.get("dropped", {})),
            examples={k: list(v) for k, v in data.get("examples", {}).items()},
            skipped_inputs=[(s, r) for s, r in data.get("skipped_inputs", [])],
            warnings=list(data.get("warnings", [])),
        )


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"
