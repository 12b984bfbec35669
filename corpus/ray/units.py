"""Input files -> the work units of a Ray build, and finished units -> their markers (resume).

A work unit is whole input files in reading order, about `--unit-documents` documents. A
unit is done when its marker (`OUT.partial/units/uNNNNNNNN.json`: its report and a hash of its
documents) exists; a resumed build checks those hashes against the inputs (on the cluster),
deletes the shards of unfinished units and runs only those.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.errors import OutputError
from corpus.pipeline.config import BuildConfig
from corpus.pipeline.workdir import WorkDir, write_lines
from corpus.ray.stages import WorkUnit, unit_digest
from corpus.read.config import ReadConfig
from corpus.read.inputs import iter_sources
from corpus.report import Report


@dataclass
class UnitProgress:
    """A unit's progress on the driver: sentences written so far, its end row."""

    written: int = 0
    finish: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    end: dict[str, Any] | None = None


def plan_units(config: BuildConfig, size: int) -> tuple[list[WorkUnit], Report]:
    """The input files in reading order, grouped into work units of about `size` documents;
    what enumerating them reported goes with the next source (the tail report holds what came
    after the last one)."""
    from corpus.read.manifest import estimate_documents

    report = Report()
    units: list[WorkUnit] = []
    sources: list[Any] = []
    events: list[dict[str, Any]] = []
    documents = 0
    for source in iter_sources(config.inputs, config.read, report):
        sources.append(source)
        events.append(report.take().to_dict())
        documents += estimate_documents(source, config.read) or 1
        if documents >= size:
            units.append(WorkUnit(len(units), sources, events, documents))
            sources, events, documents = [], [], 0
    if sources:
        units.append(WorkUnit(len(units), sources, events, documents))
    return units, report.take()


class UnitMarkers:
    """The markers of the finished units in the work area (`units/uNNNNNNNN.json`)."""

    def __init__(self, work: WorkDir, read: ReadConfig) -> None:
        self.work, self.read = work, read
        self.path = work.path / "units"

    def load(self, index: int) -> dict[str, Any]:
        return json.loads(self._file(index).read_text(encoding="utf-8"))

    def finished(self, units: list[WorkUnit], ray: Any) -> dict[int, dict[str, Any]]:
        """Markers of finished units whose documents read back the same (checked on the
        cluster); a changed document is refused, naming its unit's inputs."""
        done = {}
        for unit in units:
            if self._file(unit.index).is_file():
                done[unit.index] = self.load(unit.index)
        check = ray.remote(unit_digest)
        digests = ray.get([check.remote(u, self.read) for u in units if u.index in done])
        for unit, digest in zip([u for u in units if u.index in done], digests, strict=True):
            if digest != done[unit.index]["digest"]:
                names = ", ".join(s.location for s in unit.sources[:5])
                raise OutputError(
                    f"cannot resume {self.work.path}: the documents of {names} changed since "
                    "the build started; restore them, or pass --overwrite instead of --resume"
                )
        return done

    def clear_shards(self, todo: list[WorkUnit]) -> None:
        """Delete the shards of the units still to do (a resumed build writes them again)."""
        self.path.mkdir(parents=True, exist_ok=True)
        for unit in todo:
            for shard in self.work.shards.glob(f"u{unit.index:08d}-*.parquet"):
                shard.unlink()

    def write(self, unit: WorkUnit, state: UnitProgress) -> None:
        """Write the unit's marker: its report (preparation, then what finishing dropped, in
        document order) and the hash of its documents (computed where they were read)."""
        assert state.end is not None
        report = Report.from_dict(state.end["report"])
        for _, finish in sorted(state.finish, key=lambda f: f[0]):
            report.merge(Report.from_dict(finish))
        marker = {"report": report.to_dict(), "digest": state.end["digest"]}
        write_lines(self.path / f"u{unit.index:08d}.jsonl", [marker])
        os.replace(self.path / f"u{unit.index:08d}.jsonl", self._file(unit.index))

    def _file(self, index: int) -> Path:
        return self.path / f"u{index:08d}.json"
