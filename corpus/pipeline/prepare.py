"""Document -> sentence units: cleaned and segmented, or one unit per line with `--presplit`.

`prepare(doc, options, drop)` is pure: its result depends only on its arguments, so it runs in
any process (the build's `--jobs` workers, Ray tasks) and gives the same units. The one piece
of state that crosses documents — lines repeated across documents — is decided before, in
document order, and passed in as `drop` (see corpus.clean.cleaner).

Presplit input (`--presplit`) is one sentence per line: every line with any text after Unicode
repair is one unit, in input order, duplicates included, with its 1-based line number; nothing
is cleaned away and nothing is segmented, so the output lines up with a reference file.
With given translations (`--target`, `--target-field`) each unit carries its English, and a
line whose source or English is empty is a dropped unit (`read:empty_source`,
`read:empty_target`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from corpus.clean.cleaner import Cleaner
from corpus.clean.repair import repair
from corpus.pipeline.pairs import Unit, units_of
from corpus.records import Document, Span
from corpus.report import Report
from corpus.segment.sentences import segment, split_paragraphs


@dataclass(frozen=True)
class PrepareOptions:
    """How documents become units. `identify`: give each unit its source language, decided
    with the rest of its document (corpus.pipeline.tasks.prepare_task; the build does when it
    computes signals)."""

    presplit: bool = False
    identify: bool = False


@dataclass
class Prepared:
    """The units of one document (part) and what preparing it counted and dropped.

    Offsets, sentence and paragraph indices are local to this part; `text_length` and
    `paragraphs` let the pipeline continue them across the parts of a long document."""

    doc_id: str
    part: int
    units: list[Unit]
    spans: int  # sentences found, before units without letters were dropped
    text_length: int
    paragraphs: int
    lines: int  # line breaks in the input part (presplit line numbers continue after them)
    report: Report = field(default_factory=Report)


def prepare(
    doc: Document, options: PrepareOptions, drop: frozenset[bytes] | None = None
) -> Prepared:
    """The units of `doc`; `drop`: fingerprints of lines repeated across documents."""
    if options.presplit:
        return _prepare_lines(doc)
    cleaned = Cleaner().clean(doc.text, drop=drop if drop is not None else frozenset())
    paragraphs = split_paragraphs(cleaned.text)
    units = [  # each with the line of the document as read that its paragraph came from
        u._replace(line_no=cleaned.line_of(u.start))
        for u in units_of(doc, segment(cleaned.text), paragraphs)
    ]
    result = Prepared(
        doc.doc_id,
        doc.part,
        [],
        len(units),
        len(cleaned.text),
        len(paragraphs),
        doc.text.count("\n"),
    )
    for line in cleaned.dropped:
        result.report.drop("clean", line.reason, doc=doc.doc_id, text=line.text,
                           source=doc.source, line_no=line.line_no)  # fmt: skip
    for unit in units:
        if any(c.isalpha() for c in unit.text):
            result.units.append(unit)
        else:
            result.report.drop("segment", "no_letters", doc=doc.doc_id, text=unit.text,
                               source=doc.source, line_no=unit.line_no)  # fmt: skip
    _count(result)
    return result


def _prepare_lines(doc: Document) -> Prepared:
    """One unit per line with text after Unicode repair; the repaired lines keep their line
    numbers (blank lines stay blank), so offsets point into the repaired text. With given
    translations (`doc.target`), each unit carries its line's English (see `given_lines`)."""
    lines = given_lines(doc) if doc.target is not None else doc.text.split("\n")
    repaired = [repair(line) if line.strip() else "" for line in lines]
    text = "\n".join(repaired)
    targets = list(doc.target or ())
    spans, numbers, given, pos = [], [], [], 0
    for n, line in enumerate(repaired, 1):
        english = targets[n - 1] if n <= len(targets) else None
        if line and (english is None or english.strip()):
            spans.append(Span(pos, pos + len(line), line))
            numbers.append(n)
            given.append(english)
        pos += len(line) + 1
    units = [
        u._replace(line_no=n, target=english)
        for u, n, english in zip(
            units_of(doc, spans, split_paragraphs(text)), numbers, given, strict=True
        )
    ]
    paragraphs = len(split_paragraphs(text))
    result = Prepared(
        doc.doc_id, doc.part, units, len(units), len(text), paragraphs, len(lines) - 1
    )
    for n, (raw, line) in enumerate(zip(lines, repaired, strict=True), 1):
        if n <= len(targets):
            _drop_given(result.report, doc, n, raw, line, targets[n - 1])
        elif raw.strip() and not line:
            result.report.drop("read", "line_empty_after_repair", doc=doc.doc_id, text=raw,
                               source=doc.source, line_no=n)  # fmt: skip
    _count(result)
    return result


def given_lines(doc: Document) -> list[str]:
    """The source side of `doc`'s given pairs: its lines, one per given translation (a line
    break after the last is no line); a record whose text spans lines but has one translation
    is one pair, line breaks and all."""
    assert doc.target is not None
    lines = doc.text.split("\n")
    if lines[-1] == "" and len(lines) == len(doc.target) + 1:
        return lines
    if len(lines) == len(doc.target):
        return lines
    if len(doc.target) == 1:
        return [doc.text]
    raise ValueError(f"{doc.source}: {len(lines)} lines but {len(doc.target)} translations")


def _drop_given(report: Report, doc: Document, n: int, raw: str, line: str, english: str) -> None:
    """A given pair with an empty side is a dropped unit (its line and what it had)."""
    if line and english.strip():
        return
    reason = "empty_source" if not line else "empty_target"
    report.drop("read", reason, doc=doc.doc_id, text=raw, source=doc.source, line_no=n,
                translation=english or None)  # fmt: skip


def _count(result: Prepared) -> None:
    if result.part == 0:
        result.report.count("documents")
    if not result.units:
        result.report.count("documents_without_sentences")
        where = f"{result.doc_id} (part {result.part})" if result.part else result.doc_id
        result.report.warn("empty_document", "no sentence left after cleaning", where=where)
    result.report.count("sentences", len(result.units))
