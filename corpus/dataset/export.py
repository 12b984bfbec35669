"""A dataset folder -> interchange files, one file (or file pair) per split, and back.

Formats (`<out>` is a folder; `<split>` is train, validation, test, ...): jsonl, tsv, moses and
tmx (corpus/dataset/text_formats.py), and arrow (corpus/dataset/arrow_export.py).
Changed characters are counted (`export:*` in the report, and logged). Data is streamed by Parquet
record batch. Every file is written under a temporary name and renamed when complete, so an
interrupted export never leaves a half-written file under a final name. A write that fails (a
full disk, a quota, a file-size limit, an I/O error) is an OutputError naming the file, in
every format (for arrow, the file `datasets` was writing in the work folder;
corpus/dataset/output.py).

Every path written is `<out>/` plus a name built from a split name, and split names come from
the dataset's data file names only after `corpus.names.check_split_name`: a data file named
otherwise (`..`, separators, other names) is refused with an InputError naming it, before
anything is written. Nothing is written outside `<out>` except the arrow export's work folder
`<out>.partial/` (removed when it ends).
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

from corpus.dataset.arrow_export import import_datasets, write_arrow
from corpus.dataset.output import cannot_write
from corpus.dataset.shards import SPLIT_ORDER, Pair, iter_pairs, open_parquet, split_files
from corpus.dataset.text_formats import READERS, WRITERS
from corpus.errors import ConfigError, OutputError
from corpus.report import Report

log = logging.getLogger(__name__)

FORMATS = ("jsonl", "tsv", "moses", "tmx", "arrow")


def export(
    dataset_dir: str | Path, fmt: str, out: str | Path, report: Report | None = None
) -> dict[str, list[Path]]:
    """Write the dataset at `dataset_dir` in `fmt` under the folder `out`; the files per split."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}; valid choices are: {', '.join(FORMATS)}")
    shards = split_files(dataset_dir)
    for files in shards.values():
        for path in files:
            open_parquet(path)  # every data file is readable before anything is written
    out = Path(out)
    _check_out(Path(dataset_dir), out, fmt)
    stats: Counter[str] = Counter()
    try:
        if fmt == "arrow":
            written = write_arrow(shards, out)
        else:
            out.mkdir(parents=True, exist_ok=True)
            writer = WRITERS[fmt]
            written = {
                split: writer(iter_pairs(files), out, split, stats)
                for split, files in shards.items()
            }
    except OSError as e:
        raise cannot_write(e.filename or out, e) from e
    for name, n in sorted(stats.items()):
        log.warning("export %s: %d character(s) changed (%s)", fmt, n, name)
        if report is not None:
            report.count(name, n)
    return written


def _check_out(dataset_dir: Path, out: Path, fmt: str) -> None:
    data = (dataset_dir / "data").resolve()
    target = out.resolve()
    if target == dataset_dir.resolve() or target == data or data in target.parents:
        raise OutputError(f"--out {out} is inside the dataset; choose another folder")
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file; --out names a folder")
    previous_arrow = (out / "dataset_dict.json").is_file()
    if fmt == "arrow" and out.is_dir() and any(out.iterdir()) and not previous_arrow:
        raise OutputError(
            f"--out {out} is not empty and not an arrow export; choose a new or empty folder"
        )


def read_export(path: str | Path, fmt: str) -> dict[str, list[Pair]]:
    """The (id, en) pairs per split of an export folder written by `export` (in memory)."""
    folder = Path(path)
    if fmt == "arrow":
        loaded = import_datasets().load_from_disk(str(folder))
        return {s: [(t["id"], t["en"]) for t in loaded[s]["translation"]] for s in loaded}
    if fmt not in READERS:
        raise ConfigError(f"unknown export format {fmt!r}; valid choices are: {', '.join(FORMATS)}")
    suffix = {"moses": "id"}.get(fmt, fmt)
    files = {p.stem: p for p in folder.glob(f"*.{suffix}")}
    known = {name: i for i, name in enumerate(SPLIT_ORDER)}
    order = sorted(files, key=lambda s: (known.get(s, len(known)), s))
    return {split: list(READERS[fmt](files[split])) for split in order}
