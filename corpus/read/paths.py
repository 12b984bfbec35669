"""Where inputs are for corpus.read.inputs: file kinds by name, folder walks, globs, symlink loops.

A file's kind comes from its name: a compression suffix (`.gz .bz2 .xz .zst`) is read through,
and the suffix before it names the format (`a.jsonl.gz` is JSON Lines, a bare `a.gz` text).
Archives (`.zip .tar .tar.gz .tgz .7z .rar` ...) hold many files in one and are reported as
skipped inputs ("archive: unpack it first").

A folder is walked in sorted order, depth first, its files before its subfolders; hidden entries
are ignored and linked folders not followed (a link back to a folder that holds it is reported
as a symlink loop, other linked folders in one warning); a link that loops on itself is a
skipped input; files of other types are counted and named in one warning per folder argument.
Globs are expanded like `glob.glob(pattern, recursive=True)`, except that `**` does not enter
linked folders either, so a link cycle cannot make it run away.
"""

from __future__ import annotations

import errno
import fnmatch
import glob as globlib
import os
import stat
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from corpus.read.decode import LOOP_REASON, is_saved_dataset
from corpus.read.streams import COMPRESSIONS, utf8_name
from corpus.report import Report

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
ARCHIVES = (".zip", ".tar", ".tgz", ".tbz", ".tbz2", ".txz", ".tzst", ".7z", ".rar")
ARCHIVE_REASON = "archive: unpack it first"
COMPRESSED_PARQUET_REASON = (
    "compressed Parquet: decompress it first (Parquet compresses its columns itself)"
)


@dataclass(frozen=True)
class Source:
    """One thing to read: `name` is its doc_id (or record-id prefix), `location` names it in
    messages and `Document.source` (both valid UTF-8); `path` is None for stdin and for dataset
    names; `compression` is a read_streams.COMPRESSIONS value; `skip` a reason to report it as
    a skipped input instead of reading it; `window` (first, end, part size) reads only
    the parts first..end-1 of a large plain text file (corpus/read/windows.py)."""

    path: Path | None
    name: str
    location: str
    fmt: str
    compression: str | None = None
    skip: str | None = None
    window: tuple[int, int, int, int] | None = None  # parts first..end-1, part and file bytes


@dataclass(frozen=True)
class FileKind:
    fmt: str | None  # None: no format is known for the name
    compression: str | None
    skip: str | None
    label: str  # the type in the summary of ignored files: ".pdf", ".md.gz", "(no extension)"

    def as_text(self) -> FileKind:
        """This kind, read as text when no format is known."""
        return (
            self if self.fmt is not None else FileKind("text", self.compression, None, self.label)
        )


def file_kind(name: str, forced: str = "auto") -> FileKind:
    """The kind of a file named `name`; `forced` (a format, or auto) overrides the extension."""
    lower = name.lower()
    suffix = Path(lower).suffix
    compression = COMPRESSIONS.get(suffix)
    inner = Path(lower[: -len(suffix)]).suffix if compression else suffix
    label = (inner + suffix if compression else suffix) or "(no extension)"
    if lower.endswith(ARCHIVES) or (compression and inner == ".tar"):
        return FileKind("text", None, ARCHIVE_REASON, label)
    fmt = EXTENSIONS.get(inner, "text" if compression and not inner else None)
    if forced != "auto":
        fmt = forced
    skip = COMPRESSED_PARQUET_REASON if compression and fmt == "parquet" else None
    return FileKind(fmt, compression, skip, label)


def file_source(path: Path, name: str, forced: str) -> Source:
    """A file named as an input: any name is read, as text when its format is unknown."""
    kind = file_kind(path.name, forced).as_text()
    location = utf8_name(str(path))
    return Source(path, utf8_name(name), location, kind.fmt or "text", kind.compression, kind.skip)


def taken_kind(name: str, forced: str, glob: str) -> FileKind | None:
    """In a folder: the kind of a file that is read (or reported: archives), else None. Taken are
    files matching `glob` (also without their compression suffix) and those whose extension
    names a format (any format under auto, else only the forced one)."""
    kind = file_kind(name, forced)
    if kind.skip == ARCHIVE_REASON:
        return kind
    plain = name[: -len(Path(name).suffix)] if kind.compression else name
    if fnmatch.fnmatch(name, glob) or fnmatch.fnmatch(plain, glob):
        return kind.as_text()
    own = file_kind(name).fmt
    return kind if own is not None and forced in ("auto", own) else None


