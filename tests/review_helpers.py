"""Dataset folders for the report's tests: pairs and rejected rows as the build writes them.

`write_folder` writes a folder in the real schema (data/train-*.parquet with the signal
columns and `line_no`, rejected/train-*.parquet, idcorpus.json) from rows given by the test.
`add_rejected_from_cleaner` gives a real build the rejected rows and kept-row line numbers
that the build itself will write (issue 23, item 1) while it does not yet: the cleaner's
dropped lines of each input document, and each pair's line found by its text.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from corpus.dataset.schema import REJECTED_COLUMNS, arrow_schema, columns, rejected_schema
from corpus.signals.quality import SIGNAL_COLUMNS

Row = dict[str, Any]


def pair(src: str, tgt: str, doc: str = "d0", **overrides: Any) -> Row:
    """A pair row that every default filter rule keeps; `overrides` sets columns."""
    base: Row = {
        "translation": {"id": src, "en": tgt}, "doc_id": doc, "source": "in.txt",
        "para_index": 0, "sent_index": 0, "src_start": 0, "src_end": len(src), "line_no": 1,
        "score": -0.5, "length_ratio_chars": len(tgt) / max(len(src), 1),
        "length_ratio_tokens": 1.0, "src_lang": "id", "src_lang_conf": 0.9, "tgt_lang": "en",
        "tgt_lang_conf": 1.0, "repetition": 0.0, "is_split": False, "has_unk": False,
        "is_retried": False, "is_degenerate": False, "is_untranslated": False,
        "is_non_indonesian_source": False, "is_short": False,
    }  # fmt: skip
    base.update(overrides)
    return base


def rejected(doc: str, stage: str, reason: str, text: str, line_no: int | None, **more: Any) -> Row:
    row: Row = dict.fromkeys(REJECTED_COLUMNS)
    row.update(doc_id=doc, source="in.txt", stage=stage, reason=reason, text=text, line_no=line_no)
    row.update(more)
    return row


def write_folder(folder: Path, pairs: list[Row], drops: list[Row] | None,
                 meta: dict[str, Any] | None = None) -> Path:  # fmt: skip
    """A dataset folder with `pairs` (train) and `drops` (the rejected configuration; None:
    no such configuration). idcorpus.json counts the drops by stage:reason unless `meta`."""
    cols = columns(SIGNAL_COLUMNS, presplit=True)
    (folder / "data").mkdir(parents=True)
    schema = arrow_schema(cols)
    table = pa.Table.from_pylist(pairs, schema=schema)
    pq.write_table(table, folder / "data" / "train-00000-of-00001.parquet", row_group_size=3)
    if drops is not None:
        (folder / "rejected").mkdir()
        table = pa.Table.from_pylist(drops, schema=rejected_schema())
        pq.write_table(table, folder / "rejected" / "train-00000-of-00001.parquet")
    if meta is None:
        dropped = Counter(f"{r['stage']}:{r['reason']}" for r in drops or [])
        meta = {"provenance": {"tool_version": "test"}, "splits": {"train": len(pairs)},
                "report": {"counts": {"documents": len({p["doc_id"] for p in pairs})},
                           "dropped": dict(dropped)}}  # fmt: skip
    (folder / "idcorpus.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def add_rejected_from_cleaner(folder: Path, texts: dict[str, str]) -> None:
    """Give the build `folder` of the documents `texts` (doc_id -> text as read, in input
    order) a rejected configuration (the cleaner's dropped lines) and pairs with `line_no`,
    where the build did not write them."""
    from corpus.clean.cleaner import Cleaner

    cleaner, drops = Cleaner(), []
    for doc, text in texts.items():
        for line in cleaner.clean(text).dropped:
            drops.append(rejected(doc, "clean", line.reason, line.text, line.line_no, source=doc))
    if not (folder / "rejected").exists():
        (folder / "rejected").mkdir()
        table = pa.Table.from_pylist(drops, schema=rejected_schema())
        pq.write_table(table, folder / "rejected" / "train-00000-of-00001.parquet")
    lines_of = {doc: text.split("\n") for doc, text in texts.items()}
    for path in sorted((folder / "data").glob("*.parquet")):
        table = pq.read_table(path)
        if "line_no" in table.schema.names:
            continue
        numbers = _line_numbers(table.select(["doc_id", "translation"]).to_pylist(), lines_of)
        pos = table.schema.get_field_index("score")
        pq.write_table(table.add_column(pos, "line_no", pa.array(numbers, pa.int64())), path)


def _line_numbers(rows: list[Row], lines_of: dict[str, list[str]]) -> list[int | None]:
    """The 1-based line of each pair's source in its document (searched forward by text)."""
    found: list[int | None] = []
    at: dict[str, int] = {}
    for row in rows:
        lines, src = lines_of.get(row["doc_id"], []), row["translation"]["id"]
        start = at.get(row["doc_id"], 0)
        hit = next((i for i in range(start, len(lines)) if src[:40] in lines[i]), None)
        if hit is not None:
            at[row["doc_id"]] = hit
        found.append(hit + 1 if hit is not None else None)
    return found
