"""The arrow export of corpus/dataset/export.py: `<out>` is a DatasetDict written by
save_to_disk (all columns), for `datasets.load_from_disk(out)`. It is built in the work folder
`<out>.partial/` (removed when it ends) and renamed into place; a write that fails is an
OutputError naming the file `datasets` was writing in the work folder."""

from __future__ import annotations

import os
import shutil
from contextlib import suppress
from pathlib import Path
from types import ModuleType

from corpus.dataset.output import cannot_write, newest_file, os_error
from corpus.dataset.writer import publish
from corpus.errors import ConfigError, OutputError
from corpus.names import arrow_name, utf8_text


def write_arrow(shards: dict[str, list[Path]], out: Path) -> dict[str, list[Path]]:
    """save_to_disk of a DatasetDict, built in `<out>.partial/<pid>/` and renamed into place."""
    for path in (out.absolute(), *(f for files in shards.values() for f in files)):
        if arrow_name(path) is None:
            raise OutputError(
                f"{utf8_text(str(path))}: the arrow export writes through `datasets`, which "
                "takes names in UTF-8 only, and this name is not; export to (or from) a "
                "folder named in UTF-8, or choose another format"
            )
    datasets = import_datasets()
    partial = out.with_name(out.name + ".partial")
    work = partial / str(os.getpid())
    bars = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    stage, doing = work, "its work folder"
    try:
        work.mkdir(parents=True, exist_ok=True)
        splits = {}
        for split, files in shards.items():
            stage, doing = work / "cache", f"the Arrow copy of split {split!r}"
            splits[split] = _arrow_split(files, stage)
        stage, doing = work / "dataset", "save_to_disk"
        datasets.DatasetDict(splits).save_to_disk(str(stage))
        _replace_dir(work / "dataset", out, work / "old")
    except Exception as e:
        error = os_error(e)
        if error is None:
            raise
        where = error.filename or newest_file(stage) or stage
        raise cannot_write(where, error, f" ({doing}, for the arrow export {out})") from e
    finally:
        shutil.rmtree(work, ignore_errors=True)
        with suppress(OSError):
            partial.rmdir()  # only when no other export uses it
        if bars:
            datasets.enable_progress_bars()
    return {split: sorted((out / split).glob("*.arrow")) for split in shards}


def import_datasets() -> ModuleType:
    try:
        import datasets
    except ImportError as e:
        raise ConfigError(
            'the arrow export needs the datasets package: pip install "idcorpus[datasets]"'
        ) from e
    return datasets


def _arrow_split(files: list[Path], cache: Path) -> object:
    datasets = import_datasets()
    dataset = datasets.Dataset.from_parquet([str(f) for f in files], cache_dir=str(cache))
    if not isinstance(dataset.features["translation"], datasets.Translation):
        dataset = dataset.cast_column("translation", datasets.Translation(languages=["id", "en"]))
    return dataset


def _replace_dir(new: Path, out: Path, old: Path) -> None:
    """Put `new` at `out` (the dataset writer's publish step); a previous export there goes
    to `old`, and back if that fails."""
    publish(new, out, overwrite=True, old=old)
