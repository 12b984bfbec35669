"""Counts of what a run read, dropped and skipped, with reasons: the end-of-run report.

Every dropped unit is counted under `stage:reason`, and the first few of each reason are kept
as examples naming their document (`examples`), so a reader of the card can see what a reason
means in this corpus and where it happened. Reports of parts of a run (one document, one
work unit, one checkpoint) are merged in document order, so a resumed or parallel build
reports exactly what a sequential one does.

A report of a stage (what preparing one unit, or finishing one checkpoint, dropped) also holds
one `Rejected` row per dropped unit, with where it was in its document; the build moves those
rows into the dataset's `rejected` configuration (`take_rejected`) before it merges the counts
into the run's report, which keeps counts and examples only. Tallies (`tally`) are counts a
warning states once for a whole input however it was read in pieces; `settle` turns them into
warnings at the end of the run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

EXAMPLES_PER_REASON = 3
EXAMPLE_CHARS = 160


class Rejected(NamedTuple):
    """One dropped unit: a row of the dataset's `rejected` configuration (see
    corpus.dataset.schema.REJECTED_COLUMNS). `line_no` is 1-based in the document as read,
    `char_start`/`char_end` offsets in it, where known."""

    doc_id: str | None  # the document (None: an input or record that made none)
    source: str | None  # the input file
    stage: str  # read, html, clean, segment, translate, filter
    reason: str  # stage:reason is the report's key
    text: str  # the unit (for a skipped input or record: why)
    translation: str | None = None  # its English, where it had one
    line_no: int | None = None
    char_start: int | None = None
    char_end: int | None = None


@dataclass
class Report:
    """Mutable run statistics."""

    counts: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    skipped_inputs: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    tallies: dict[str, int] = field(default_factory=dict)

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
        source: str | None = None,
    ) -> None:
        """Record that `n` units were dropped at `stage` (e.g. "clean", "read") for `reason`;
        `doc` names the document (kept for the first few of each reason); `line_no`, `start`
        and `end` say where the unit was in the document as read, where known. One unit
        (`n == 1`) also becomes a `Rejected` row; a caller counting several at once writes
        their rows itself."""
        if not n:
            return
        key = f"{stage}:{reason}"
        self.dropped[key] += n
        if doc is not None:
            self.example(key, doc, text)
        if n == 1:
            row = Rejected(doc, source, stage, reason, text, translation, line_no, start, end)
            self.rejected.append(row)

    def take_rejected(self) -> list[Rejected]:
        """The rejected rows recorded so far (and merged in), leaving none here."""
        rows, self.rejected = self.rejected, []
        return rows

    def tally(self, template: str, n: int) -> None:
        """Add `n` to the tally whose warning is `template` (with `{n}` for the total)."""
        self.tallies[template] = self.tallies.get(template, 0) + n

    def settle(self) -> None:
        """Turn the tallies into warnings (in the order they were first tallied)."""
        for template, n in self.tallies.items():
            self.warnings.append(template.format(n=n))
        self.tallies = {}

    def example(self, key: str, doc: str, text: str = "") -> None:
        found = self.examples.setdefault(key, [])
        if len(found) < EXAMPLES_PER_REASON:
            found.append({"doc": doc, "text": _clip(text)})

    def skip_input(self, source: str, reason: str) -> None:
        """An input file (or record) was skipped as a whole; `reason` says why."""
        self.skipped_inputs.append((source, reason))
        self.drop("read", "skipped_input", doc=source, text=reason, source=source)

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
        self.rejected.extend(other.rejected)
        for template, n in other.tallies.items():
            self.tally(template, n)

    def take(self) -> Report:
        """What was recorded since the last take, leaving this report empty (the readers hold
        a reference to it, so it is emptied in place)."""
        taken = Report(self.counts, self.dropped, self.examples, self.skipped_inputs,
                       self.warnings, self.rejected, self.tallies)  # fmt: skip
        self.counts, self.dropped, self.examples = Counter(), Counter(), {}
        self.skipped_inputs, self.warnings, self.rejected, self.tallies = [], [], [], {}
        return taken

    def to_dict(self) -> dict[str, Any]:
        """The counts, examples, skipped inputs and warnings (the published report; the
        rejected rows and tallies travel with `__getstate__` only)."""
        data = {
            "counts": dict(self.counts),
            "dropped": dict(self.dropped),
            "examples": {k: list(v) for k, v in self.examples.items()},
            "skipped_inputs": [list(s) for s in self.skipped_inputs],
            "warnings": list(self.warnings),
        }
        if self.tallies:
            data["tallies"] = dict(self.tallies)
        return data

    def to_state(self) -> dict[str, Any]:
        """Everything, rejected rows included, as plain data (JSON-able)."""
        return {**self.to_dict(), "rejected": [list(r) for r in self.rejected]}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Report:
        report = cls.from_dict(state)
        report.rejected = [Rejected(*r) for r in state.get("rejected", [])]
        return report

    def __getstate__(self) -> dict[str, Any]:
        return self.to_state()  # plain dicts and lists pickle several times faster than Counters

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.restore(state)
        self.rejected = [Rejected(*r) for r in state.get("rejected", [])]

    def restore(self, data: dict[str, Any]) -> None:
        """Replace this report's contents in place (objects holding it see the change)."""
        other = Report.from_dict(data)
        self.counts, self.dropped, self.examples = other.counts, other.dropped, other.examples
        self.skipped_inputs, self.warnings = other.skipped_inputs, other.warnings
        self.rejected, self.tallies = [], other.tallies

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        return cls(
            counts=Counter(data.get("counts", {})),
            dropped=Counter(data.get("dropped", {})),
            examples={k: list(v) for k, v in data.get("examples", {}).items()},
            skipped_inputs=[(s, r) for s, r in data.get("skipped_inputs", [])],
            warnings=list(data.get("warnings", [])),
            tallies=dict(data.get("tallies", {})),
        )


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"
