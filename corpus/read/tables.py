"""Tables for corpus.read.inputs: Parquet files and Hugging Face datasets; n is the 0-based row.

Parquet is streamed by record batch, datasets row by row (streaming where possible). A text
column that does not hold strings makes the file a skipped input naming the column and its type;
a missing column is a user error (InputError), as for CSV.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from corpus.errors import InputError
from corpus.names import parquet_file
from corpus.read.decode import check_file, is_saved_dataset
from corpus.read.records import MISSING, RecordLog, get_field, require_columns, to_document
from corpus.records import Document
from corpus.report import Report

if TYPE_CHECKING:
    from corpus.read.config import ReadConfig
    from corpus.read.paths import Source

PARQUET_BATCH_ROWS = 1024


def read_parquet(src: Source, config: ReadConfig, report: Report) -> Iterator[Document]:
    """Parquet, streamed by record batch; n is the 0-based row."""
    assert src.path is not None, "stdin is refused as Parquet when the inputs are checked"
    if not check_file(src.path, src.location, report):
        return
    try:
        parquet = parquet_file(src.path)
    except (OSError, ValueError) as e:
        report.skip_input(src.location, f"unreadable: not a valid Parquet file ({e})")
        return
    columns = require_columns(parquet.schema_arrow.names, src, config)
    problem = arrow_text_problem(parquet.schema_arrow, config.text_field)
    if problem is not None:
        report.skip_input(src.location, problem)
        return
    rlog, row = RecordLog(src, config, report), 0
    try:
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=columns):
            for record in batch.to_pylist():
                doc = to_document(record, row, src, config, rlog)
                row += 1
                if doc is not None:
                    yield doc
    except (OSError, ValueError) as e:
        report.drop("read", "corrupt_file_rest", doc=src.location, text=f"from row {row} on: {e}",
                    source=src.location)  # fmt: skip
        report.warn(
            "damaged_file", f"unreadable from row {row} on ({e}); rest skipped", where=src.location
        )
    rlog.close()


def arrow_text_problem(schema: Any, text_field: str) -> str | None:
    """Why the Arrow column `text_field` (dotted: a struct field) holds no text, or None."""
    import pyarrow as pa

    kind: Any = schema.field(text_field).type if text_field in schema.names else None
    if kind is None:
        kind = pa.struct(list(schema))
        for part in text_field.split("."):
            if not pa.types.is_struct(kind) or kind.get_field_index(part) < 0:
                return None  # a record-level problem: reported per record
            kind = kind.field(part).type
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    textual = (pa.types.is_string, pa.types.is_large_string, pa.types.is_string_view)
    if any(test(kind) for test in textual) or pa.types.is_null(kind):
        return None
    return _not_text(text_field, str(kind))


def feature_text_problem(features: Any, text_field: str) -> str | None:
    """Why the `datasets` feature `text_field` holds no text, or None (also when unknown)."""
    if not features:
        return None
    feature = features.get(text_field, MISSING)
    if feature is MISSING:
        feature = get_field(features, text_field)
    if feature is MISSING:
        return None
    if getattr(feature, "dtype", None) in ("string", "large_string", "null"):
        return None
    return _not_text(text_field, type(feature).__name__ + f"({getattr(feature, 'dtype', '')})")


def _not_text(field: str, kind: str) -> str:
    return (
        f"not text: column {field!r} holds {kind}, not strings; "
        "name a text column with --text-field"
    )


def read_hf(src: Source, config: ReadConfig, report: Report) -> Iterator[Document]:
    """A dataset saved with save_to_disk, or a folder or Hub name that `datasets.load_dataset`
    loads (streaming); `config.split` picks the split; n is the 0-based row."""
    dataset = _load_dataset(src, config)
    names = list(dataset.column_names or [])
    if names:
        dataset = dataset.select_columns(require_columns(names, src, config))
    problem = feature_text_problem(getattr(dataset, "features", None), config.text_field)
    if problem is not None:
        report.skip_input(src.location, problem)
        return
    rlog = RecordLog(src, config, report)
    try:
        for row, record in enumerate(dataset):
            doc = to_document(record, row, src, config, rlog)
            if doc is not None:
                yield doc
    except (OSError, ValueError) as e:
        raise InputError(f"dataset {src.location!r} failed while reading: {e}") from e
    rlog.close()


def _load_dataset(src: Source, config: ReadConfig) -> Any:
    try:
        import datasets
    except ImportError as e:
        raise InputError(
            "reading a Hugging Face dataset needs the datasets package: "
            "pip install 'idcorpus[datasets]'"
        ) from e
    try:
        if src.path is not None and is_saved_dataset(src.path):
            return _pick_split(datasets.load_from_disk(str(src.path)), src, config)
        return datasets.load_dataset(src.location, split=config.split, streaming=True)
    except (OSError, ValueError) as e:
        raise InputError(
            f"cannot load dataset {src.location!r} (split {config.split!r}): {e}. A local folder "
            "needs data files (Parquet, JSON Lines, CSV, text) or a save_to_disk layout; a Hub "
            "name needs the network or a cached copy; choose the split with --split"
        ) from e


def _pick_split(loaded: Any, src: Source, config: ReadConfig) -> Any:
    import datasets

    if not isinstance(loaded, datasets.DatasetDict):
        return loaded
    if config.split not in loaded:
        raise InputError(
            f"dataset {src.location!r} has no split {config.split!r}; its splits are: "
            f"{', '.join(loaded)}. Choose one with --split"
        )
    return loaded[config.split]
