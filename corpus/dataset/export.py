"""A dataset folder -> interchange files, one file (or file pair) per split, and back.

Formats (`<out>` is a folder; `<split>` is train, validation, test, ...):
- jsonl: `<out>/<split>.jsonl`, one `{"translation": {"id": ..., "en": ...}}` per line, the shape
  transformers' run_translation.py reads (UTF-8, nothing else added; U+0085/2028/2029 are
  written as \\u escapes so that every tool sees one record per line).
- tsv: `<out>/<split>.tsv`, header `id<TAB>en`, quoted as RFC 4180 says (with a tab as the
  delimiter): a field that holds a `"`, tab, CR or LF is put in double quotes, its quotes
  doubled; nothing is changed, line breaks included. `pandas.read_csv(path, sep="\t")`, the
  `datasets` csv loader (`delimiter="\t"`) and Python's csv module read it back exactly,
  except that pandas and `datasets` turn an empty field and segments such as "NA", "null" or
  "nan" into missing values unless given `keep_default_na=False`.
- moses: `<out>/<split>.id` and `<out>/<split>.en`, line-aligned; line breaks become spaces.
- tmx: `<out>/<split>.tmx`, TMX 1.4b (srclang id, `xml:lang` id/en); characters that XML 1.0
  forbids are removed, `\\r` is kept as `&#13;`.
- arrow: `<out>` is a DatasetDict written by save_to_disk (all columns), for
  `datasets.load_from_disk(out)`.
Changed characters are counted (`export:*` in the report, and logged). Data is streamed by Parquet
record batch. Every file is written under a temporary name and renamed when complete, so an
interrupted export never leaves a half-written file under a final name. A write that fails (a
full disk, a quota, a file-size limit, an I/O error) is an OutputError naming the file, in
every format (for arrow, the file `datasets` was writing in the work folder).

Every path written is `<out>/` plus a name built from a split name, and split names come from
the dataset's data file names only after `corpus.names.check_split_name`: a data file named
otherwise (`..`, separators, other names) is refused with an InputError naming it, before
anything is written. Nothing is written outside `<out>` except the arrow export's work folder
`<out>.partial/` (removed when it ends).
"""

from __future__ import annotations

import csv
import errno
import json
import logging
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from types import ModuleType
from typing import TextIO
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

from corpus import __version__
from corpus.dataset.shards import SPLIT_ORDER, Pair, iter_pairs, open_parquet, split_files
from corpus.dataset.writer import publish
from corpus.errors import ConfigError, InputError, OutputError
from corpus.names import arrow_name, utf8_text
from corpus.report import Report

log = logging.getLogger(__name__)

FORMATS = ("jsonl", "tsv", "moses", "tmx", "arrow")
_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # everything str.splitlines() breaks on
_LINE_BREAKS = re.compile(f"[{_BREAKS}]")
_TSV_QUOTED = re.compile('["\t\r\n]')  # RFC 4180: these fields are quoted
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_JSON_BREAKS = {ord(c): f"\\u{ord(c):04x}" for c in "\x85\u2028\u2029"}  # lossless escapes
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ROOM_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)  # no room for what is written


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
            written = _write_arrow(shards, out)
        else:
            out.mkdir(parents=True, exist_ok=True)
            writer = _WRITERS[fmt]
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


class _Output:
    """A text file being written: a failed write (disk full, quota, file too large, I/O
    error) becomes an OutputError naming the file."""

    def __init__(self, f: TextIO, path: Path) -> None:
        self.f, self.path = f, path

    def write(self, text: str) -> None:
        try:
            self.f.write(text)
        except OSError as e:
            raise cannot_write(self.path, e) from e


def cannot_write(path: Path | str, error: OSError, what: str = "") -> OutputError:
    """The error of an export file that could not be written (exit 2)."""
    reason = error.strerror or str(error) or type(error).__name__
    todo = "free space (or choose another --out) and export again"
    if error.errno not in ROOM_ERRNOS:
        todo = "check the output folder and export again"
    return OutputError(f"cannot write {path}{what}: {reason}; {todo}")


