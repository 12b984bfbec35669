#!/usr/bin/env python3
"""Leave-one-outlet-out check of the article span's settings (issue 20): do they hold on outlets
whose pages did not choose them?

For every outlet of the development set (../shared/data/web_dev), the span's settings are chosen
on the other outlets' pages from a small grid around the defaults (the cost of unknown furniture,
the share a second run needs to be kept, the cost of the page's frame), and that choice is scored
on the held-out outlet's pages; its score is set beside the defaults' score on the same pages. If
the defaults were tuned to one outlet, the choice made without it would differ and score better
on it. Each HTML page is scored as a browser copy (its visible text cleaned as plain text, where
the span decides most) and as a page (through the HTML path), by the set's rule.

    .venv/bin/python scripts/crosscheck_outlets.py [--data ../shared/data/web_dev]

Ends with `RESULT held_out_kept=K/N held_out_junk=J/M defaults_kept=... defaults_junk=...`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GRID = {
    "FURNITURE_FACTOR": (1.0, 1.5, 2.0),
    "ISLAND_SHARE": (0.3, 0.5, 0.7),
    "PAGE_COST": (20, 40, 80),
}
# File name -> outlet (a network's outlets are one outlet where they share a template).
OUTLETS = {
    "01": "kompas", "02": "liputan6", "03": "liputan6", "04": "liputan6", "05": "merdeka",
    "06": "kapanlagi", "07": "tribun", "08": "beritasatu", "09": "zonajakarta",
    "10": "metrobali", "11": "beritamanado", "12": "kompasiana", "13": "maxim",
    "14": "linetoday", "15": "linetoday", "16": "turnbackhoax", "21": "merdeka",
    "22": "republika", "23": "okezone", "24": "monexnews", "25": "detik", "26": "goal",
    "27": "islampos", "28": "otosia", "29": "fimela", "35": "fimela", "36": "detik",
}  # fmt: skip


def documents(data: Path) -> list[tuple[dict[str, Any], str, str]]:
    """(annotations, visible text, HTML) of every HTML page of the set."""
    sys.path.insert(0, str(data))
    import check_set  # the set's own visible-text definition

    rows = [json.loads(line) for line in (data / "expected.jsonl").open(encoding="utf-8")]
    return [
        (
            row,
            check_set.visible_text(str(data / row["file"])),
            (data / row["file"]).read_text(encoding="utf-8", errors="replace"),
        )
        for row in rows
        if row["file"].endswith(".html")
    ]


def score(
    docs: list[tuple[dict[str, Any], str, str]], setting: dict[str, float]
) -> dict[str, tuple[int, int, int, int]]:
    """Per file: (kept, article sentences, junk left, junk items), as copy and as page."""
    import bench_clean  # scripts/ is on the path

    from corpus.clean import span
    from corpus.clean.cleaner import Cleaner
    from corpus.clean.config import CleanConfig
    from corpus.html.extract import extract
    from corpus.segment.sentences import segment

    for name, value in setting.items():
        setattr(span, name, value)
    found = {}
    for row, visible, html in docs:
        for kind, text in (("copy", visible), ("page", None)):
            if text is None:
                text = extract(html).text
            cleaned = Cleaner(CleanConfig(cross_doc_min_docs=0)).clean(text).text
            sentences = [s.text for s in segment(cleaned) if any(c.isalpha() for c in s.text)]
            p = bench_clean.score_page(row, sentences)
            n = len(p.kept) + len(p.lost)
            found[f"{row['file']}:{kind}"] = (len(p.kept), n, len(p.leaked), p.junk_total)
    return found


def total(scores: dict[str, tuple[int, int, int, int]], keys: Sequence[str]) -> tuple[int, ...]:
    return tuple(sum(scores[k][i] for k in keys) for i in range(4))


def loss(t: tuple[int, ...]) -> float:
    """Junk left plus five times the sentences lost (losing an article sentence is worse)."""
    return t[2] + 5 * (t[1] - t[0])


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "web_dev")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "scripts"))
    from corpus.clean import span

    defaults = {name: getattr(span, name) for name in GRID}
    docs = documents(args.data)
    settings = [
        dict(zip(GRID, values, strict=True)) for values in itertools.product(*GRID.values())
    ]
    results = [score(docs, s) for s in settings]
    base = score(docs, defaults)
    outlets = sorted({OUTLETS[row["file"][:2]] for row, _, _ in docs})
    held = [0, 0, 0, 0]
    dflt = [0, 0, 0, 0]
    print(f"{'held-out outlet':16} {'chosen on the others':46} {'held-out':>14} {'defaults':>14}")
    for outlet in outlets:
        mine = [k for k in base if OUTLETS[k[:2]] == outlet]
        others = [k for k in base if OUTLETS[k[:2]] != outlet]
        losses = [loss(total(r, others)) for r in results]
        best = min(range(len(settings)), key=lambda i: (losses[i], i))
        ties = sum(1 for x in losses if x == losses[best])
        t_held, t_dflt = total(results[best], mine), total(base, mine)
        held = [a + b for a, b in zip(held, t_held, strict=True)]
        dflt = [a + b for a, b in zip(dflt, t_dflt, strict=True)]
        chosen = " ".join(f"{k.split('_')[0].lower()}={v}" for k, v in settings[best].items())
        chosen += f" ({ties} of {len(settings)} tie)"
        print(
            f"{outlet:16} {chosen:46} {t_held[0]:3d}/{t_held[1]:<3d} {t_held[2]:2d}/{t_held[3]:<3d}"
            f" {t_dflt[0]:3d}/{t_dflt[1]:<3d} {t_dflt[2]:2d}/{t_dflt[3]:<3d}"
        )
    print(
        f"RESULT held_out_kept={held[0]}/{held[1]} held_out_junk={held[2]}/{held[3]} "
        f"defaults_kept={dflt[0]}/{dflt[1]} defaults_junk={dflt[2]}/{dflt[3]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
