"""What `idcorpus evaluate` writes and prints: a run's report.json record, segments.tsv, and the
text tables (scores per setting, differences with their paired bootstrap p-values, the
document-level check and the calibration)."""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus.errors import OutputError
from corpus.evaluate.metrics import LABELS, METRICS

if TYPE_CHECKING:
    from corpus.evaluate.results import Evaluation, Run, SetResult

REPORT = "report.json"
DIRECTION = {
    "id": "written in Indonesian first (the direction of a corpus build)",
    "en": "written in English, translated into Indonesian (translationese source)",
    "mixed": "pairs translated in both directions",
}


def output_root(out: str | None, overwrite: bool, inputs: list[str]) -> tuple[Path, bool]:
    """The output folder (checked; emptied with `overwrite` if it holds an earlier
    evaluation and none of `inputs`), or a temporary folder (True)."""
    if not out:
        return Path(tempfile.mkdtemp(prefix="idcorpus-evaluate-")), True
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"--out {folder} is a file; --out names a folder for the results")
    if folder.is_dir() and any(folder.iterdir()):
        if not overwrite:
            raise OutputError(f"{folder} already exists: pass --overwrite to replace it")
        if not (folder / REPORT).is_file():
            raise OutputError(
                f"{folder} is not the output of idcorpus evaluate (it has no {REPORT}): "
                "--overwrite replaces only that; choose another --out"
            )
        inside = [p for p in inputs if folder.resolve() in Path(p).resolve().parents]
        if inside:
            raise OutputError(f"{inside[0]} is inside --out {folder}: choose another --out")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return folder, False


def folder_names(labels: tuple[str, ...]) -> list[str]:
    """Settings' labels as distinct folder names: `compute-type=int8` -> `compute-type-int8`."""
    names = []
    for n, label in enumerate(labels, 1):
        name = "".join(c if c.isalnum() or c in "._-" else "-" for c in label).strip("-.")
        names.append(name[:80] or f"setting-{n}")
    if len(set(names)) < len(names):
        names = [f"{n}-{name}" for n, name in enumerate(names, 1)]
    return names


def write_json(path: Path, data: dict[str, Any]) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    path.write_text(text + "\n", encoding="utf-8")


def write_segments(path: Path, run: Run) -> None:
    """segments.tsv: line, chrF, score, length ratio, source, hypothesis, reference (quoted as
    RFC 4180 says where a field holds a tab or a quote)."""
    tr = run.translated
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, delimiter="\t", lineterminator="\n")
        out.writerow(["line", "chrf", "score", "length_ratio_chars", "source", "hypothesis", "reference"])  # fmt: skip
        for i, hyp in enumerate(run.hypotheses):
            score = tr.scores[i] if tr else None
            ratio = tr.length_ratios[i] if tr else None
            out.writerow(
                [
                    i + 1,
                    f"{run.scores.segment_chrf[i]:.4f}",
                    "" if score is None else score,
                    "" if ratio is None else ratio,
                    run.testset.source[i],
                    hyp,
                    run.testset.reference[i],
                ]
            )


def format_evaluation(evaluation: Evaluation) -> str:
    """The tables printed at the end of a run; sets written in Indonesian first come last,
    under their own heading."""
    first = [r for r in evaluation.sets if r.testset.written_in != "id"]
    original = [r for r in evaluation.sets if r.testset.written_in == "id"]
    blocks = [format_set(r) for r in first]
    if original:
        blocks.append(
            "== Written in Indonesian first (the direction of a corpus build); "
            "reported separately from the sets translated from English =="
        )
        blocks += [format_set(r) for r in original]
    if evaluation.out is not None:
        blocks.append(f"results in {evaluation.out}/ (report.json, hypotheses.txt, segments.tsv)")
    return "\n\n".join(blocks)


