"""A sampled document as read: its kept sentences and dropped units in line order, as HTML.

Kept rows (pairs) and rejected rows both carry `line_no`, the 1-based line of the document as
read (for HTML, the page's visible text with one block per line), so they interleave by it.
Within one line, what the cleaner and the HTML stages cut (stages `read`, `html`, `clean`)
comes first, then the kept sentences in order, then sentence-level drops (`segment`, `langid`,
`translate`, `filter`, `dedup`), whose place among the kept sentences the rows do not say.
Rows without a line number follow, kept ones by paragraph and sentence.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from html import escape
from itertools import groupby
from typing import Any

from corpus.review.scan import host_of

LINE_STAGES = ("read", "html", "clean")
UNIT_CHARS = 600
Row = dict[str, Any]


def clip(text: str | None, n: int = UNIT_CHARS) -> str:
    text = text or ""
    return text if len(text) <= n else text[: n - 1] + "…"


def item_key(kind: str, row: Row) -> tuple[float, int, float, float]:
    """Sort key of a kept or dropped row in its document (see the module docstring)."""
    line = row.get("line_no")
    line_key = float(line) if line is not None else math.inf
    if kind == "kept":
        return (line_key, 1, float(row.get("para_index") or 0), float(row.get("sent_index") or 0))
    group = 0 if row.get("stage") in LINE_STAGES else 2
    return (line_key, group, float(row.get("char_start") or 0), 0.0)


def ordered(rows: Mapping[str, list[Row]]) -> list[tuple[str, Row]]:
    items = [(kind, row) for kind in ("kept", "dropped") for row in rows.get(kind, [])]
    return sorted(items, key=lambda item: item_key(*item))


def unit_html(kind: str, row: Row) -> str:
    if kind == "kept":
        pair = row.get("translation") or {}
        score = row.get("score")
        mark = f'<span class="mark">{score:.2f}</span>' if score is not None else ""
        return (
            f'<div class="unit kept">{mark}<span class="src">{escape(clip(pair.get("id")))}</span>'
            f'<span class="tgt">{escape(clip(pair.get("en")))}</span></div>'
        )
    why = f"{row.get('stage') or '?'}:{row.get('reason') or '?'}"
    english = row.get("translation")
    tgt = f'<span class="tgt">{escape(clip(english))}</span>' if english else ""
    return (
        f'<div class="unit drop"><span class="mark why">{escape(why)}</span>'
        f'<span class="src">{escape(clip(row.get("text")))}</span>{tgt}</div>'
    )


def document_html(doc_id: str, rows: Mapping[str, list[Row]], cut: Mapping[str, int], *,
                  open_: bool = False) -> str:  # fmt: skip
    """One <details> element: the document's header, then its lines in order."""
    kept, dropped = rows.get("kept", []), rows.get("dropped", [])
    source = next((r.get("source") for r in kept + dropped if r.get("source")), "")
    lines = []
    for line_no, group in groupby(ordered(rows), key=lambda item: item[1].get("line_no")):
        units = "".join(unit_html(kind, row) for kind, row in group)
        label = f"{line_no}" if line_no is not None else "–"
        lines.append(f'<div class="line"><span class="ln">{label}</span><div>{units}</div></div>')
    more = "".join(
        f'<p class="note">{n:,} more {kind} row(s) of this document are left out.</p>'
        for kind, n in cut.items()
    )
    return (
        f'<details class="doc"{" open" if open_ else ""}><summary>{_doc_title(doc_id)}'
        f'<span class="counts">{len(kept):,} kept, {len(dropped):,} dropped'
        f"{_reasons(dropped)}</span></summary>"
        f'<p class="source">source: {escape(source or "")}</p>'
        f'<div class="lines">{"".join(lines)}</div>{more}</details>'
    )


def _doc_title(doc_id: str) -> str:
    text = f'<span class="docid">{escape(clip(doc_id, 120))}</span>'
    if host_of(doc_id) and len(doc_id) <= 2000:
        return f'<a href="{escape(doc_id)}" rel="noopener noreferrer">{text}</a>'
    return text


def _reasons(dropped: Iterable[Row]) -> str:
    counts: dict[str, int] = {}
    for row in dropped:
        key = f"{row.get('stage')}:{row.get('reason')}"
        counts[key] = counts.get(key, 0) + 1
    if not counts:
        return ""
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:4]
    return " (" + escape(", ".join(f"{k} {n}" for k, n in top)) + ")"
