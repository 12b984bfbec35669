"""Orchestration only: stream documents through read -> clean -> segment -> translate -> pairs
-> dataset, in resumable chunks.

Documents are grouped into chunks of about `chunk_sentences` sentences (always whole
documents). Each translated chunk becomes a shard in the work area, followed by a checkpoint.
On `--resume` the documents of finished chunks are read and cleaned again (cheap, and it
rebuilds the cleaner's cross-document state exactly) but not translated; the report is then
restored from the checkpoint. The final dataset is assembled from the shards and appears in
one rename.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus import provenance
from corpus.card import CardInfo, render_card
from corpus.clean import Cleaner
from corpus.config import BuildConfig
from corpus.dataset import (
    BASE_DOCS,
    Reservoir,
    SplitWriter,
    arrow_schema,
    columns,
    iter_rows,
    publish,
    rows_to_table,
    split_of,
)
from corpus.errors import ConfigError, InputError, OutputError
from corpus.filter import filter_rows
from corpus.pairs import SentencePair, Unit, line_spans, units_of
from corpus.read import iter_documents
from corpus.records import Document
from corpus.report import Report
from corpus.segment import segment, split_paragraphs
from corpus.signals import SIGNAL_COLUMNS, SIGNAL_DOCS, compute_signals, language_identifier
from corpus.workdir import BuildLock, WorkDir
from translate.base import Translation, Translator
from translate.robust import too_long

log = logging.getLogger(__name__)
PROGRESS_SLICE = 512  # sentences per engine call: the bar moves at least this often


@dataclass
class Summary:
    out: Path
    report: Report
    documents: int
    sentences: int
    pairs_written: int
    split_counts: dict[str, int]
    elapsed_s: float
    provenance: dict[str, Any] = field(default_factory=dict)
    cache_stats: dict[str, int] = field(default_factory=dict)

    @property
    def sentences_per_s(self) -> float:
        return self.sentences / self.elapsed_s if self.elapsed_s > 0 else 0.0


def build(config: BuildConfig, translator: Translator | None = None) -> Summary:
    """Build the dataset folder `config.out`; returns the run's summary."""
    started = time.perf_counter()
    out = Path(config.out)
    with BuildLock(out):
        if out.exists() and not config.overwrite:
            raise OutputError(f"{out} already exists: pass --overwrite to replace it")
        work = WorkDir(out)
        warm_up = _warm_up_signals(config)
        owned = translator is None
        if translator is None:
            from corpus.engines import make_translator  # the model loads before any input is read

            translator = make_translator(config)
        try:
            return _run(config, out, work, translator, started)
        finally:
            if warm_up is not None:
                warm_up.join()
            if owned:
                _close(translator)


def _warm_up_signals(config: BuildConfig) -> threading.Thread | None:
    """Load the language identifier (about 1 s) while the model loads and translates."""
    if not config.signals:
        return None

    def load() -> None:
        try:
            language_identifier()
        except ConfigError:  # py3langid missing: reported when the signals are computed
            log.debug("language identifier warm-up failed", exc_info=True)

    thread = threading.Thread(target=load, name="idcorpus-langid-warmup", daemon=True)
    thread.start()
    return thread


def _run(
    config: BuildConfig, out: Path, work: WorkDir, translator: Translator, started: float
) -> Summary:
    report = Report()
    docs = iter_documents(config.inputs, config.read, report)  # checks the input paths first
    state = work.open(
        config.fingerprint(),
        config.effective_chunk,
        resume=config.resume,
        overwrite=config.overwrite,
    )
    prepare = _Preparer(config, report)
    with _progress(config.quiet) as bar:
        for index, units in enumerate(_chunks(docs, prepare, state.chunk_sentences)):
            if index < state.chunks_done:
                if index == state.chunks_done - 1:
                    report.restore(state.report)
                continue
            pairs = _translate(units, translator, report, config, bar)
            table = rows_to_table([p.as_row() for p in pairs], _schema(config))
            work.commit_chunk(state, index, table, report.to_dict())
    if report.counts["documents"] == 0:
        work.remove()
        raise InputError(_nothing_usable(config, report))
    prov = provenance.collect(config, translator)
    split_counts, filtered = _assemble(config, work, state, report, prov, out)
    work.remove()
    elapsed = time.perf_counter() - started
    return Summary(
        out,
        report,
        report.counts["documents"],
        report.counts["sentences"],
        sum(split_counts.values()),
        split_counts,
        elapsed,
        prov,
        _cache_stats(translator),
    )


class _Preparer:
    """Document -> sentence units: clean, segment, count what is dropped and why."""

    def __init__(self, config: BuildConfig, report: Report):
        self.cleaner = Cleaner()
        self.presplit = config.read.presplit
        self.report = report

    def __call__(self, doc: Document) -> list[Unit]:
        self.report.count("documents")
        cleaned = self.cleaner.clean(doc.text)
        for line in cleaned.dropped:
            self.report.drop("clean", line.reason)
        text = cleaned.text
        spans = line_spans(text) if self.presplit else segment(text)
        units = units_of(doc, spans, split_paragraphs(text))
        kept = [u for u in units if any(c.isalpha() for c in u.text)]
        self.report.drop("segment", "no_letters", len(units) - len(kept))
        if not kept:
            self.report.count("documents_without_sentences")
        self.report.count("sentences", len(kept))
        return kept