class Walk:
    """The files of one folder argument, with what was left out tallied for one warning."""

    def __init__(self, root: Path, forced: str, glob: str, report: Report, prefix: str = ""):
        self.root, self.forced, self.glob, self.report = root, forced, glob, report
        self.prefix = prefix
        self.ignored: Counter[str] = Counter()
        self.linked: list[str] = []

    def __iter__(self) -> Iterator[Source]:
        yield from self._folder(self.root)
        self._warn()

    def _folder(self, here: Path) -> Iterator[Source]:
        try:
            with os.scandir(here) as it:
                entries = sorted(
                    (entry.name, entry_type(entry, here))
                    for entry in it
                    if not entry.name.startswith(".")
                )
        except OSError as e:
            self.report.skip_input(utf8_name(str(here)), f"unreadable: {e.strerror or e}")
            return
        datasets: list[Path] = []
        folders: list[Path] = []
        for name, what in entries:
            path = here / name
            if what == "file":
                yield from self._file(path)
            elif what == "folder":
                (datasets if is_saved_dataset(path) else folders).append(path)
            elif what == "linked folder":
                self.linked.append(self._name(path))
            else:
                self.report.skip_input(utf8_name(str(path)), what)
        for path in datasets:
            yield Source(path, self._name(path), utf8_name(str(path)), "hf")
        for path in folders:
            yield from self._folder(path)

    def _file(self, path: Path) -> Iterator[Source]:
        kind = taken_kind(path.name, self.forced, self.glob)
        if kind is None:
            self.ignored[kind_label(path.name)] += 1
            return
        fmt, location = kind.fmt or "text", utf8_name(str(path))
        yield Source(path, self._name(path), location, fmt, kind.compression, kind.skip)

    def _name(self, path: Path) -> str:
        return utf8_name(self.prefix + path.relative_to(self.root).as_posix())

    def _warn(self) -> None:
        where = utf8_name(str(self.root))
        n = sum(self.ignored.values())
        if n:
            kinds = ", ".join(f"{label} {k}" for label, k in self.ignored.most_common())
            what = (
                f"not of format {self.forced}" if self.forced != "auto" else "of unsupported types"
            )
            self.report.count("ignored_files", n)
            self.report.warn(
                "unsupported_files", f"ignored {n} file(s) {what}: {kinds}", where=where
            )
        if self.linked:
            names = ", ".join(self.linked[:5]) + (", ..." if len(self.linked) > 5 else "")
            self.report.warn(
                "linked_folder",
                f"{len(self.linked)} linked folder(s) not followed: {names} "
                "(name a linked folder as an input to read it)",
                where=where,
            )


def kind_label(name: str) -> str:
    return file_kind(name).label


def entry_type(entry: os.DirEntry[str], here: Path) -> str:
    """file, folder, linked folder, or a skip reason for a symlink loop."""
    if not entry.is_symlink():
        try:
            return "folder" if entry.is_dir(follow_symlinks=False) else "file"
        except OSError:
            return "file"
    try:
        mode = os.stat(entry.path).st_mode
    except OSError as e:  # a broken link is a file: its reader reports it, if it is taken
        return LOOP_REASON if e.errno == errno.ELOOP else "file"
    if not stat.S_ISDIR(mode):
        return "file"
    target, holder = os.path.realpath(entry.path), os.path.realpath(here)
    if holder == target or holder.startswith(target.rstrip(os.sep) + os.sep):
        link = utf8_name(os.readlink(entry.path))
        return f"symlink loop: a link to {link}, a folder that holds it; not followed"
    return "linked folder"


def iter_glob(pattern: str) -> Iterator[str]:
    """The paths matching `pattern`, as glob.iglob(pattern, recursive=True) gives them (unsorted)
    but without entering linked folders at `**`."""
    parts = pattern.split(os.sep)
    base = ""
    if pattern.startswith(os.sep):
        base, parts = os.sep, parts[1:]
    only_folders = len(parts) > 1 and parts[-1] == ""
    if only_folders:
        parts = parts[:-1]
    for path in _glob(base, parts):
        if not only_folders:
            yield path
        elif os.path.isdir(path):
            yield os.path.join(path, "")


def _glob(base: str, parts: list[str]) -> Iterator[str]:
    head, rest = parts[0], parts[1:]
    if not globlib.has_magic(head):
        path = os.path.join(base, head)
        if not rest:
            if os.path.lexists(path):
                yield path
        elif os.path.isdir(path):
            yield from _glob(path, rest)
    elif head == "**" and not rest:
        if base:
            yield os.path.join(base, "")
        yield from _below(base, folders_only=False)
    elif head == "**":
        yield from _glob(base, rest)
        for folder in _below(base, folders_only=True):
            yield from _glob(folder, rest)
    else:
        for entry in _entries(base, hidden=head.startswith(".")):
            if fnmatch.fnmatch(entry.name, head):
                path = os.path.join(base, entry.name)
                if not rest:
                    yield path
                elif os.path.isdir(path):
                    yield from _glob(path, rest)


def _below(base: str, folders_only: bool) -> Iterator[str]:
    """Every entry under `base` that is not hidden (only the folders when `folders_only`),
    depth first, without entering linked folders."""
    for entry in _entries(base, hidden=False):
        path = os.path.join(base, entry.name)
        try:
            folder = entry.is_dir(follow_symlinks=False)
        except OSError:
            folder = False
        if folder or not folders_only:
            yield path
        if folder:
            yield from _below(path, folders_only)


def _entries(base: str, hidden: bool) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(base or os.curdir) as it:
            return sorted((e for e in it if hidden or not e.name.startswith(".")), key=_name)
    except OSError:
        return []


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name
