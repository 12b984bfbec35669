"""Document-level check of a corpus build (`idcorpus evaluate --documents`).

For a test set whose lines belong to documents (FLORES: the source URL of each line; NTREX:
DOCUMENT_IDS.tsv; or `--doc-ids FILE`), each document's source lines are written as one
document, one paragraph per line, and built the normal way (cleaning and segmentation on,
every other setting the run's). Each document's translations are joined in order and scored
against its joined reference lines; chrF on whole documents does not depend on where the
sentences were cut. The same documents joined from the line-by-line (presplit) translations
are scored alongside, so the difference is what cleaning and segmentation cost (or gain).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.evaluate.build import BuildOptions, build_documents
from corpus.evaluate.metrics import corpus_scores
from corpus.evaluate.testsets import EvalSet, one_line, write_lines
from translate.base import EngineConfig


@dataclass(frozen=True)
class Documents:
    """Distinct document ids in order of their first line, and each one's line indices."""

    ids: list[str]
    lines: list[list[int]]

    def file(self, n: int) -> str:
        return f"{n:05d}.txt"


def group(doc_ids: list[str]) -> Documents:
    found: dict[str, list[int]] = {}
    for i, doc in enumerate(doc_ids):
        found.setdefault(doc, []).append(i)
    return Documents(list(found), list(found.values()))


def write_documents(testset: EvalSet, folder: Path) -> Documents:
    """One text file per document, its source lines as paragraphs (a blank line between)."""
    docs = group(testset.doc_ids or [])
    folder.mkdir(parents=True, exist_ok=True)
    for n, lines in enumerate(docs.lines):
        text = "\n\n".join(testset.source[i] for i in lines if testset.source[i].strip())
        (folder / docs.file(n)).write_text(text + "\n", encoding="utf-8")
    return docs


def document_check(
    testset: EvalSet,
    docs: Documents,
    presplit: list[str],
    sources: Path,
    engine: EngineConfig,
    out: Path,
    options: BuildOptions,
) -> dict[str, Any]:
    """Build the documents in `sources` into `out/dataset` and score them (see the module)."""
    translated = build_documents(sources, engine, out / "dataset", options)
    built = [
        one_line(" ".join(translated.segments.get(docs.file(n), []))) for n in range(len(docs.ids))
    ]
    by_lines = [_join(presplit[i] for i in lines) for lines in docs.lines]
    refs = [_join(testset.reference[i] for i in lines) for lines in docs.lines]
    whole, lines = corpus_scores(built, refs), corpus_scores(by_lines, refs)
    write_lines(out / "hypotheses.txt", built)
    write_lines(out / "hypotheses_presplit.txt", by_lines)
    write_lines(out / "reference.txt", refs)
    segments = [len(translated.segments.get(docs.file(n), [])) for n in range(len(docs.ids))]
    _write_table(out / "documents.tsv", docs, segments, whole.segment_chrf, lines.segment_chrf)
    return {
        "documents": len(docs.ids),
        "lines": sum(len(x) for x in docs.lines),
        "segments": sum(segments),
        "documents_segmented_otherwise": sum(
            1 for n, x in enumerate(docs.lines) if segments[n] != len(x)
        ),
        "chrf": whole["chrf"],
        "chrf_presplit": lines["chrf"],
        "chrf_difference": whole["chrf"] - lines["chrf"],
        "bleu": whole["bleu"],
        "bleu_presplit": lines["bleu"],
        "signature": {
            "chrf": whole.signatures["chrf"],
            "bleu": whole.signatures["bleu"],
            "idcorpus": str(translated.provenance.get("signature", "")),
        },
        "dropped": translated.dropped,
    }


def _join(lines: Any) -> str:
    return one_line(" ".join(line for line in lines if line))


def _write_table(
    path: Path, docs: Documents, segments: list[int], whole: list[float], lines: list[float]
) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, delimiter="\t", lineterminator="\n")
        out.writerow(["file", "doc_id", "lines", "segments", "chrf", "chrf_presplit", "difference"])
        for n, doc in enumerate(docs.ids):
            out.writerow(
                [
                    docs.file(n),
                    doc,
                    len(docs.lines[n]),
                    segments[n],
                    f"{whole[n]:.4f}",
                    f"{lines[n]:.4f}",
                    f"{whole[n] - lines[n]:+.4f}",
                ]
            )
