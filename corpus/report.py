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

A warning has a kind (`KINDS`), the input it is about and a message: `report.warn(
"text_altered", "removed 6 NUL/control character(s)", where="news/17_detik.txt")`. Every one
is counted by kind; the first `WARNINGS_PER_KIND` of each kind are kept for the card, and the
command prints all kinds once, grouped, at the end of the run (`warning_summary`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

EXAMPLES_PER_REASON = 3
EXAMPLE_CHARS = 160
WARNINGS_PER_KIND = 20  # kept (card, idcorpus.json); every warning is counted
SHOWN_PER_KIND = 5  # named on the terminal
KINDS = {
    "skipped_input": "input(s) skipped",
    "unsupported_files": "folder(s) with files of unsupported types, not read",
    "linked_folder": "folder(s) with linked folders, not followed",
    "duplicate_input": "input(s) given more than once, read once",
    "bad_record": "record(s) skipped",
    "damaged_file": "file(s) read up to damage",
    "changed_while_read": "input(s) that changed while they were read",
    "text_altered": "input(s) whose text was altered (control characters removed, bytes "
    "undecodable)",
    "encoding": "input(s) not in UTF-8, decoded",
    "missing_id": "input(s) with records without their id field",
    "empty_document": "document(s) without a sentence after cleaning",
    "split_empty": "split(s) left out of the dataset, empty",
}
"""Every kind of warning, with how the terminal names a group of them. A new kind is added
here (an unknown one still prints, under its own name)."""


class RunWarning(str):
    """One warning: its text (`where: message`, as the card shows it), with its `kind`, the
    input it is about (`where`, may be empty) and the `message` alone."""

    kind: str
    where: str
    message: str

    def __new__(cls, kind: str, message: str, where: str = "") -> RunWarning:
        self = super().__new__(cls, f"{where}: {message}" if where else message)
        self.kind, self.where, self.message = kind, where, message
        return self

    def __reduce__(self) -> Any:
        return (RunWarning, (self.kind, self.message, self.where))

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "where": self.where, "message": self.message}

    @classmethod
    def from_data(cls, data: Any) -> RunWarning:
        """From `to_dict`'s record, or the plain text of reports written before kinds."""
        if isinstance(data, str):
            return cls("other", data)
        return cls(data["kind"], data["message"], data.get("where", ""))


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


Tally = tuple[str, str, str]
"""A tallied warning: its kind, its input (`where`) and its message with `{n}` for the total."""


