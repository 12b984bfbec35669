"""Measure the translation quality a corpus will have: `idcorpus evaluate` and its Python API.

    from corpus.evaluate.run import EvalConfig, evaluate
    result = evaluate(EvalConfig(sets=("flores-devtest",), settings=(EngineConfig(...),)))
    result.runs[0].scores["chrf"]

Each test set (corpus.evaluate.testsets) is translated by every setting (an `EngineConfig`, exactly
what `build` takes) through a real presplit build (corpus.evaluate.build), scored with
sacrebleu (corpus.evaluate.metrics), and, on request, calibrated (corpus.evaluate.calibrate) and checked at
document level (corpus.evaluate.docs). Settings after the first are compared with it by
sacrebleu's paired bootstrap test. `--out DIR` keeps everything: per run `hypotheses.txt`
(one line per source line), `segments.tsv` (chrF, score and texts per line), `report.json`
and the built `dataset/`; per set `source.txt` and `reference.txt`.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from corpus.errors import ConfigError, InputError
from corpus.evaluate.build import BuildOptions, check_build_options, translate_lines
from corpus.evaluate.calibrate import calibrate
from corpus.evaluate.docs import Documents, document_check, write_documents
from corpus.evaluate.metrics import corpus_scores, paired_bootstrap
from corpus.evaluate.report import REPORT, folder_names, output_root, write_json, write_segments
from corpus.evaluate.results import Evaluation, Run, SetResult
from corpus.evaluate.testsets import (
    EvalSet,
    expand_names,
    load_files,
    load_named,
    read_lines,
    write_lines,
)
from translate.base import EngineConfig
from translate.options import flag


@dataclass(frozen=True)
class EvalConfig:
    """What to evaluate (named `sets`, or `src` + `ref`), with which engine `settings` (the
    first is the baseline of comparisons; `labels` name them), and what to write."""

    settings: tuple[EngineConfig, ...] = (EngineConfig(),)
    labels: tuple[str, ...] = ()
    sets: tuple[str, ...] = field(
        default=(),
        metadata=flag(
            "vendored test set(s): flores-devtest, flores-dev, ntrex, tico19, tatoeba, nusax, "
            "or all (see --list-sets); may be repeated",
            name="--set",
            metavar="NAME[,NAME...]",
            append=True,
        ),
    )
    src: str | None = field(
        default=None,
        metadata=flag("your own test set: the source file, one segment per line", metavar="FILE"),
    )
    ref: str | None = field(
        default=None, metadata=flag("the reference of --src, line by line", metavar="FILE")
    )
    doc_ids: str | None = field(
        default=None,
        metadata=flag("the document id of each --src line (for --documents)", metavar="FILE"),
    )
    hypotheses: str | None = field(
        default=None,
        metadata=flag(
            "score this file (one line per source line) instead of translating", metavar="FILE"
        ),
    )
    limit: int | None = field(
        default=None, metadata=flag("only the first N lines of each set", metavar="N")
    )
    out: str | None = field(
        default=None,
        metadata=flag(
            "keep hypotheses, segment scores, report.json and the built datasets in this folder",
            metavar="FOLDER",
        ),
    )
    overwrite: bool = field(default=False, metadata=flag("replace an earlier --out folder"))
    documents: bool = field(
        default=False,
        metadata=flag(
            "also build the sets that have documents (FLORES, NTREX, --doc-ids) the normal way, "
            "with cleaning and segmentation, and score whole documents"
        ),
    )
    calibrate: bool = field(
        default=False,
        metadata=flag(
            "report the score and length-ratio thresholds that drop the worst k%% by chrF"
        ),
    )
    bootstrap: int = field(
        default=1000,
        metadata=flag("paired bootstrap resamples when settings are compared (0 = no test)"),
    )
    build: BuildOptions = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sets", tuple(expand_names(list(self.sets))))
        check_build_options(self.build)
        if not self.sets and not (self.src or self.ref):
            raise ConfigError(
                "name a test set with --set NAME (see --list-sets) or give your own with "
                "--src FILE --ref FILE"
            )
        if self.sets and (self.src or self.ref):
            raise ConfigError("give either --set or --src/--ref, not both")
        if bool(self.src) != bool(self.ref):
            raise ConfigError("--src and --ref go together: the source file and its reference")
        if self.doc_ids and not self.src:
            raise ConfigError("--doc-ids goes with --src/--ref (named sets have their own)")
        if self.limit is not None and self.limit < 1:
            raise ConfigError(f"--limit must be >= 1, got {self.limit}")
        if self.bootstrap < 0:
            raise ConfigError(f"--bootstrap must be >= 0 (0 = no test), got {self.bootstrap}")
        if not self.settings:
            raise ConfigError("at least one engine setting is needed")
        labels = self.labels or tuple(str(i) for i in range(1, len(self.settings) + 1))
        if len(labels) != len(self.settings) or len(set(labels)) != len(labels):
            raise ConfigError(f"one distinct label per setting needed, got {list(labels)}")
        object.__setattr__(self, "labels", labels)
        if self.hypotheses and (len(self.settings) > 1 or self.documents or self.calibrate):
            raise ConfigError(
                "--hypotheses scores a file as it is: it cannot be combined with several "
                "settings, --documents or --calibrate (they need translations and their scores)"
            )
        if self.hypotheses and len(self.sets) > 1:
            raise ConfigError("--hypotheses belongs to one test set; name one with --set")


def evaluate(config: EvalConfig) -> Evaluation:
    """Translate and score every test set of `config` with every setting (see the module)."""
    sets = load_sets(config)
    if not config.hypotheses:
        check_settings(config)
    hypotheses = _read_hypotheses(config, sets[0]) if config.hypotheses else None
    inputs = [p for p in (config.src, config.ref, config.doc_ids, config.hypotheses) if p]
    root, temporary = output_root(config.out, config.overwrite, inputs)
    if not temporary:  # marks the folder as ours at once: --overwrite after a crash works
        write_json(root / REPORT, {"complete": False, "runs": []})
    from corpus.evaluate.build import loaded_engines

    try:
        with loaded_engines():  # each setting's engine is loaded once for every set
            results = [
                _evaluate_set(s, config, root, s.name if len(sets) > 1 else "", hypotheses)
                for s in sets
            ]
        evaluation = Evaluation(results, None if temporary else root)
        if not temporary:
            write_json(root / REPORT, evaluation.to_dict())
        return evaluation
    finally:
        if temporary:
            shutil.rmtree(root, ignore_errors=True)


def load_sets(config: EvalConfig) -> list[EvalSet]:
    """Every test set of `config`, read and checked before anything is translated."""
    if config.src and config.ref:
        return [load_files(config.src, config.ref, config.limit, doc_ids=config.doc_ids)]
    return [load_named(name, config.limit) for name in config.sets]


def check_settings(config: EvalConfig) -> None:
    """Refuse a compute type the chosen engine does not have before anything is translated
    (`--engine transformers,ctranslate2 --compute-type int8` asks transformers for int8)."""
    from translate.ct2 import CT2_COMPUTE_TYPES
    from translate.marian_load import HF_COMPUTE_TYPES

    known = {"transformers": HF_COMPUTE_TYPES, "ctranslate2": CT2_COMPUTE_TYPES}
    for label, engine in zip(config.labels, config.settings, strict=True):
        valid = known.get(engine.engine)
        if valid is not None and engine.compute_type not in valid:
            where = f"setting {label}: " if len(config.settings) > 1 else ""
            raise ConfigError(
                f"{where}the {engine.engine} engine has no compute type {engine.compute_type!r}; "
                f"choose one of: {', '.join(valid)} (to compare engines, give each its own "
                "command or --compute-type auto)"
            )


def _read_hypotheses(config: EvalConfig, testset: EvalSet) -> list[str]:
    assert config.hypotheses is not None
    lines = read_lines(config.hypotheses)
    if len(lines) == testset.total_lines:
        return lines[: len(testset)]
    if len(lines) != len(testset):
        limited = f" ({len(testset):,} with --limit)" if len(testset) < testset.total_lines else ""
        raise InputError(
            f"line counts differ: {config.hypotheses} has {len(lines):,} lines, "
            f"{testset.src_path} has {testset.total_lines:,}{limited}; --hypotheses needs one "
            "line per source line"
        )
    return lines


def _evaluate_set(
    testset: EvalSet,
    config: EvalConfig,
    root: Path,
    sub: str,
    hypotheses: list[str] | None,
) -> SetResult:
    folder = root / sub
    folder.mkdir(parents=True, exist_ok=True)
    write_lines(folder / "source.txt", testset.source)
    write_lines(folder / "reference.txt", testset.reference)
    docs = None
    if config.documents and testset.doc_ids:
        docs = write_documents(testset, folder / "document-sources")
    runs = []
    names = folder_names(config.labels)
    for label, name, engine in zip(config.labels, names, config.settings, strict=True):
        run_sub = str(Path(sub) / name) if len(config.settings) > 1 else sub
        runs.append(_run(testset, label, engine, config, (root, sub, run_sub), docs, hypotheses))
    result = SetResult(testset, runs)
    if config.documents and docs is None:
        result.notes.append("--documents: this set has no document ids (use --doc-ids FILE)")
    calibration = runs[0].calibration
    if calibration is not None and not calibration["thresholds"]:
        result.notes.append("--calibrate: too few segments for any k% threshold (need 5+)")
    if len(runs) > 1 and config.bootstrap:
        systems = [(run.label, run.hypotheses) for run in runs]
        result.comparisons, result.test_signatures = paired_bootstrap(
            systems, testset.reference, config.bootstrap
        )
        result.bootstrap = config.bootstrap
    return result


def _run(
    testset: EvalSet,
    label: str,
    engine: EngineConfig,
    config: EvalConfig,
    where: tuple[Path, str, str],
    docs: Documents | None,
    hypotheses: list[str] | None,
) -> Run:
    """`where`: the output root, the set's folder and the run's folder (both relative)."""
    root, set_sub, sub = where
    folder = root / sub
    folder.mkdir(parents=True, exist_ok=True)
    source = root / set_sub / "source.txt"
    translated = None
    if hypotheses is None:
        options = {**config.build, "signals": True}  # rows flagged split/retried are counted
        translated = translate_lines(source, len(testset), engine, folder / "dataset", options)
        hypotheses = translated.hypotheses
    scores = corpus_scores(hypotheses, testset.reference)
    run = Run(testset, label, None if translated is None else engine, hypotheses, scores)
    run.translated, run.folder, run.set_folder = translated, sub, set_sub
    if translated is None:
        run.hypotheses_from = str(config.hypotheses)
    write_lines(folder / "hypotheses.txt", hypotheses)
    write_segments(folder / "segments.tsv", run)
    if translated is not None and config.calibrate:
        run.calibration = calibrate(
            scores.segment_chrf,
            translated.scores,
            translated.length_ratios,
            hypotheses,
            testset.reference,
        )
    if translated is not None and docs is not None:
        options = {**config.build, "signals": False}
        sources = root / set_sub / "document-sources"
        run.documents = document_check(
            testset, docs, hypotheses, sources, engine, folder / "documents", options
        )
    write_json(folder / REPORT, run.to_dict())
    return run
