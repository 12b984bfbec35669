"""Inputs -> Documents: files, folders, globs, stdin, JSONL/CSV/TSV/Parquet, Hugging Face datasets.

Every reader is a generator, so memory stays flat however large the input: JSON Lines and CSV are
read line by line, Parquet by record batch, datasets row by row (streaming where possible).

Inputs: `-` is stdin (text, or records with --format jsonl/csv/tsv); a folder is walked in sorted
order (hidden entries ignored, linked folders not followed) for files whose extension names a
format (.txt .html .htm .jsonl .ndjson .json .csv .tsv .parquet, each also compressed: .gz .bz2
.xz .zst) or that match `glob`; a folder written by save_to_disk is a dataset. The format comes
from the extension (unknown: text) unless `input_format` forces one for every file (in folders,
only files of that format or matching `glob` are taken); `hf` loads a folder or Hub name with
`datasets.load_dataset`. Archives are skipped inputs; files of other types in a folder are
named in one warning (corpus/read/paths.py). A text file over PART_BYTES bytes comes in parts
(corpus/read/text.py).

doc_id: a file read whole is named by its path relative to the folder argument (`articles/1.txt`),
or by the argument itself; a record is `<file>:<n>` (n: 1-based line for JSONL/CSV/TSV, 0-based
row for Parquet and datasets) unless `id_field` names a column (its values are used as they are);
stdin is `stdin`. A name that two arguments share is qualified with its path.

File names that are not valid UTF-8 are opened by their bytes, and named (doc_id, source,
report, messages) with the undecodable bytes escaped: `caf\\xe9.txt`.

Bad input never stops a run (issue 5): binary, empty, unreadable and corrupt (compressed) files,
archives, broken links and symlink loops are skipped with a reason (`Report.skip_input`);
non-UTF-8 text is decoded (byte-order mark, UTF-16, charset detection, else replacement
characters, counted as `decode_replacements`); control characters are removed
(`control_chars_removed`); bad records are dropped (`read:<reason>`) with a warning naming
`file:line`. Only user errors raise InputError: a path that does not exist, a glob that matches
nothing, a table without the text column, a dataset that cannot be loaded, an output inside an
input (check_output_outside_inputs).

A new format is one function `read_x(src, config, report) -> Iterator[Document]` added to READERS
(and its extensions to EXTENSIONS). Records live in corpus/read/records.py (JSON Lines),
corpus/read/delimited.py (CSV, TSV) and corpus/read/tables.py (Parquet, datasets), text and HTML
in corpus/read/text.py, paths in corpus/read/paths.py, bytes and encodings in corpus/read/decode.py,
corpus/read/encoding.py and corpus/read/streams.py.
"""

from __future__ import annotations

import fnmatch
import glob as globlib
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from corpus.errors import InputError
from corpus.read.config import ReadConfig
from corpus.read.decode import is_saved_dataset
from corpus.read.paths import EXTENSIONS, Source, Walk, file_source, iter_glob
from corpus.read.streams import utf8_name
from corpus.records import Document
from corpus.report import Report

log = logging.getLogger(__name__)

STDIN = "-"
__all__ = ["EXTENSIONS", "ReadConfig", "Source", "check_output_outside_inputs", "iter_documents"]


Reader = Callable[[Source, ReadConfig, Report], Iterator[Document]]


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
    try:
        if path.is_dir():
            return "dataset" if config.input_format == "hf" or is_saved_dataset(path) else "dir"
        if path.exists() or path.is_symlink():
            return "file"
    except OSError as e:
        raise InputError(f"input {utf8_name(arg)!r} cannot be accessed: {e.strerror}") from e
    if globlib.has_magic(arg):
        if next(iter_glob(arg), None) is None:
            raise InputError(f"no file matches {utf8_name(arg)!r}: check the pattern")
        return "glob"
    if config.input_format == "hf":
        return "dataset"
    raise InputError(
        f"input {utf8_name(arg)!r} does not exist: check the path"
        " (to load a Hugging Face dataset by name, add --format hf)"
    )


def _generate(
    plans: list[tuple[str, str]], config: ReadConfig, report: Report
) -> Iterator[Document]:
    for src in _iter_planned(plans, config, report):
        yield from READERS[src.fmt](src, config, report)
    report.settle()  # what large files in parts tallied: one warning each


def iter_sources(inputs: Sequence[str], config: ReadConfig, report: Report) -> Iterator[Source]:
    """The sources `iter_documents` reads, in order, with their final names (a Ray build's
    workers read them one by one); skipped and repeated ones are reported here."""
    if not inputs:
        raise InputError("no input given: name files, folders, globs or - for stdin")
    plans = [(arg, _plan(arg, config)) for arg in inputs]
    return _iter_planned(plans, config, report)


