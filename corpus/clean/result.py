"""What `Cleaner.clean` (corpus/clean/cleaner.py) returns: the kept text, every dropped line or
fragment with its reason, and the input line each kept line came from."""

from __future__ import annotations

import bisect
import sys
from collections import Counter
from dataclasses import dataclass

from corpus.records import DroppedLine


@dataclass(frozen=True)
class CleanResult:
    """The kept text and every dropped line or fragment (1-based input line number, reason).
    `lines`: for each kept line, (its offset in `text`, its 1-based input line): where a
    sentence of the text came from (`line_of`)."""

    text: str
    dropped: tuple[DroppedLine, ...]
    lines: tuple[tuple[int, int], ...] = ()

    def line_of(self, offset: int) -> int | None:
        """The input line of the kept text at `offset` (None when nothing was kept)."""
        i = bisect.bisect_right(self.lines, (offset, sys.maxsize)) - 1
        return self.lines[max(i, 0)][1] if self.lines else None

    @property
    def counts(self) -> Counter[str]:
        """Number of dropped lines and fragments per reason."""
        return Counter(d.reason for d in self.dropped)


def join(paragraphs: list[list[tuple[int, str]]]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The kept text (paragraphs separated by a blank line, lines by a newline) and, for each
    kept line, (its offset in that text, its input line)."""
    parts: list[str] = []
    origins: list[tuple[int, int]] = []
    pos = 0
    for para in (p for p in paragraphs if p):
        if parts:
            parts.append("\n")
            pos += 1
        for i, (line_no, text) in enumerate(para):
            if i:
                parts.append("\n")
                pos += 1
            origins.append((pos, line_no))
            parts.append(text)
            pos += len(text)
        parts.append("\n")
        pos += 1
    text = "".join(parts)[:-1] if parts else ""
    return text, tuple(origins)
