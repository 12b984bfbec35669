"""Test sets for `idcorpus evaluate`: the vendored named sets, or a source and reference file.

A test set is a list of source lines, the reference line of each, and optionally the document
each line belongs to. Lines are read the way sacrebleu's command line reads them: UTF-8 (a
byte-order mark is dropped), split at `\\n` only, trailing whitespace stripped; `.gz` files
are read through. Line breaks of other kinds inside a source line (`\\r`, `\\v`, `\\f`,
U+2028, U+2029), which a build would count as new lines, become spaces, so line N of the
source is always line N of the reference and of the hypotheses.

The named sets live in corpus/data/testsets/ (files, sha256, licences: testsets.json and its
README.md).
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from corpus.errors import ConfigError, InputError

TESTSET_DIR = Path(__file__).parents[1] / "data" / "testsets"
ALL = "all"
_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
"""Characters a build (or `str.splitlines`) takes as a line break, inside one test-set line."""


@dataclass(frozen=True)
class NamedSet:
    """A vendored test set, as testsets.json describes it."""

    name: str
    title: str
    src: Path
    ref: Path
    lines: int
    written_in: str  # "id": written in Indonesian first; "en": translated from English
    licence: str
    docs: Path | None = None
    docs_column: str | None = None  # a header column of `docs`; None: one id per line
    published: dict[str, Any] | None = None


@dataclass(frozen=True)
class EvalSet:
    """What is evaluated: source lines, their references and (optionally) documents."""

    name: str
    src_path: str
    ref_path: str
    source: list[str]
    reference: list[str]
    doc_ids: list[str] | None = None
    written_in: str | None = None
    total_lines: int = 0  # lines in the files, before --limit
    published: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if not self.total_lines:
            object.__setattr__(self, "total_lines", len(self.source))

    def __len__(self) -> int:
        return len(self.source)


@lru_cache(maxsize=1)
def _registry() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(
        (TESTSET_DIR / "testsets.json").read_text(encoding="utf-8")
    )
    return data


def set_names() -> list[str]:
    return list(_registry())


def named_set(name: str) -> NamedSet:
    entry = _registry().get(name)
    if entry is None:
        raise ConfigError(
            f"unknown test set {name!r}; choose one of: {', '.join(set_names())} (or {ALL}), "
            "or give your own with --src FILE --ref FILE"
        )
    docs = entry.get("docs") or {}
    return NamedSet(
        name=name,
        title=entry["title"],
        src=TESTSET_DIR / entry["src"],
        ref=TESTSET_DIR / entry["ref"],
        lines=int(entry["lines"]),
        written_in=entry["written_in"],
        licence=entry["licence"],
        docs=TESTSET_DIR / docs["file"] if docs else None,
        docs_column=docs.get("column") if docs else None,
        published=entry.get("published"),
    )


def expand_names(names: list[str]) -> list[str]:
    """`--set` values: names (comma-separated, `all` for every set), each once, in order."""
    found: list[str] = []
    for item in names:
        for name in (n.strip() for n in item.split(",")):
            if not name:
                continue
            for each in set_names() if name == ALL else [named_set(name).name]:
                if each not in found:
                    found.append(each)
    return found


def load_named(name: str, limit: int | None = None) -> EvalSet:
    info = named_set(name)
    doc_ids = read_doc_ids(info.docs, info.docs_column) if info.docs else None
    return load_files(
        info.src,
        info.ref,
        limit,
        doc_ids=doc_ids,
        name=name,
        written_in=info.written_in,
        published=info.published,
        display=(f"{name}:{info.src.name}", f"{name}:{info.ref.name}"),
    )


def load_files(
    src: str | Path,
    ref: str | Path,
    limit: int | None = None,
    *,
    doc_ids: list[str] | str | Path | None = None,
    name: str | None = None,
    written_in: str | None = None,
    published: dict[str, Any] | None = None,
    display: tuple[str, str] | None = None,
) -> EvalSet:
    """A source and a reference file (and document ids: a list, or a file of one id per line),
    checked to have the same number of lines, cut to the first `limit` lines."""
    src_name, ref_name = display or (str(src), str(ref))
    source = [_BREAKS.sub(" ", line) for line in read_lines(src, src_name)]
    reference = read_lines(ref, ref_name)
    check_counts((src_name, len(source)), (ref_name, len(reference)))
    if isinstance(doc_ids, (str, Path)):
        ids_name = str(doc_ids)
        doc_ids = read_lines(doc_ids, ids_name)
        check_counts((src_name, len(source)), (ids_name, len(doc_ids)))
    total = len(source)
    if limit is not None:
        source, reference = source[:limit], reference[:limit]
        doc_ids = doc_ids[:limit] if doc_ids is not None else None
    return EvalSet(
        name=name or Path(src_name).name,
        src_path=src_name,
        ref_path=ref_name,
        source=source,
        reference=reference,
        doc_ids=doc_ids,
        written_in=written_in,
        total_lines=total,
        published=published,
    )


def check_counts(first: tuple[str, int], second: tuple[str, int]) -> None:
    (a, n), (b, m) = first, second
    if n != m:
        raise InputError(
            f"line counts differ: {a} has {n:,} lines, {b} has {m:,}; a test set needs exactly "
            "one line in each file per segment (check that both files are complete and aligned)"
        )


def read_lines(path: str | Path, name: str | None = None) -> list[str]:
    """The lines of a UTF-8 text file (`.gz` read through), as sacrebleu reads them."""
    name = name or str(path)
    try:
        raw = _read_bytes(Path(path))
        text = raw.decode("utf-8-sig")
    except FileNotFoundError as e:
        raise InputError(f"{name}: no such file") from e
    except IsADirectoryError as e:
        raise InputError(f"{name} is a folder; give a text file with one segment per line") from e
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise InputError(
            f"{name}: not UTF-8 text (line {line}); convert it, e.g. "
            f"iconv -f LATIN1 -t UTF-8 {name} > out.txt"
        ) from e
    except (OSError, EOFError) as e:
        raise InputError(f"cannot read {name}: {getattr(e, 'strerror', None) or e}") from e
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise InputError(f"{name} is empty: a test set needs at least one line")
    return [line.rstrip() for line in lines]


def _read_bytes(path: Path) -> bytes:
    if path.suffix == ".gz":
        with gzip.open(path, "rb") as fh:
            return fh.read()
    return path.read_bytes()


def read_doc_ids(path: Path, column: str | None) -> list[str]:
    """Document id per line: one id per line, or a column of a TSV with a header."""
    lines = read_lines(path)
    if column is None:
        return lines
    rows = list(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    try:
        index = rows[0].index(column)
    except ValueError as e:
        raise InputError(f"{path}: no column {column!r} in its header {rows[0]}") from e
    return [row[index] for row in rows[1:]]


def write_lines(path: Path, lines: list[str]) -> None:
    """One line per segment, `\\n`-terminated, UTF-8 (what sacrebleu and `wc -l` read)."""
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def one_line(text: str) -> str:
    """`text` as one line of a line-aligned file: line breaks become spaces, trailing space
    stripped (sacrebleu strips it when it reads the file)."""
    return _BREAKS.sub(" ", text.replace("\n", " ")).rstrip()