def format_set(result: SetResult) -> str:
    t = result.testset
    lines = [
        f"{t.name}: {len(t):,} lines"
        + (f" (first {len(t):,} of {t.total_lines:,})" if len(t) < t.total_lines else "")
        + f"; {DIRECTION.get(t.written_in or '', 'direction unknown')}"
    ]
    width = max([len("setting")] + [len(_name(run)) for run in result.runs] + [24])
    lines.append(f"  {'setting':<{width}} " + " ".join(f"{LABELS[m]:>7}" for m in METRICS))
    for run in result.runs:
        row = " ".join(f"{run.scores[m]:7.2f}" for m in METRICS)
        lines.append(f"  {_name(run):<{width}} {row}" + _missing(run))
    lines += _differences(result, width)
    if t.published:
        values = " ".join(
            f"{t.published[m]:7.1f}" if m in t.published else f"{'-':>7}" for m in METRICS
        )
        lines.append(
            f"  {'published (real model)':<{width}} {values}  {t.published.get('note', '')}"
        )
    for m in METRICS:
        lines.append(f"  {LABELS[m]:<7} {result.runs[0].scores.signatures[m]}")
    for run in result.runs:
        lines += _run_details(run, len(result.runs) > 1)
    lines += [f"  note: {note}" for note in result.notes]
    return "\n".join(lines)


def _name(run: Run) -> str:
    if run.label and not run.label.isdigit():
        return run.label
    if run.translated is None:
        return f"file {run.hypotheses_from}"
    t = run.translated.provenance.get("translator", {})
    return f"{t.get('engine', '?')}/{t.get('compute_type', '?')}, beams {t.get('num_beams', '?')}"


def _missing(run: Run) -> str:
    if run.translated is None or not run.translated.missing:
        return ""
    return f"   ({len(run.translated.missing)} line(s) without a translation: empty hypothesis)"


def _differences(result: SetResult, width: int) -> list[str]:
    out = []
    base = result.runs[0]
    for run in result.runs[1:]:
        diff = " ".join(f"{run.scores[m] - base.scores[m]:+7.2f}" for m in METRICS)
        out.append(f"  {'difference':<{width}} {diff}  ({_name(run)} - {_name(base)})")
        comparisons = result.comparisons.get(run.label)
        if comparisons and comparisons[0].identical:
            out.append(f"  {'p-value':<{width}} {'-':>7} {'-':>7} {'-':>7}  (identical output)")
        elif comparisons:
            p = " ".join(
                f"{c.p_value:7.4f}" if c.p_value is not None else f"{'-':>7}" for c in comparisons
            )
            out.append(
                f"  {'p-value':<{width}} {p}  (paired bootstrap, {result.bootstrap} resamples)"
            )
    return out


def _run_details(run: Run, named: bool) -> list[str]:
    prefix = f"  [{_name(run)}] " if named else "  "
    lines = []
    if run.translated is not None:
        lines.append(f"{prefix}idcorpus {run.translated.signature}")
    if run.documents:
        lines.append(prefix + _documents_line(run.documents))
    if run.calibration:
        lines += [prefix + line for line in _calibration_lines(run.calibration)]
    return lines


def _documents_line(d: dict[str, Any]) -> str:
    dropped = ", ".join(f"{k} {v}" for k, v in sorted(d["dropped"].items())) or "nothing"
    return (
        f"documents: {d['documents']} documents ({d['lines']} lines -> {d['segments']} segments "
        f"after cleaning and segmentation; dropped: {dropped}): chrF {d['chrf']:.2f} built vs "
        f"{d['chrf_presplit']:.2f} line by line ({d['chrf_difference']:+.2f}); "
        f"BLEU {d['bleu']:.2f} vs {d['bleu_presplit']:.2f}"
    )


def _calibration_lines(c: dict[str, Any]) -> list[str]:
    lines = [
        f"calibration on {c['segments']} segments: Spearman(score, chrF) = "
        f"{c['spearman_score_chrf']}",
        f"  score quantiles        {_quantiles(c['score'])}",
        f"  length ratio quantiles {_quantiles(c['length_ratio_chars'])}",
        "   k%  chrF below  --min-score  drops  of them worst-k%  chrF kept"
        "   length ratio kept  drops  of them worst-k%",
    ]
    for t in c["thresholds"]:
        s, r = t["min_score"], t.get("length_ratio")
        row = (
            f"  {t['k']:>3}  {t['chrf_below']:>10.2f}  {s['value']:>11.4f}  {s['drops']:>5}  "
            f"{_share(s['worst_share']):>16}  {s['chrf_kept']:>9.2f}"
        )
        if r:
            row += (
                f"   {r['min']:>7.3f} - {r['max']:<7.3f}  {r['drops']:>5}  "
                f"{_share(r['worst_share']):>16}"
            )
        lines.append(row)
    return lines


def _quantiles(q: dict[str, float]) -> str:
    return " ".join(f"{k}={v:g}" for k, v in q.items()) or "(none)"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"
