"""Inputs -> work units: the one plan that every executor runs (local processes, Ray).

A work unit is what one task reads, in reading order: several small inputs up to about
`unit_bytes` bytes (or `unit_documents` estimated documents), one input, or a range of the
parts of one large plain-text file (corpus/read/windows.py: a part can be found without
reading what comes before it), so a large text file is many units, locally and on Ray alike.
A text file with given translations (`--target`) is one unit: it reads the file and the target
file together, line by line (corpus/read/aligned.py). Record files (JSON Lines, CSV, TSV, Parquet), compressed files, stdin and datasets are read
whole by one unit, in order.

Planning reads no text: file sizes, and the line counts of record files for the progress
bar's estimate. What enumerating the inputs reports (skipped, repeated and ignored files) goes
with the source it came before (`WorkUnit.events`); what comes after the last source is the
plan's `tail`. The plan is a pure function of the inputs, the read options and `UnitSizes`, so
a resumed build, which plans with the sizes it started with, finds the same units. Where the
unit boundaries fall changes no byte of the dataset.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from corpus.read import windows
from corpus.read.config import ReadConfig
from corpus.read.inputs import iter_sources
from corpus.read.manifest import estimate_documents
from corpus.read.paths import Source
from corpus.report import Report

UNIT_BYTES = 4 << 20
"""Input bytes a work unit reads (about; a unit holds at least one input or part)."""
UNIT_DOCUMENTS = 256
"""Estimated documents after which a local work unit is closed."""


@dataclass(frozen=True)
class UnitSizes:
    """How large work units are (a speed setting: it changes no byte of the dataset), and the
    parts large text files are read in (which does: the plan carries it to every reader)."""

    unit_bytes: int = field(default_factory=lambda: UNIT_BYTES)
    unit_documents: int = field(default_factory=lambda: UNIT_DOCUMENTS)
    part_bytes: int = field(default_factory=lambda: windows.PART_BYTES)

    def to_json(self) -> dict[str, int]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class WorkUnit:
    """Sources read by one task, in reading order, with what enumerating each of them
    reported (`events`, a Report.to_state() before each). `first_source` numbers the unit's
    first source in the whole input (documents are keyed by it); `final`: the unit reads its
    last source to the end (False for a range of parts that stops inside the file)."""

    index: int
    sources: tuple[Source, ...]
    events: tuple[dict[str, Any], ...]
    documents: int  # estimated, for the progress bar
    first_source: int
    final: bool = True

    @property
    def continues(self) -> bool:
        """Whether the unit starts inside a document (its parts before are other units')."""
        window = self.sources[0].window
        return window is not None and window[0] > 0

    def names(self, limit: int = 5) -> str:
        return ", ".join(s.location for s in self.sources[:limit])


@dataclass
class Plan:
    units: list[WorkUnit]
    tail: Report = field(default_factory=Report)  # reported after the last source
    sizes: UnitSizes = field(default_factory=UnitSizes)

    @property
    def documents(self) -> int:
        return sum(u.documents for u in self.units)


class _Open:
    """The unit being filled."""

    def __init__(self) -> None:
        self.sources: list[Source] = []
        self.events: list[dict[str, Any]] = []
        self.first = self.documents = self.size = 0


def plan_units(inputs: Sequence[str], read: ReadConfig, sizes: UnitSizes) -> Plan:
    """The work units of `inputs` (see the module docstring)."""
    report = Report()
    plan = Plan([], sizes=sizes)
    current = _Open()
    for index, source in enumerate(iter_sources(inputs, read, report)):
        events = report.take().to_state()
        size = _size(source)
        parts = windows.windows_of(size, sizes.part_bytes) if _windowed(source, read) else 1
        per_unit = max(1, sizes.unit_bytes // sizes.part_bytes)
        if parts > 1:  # read by ranges of parts of the plan's size, however many units
            source = dataclasses.replace(source, window=(0, parts, sizes.part_bytes, size))
        if parts > per_unit:
            _close(plan, current)
            current = _Open()
            for first in range(0, parts, per_unit):
                end = min(first + per_unit, parts)
                ranged = dataclasses.replace(source, window=(first, end, sizes.part_bytes, size))
                unit = WorkUnit(len(plan.units), (ranged,), (events if first == 0 else {},),
                                int(end == parts), index, final=end == parts)  # fmt: skip
                plan.units.append(unit)
            continue
        if not current.sources:
            current.first = index
        current.sources.append(source)
        current.events.append(events)
        current.documents += estimate_documents(source, read) or 1
        current.size += size
        if current.size >= sizes.unit_bytes or current.documents >= sizes.unit_documents:
            _close(plan, current)
            current = _Open()
    _close(plan, current)
    plan.tail = report.take()
    return plan


def _close(plan: Plan, unit: _Open) -> None:
    if unit.sources:
        plan.units.append(WorkUnit(len(plan.units), tuple(unit.sources), tuple(unit.events),
                                   unit.documents, unit.first))  # fmt: skip


def _windowed(source: Source, read: ReadConfig) -> bool:
    """A plain (uncompressed) text file, whose parts can be read by ranges; not one paired
    line by line with given translations (`--target`), whose lines are read with the target's."""
    plain = source.fmt == "text" and source.compression is None and source.path is not None
    return plain and read.target is None


def _size(source: Source) -> int:
    try:
        return source.path.stat().st_size if source.path is not None else 0
    except OSError:
        return 0  # reported when it is read
