"""The report's "Pairs to check": the lowest-scoring, flagged and random pairs, source and
translation side by side with their score, signals and document."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from corpus.review.docview import clip
from corpus.review.scan import Scan

SHOWN = 12  # lowest-scoring pairs shown before "more"
Row = dict[str, Any]


def pairs_section(s: Scan) -> str:
    """The "Pairs to check" section: lowest-scoring, flagged and random pairs."""
    first, rest = s.lowest[:SHOWN], s.lowest[SHOWN:]
    parts = ['<section id="pairs"><h2>Pairs to check</h2>',
             f"<h3>The {len(s.lowest)} lowest-scoring pairs</h3>", pairs_table(first)]  # fmt: skip
    if rest:
        parts.append(f"<details><summary>{len(rest)} more</summary>{pairs_table(rest)}</details>")
    if s.flagged:
        parts.append(
            "<h3>Flagged pairs</h3><p class='muted'>A random sample of each flag's pairs.</p>"
        )
        for i, (flag, rows) in enumerate(sorted(s.flagged.items())):
            n = s.flag_counts.get(flag, 0)
            parts.append(f'<details{" open" if i == 0 else ""}><summary><b>{escape(flag)}</b> '
                         f"({n:,} pairs; {len(rows)} shown)</summary>{pairs_table(rows)}</details>")  # fmt: skip
    parts.append(f"<h3>A random sample of {len(s.random)} pairs</h3>"
                 f"<details><summary>show</summary>{pairs_table(s.random)}</details>")  # fmt: skip
    return "".join(parts) + "</section>"


def pairs_table(rows: Sequence[Row]) -> str:
    """Source and translation side by side, with the score, signals and document."""
    if not rows:
        return '<p class="muted">None.</p>'
    head = ('<colgroup><col class="num"><col><col><col class="sig"><col class="doc"></colgroup>'
            '<tr><th class="n">score</th><th>Indonesian (source)</th><th>English (translation)</th>'
            "<th>signals</th><th>document</th></tr>")  # fmt: skip
    body = []
    for row in rows:
        pair = row.get("translation") or {}
        score = row.get("score")
        tags = [k for k, v in row.items() if k.startswith(("is_", "has_")) and v is True]
        langs = [f"{side} {row.get(f'{side}_lang')} {row.get(f'{side}_lang_conf') or 0:.2f}"
                 for side in ("src", "tgt") if row.get(f"{side}_lang")]  # fmt: skip
        ratio = row.get("length_ratio_chars")
        sig = "".join(f'<span class="tag">{escape(t)}</span>' for t in tags + langs)
        sig += f'<span class="tag">ratio {ratio:.2f}</span>' if ratio is not None else ""
        doc = str(row.get("doc_id") or "")
        body.append(
            f'<tr><td class="n">{"" if score is None else f"{score:.2f}"}</td>'
            f"<td>{escape(clip(pair.get('id')))}</td><td>{escape(clip(pair.get('en')))}</td>"
            f'<td>{sig}</td><td title="{escape(clip(doc, 500))}">{escape(clip(doc, 60))}</td></tr>'
        )
    return f'<table class="pairs">{head}{"".join(body)}</table>'