def _chunks(
    docs: Iterator[Document], prepare: Callable[[Document], list[Unit]], size: int
) -> Iterator[list[Unit]]:
    """Whole documents grouped until a chunk holds at least `size` sentences."""
    buf: list[Unit] = []
    for doc in docs:
        buf.extend(prepare(doc))
        if len(buf) >= size:
            yield buf
            buf = []
    if buf:
        yield buf


def _translate(
    units: list[Unit], translator: Translator, report: Report, config: BuildConfig, bar: Any
) -> list[SentencePair]:
    todo = []
    for unit in units:
        if too_long(unit.text):
            report.drop("translate", "too_long")
        else:
            todo.append(unit)
    done = _translate_unique([u.text for u in todo], translator, config, bar)
    signals = config.signals
    pairs = []
    for unit in todo:
        tr = done[unit.text]
        if not tr.text.strip():
            report.drop("translate", "empty_output")
            continue
        pairs.append(SentencePair(unit, tr, compute_signals(unit.text, tr) if signals else {}))
    report.count("pairs", len(pairs))
    return pairs


def _translate_unique(
    texts: list[str], translator: Translator, config: BuildConfig, bar: Any
) -> dict[str, Translation]:
    """Each distinct sentence once, shortest first, in slices so the progress bar moves.

    Slices of a length-sorted list pad as little as the whole list would; on Ray the chunk
    goes in one piece (each call starts an actor pool)."""
    unique = sorted(set(texts), key=lambda t: (len(t), t))
    step = len(unique) if config.executor == "ray" else PROGRESS_SLICE
    done: dict[str, Translation] = {}
    for i in range(0, len(unique), max(step, 1)):
        part = unique[i : i + step]
        done.update(zip(part, translator.translate_batch(part), strict=True))
        bar.update(len(part))
    return done


def _schema(config: BuildConfig) -> Any:
    return arrow_schema(columns(SIGNAL_COLUMNS if config.signals else {}))


def _assemble(
    config: BuildConfig, work: WorkDir, state: Any, report: Report, prov: dict[str, Any], out: Path
) -> tuple[dict[str, int], dict[str, Any] | None]:
    staged = work.staging()
    cols = columns(SIGNAL_COLUMNS if config.signals else {})
    writer = SplitWriter(staged, arrow_schema(cols), splits=[s for s, _ in config.splits])
    rows = iter_rows(work.shard_files(state))
    filter_report = None
    if config.filter is not None:
        rows, filter_report = filter_rows(rows, config.filter)
    numeric = [
        c
        for c, t in cols.items()
        if t.startswith(("float", "int"))
        and c not in ("para_index", "sent_index", "src_start", "src_end")
    ]
    reservoirs = {c: Reservoir(seed=config.seed) for c in numeric}
    for row in rows:
        writer.add(split_of(row["doc_id"], config.splits, config.seed), row)
        for c, r in reservoirs.items():
            r.add(row[c])
    counts = writer.close()
    for name in writer.empty_splits():
        report.warn(
            f"split {name!r} received no documents and is left out of the dataset "
            f"({report.counts['documents']} documents in all); use more documents "
            "or a larger fraction"
        )
    freport = filter_report.to_dict() if filter_report is not None else None
    if freport:
        for rule, n in freport.get("dropped", {}).items():
            report.drop("filter", rule, n)
    info = CardInfo(
        name=f"idcorpus id-en: {out.name}",
        columns=cols,
        column_docs={**BASE_DOCS, **(SIGNAL_DOCS if config.signals else {})},
        split_counts=counts,
        provenance=prov,
        report=report.to_dict(),
        quantiles={c: r.quantiles() for c, r in reservoirs.items() if r.values},
        filter_report=freport,
        split_bytes=writer.nbytes,
    )
    (staged / "README.md").write_text(render_card(info), encoding="utf-8")
    provenance.write_json(staged / "idcorpus.json", prov, report, freport, counts)
    publish(staged, out, overwrite=config.overwrite)
    return counts, freport


def _nothing_usable(config: BuildConfig, report: Report) -> str:
    lines = [f"nothing usable in the input ({', '.join(config.inputs)}): no document was read"]
    lines += [f"  skipped {src}: {why}" for src, why in report.skipped_inputs[:20]]
    return "\n".join(lines)


def _cache_stats(translator: Translator) -> dict[str, int]:
    if hasattr(translator, "hits") and hasattr(translator, "misses"):
        return {"hits": int(translator.hits), "misses": int(translator.misses)}
    return {}


def _close(translator: Any) -> None:
    """Close a translator chain (cache database, Ray)."""
    while translator is not None:
        close = getattr(translator, "close", None)
        if callable(close):
            close()
        translator = getattr(translator, "inner", None)


class _progress:
    """A tqdm bar over translated sentences, silent with --quiet."""

    def __init__(self, quiet: bool):
        self.quiet = quiet

    def __enter__(self) -> Any:
        from tqdm import tqdm

        self.bar = tqdm(unit="sent", desc="translating", disable=self.quiet, dynamic_ncols=True)
        return self.bar

    def __exit__(self, *exc: object) -> None:
        self.bar.close()
