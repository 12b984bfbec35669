"""What an evaluation gives back: one run per setting and set, the results per set, and their report.json records."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.evaluate.build import Translated
from corpus.evaluate.metrics import METRICS, Comparison, Scores
from corpus.evaluate.testsets import EvalSet
from translate.base import EngineConfig


@dataclass
class Run:
    """One setting on one test set."""

    testset: EvalSet
    label: str
    engine: EngineConfig | None
    hypotheses: list[str]
    scores: Scores
    translated: Translated | None = None
    calibration: dict[str, Any] | None = None
    documents: dict[str, Any] | None = None
    folder: str = ""  # relative to the output folder ("" = the output folder itself)
    set_folder: str = ""  # where source.txt and reference.txt are, relative likewise
    hypotheses_from: str = "translation"  # or the --hypotheses file

    def to_dict(self) -> dict[str, Any]:
        return run_dict(self)


@dataclass
class SetResult:
    testset: EvalSet
    runs: list[Run]
    comparisons: dict[str, list[Comparison]] = field(default_factory=dict)
    test_signatures: dict[str, str] = field(default_factory=dict)
    bootstrap: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class Evaluation:
    sets: list[SetResult]
    out: Path | None = None

    @property
    def runs(self) -> list[Run]:
        return [run for result in self.sets for run in result.runs]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "runs": [run.to_dict() for run in self.runs],
            "comparisons": [
                {
                    "set": result.testset.name,
                    "baseline": result.runs[0].label,
                    "setting": label,
                    "metrics": {c.metric: c.to_dict() for c in comparisons},
                    "test": "paired bootstrap resampling (sacrebleu)",
                    "resamples": result.bootstrap,
                    "signature": result.test_signatures,
                }
                for result in self.sets
                for label, comparisons in result.comparisons.items()
            ],
        }
        if len(self.runs) == 1:
            data.update(self.runs[0].to_dict())
        data["complete"] = True
        return data


def run_dict(run: Run) -> dict[str, Any]:
    """The report.json record of one run (top-level keys bleu, chrf, chrf_plus, signature,
    lines; scores are sacrebleu's, 0-100)."""
    t, tr = run.testset, run.translated
    provenance = tr.provenance if tr else {}
    folder = Path(run.folder)
    return {
        "set": t.name,
        "source": public_path(t.src_path),
        "reference": public_path(t.ref_path),
        "written_in": t.written_in or "unknown",
        "setting": run.label,
        "engine": dataclasses.asdict(run.engine) if run.engine else None,
        "hypotheses_from": public_path(run.hypotheses_from),
        "lines": len(t),
        "total_lines": t.total_lines,
        **{m: run.scores[m] for m in METRICS},
        "signature": {**run.scores.signatures, "idcorpus": provenance.get("signature", "")},
        "sacrebleu": run.scores.lines,
        "missing": len(tr.missing) if tr else sum(1 for h in run.hypotheses if not h),
        "missing_lines": tr.missing[:100] if tr else [],
        "dropped": tr.dropped if tr else {},
        "flags": tr.flags if tr else {},
        "published": t.published,
        "calibration": run.calibration,
        "documents": run.documents,
        "files": {
            "hypotheses": str(folder / "hypotheses.txt"),
            "segments": str(folder / "segments.tsv"),
            "reference": str(Path(run.set_folder) / "reference.txt"),
            "source": str(Path(run.set_folder) / "source.txt"),
            "dataset": str(folder / "dataset") if tr else None,
            "documents": str(folder / "documents") if run.documents else None,
        },
        "provenance": provenance,
    }


def public_path(path: str) -> str:
    """A path as report.json may hold it: a relative one as given, an absolute one as its
    file name (a report names no folder of the machine that wrote it)."""
    return Path(path).name if Path(path).is_absolute() else path
