"""The data files of a dataset folder, checked: `data/<split>-NNNNN-of-NNNNN.parquet`.

The split names come from the file names, and they end up in paths (export file names), so
every Parquet file in `data/` must be named so, with a valid split name
(`corpus.names.check_split_name`) and a complete set of shards; anything else is an
InputError naming the file. Rows are read one record batch at a time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from corpus.errors import InputError
from corpus.names import check_split_name, parquet_file

if TYPE_CHECKING:
    import pyarrow.parquet as pq

Pair = tuple[str, str]
SPLIT_ORDER = ("train", "validation", "test")
BATCH_ROWS = 4096
_SHARD = re.compile(r"(?P<split>.+)-(?P<index>\d{5})-of-(?P<total>\d{5})\.parquet", re.DOTALL)


def split_files(dataset_dir: str | Path) -> dict[str, list[Path]]:
    """`data/<split>-NNNNN-of-NNNNN.parquet` grouped by split (train, validation, test first).

    Every Parquet file in `data/` must be named so, with a valid split name and a complete
    set of shards; anything else is an InputError naming the file."""
    found: dict[str, dict[int, Path]] = {}
    totals: dict[str, int] = {}
    for path in sorted((Path(dataset_dir) / "data").glob("*.parquet")):
        split, index, total = _shard_name(path)
        if totals.setdefault(split, total) != total or index >= total:
            raise InputError(
                f"{path}: shard {index} of {total} does not fit the split's other data files "
                f"(of {totals[split]}); rebuild the dataset or remove the stray file"
            )
        found.setdefault(split, {})[index] = path
    if not found:
        raise InputError(
            f"{dataset_dir}: no data/<split>-NNNNN-of-NNNNN.parquet files; give the folder "
            "that `idcorpus build --out` wrote"
        )
    for split, files in found.items():
        missing = [i for i in range(totals[split]) if i not in files]
        if missing:
            name = f"{split}-{missing[0]:05d}-of-{totals[split]:05d}.parquet"
            raise InputError(f"{Path(dataset_dir) / 'data' / name} is missing (split {split!r})")
    known = {name: i for i, name in enumerate(SPLIT_ORDER)}
    order = sorted(found, key=lambda s: (known.get(s, len(known)), s))
    return {split: [found[split][i] for i in sorted(found[split])] for split in order}


def _shard_name(path: Path) -> tuple[str, int, int]:
    """(split, index, total) of a data file name, the split name checked."""
    match = _SHARD.fullmatch(path.name)
    if match is None:
        raise InputError(
            f"{path}: not a data file name of a dataset folder "
            "(data/<split>-NNNNN-of-NNNNN.parquet); move it out of data/"
        )
    check_split_name(match["split"], str(path), InputError)
    return match["split"], int(match["index"]), int(match["total"])


def open_parquet(path: Path) -> pq.ParquetFile:
    """The ParquetFile at `path`, which must have a `translation` column."""
    import pyarrow as pa

    try:
        parquet = parquet_file(path)
    except (OSError, pa.ArrowException) as e:
        raise InputError(f"{path}: not a readable Parquet file ({e})") from e
    if "translation" not in parquet.schema_arrow.names:
        raise InputError(f"{path}: no 'translation' column; is it an idcorpus dataset?")
    return parquet


def iter_pairs(files: Iterable[Path]) -> Iterator[Pair]:
    """(id, en) of every row of the Parquet `files`, in order, one record batch at a time."""
    import pyarrow as pa

    for path in files:
        parquet = open_parquet(path)
        try:
            for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=["translation"]):
                column = batch.column(0)
                ids, ens = column.field("id").to_pylist(), column.field("en").to_pylist()
                yield from zip((s or "" for s in ids), (t or "" for t in ens), strict=True)
        except (OSError, pa.ArrowException, KeyError, AttributeError) as e:
            raise InputError(f"{path}: cannot read its translation column ({e})") from e


def read_meta(folder: Path) -> dict[str, object]:
    """The folder's `idcorpus.json` (provenance, report, filter, splits); {} without one."""
    path = folder / "idcorpus.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(f"{path} is unreadable ({e}); rebuild the corpus") from e
    return data if isinstance(data, dict) else {}