@contextmanager
def _atomic(path: Path) -> Iterator[_Output]:
    """A text file that appears under `path` only when the block completes."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        try:
            f = open(tmp, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 (closed below)
        except OSError as e:
            raise cannot_write(path, e) from e
        try:
            yield _Output(f, path)
        except BaseException:
            with suppress(OSError):  # a full disk fails the close too: keep the first error
                f.close()
            raise
        try:
            f.close()  # the last buffered bytes are written here
        except OSError as e:
            raise cannot_write(path, e) from e
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _flatten(text: str, unsafe: re.Pattern[str], stats: Counter[str], name: str) -> str:
    flat, n = unsafe.subn(" ", text)
    if n:
        stats[name] += n
    return flat


def _write_jsonl(pairs: Iterable[Pair], out: Path, split: str, stats: Counter[str]) -> list[Path]:
    path = out / f"{split}.jsonl"
    with _atomic(path) as f:
        for src, tgt in pairs:
            line = json.dumps({"translation": {"id": src, "en": tgt}}, ensure_ascii=False)
            f.write(line.translate(_JSON_BREAKS) + "\n")
    return [path]


def _tsv_field(text: str) -> str:
    """RFC 4180 quoting: quoted only when it holds a quote, tab, CR or LF; quotes doubled."""
    return '"' + text.replace('"', '""') + '"' if _TSV_QUOTED.search(text) else text


def _write_tsv(pairs: Iterable[Pair], out: Path, split: str, stats: Counter[str]) -> list[Path]:
    path = out / f"{split}.tsv"
    with _atomic(path) as f:
        f.write("id\ten\n")
        for src, tgt in pairs:
            f.write(f"{_tsv_field(src)}\t{_tsv_field(tgt)}\n")
    return [path]


def _write_moses(pairs: Iterable[Pair], out: Path, split: str, stats: Counter[str]) -> list[Path]:
    paths = [out / f"{split}.id", out / f"{split}.en"]
    name = "export:moses_breaks_replaced"
    with ExitStack() as stack:
        fid, fen = (stack.enter_context(_atomic(p)) for p in paths)
        for src, tgt in pairs:
            fid.write(_flatten(src, _LINE_BREAKS, stats, name) + "\n")
            fen.write(_flatten(tgt, _LINE_BREAKS, stats, name) + "\n")
    return paths


def _xml_text(text: str, stats: Counter[str]) -> str:
    clean, n = _XML_INVALID.subn("", text)
    if n:
        stats["export:xml_invalid_removed"] += n
    return escape(clean, {"\r": "&#13;"})


def _write_tmx(pairs: Iterable[Pair], out: Path, split: str, stats: Counter[str]) -> list[Path]:
    path = out / f"{split}.tmx"
    header = {
        "creationtool": "idcorpus",
        "creationtoolversion": __version__,
        "datatype": "plaintext",
        "segtype": "sentence",
        "adminlang": "en",
        "srclang": "id",
        "o-tmf": "idcorpus",
    }
    attrs = " ".join(f"{k}={quoteattr(v)}" for k, v in header.items())
    with _atomic(path) as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n')
        f.write(f"  <header {attrs}/>\n  <body>\n")
        for src, tgt in pairs:
            f.write("    <tu>\n")
            f.write(f'      <tuv xml:lang="id"><seg>{_xml_text(src, stats)}</seg></tuv>\n')
            f.write(f'      <tuv xml:lang="en"><seg>{_xml_text(tgt, stats)}</seg></tuv>\n')
            f.write("    </tu>\n")
        f.write("  </body>\n</tmx>\n")
    return [path]


def _write_arrow(shards: dict[str, list[Path]], out: Path) -> dict[str, list[Path]]:
    """save_to_disk of a DatasetDict, built in `<out>.partial/<pid>/` and renamed into place."""
    for path in (out.absolute(), *(f for files in shards.values() for f in files)):
        if arrow_name(path) is None:
            raise OutputError(
                f"{utf8_text(str(path))}: the arrow export writes through `datasets`, which "
                "takes names in UTF-8 only, and this name is not; export to (or from) a "
                "folder named in UTF-8, or choose another format"
            )
    datasets = _datasets()
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


def os_error(error: BaseException) -> OSError | None:
    """The OSError behind `error` (datasets and pyarrow wrap the one a full disk gives)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, OSError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def newest_file(folder: Path) -> Path | None:
    """The file last written under `folder` (the one a failed write was writing), if any."""
    files = (
        [p for p in folder.rglob("*") if p.is_file() and p.suffix != ".lock"]
        if folder.is_dir()
        else []
    )
    return max(files, key=lambda p: p.stat().st_mtime_ns, default=None)


