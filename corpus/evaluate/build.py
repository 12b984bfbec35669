"""Translate a test set exactly as a build would: `corpus.pipeline.run.build` on the source lines.

`translate_lines` runs a presplit build (one line, one row; engine, model, decoding,
robustness layer and translation cache all the build's) and reads the rows back by their
`line_no`, so hypothesis N is the translation of source line N. A line that gives no row
(blank, or emptied by Unicode repair) gets the empty hypothesis, and is listed with the
reasons the build counted. `build_documents` runs a normal build (cleaning and segmentation)
on a folder of documents and gives each document's translations in order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from corpus.dataset.files import iter_rows
from corpus.errors import ConfigError
from corpus.evaluate.testsets import one_line
from corpus.pipeline.config import BuildConfig
from corpus.read.config import ReadConfig
from translate.base import EngineConfig

BuildOptions = Mapping[str, Any]
"""How evaluation builds run besides the engine: keyword arguments of `BuildConfig` (the
translation cache, signals, the progress bar), never the ones the evaluation sets itself
(`FIXED`). A mapping, so that every build option stays declared once, in BuildConfig."""

FIXED = ("inputs", "out", "engine", "read", "jobs", "overwrite")


def check_build_options(options: BuildOptions) -> None:
    """Refuse a key that is no BuildConfig option, or one an evaluation sets itself."""
    known = {f.name for f in fields(BuildConfig)} - set(FIXED)
    unknown = sorted(set(options) - known)
    if unknown:
        raise ConfigError(
            f"unknown build option(s) for an evaluation: {', '.join(unknown)}; valid: "
            + ", ".join(sorted(known))
        )


@dataclass
class Translated:
    """Hypotheses aligned with the source lines, and what the build recorded."""

    hypotheses: list[str]
    scores: list[float | None]  # the row's `score` (mean log-prob), None where no row
    length_ratios: list[float | None]  # `length_ratio_chars` (with signals), else None
    missing: list[int]  # 1-based lines without a row
    dropped: dict[str, int]
    provenance: dict[str, Any]
    flags: dict[str, int] = field(default_factory=dict)  # rows split / retried / degenerate

    @property
    def signature(self) -> str:
        return str(self.provenance.get("signature", ""))


def translate_lines(
    source: Path, lines: int, engine: EngineConfig, out: Path, options: BuildOptions
) -> Translated:
    """Build `out` from the presplit file `source` (`lines` lines) and align its rows."""
    summary = _build(source, out, engine, options, presplit=True)
    by_line = {row["line_no"]: row for row in dataset_rows(out)}
    rows = [by_line.get(n) for n in range(1, lines + 1)]
    flags = {
        name: sum(1 for r in rows if r is not None and r.get(name))
        for name in ("is_split", "is_retried", "is_degenerate")
    }
    return Translated(
        hypotheses=[one_line(r["translation"]["en"]) if r else "" for r in rows],
        scores=[r["score"] if r else None for r in rows],
        length_ratios=[r.get("length_ratio_chars") if r else None for r in rows],
        missing=[n for n, r in enumerate(rows, 1) if r is None],
        dropped=dict(summary.report.dropped),
        provenance=read_provenance(out),
        flags={k: v for k, v in flags.items() if v},
    )


@dataclass
class DocumentTranslations:
    """Each document's translated segments in order (a normal build), keyed by doc_id."""

    segments: dict[str, list[str]]
    dropped: dict[str, int]
    provenance: dict[str, Any]


def build_documents(
    folder: Path, engine: EngineConfig, out: Path, options: BuildOptions
) -> DocumentTranslations:
    """Build `out` from the document files in `folder` (cleaning and segmentation on)."""
    summary = _build(folder, out, engine, options, presplit=False)
    segments: dict[str, list[tuple[int, str]]] = {}
    for row in dataset_rows(out):
        segments.setdefault(row["doc_id"], []).append((row["sent_index"], row["translation"]["en"]))
    ordered = {doc: [text for _, text in sorted(items)] for doc, items in segments.items()}
    return DocumentTranslations(ordered, dict(summary.report.dropped), read_provenance(out))


_ENGINES: dict[EngineConfig, Any] | None = None


@contextmanager
def loaded_engines() -> Iterator[None]:
    """Within the block, each engine setting is loaded once and reused by every build (behind
    each build's translation cache); closed at the end."""
    global _ENGINES
    _ENGINES = {}
    try:
        yield
    finally:
        from corpus.pipeline.engines import close_translator

        for engine in _ENGINES.values():
            close_translator(engine)
        _ENGINES = None


def _engine(config: EngineConfig) -> Any:
    if _ENGINES is None:
        return None
    if config not in _ENGINES:
        from corpus.pipeline.engines import robust_engine

        _ENGINES[config] = robust_engine(config)
    return _ENGINES[config]


def _build(
    inputs: Path, out: Path, engine: EngineConfig, options: BuildOptions, *, presplit: bool
) -> Any:
    from corpus.pipeline.run import build

    return build(
        BuildConfig(
            inputs=(str(inputs),),
            out=str(out),
            engine=engine,
            read=ReadConfig(input_format="text", presplit=presplit),
            jobs=1,
            overwrite=True,
            **options,
        ),
        engine=_engine(engine),
    )


def dataset_rows(out: Path) -> list[dict[str, Any]]:
    return list(iter_rows(sorted((out / "data").glob("*.parquet"))))


def read_provenance(out: Path) -> dict[str, Any]:
    """The provenance the build recorded in the dataset's idcorpus.json."""
    record = json.loads((out / "idcorpus.json").read_text(encoding="utf-8"))
    return dict(record.get("provenance") or {})