@dataclass
class Report:
    """Mutable run statistics."""

    counts: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    skipped_inputs: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[RunWarning] = field(default_factory=list)
    warning_counts: Counter[str] = field(default_factory=Counter)
    rejected: list[Rejected] = field(default_factory=list)
    tallies: dict[Tally, int] = field(default_factory=dict)

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

    def tally(self, kind: str, template: str, n: int, *, where: str = "") -> None:
        """Add `n` to the tally of the warning of `kind` about `where` whose message is
        `template` (with `{n}` for the total)."""
        key = (kind, where, template)
        self.tallies[key] = self.tallies.get(key, 0) + n

    def settle(self) -> None:
        """Turn the tallies into warnings (in the order they were first tallied)."""
        for (kind, where, template), n in self.tallies.items():
            self.warn(kind, template.format(n=n), where=where)
        self.tallies = {}

    def example(self, key: str, doc: str, text: str = "") -> None:
        found = self.examples.setdefault(key, [])
        if len(found) < EXAMPLES_PER_REASON:
            found.append({"doc": doc, "text": _clip(text)})

    def skip_input(self, source: str, reason: str) -> None:
        """An input file (or record) was skipped as a whole; `reason` says why."""
        self.skipped_inputs.append((source, reason))
        self.drop("read", "skipped_input", doc=source, text=reason, source=source)

    def warn(self, kind: str, message: str, *, where: str = "") -> None:
        """A warning of `kind` (see KINDS) about the input `where` (a file, `file:line`, a
        folder; empty when it concerns no input)."""
        self.warning_counts[kind] += 1
        if self.warning_counts[kind] <= WARNINGS_PER_KIND:
            self.warnings.append(RunWarning(kind, message, where))

    def merge(self, other: Report) -> None:
        """Add `other` (a later part of the run) to this report."""
        self.counts.update(other.counts)
        self.dropped.update(other.dropped)
        for key, found in other.examples.items():
            for example in found:
                self.example(key, example["doc"], example.get("text", ""))
        self.skipped_inputs.extend(other.skipped_inputs)
        kept = Counter(w.kind for w in self.warnings)
        for warning in other.warnings:
            if kept[warning.kind] < WARNINGS_PER_KIND:
                self.warnings.append(warning)
                kept[warning.kind] += 1
        self.warning_counts.update(other.warning_counts)
        self.rejected.extend(other.rejected)
        for (kind, where, template), n in other.tallies.items():
            self.tally(kind, template, n, where=where)

    def take(self) -> Report:
        """What was recorded since the last take, leaving this report empty (the readers hold
        a reference to it, so it is emptied in place)."""
        taken = Report(
            self.counts,
            self.dropped,
            self.examples,
            self.skipped_inputs,
            self.warnings,
            self.warning_counts,
            self.rejected,
            self.tallies,
        )
        self.counts, self.dropped, self.examples = Counter(), Counter(), {}
        self.skipped_inputs, self.warnings, self.warning_counts = [], [], Counter()
        self.rejected, self.tallies = [], {}
        return taken

    def relocate(self, name: Callable[[str], str], text: Callable[[str], str]) -> None:
        """Rename, in place, the inputs this report names: `name` maps an input's name (a
        warning's `where`, a skipped input, an example's document), `text` a message. A
        published report names no folder of the machine that built it (corpus.pipeline.paths
        public_location)."""
        self.warnings = [RunWarning(w.kind, text(w.message), name(w.where)) for w in self.warnings]
        self.skipped_inputs = [(name(src), text(why)) for src, why in self.skipped_inputs]
        self.examples = {
            key: [{"doc": name(e["doc"]), "text": text(e.get("text", ""))} for e in found]
            for key, found in self.examples.items()
        }

    def warning_summary(self) -> list[str]:
        """The terminal's end-of-run summary: each kind of warning once, its count and the
        first few inputs it names (skipped inputs first), indented under it; no lines when
        there is none."""
        groups: list[tuple[str, int, list[str]]] = []
        if self.skipped_inputs:
            named = [f"{src}: {why}" for src, why in self.skipped_inputs[:SHOWN_PER_KIND]]
            groups.append(("skipped_input", len(self.skipped_inputs), named))
        for kind, n in self.warning_counts.items():
            named = [str(w) for w in self.warnings if w.kind == kind][:SHOWN_PER_KIND]
            groups.append((kind, n, named))
        lines = []
        for kind, n, named in groups:
            lines.append(f"{n:,} {KINDS.get(kind, kind.replace('_', ' '))}")
            lines += [f"  {line}" for line in named]
            if n > len(named):
                lines.append(f"  ... and {n - len(named):,} more")
        return lines

    def to_dict(self) -> dict[str, Any]:
        """The counts, examples, skipped inputs and warnings (the published report; the
        rejected rows travel with `to_state` only)."""
        data: dict[str, Any] = {
            "counts": dict(self.counts),
            "dropped": dict(self.dropped),
            "examples": {k: list(v) for k, v in self.examples.items()},
            "skipped_inputs": [list(s) for s in self.skipped_inputs],
            "warnings": [w.to_dict() for w in self.warnings],
            "warning_counts": dict(self.warning_counts),
        }
        if self.tallies:
            data["tallies"] = [[*key, n] for key, n in self.tallies.items()]
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
        self.warning_counts = other.warning_counts
        self.rejected, self.tallies = [], other.tallies

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        warnings = [RunWarning.from_data(w) for w in data.get("warnings", [])]
        return cls(
            counts=Counter(data.get("counts", {})),
            dropped=Counter(data.get("dropped", {})),
            examples={k: list(v) for k, v in data.get("examples", {}).items()},
            skipped_inputs=[(s, r) for s, r in data.get("skipped_inputs", [])],
            warnings=warnings,
            warning_counts=Counter(data.get("warning_counts") or Counter(w.kind for w in warnings)),
            tallies={(k, w, t): n for k, w, t, n in data.get("tallies", [])},
        )


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"
