"""Rows -> a Hugging Face dataset folder (README card + data/<split>-*.parquet); load() back.

The folder is what `datasets.load_dataset(path)` reads and what the Hub accepts unchanged:
the card's YAML declares `configs:` (data files per split) and `dataset_info:` (features),
and each Parquet file carries the `huggingface` schema metadata, so the `translation` column
keeps its `datasets.Translation(["id", "en"])` type however the folder is loaded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pyarrow as pa

from corpus.signals.quality import SIGNAL_COLUMNS, SIGNAL_DOCS

LANGUAGES = ("id", "en")
BASE_COLUMNS: dict[str, str] = {
    "doc_id": "string",
    "source": "string",
    "para_index": "int32",
    "sent_index": "int32",
    "src_start": "int64",
    "src_end": "int64",
    "line_no": "int64",
    "score": "float64",
}
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
    "line_no": "1-based line of the document as read that the sentence's paragraph came from "
    "(presplit input: the sentence's own line)",
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


REJECTED_DIR = "rejected"  # the `rejected` configuration's folder in a dataset folder
REJECTED_COLUMNS: dict[str, str] = {
    "doc_id": "string",
    "source": "string",
    "stage": "string",
    "reason": "string",
    "text": "string",
    "translation": "string",
    "line_no": "int64",
    "char_start": "int64",
    "char_end": "int64",
}
"""The rows of the `rejected` configuration: one per unit a build or filter dropped, with its
stage and reason, its text (and translation, where it had one) and where it was in its
document as read (1-based line, character offsets), where known."""
REJECTED_DOCS: dict[str, str] = {
    "doc_id": "the document the unit was dropped from (as in the pairs)",
    "source": "the input file",
    "stage": "the stage that dropped it: read, html, clean, segment, translate, filter, ...",
    "reason": "why (`stage:reason` is the card's key for its count)",
    "text": "the dropped unit: a line, a block, a fragment, a sentence, a record",
    "translation": "its English, where it had one (translation guards, filter drops)",
    "line_no": "1-based line of the unit in the document as read",
    "char_start": "character offset of the unit in the document as read (start)",
    "char_end": "character offset of the unit in the document as read (end, exclusive)",
}


def rejected_schema() -> pa.Schema:
    """The Arrow schema of `rejected/train-*.parquet` (every column nullable)."""
    return pa.schema([pa.field(name, _ARROW[kind]) for name, kind in REJECTED_COLUMNS.items()])


def rejected_table(rows: Sequence[Sequence[object]]) -> pa.Table:
    """Rejected rows (tuples in REJECTED_COLUMNS order) as an Arrow table."""
    names = list(REJECTED_COLUMNS)
    data = {name: [row[i] for row in rows] for i, name in enumerate(names)}
    return pa.Table.from_pydict(data, schema=rejected_schema())


def columns(signal_columns: Mapping[str, str], presplit: bool = False) -> dict[str, str]:
    """All non-translation columns, in order: provenance first, then signals (`presplit`
    changes nothing since every build has `line_no`)."""
    return {**BASE_COLUMNS, **signal_columns}


def build_columns(signals: bool, presplit: bool) -> tuple[dict[str, str], dict[str, str]]:
    """The non-translation columns of a build's rows (with the signals when `signals`) and
    the card's description of each."""
    cols = columns(SIGNAL_COLUMNS if signals else {}, presplit=presplit)
    return cols, {**BASE_DOCS, **(SIGNAL_DOCS if signals else {})}


def arrow_schema(cols: Mapping[str, str]) -> pa.Schema:
    fields = [pa.field("translation", _TRANSLATION)]
    fields += [pa.field(name, _ARROW[kind]) for name, kind in cols.items()]
    meta = {"info": {"features": _features_json(cols)}}
    return pa.schema(fields, metadata={b"huggingface": json.dumps(meta).encode()})


def _features_json(cols: Mapping[str, str]) -> dict[str, object]:
    features: dict[str, object] = {
        "translation": {"languages": list(LANGUAGES), "_type": "Translation"}
    }
    for name, kind in cols.items():
        features[name] = {"dtype": kind, "_type": "Value"}
    return features


def features_yaml(cols: Mapping[str, str]) -> list[dict[str, object]]:
    items: list[dict[str, object]] = [
        {"name": "translation", "dtype": {"translation": {"languages": list(LANGUAGES)}}}
    ]
    return items + [{"name": name, "dtype": kind} for name, kind in cols.items()]


def rows_to_table(rows: Sequence[Mapping[str, object]], schema: pa.Schema) -> pa.Table:
    data = {name: [row[name] for row in rows] for name in schema.names}
    return pa.Table.from_pydict(data, schema=schema)
