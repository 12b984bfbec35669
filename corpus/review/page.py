"""A dataset folder -> `report.html`: one self-contained page a person reads in a browser.

The page holds aggregates and samples of one `scan` (never the whole corpus): counts of pairs,
documents and sites; the drops per stage and reason (a chart, then a table with examples);
histograms of the score and the signals with each filter threshold and what it would remove;
the lowest-scoring, flagged and random pairs; a sample of documents as read with their kept
sentences and dropped units in order; the provenance. Charts are SVG by matplotlib, every text
from the corpus is escaped, and a Content-Security-Policy forbids scripts and any fetch, so the
page needs no network and nothing in a sentence can run.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from corpus.names import shown, utf8_text
from corpus.review import charts
from corpus.review.deps import REPORT_FILE
from corpus.review.docview import clip, document_html
from corpus.review.pairview import pairs_section
from corpus.review.scan import Limits, Scan, scan
from corpus.review.style import CSS

log = logging.getLogger(__name__)
STAGES = ("read", "html", "clean", "segment", "langid", "translate", "filter", "dedup")
DOCS_BUDGET = 1_500_000  # characters of document view; the rest of the sample is left out
MAX_REASONS = 60  # stage:reason keys in the chart and table (the largest)
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
Row = dict[str, Any]


def write_report(
    folder: str | Path, *, name: str | None = None, limits: Limits | None = None
) -> Path:
    """Write `folder/report.html` for the dataset folder `folder` (a published folder, or a
    staged one before it is published: `name` is then the folder's final name, for the
    title) and return its path. Written to a temporary name and renamed, so a reader never
    sees half a report."""
    folder = Path(folder)
    page = render(scan(folder, limits or Limits()), name=name)
    path = folder / REPORT_FILE
    tmp = path.with_name(f".{REPORT_FILE}.tmp-{os.getpid()}")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, path)
    log.debug("wrote %s (%d bytes)", path, len(page.encode()))
    return path


def render(s: Scan, name: str | None = None) -> str:
    """The page of one scan, titled by `name` (default: the folder's name)."""
    # a folder's name may hold undecodable bytes and control characters: escaped, as the card
    title = f"idcorpus report: {shown(utf8_text(name or s.folder.name), keep='')}"
    body = [
        f"<header><h1>{escape(title)}</h1>{_subtitle(s)}{_nav()}</header><main>",
        _overview(s),
        _drops(s),
        _signals(s),
        pairs_section(s),
        _documents(s),
        _provenance(s),
        "</main>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        + "".join(body)
        + "</body></html>\n"
    )


def _subtitle(s: Scan) -> str:
    prov = s.meta.get("provenance") or {}
    translator = prov.get("translator") or {}
    model = translator.get("model") if isinstance(translator, dict) else None
    bits = [f"idcorpus {prov.get('tool_version', '?')}"] + ([f"model {model}"] if model else [])
    if s.meta.get("filter"):
        bits.append("filtered by idcorpus filter")
    return f'<p class="muted">{escape(" · ".join(bits))}</p>'


def _nav() -> str:
    links = [("overview", "Overview"), ("drops", "What was dropped"), ("signals", "Scores and signals"),
             ("pairs", "Pairs to check"), ("documents", "Documents as read"), ("provenance", "Provenance")]  # fmt: skip
    return "<nav>" + "".join(f'<a href="#{a}">{t}</a>' for a, t in links) + "</nav>"


def _tile(value: str, label: str) -> str:
    return f'<div class="tile"><b>{escape(value)}</b><span>{escape(label)}</span></div>'


def _overview(s: Scan) -> str:
    docs = s.pairs_per_doc.keys() | s.rejected_per_doc.keys()
    hosts_docs, hosts_pairs = s.hosts()
    dropped = _card_drops(s)
    read = (s.meta.get("report") or {}).get("counts", {}).get("documents")
    splits = ", ".join(f"{k} {v:,}" for k, v in s.splits.items())
    read_note = f"; {read:,} read" if isinstance(read, int) else ""
    tiles = [
        _tile(f"{s.pairs:,}", f"pairs ({splits})"),
        _tile(f"{len(docs):,}", f"documents ({len(s.pairs_per_doc):,} with pairs{read_note})"),
        _tile(f"{len(hosts_docs):,}", "sites (hosts of URL document ids)")
        if hosts_docs
        else _tile("–", "sites: document ids are not URLs"),
        _tile(f"{sum(dropped.values()):,}", "units dropped (card)"),
    ]
    if s.has_rejected:
        tiles.append(_tile(f"{sum(s.rejected.values()):,}", "rejected rows"))
    parts = [f'<section id="overview"><h2>Overview</h2><div class="tiles">{"".join(tiles)}</div>']
    if hosts_pairs:
        parts.append(f"<h3>Largest sites</h3><figure>{charts.sites_chart(hosts_pairs, hosts_docs)}"
                     f"<figcaption>Pairs per site (the host of each URL document id), with its "
                     f"documents; {len(hosts_docs):,} sites in all.</figcaption></figure>")  # fmt: skip
    return "".join(parts) + "</section>"


def _card_drops(s: Scan) -> dict[str, int]:
    report = s.meta.get("report") or {}
    return {str(k): int(v) for k, v in (report.get("dropped") or {}).items()}


def _drops(s: Scan) -> str:
    card = _card_drops(s)
    every = card.keys() | s.rejected.keys()
    top = sorted(every, key=lambda k: (-max(card.get(k, 0), s.rejected.get(k, 0)), k))[:MAX_REASONS]
    keys = sorted(top, key=lambda k: (_rank(k), -card.get(k, 0), k))
    parts = ['<section id="drops"><h2>What was dropped</h2>']
    if not keys:
        known = s.has_rejected or "report" in s.meta
        parts.append("<p>Nothing was dropped.</p>" if known else '<p class="note">This folder '
                     "records no drops: it has no run report (idcorpus.json) and no rejected "
                     "configuration.</p>")  # fmt: skip
        return "".join(parts) + "</section>"
    figure = charts.drops_chart({k: card.get(k, s.rejected.get(k, 0)) for k in keys}, STAGES)
    parts.append(f"<figure>{figure}<figcaption>Units dropped per stage and reason, as the card "
                 "counts them (a unit is a line, block, fragment or sentence).</figcaption></figure>")  # fmt: skip
    parts.append(_drops_table(s, card, keys))
    if len(every) > len(keys):
        parts.append(f'<p class="note">{len(every) - len(keys):,} smaller reasons left out.</p>')
    report = s.meta.get("report") or {}
    parts.append(
        _list("Skipped inputs", [f"{a}: {b}" for a, b in report.get("skipped_inputs") or []])
    )
    parts.append(_list("Warnings", [str(w) for w in report.get("warnings") or []]))
    return "".join(parts) + "</section>"


def _rank(key: str) -> int:
    stage = key.split(":", 1)[0]
    return STAGES.index(stage) if stage in STAGES else len(STAGES)


def _drops_table(s: Scan, card: Mapping[str, int], keys: Sequence[str]) -> str:
    examples = (s.meta.get("report") or {}).get("examples") or {}
    head = '<tr><th>stage</th><th>reason</th><th class="n">units (card)</th>'
    head += '<th class="n">rejected rows</th>' if s.has_rejected else ""
    rows = []
    for key in keys:
        stage, _, reason = key.partition(":")
        n, got = card.get(key, 0), s.rejected.get(key, 0)
        off = ' class="off"' if s.has_rejected and n != got else ""
        cells = f'<td>{escape(stage)}</td><td>{escape(reason)}</td><td class="n">{n:,}</td>'
        cells += f'<td class="n">{got:,}</td>' if s.has_rejected else ""
        texts = [clip(e.get("text", ""), 120) for e in examples.get(key, [])]
        cells += (
            "<td>" + "".join(f'<span class="tag">{escape(t)}</span>' for t in texts if t) + "</td>"
        )
        rows.append(f"<tr{off}>{cells}</tr>")
    note = ""
    if not s.has_rejected:
        note = ('<p class="note">This folder has no <code>rejected</code> configuration: the '
                "dropped units themselves are not kept, only their counts.</p>")  # fmt: skip
    elif any(card.get(k, 0) != s.rejected.get(k, 0) for k in keys):
        note = '<p class="note warn">Rows in red: the rejected rows do not match the card\'s count.</p>'
    return f"<table>{head}<th>examples</th></tr>{''.join(rows)}</table>{note}"


def _list(title: str, items: Iterable[str]) -> str:
    items = list(items)
    if not items:
        return ""
    shown = "".join(f"<li>{escape(clip(i, 400))}</li>" for i in items[:50])
    more = f"<li>… and {len(items) - 50:,} more</li>" if len(items) > 50 else ""
    return f"<h3>{escape(title)} ({len(items):,})</h3><ul>{shown}{more}</ul>"


def _signals(s: Scan) -> str:
    from corpus.review.thresholds import signals_section

    return signals_section(s)


def _documents(s: Scan) -> str:
    parts = ['<section id="documents"><h2>Documents as read</h2>',
             f"<p>{len(s.documents)} documents drawn at random (the same ones at every rebuild), "
             "each as read: every kept sentence with its translation and score, every dropped "
             "line, block or fragment with its stage and reason, in line order.</p>",
             '<p class="legend"><span class="k">kept sentence (translation below, score at '
             'right)</span><span class="d">dropped unit (stage:reason)</span></p>']  # fmt: skip
    if not s.has_rejected:
        parts.append(
            '<p class="note">No rejected rows in this folder: only kept sentences are shown.</p>'
        )
    elif not s.kept_line_numbers:
        parts.append('<p class="note">The pairs of this corpus carry no <code>line_no</code>: '
                     "the kept sentences follow the dropped units.</p>")  # fmt: skip
    parts.append('<input type="checkbox" id="only-dropped"> <label for="only-dropped">'
                 "show dropped units only</label>")  # fmt: skip
    docs: list[str] = []
    size = left = 0
    for i, (doc_id, rows, cut) in enumerate(s.documents):
        html = document_html(doc_id, rows, cut, open_=i == 0)
        if size + len(html) > DOCS_BUDGET and docs:
            left += 1
            continue
        docs.append(html)
        size += len(html)
    parts.append(f'<div class="docs">{"".join(docs)}</div>')
    if left:
        parts.append(
            f'<p class="note">{left} more sampled documents are left out to keep this page small.</p>'
        )
    return "".join(parts) + "</section>"


def _provenance(s: Scan) -> str:
    items = dict(s.meta.get("provenance") or {})
    if s.meta.get("filter"):
        items["filter"] = s.meta["filter"]
    if not items:
        return '<section id="provenance"><h2>Provenance</h2><p class="muted">No idcorpus.json in this folder.</p></section>'
    rows = "".join(
        f"<tr><th>{escape(str(key))}</th><td>{_value(value)}</td></tr>"
        for key, value in sorted(items.items())
    )
    return (
        f'<section id="provenance"><h2>Provenance</h2><table class="prov">{rows}</table></section>'
    )


def _value(value: Any) -> str:
    """A provenance value: a mapping as `key: value` lines, anything else as compact text."""
    if isinstance(value, Mapping) and value:
        return "<br>".join(
            f"<code>{escape(str(k))}</code>: {escape(clip(_compact(v), 400))}"
            for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))
        )
    return f"<code>{escape(clip(_compact(value), 800))}</code>"


def _compact(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
