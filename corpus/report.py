"""Counts of what a run read, dropped and skipped, with reasons: the end-of-run report.

Every dropped unit is counted under `stage:reason`, and the first few of each reason are kept
as examples naming their document (`examples`), so a reader of the card can see what a reason
means in this corpus and where it happened. Reports of parts of a run (one document, one
chunk) are merged in document order, so a resumed or parallel build reports exactly what a
sequential one does.

A warning has a kind (`KINDS`), the input it is about and a message: `report.warn(
"text_altered", "removed 6 NUL/control character(s)", where="news/17_detik.txt")`. Every one
is counted by kind; the first `WARNINGS_PER_KIND` of each kind are kept for the card, and the
command prints all kinds once, grouped, at the end of the run (`warning_summary`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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


@dataclass
class Report:
    """Mutable run statistics."""

    counts: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    skipped_inputs: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[RunWarning] = field(default_factory=list)
    warning_counts: Counter[str] = field(default_factory=Counter)

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
        )
        self.counts, self.dropped, self.examples = Counter(), Counter(), {}
        self.skipped_inputs, self.warnings, self.warning_counts = [], [], Counter()
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
            "warnings": [w.to_dict() for w in self.warnings],
            "warning_counts": dict(self.warning_counts),
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Replace this report's contents in place (objects holding it see the change)."""
        other = Report.from_dict(data)
        self.counts, self.dropped, self.examples = other.counts, other.dropped, other.examples
        self.skipped_inputs, self.warnings = other.skipped_inputs, other.warnings
        self.warning_counts = other.warning_counts

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
        )


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"