def _datasets() -> ModuleType:
    try:
        import datasets
    except ImportError as e:
        raise ConfigError(
            'the arrow export needs the datasets package: pip install "idcorpus[datasets]"'
        ) from e
    return datasets


def _arrow_split(files: list[Path], cache: Path) -> object:
    datasets = _datasets()
    dataset = datasets.Dataset.from_parquet([str(f) for f in files], cache_dir=str(cache))
    if not isinstance(dataset.features["translation"], datasets.Translation):
        dataset = dataset.cast_column("translation", datasets.Translation(languages=["id", "en"]))
    return dataset


def _replace_dir(new: Path, out: Path, old: Path) -> None:
    """Put `new` at `out` (the dataset writer's publish step); a previous export there goes
    to `old`, and back if that fails."""
    publish(new, out, overwrite=True, old=old)


_WRITERS: dict[str, Callable[[Iterable[Pair], Path, str, Counter[str]], list[Path]]] = {
    "jsonl": _write_jsonl,
    "tsv": _write_tsv,
    "moses": _write_moses,
    "tmx": _write_tmx,
}


def read_export(path: str | Path, fmt: str) -> dict[str, list[Pair]]:
    """The (id, en) pairs per split of an export folder written by `export` (in memory)."""
    folder = Path(path)
    if fmt == "arrow":
        loaded = _datasets().load_from_disk(str(folder))
        return {s: [(t["id"], t["en"]) for t in loaded[s]["translation"]] for s in loaded}
    if fmt not in _READERS:
        raise ConfigError(f"unknown export format {fmt!r}; valid choices are: {', '.join(FORMATS)}")
    suffix = {"moses": "id"}.get(fmt, fmt)
    files = {p.stem: p for p in folder.glob(f"*.{suffix}")}
    known = {name: i for i, name in enumerate(SPLIT_ORDER)}
    order = sorted(files, key=lambda s: (known.get(s, len(known)), s))
    return {split: list(_READERS[fmt](files[split])) for split in order}


def _read_jsonl(path: Path) -> Iterator[Pair]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            pair = json.loads(line)["translation"]
            yield pair["id"], pair["en"]


def _read_tsv(path: Path) -> Iterator[Pair]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t", quotechar='"', strict=True)
        if next(rows, None) != ["id", "en"]:
            raise InputError(f"{path}: the first line is not the header id<TAB>en")
        for row in rows:
            if len(row) != 2:
                raise InputError(f"{path}:{rows.line_num}: {len(row)} fields, expected 2")
            yield row[0], row[1]


def _read_moses(path: Path) -> Iterator[Pair]:
    with (
        open(path, encoding="utf-8", newline="\n") as fid,
        open(path.with_suffix(".en"), encoding="utf-8", newline="\n") as fen,
    ):
        for src, tgt in zip(fid, fen, strict=True):
            yield src.rstrip("\n"), tgt.rstrip("\n")


def _read_tmx(path: Path) -> Iterator[Pair]:
    for _, element in ElementTree.iterparse(path, events=("end",)):
        if element.tag == "tu":
            segs = {tuv.get(_XML_LANG): _seg_text(tuv) for tuv in element.iter("tuv")}
            yield segs.get("id", ""), segs.get("en", "")
            element.clear()


def _seg_text(tuv: ElementTree.Element) -> str:
    seg = tuv.find("seg")
    return "" if seg is None else "".join(seg.itertext())


_READERS: dict[str, Callable[[Path], Iterator[Pair]]] = {
    "jsonl": _read_jsonl,
    "tsv": _read_tsv,
    "moses": _read_moses,
    "tmx": _read_tmx,
}
