"""Plain records that flow between the stages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    """One input document. `source` names where it came from (path, `path:line`, `<stdin>`).
    A large text file comes as consecutive parts (`part` 0, 1, 2, ...) with the same doc_id and
    source, whose texts concatenated are the whole file's; any other document is part 0.

    `target`: given translations (`--target`, `--target-field`), or None. For a text file, one
    per line of `text` (`text.split("\n")`, the empty tail after a final line break not
    counted); for a record, one: the translation of its whole text."""

    doc_id: str
    text: str
    source: str
    part: int = 0
    target: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Span:
    """A slice of a text: `text == document[start:end]`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class DroppedLine:
    """A line the cleaner removed, with its 1-based line number and the reason."""

    line_no: int
    text: str
    reason: str
