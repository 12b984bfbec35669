"""Given translations of a text file (`--target`): the input and the target file read together,
line i of one paired with line i of the other.

Both files are read by the text reader (corpus.read.text.read_text: decompression, decoding,
newlines unified to \\n, control characters removed, large files streamed) and split into
lines at \\n; a final line break ends the last line, it does not start another. The pairs come
as Document parts of whole lines, about PART_BYTES characters of input each; a
part's `target` holds the English of each of its lines, exactly as read (only the line break
removed). Nothing is repaired, cleaned or segmented here: a line is a pair.

The two files must have the same number of lines. `check_aligned` counts both before a build
starts (an InputError naming both files and their counts); reading stops with the same error
if they differ by then (a file changed meanwhile).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import zip_longest
from pathlib import Path

from corpus.errors import InputError
from corpus.read.config import ReadConfig
from corpus.read.paths import Source, file_source
from corpus.read.text import read_text
from corpus.read.windows import PART_BYTES
from corpus.records import Document
from corpus.report import Report


def read_text_input(src: Source, config: ReadConfig, report: Report) -> Iterator[Document]:
    """A text input: its documents, or with `--target` its lines paired with the target's."""
    if config.target is not None:
        yield from read_aligned(src, config, report)
    else:
        yield from read_text(src, config, report)


def read_aligned(src: Source, config: ReadConfig, report: Report) -> Iterator[Document]:
    """The input `src` in parts of whole lines, each with the target file's lines beside it."""
    target = target_source(config)
    plain = replace(config, target=None)
    sources = lines_of(read_text(src, plain, report))
    targets = lines_of(read_text(target, plain, report))
    held: list[str] = []
    given: list[str] = []
    size = part = 0
    for line, english in zip_longest(sources, targets):
        if line is None or english is None:
            raise mismatch(src, target, config)
        if size >= PART_BYTES:  # a full part, and a line after it
            yield _part(src, held, given, part, last=False)
            held, given, size, part = [], [], 0, part + 1
        held.append(line)
        given.append(english)
        size += len(line) + 1
    if held:
        yield _part(src, held, given, part, last=True)


def _part(src: Source, lines: list[str], given: list[str], part: int, *, last: bool) -> Document:
    """Lines of a part: each followed by a line break except the file's last."""
    text = "\n".join(lines) + ("" if last else "\n")
    return Document(src.name, text, src.location, part, tuple(given))


def lines_of(docs: Iterable[Document]) -> Iterator[str]:
    """The lines of consecutive document parts (split at \\n, a final break ends a line)."""
    carry = ""
    for doc in docs:
        pieces = (carry + doc.text).split("\n")
        carry = pieces.pop()
        yield from pieces
    if carry:
        yield carry


def target_source(config: ReadConfig) -> Source:
    """The target file (`--target`) as a source; InputError when it is not a readable file."""
    assert config.target is not None
    path = Path(config.target)
    if not path.is_file():
        what = "a folder" if path.is_dir() else "not found"
        raise InputError(f"--target {config.target}: {what}; name the file of the translations")
    return file_source(path, path.name, "text")


def count_lines(src: Source, config: ReadConfig) -> int:
    """The number of lines of a text source, read as `read_aligned` reads it."""
    return sum(1 for _ in lines_of(read_text(src, replace(config, target=None), Report())))


def check_aligned(sources: list[Source], config: ReadConfig) -> None:
    """With `--target`: one input file, with as many lines as the target file (InputError)."""
    if config.target is None:
        return
    if len(sources) != 1 or sources[0].path is None or sources[0].fmt != "text":
        found = ", ".join(s.location for s in sources[:3]) or "none"
        raise InputError(
            f"--target pairs one text file with the target file; the inputs are: {found}. "
            "Give one input file (concatenate several, in the target's order)"
        )
    target = target_source(config)
    if count_lines(sources[0], config) != count_lines(target, config):
        raise mismatch(sources[0], target, config)


def mismatch(src: Source, target: Source, config: ReadConfig) -> InputError:
    source_lines, target_lines = count_lines(src, config), count_lines(target, config)
    return InputError(
        f"the input and its translations do not line up: {src.location} has {source_lines:,} "
        f"line(s), --target {target.location} has {target_lines:,}; line i of one must "
        "translate line i of the other"
    )
