"""Rows -> a Hugging Face dataset folder (README card + data/<split>-*.parquet); load() back.

The folder is what `datasets.load_dataset(path)` reads and what the Hub accepts unchanged:
the card's YAML declares `configs:` (data files per split) and `dataset_info:` (features),
and each Parquet file carries the `huggingface` schema metadata, so the `translation` column
keeps its `datasets.Translation(["id", "en"])` type however the folder is loaded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pyarrow as pa

LANGUAGES = ("id", "en")
BASE_COLUMNS: dict[str, str] = {
    "doc_id": "string",
    "source": "string",
    "para_index": "int32",
    "sent_index": "int32",
    "src_start": "int64",
    "src_end": "int64",
    "score": "float64",
}
PRESPLIT_COLUMNS: dict[str, str] = {"line_no": "int64"}
POSITION_COLUMNS = ("para_index", "sent_index", "src_start", "src_end", "line_no")
"""Columns that locate a row; no statistics are kept for them."""
BASE_DOCS: dict[str, str] = {
    "translation": "`{'id': source sentence, 'en': machine translation}` (datasets.Translation)",
    "doc_id": "identifier of the input document (path relative to the input, or file:line)",
    "source": "the input file the document came from",
    "para_index": "0-based paragraph of the sentence in the cleaned document",
    "sent_index": "0-based sentence index within the document",
    "src_start": "character offset of the sentence in the cleaned document (start)",
    "src_end": "character offset of the sentence in the cleaned document (end, exclusive)",
    "line_no": "1-based line of the sentence in the input document (presplit input)",
    "score": "mean log-probability per target token of the translation under the plain model "
    "(<= 0, higher is better; the same scale for retried and split rows)",
}
_ARROW = {
    "string": pa.string(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "float32": pa.float32(),
    "bool": pa.bool_(),
}
_TRANSLATION = pa.struct([("en", pa.string()), ("id", pa.string())])


def columns(signal_columns: Mapping[str, str], presplit: bool = False) -> dict[str, str]:
    """All non-translation columns, in order: provenance first (with `line_no` for presplit
    input, before `score`), then signals."""
    base = dict(BASE_COLUMNS)
    if presplit:
        score = base.pop("score")
        base.update(PRESPLIT_COLUMNS)
        base["score"] = score
    return {**base, **signal_columns}


def build_columns(signals: bool, presplit: bool) -> tuple[dict[str, str], dict[str, str]]:
    """The non-translation columns of a build's rows (with the signals when `signals`) and
    the card's description of each."""
    from corpus.signals.quality import SIGNAL_COLUMNS, SIGNAL_DOCS

    cols = columns(SIGNAL_COLUMNS if signals else {}, presplit=presplit)
    return cols, {**BASE_DOCS, **(SIGNAL_DOCS if signals else {})}


def arrow_schema(cols: Mapping[str, str]) -> pa.Schema:
    fields = [pa.field("translation", _TRANSLATION)]
    fields += [pa.field(name, _ARROW[kind]) for name, kind in cols.items()]
    meta = {"info": {"features": _features_json(cols)}}
    return pa.schema(fields, metadata={b"huggingface": json.dumps(meta).encode()})


def _features_json(cols: Mapping[str, str]) -> dict[str, Any]:
    features: dict[str, Any] = {
        "translation": {"languages": list(LANGUAGES), "_type": "Translation"}
    }
    for name, kind in cols.items():
        features[name] = {"dtype": kind, "_type": "Value"}
    return features


def features_yaml(cols: Mapping[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [
        {"name": "translation", "dtype": {"translation": {"languages": list(LANGUAGES)}}}
    ]
    return items + [{"name": name, "dtype": kind} for name, kind in cols.items()]


def rows_to_table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    data = {name: [row[name] for row in rows] for name in schema.names}
    return pa.Table.from_pydict(data, schema=schema)
