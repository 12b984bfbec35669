"""Inputs -> Documents: files, folders, globs, stdin, JSONL/CSV/TSV/Parquet, Hugging Face datasets.

Every reader is a generator, so memory stays flat however large the input: JSON Lines and CSV are
read line by line, Parquet by record batch, datasets row by row (streaming where possible).

Inputs: `-` is stdin (text, or records with --format jsonl/csv/tsv); a folder is walked in sorted
order (hidden entries ignored, linked folders not followed) for files whose extension names a
format (.txt .html .htm .jsonl .ndjson .json .csv .tsv .parquet) or that match `glob`; a folder
written by save_to_disk is a dataset. The format comes from the extension (unknown: text) unless
`input_format` forces one for every file (in folders, only files of that format or matching
`glob` are taken); `hf` loads a folder or Hub name with `datasets.load_dataset`.

doc_id: a file read whole is named by its path relative to the folder argument (`articles/1.txt`),
or by the argument itself; a record is `<file>:<n>` (n: 1-based line for JSONL/CSV/TSV, 0-based
row for Parquet and datasets) unless `id_field` names a column (its values are used as they are);
stdin is `stdin`. A name that two arguments share is qualified with its path.

Bad input never stops a run (issue 5): binary, empty and unreadable files and broken links are
skipped with a reason (`Report.skip_input`); non-UTF-8 text is decoded (byte-order mark, UTF-16,
charset detection, else replacement characters, counted as `decode_replacements`); control
characters are removed (`control_chars_removed`); bad records are dropped (`read:<reason>`) with a
warning naming `file:line`. Only user errors raise InputError: a path that does not exist, a glob
that matches nothing, a table without the text column, a dataset that cannot be loaded.

A new format is one function `read_x(src, config, report) -> Iterator[Document]` added to READERS
(and its extensions to EXTENSIONS). Record formats live in corpus/read_records.py, bytes and
encodings in corpus/read_io.py.
"""

from __future__ import annotations

import fnmatch
import glob as globlib
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from corpus.errors import ConfigError, InputError
from corpus.read_io import (
    BinaryFileError,
    decode_bytes,
    is_saved_dataset,
    load_bytes,
    read_stdin_bytes,
    sanitize,
)
from corpus.records import Document
from corpus.report import Report

log = logging.getLogger(__name__)

STDIN = "-"
EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
}


@dataclass(frozen=True)
class ReadConfig:
    """How inputs are read. `presplit` is read by the pipeline (one sentence per line)."""

    text_field: str = "text"
    id_field: str | None = None
    input_format: str = "auto"
    split: str = "train"
    presplit: bool = False
    glob: str = "*.txt"

    def __post_init__(self) -> None:
        if self.input_format not in formats():
            raise ConfigError(
                f"unknown input format {self.input_format!r}; valid choices are: "
                + ", ".join(formats())
            )
        for name in ("text_field", "split", "glob"):
            if not getattr(self, name).strip():
                raise ConfigError(f"--{name.replace('_', '-')} must not be empty")
        if self.id_field is not None and not self.id_field.strip():
            raise ConfigError("--id-field must not be empty (leave it out to number records)")


@dataclass(frozen=True)
class Source:
    """One thing to read: `name` is its doc_id (or record-id prefix), `location` names it in
    messages and `Document.source`; `path` is None for stdin and for dataset names."""

    path: Path | None
    name: str
    location: str
    fmt: str


Reader = Callable[[Source, ReadConfig, Report], Iterator[Document]]


def formats() -> tuple[str, ...]:
    return ("auto", *READERS)


def iter_documents(inputs: Sequence[str], config: ReadConfig, report: Report) -> Iterator[Document]:
    """Stream the Documents of `inputs` in a stable order.

    The arguments are checked now, before anything is read: a path that does not exist (a typo)
    or a glob that matches nothing raises InputError. Everything else that is wrong with an input
    is reported to `report` and skipped while iterating.
    """
    if not inputs:
        raise InputError("no input given: name files, folders, globs or - for stdin")
    plans = [(arg, _plan(arg, config)) for arg in inputs]
    return _generate(plans, config, report)


def _plan(arg: str, config: ReadConfig) -> str:
    if arg == STDIN:
        if config.input_format in ("parquet", "hf"):
            raise InputError(f"stdin cannot be read as {config.input_format}: name the file")
        return "stdin"
    path = Path(arg)
    if path.is_dir():
        return "dataset" if config.input_format == "hf" or is_saved_dataset(path) else "dir"
    if path.exists() or path.is_symlink():
        return "file"
    if globlib.has_magic(arg):
        if next(globlib.iglob(arg, recursive=True), None) is None:
            raise InputError(f"no file matches {arg!r}: check the pattern")
        return "glob"
    if config.input_format == "hf":
        return "dataset"
    raise InputError(
        f"input {arg!r} does not exist: check the path"
        " (to load a Hugging Face dataset by name, add --format hf)"
    )


def _generate(
    plans: list[tuple[str, str]], config: ReadConfig, report: Report
) -> Iterator[Document]:
    names: set[str] = set()
    paths: set[str] = set()
    for arg, kind in plans:
        for src in _sources(arg, kind, config, report):
            key = str(src.path.resolve()) if src.path is not None else src.location
            if key in paths:
                report.warn(f"{src.location}: given more than once; read once")
                continue
            paths.add(key)
            yield from READERS[src.fmt](_unique_name(src, names), config, report)