def _iter_planned(
    plans: list[tuple[str, str]], config: ReadConfig, report: Report
) -> Iterator[Source]:
    names: set[str] = set()
    paths: set[str] = set()
    for arg, kind in plans:
        for src in _sources(arg, kind, config, report):
            key = os.path.realpath(src.path) if src.path is not None else src.location
            if key in paths:
                report.warn(
                    "duplicate_input", "given more than once; read once", where=src.location
                )
                continue
            paths.add(key)
            if src.skip is not None:
                report.skip_input(src.location, src.skip)
                continue
            yield _unique_name(src, names)


def _unique_name(src: Source, names: set[str]) -> Source:
    name = src.name if src.name not in names else Path(src.location).as_posix()
    base, k = name, 1
    while name in names:
        k += 1
        name = f"{base}#{k}"
    names.add(name)
    return Source(src.path, name, src.location, src.fmt, src.compression)


def _sources(arg: str, kind: str, config: ReadConfig, report: Report) -> Iterator[Source]:
    fmt = config.input_format
    if kind == "stdin":
        yield Source(None, "stdin", "<stdin>", "text" if fmt == "auto" else fmt)
    elif kind == "dataset":
        path = Path(arg)
        name = utf8_name(_posix(arg))
        yield Source(path if os.path.exists(path) else None, name, utf8_name(arg), "hf")
    elif kind == "file":
        yield file_source(Path(arg), _posix(arg), fmt)
    elif kind == "glob":
        for match in sorted(iter_glob(arg)):
            path = Path(match)
            if os.path.isdir(path):
                yield from Walk(path, fmt, config.glob, report, prefix=_posix(match) + "/")
            else:
                yield file_source(path, _posix(match), fmt)
    else:
        yield from Walk(Path(arg), fmt, config.glob, report)


def _posix(arg: str) -> str:
    return Path(arg).as_posix()


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


def check_output_outside_inputs(inputs: Sequence[str], out: str, work_paths: Sequence[str]) -> None:
    """Refuse (InputError) a build whose output `out` or a work path (OUT.partial, OUT.lock, ...)
    lies inside an input folder or matches an input glob (the build would read what it writes),
    or whose input lies inside `out` or a work path, or is one of them (--overwrite would
    delete it). Paths are compared after resolving links."""
    targets = [("--out", out, "--overwrite would delete it")]
    targets += [("the work path", w, "the build deletes it") for w in work_paths]
    for arg in inputs:
        where = _input_where(arg)
        if where is None:
            continue
        fixed, wild = where
        pattern = [globlib.escape(p) for p in fixed] + wild
        for label, target, harm in targets:
            parts = _real_parts(target)
            if fixed[: len(parts)] == parts:
                raise InputError(
                    f"the input {utf8_name(arg)} lies inside {label} {utf8_name(target)} (or is "
                    f"it): {harm}. Choose another --out"
                )
            if _glob_reaches(pattern, parts):
                raise InputError(
                    f"{label} {utf8_name(target)} lies inside the input {utf8_name(arg)}: the "
                    "build would read its own output as input. Choose an --out outside every "
                    "input folder"
                )


def _input_where(arg: str) -> tuple[list[str], list[str]] | None:
    """The input's path as its leading components without wildcards (links resolved) and the
    rest of its glob pattern; None for stdin and for names that are not paths (a Hub dataset,
    a typo that iter_documents reports)."""
    if arg == STDIN:
        return None
    if os.path.lexists(arg):
        return _real_parts(arg), []
    if not globlib.has_magic(arg):
        return None
    parts = Path(os.path.abspath(arg)).parts
    fixed = next((i for i, p in enumerate(parts) if globlib.has_magic(p)), len(parts))
    return _real_parts(os.path.join(*parts[:fixed])), list(parts[fixed:])


def _real_parts(path: str) -> list[str]:
    return list(Path(os.path.realpath(path)).parts)


def _glob_reaches(pattern: list[str], path: list[str]) -> bool:
    """Whether `pattern` matches `path`, one of its folders (read recursively), or may match
    something under it."""
    if not pattern or not path:
        return True
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return _glob_reaches(rest, path) or _glob_reaches(pattern, path[1:])
    return fnmatch.fnmatchcase(path[0], head) and _glob_reaches(rest, path[1:])


from corpus.read.aligned import read_text_input  # noqa: E402
from corpus.read.delimited import read_csv, read_tsv  # noqa: E402
from corpus.read.records import read_jsonl  # noqa: E402
from corpus.read.tables import read_hf, read_parquet  # noqa: E402
from corpus.read.text import markup_aware, read_html  # noqa: E402

READERS: dict[str, Reader] = {
    "text": markup_aware(read_text_input),
    "html": read_html,
    "jsonl": markup_aware(read_jsonl),
    "csv": markup_aware(read_csv),
    "tsv": markup_aware(read_tsv),
    "parquet": markup_aware(read_parquet),
    "hf": markup_aware(read_hf),
}