def _unique_name(src: Source, names: set[str]) -> Source:
    name = src.name if src.name not in names else Path(src.location).as_posix()
    base, k = name, 1
    while name in names:
        k += 1
        name = f"{base}#{k}"
    names.add(name)
    return Source(src.path, name, src.location, src.fmt)


def _sources(arg: str, kind: str, config: ReadConfig, report: Report) -> Iterator[Source]:
    fmt = config.input_format
    if kind == "stdin":
        yield Source(None, "stdin", "<stdin>", "text" if fmt == "auto" else fmt)
    elif kind == "dataset":
        path = Path(arg)
        yield Source(path if path.exists() else None, _posix(arg), arg, "hf")
    elif kind == "file":
        yield _file_source(Path(arg), _posix(arg), fmt)
    elif kind == "glob":
        for match in sorted(globlib.iglob(arg, recursive=True)):
            path = Path(match)
            if path.is_dir():
                yield from _walk(path, config, report, prefix=_posix(match) + "/")
            else:
                yield _file_source(path, _posix(match), fmt)
    else:
        yield from _walk(Path(arg), config, report)


def _posix(arg: str) -> str:
    return Path(arg).as_posix()


def _file_source(path: Path, name: str, fmt: str) -> Source:
    if fmt == "auto":
        fmt = EXTENSIONS.get(path.suffix.lower(), "text")
    return Source(path, name, str(path), fmt)


def _walk(root: Path, config: ReadConfig, report: Report, prefix: str = "") -> Iterator[Source]:
    """Files under `root` with a known extension or matching `config.glob`, sorted, depth first;
    hidden entries are ignored and linked folders not followed; saved datasets are read whole."""

    def unreadable(error: OSError) -> None:
        report.skip_input(str(error.filename), f"unreadable: {error.strerror}")

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        here = Path(dirpath)
        datasets = [d for d in dirnames if _is_real_dataset(here / d)]
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in datasets)
        for entry in sorted(filenames):
            if not entry.startswith(".") and _wanted(entry, config):
                path = here / entry
                yield _file_source(
                    path, prefix + path.relative_to(root).as_posix(), config.input_format
                )
        for d in sorted(datasets):
            path = here / d
            yield Source(path, prefix + path.relative_to(root).as_posix(), str(path), "hf")


def _is_real_dataset(path: Path) -> bool:
    return not path.is_symlink() and is_saved_dataset(path)


def _wanted(filename: str, config: ReadConfig) -> bool:
    """In a folder: files matching `config.glob`, and those whose extension names a format
    (any format under `auto`, else only the forced one)."""
    if fnmatch.fnmatch(filename, config.glob):
        return True
    fmt = EXTENSIONS.get(Path(filename).suffix.lower())
    return fmt is not None and config.input_format in ("auto", fmt)


def load_text(src: Source, report: Report) -> str | None:
    """A whole input decoded and sanitised, or None (reported) when it holds no usable text."""
    data = read_stdin_bytes() if src.path is None else load_bytes(src.path, src.location, report)
    if data is None:
        return None
    if not data:
        report.skip_input(src.location, "empty: no bytes")
        return None
    try:
        raw = decode_bytes(data, src.location, report)
    except BinaryFileError as e:
        report.skip_input(src.location, f"binary: {e}")
        return None
    text = sanitize(raw, src.location, report)
    if not text.strip():
        report.skip_input(src.location, "empty: whitespace only")
        return None
    return text


def read_text(src: Source, config: ReadConfig, report: Report) -> Iterator[Document]:
    """A plain-text file (or stdin) is one document."""
    text = load_text(src, report)
    if text is not None:
        yield Document(doc_id=src.name, text=text, source=src.location)


def read_html(src: Source, config: ReadConfig, report: Report) -> Iterator[Document]:
    """An HTML file is one document: its main text, extracted by corpus.clean.html_to_text."""
    html = load_text(src, report)
    if html is None:
        return
    from corpus.clean import html_to_text

    text = html_to_text(html) or ""
    if not text.strip():
        report.skip_input(src.location, "empty: no text found in the HTML")
        return
    yield Document(doc_id=src.name, text=text, source=src.location)


def describe_skips(report: Report, limit: int = 20) -> str:
    """A short human summary of the skipped inputs, grouped by kind ("binary", "empty", ...)."""
    if not report.skipped_inputs:
        return "no input skipped"
    kinds = Counter(reason.split(":", 1)[0] for _, reason in report.skipped_inputs)
    head = ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))
    lines = [f"{len(report.skipped_inputs)} input(s) skipped ({head}):"]
    lines += [f"  {source}: {reason}" for source, reason in report.skipped_inputs[:limit]]
    if len(report.skipped_inputs) > limit:
        lines.append(f"  ... and {len(report.skipped_inputs) - limit} more")
    return "\n".join(lines)


from corpus.read_records import read_csv, read_hf, read_jsonl, read_parquet, read_tsv  # noqa: E402

READERS: dict[str, Reader] = {
    "text": read_text,
    "html": read_html,
    "jsonl": read_jsonl,
    "csv": read_csv,
    "tsv": read_tsv,
    "parquet": read_parquet,
    "hf": read_hf,
}
