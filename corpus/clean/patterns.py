"""The patterns of `data/boilerplate_id.txt` and the word lists of the line rules
(corpus/clean/rules.py), read once, and the prefilters that tell cheaply whether a section's
patterns can apply to a line (most lines match none).

`cut` appends a DroppedLine (line number, text, reason) to `out` for every match it removes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from corpus.errors import ConfigError
from corpus.records import DroppedLine

_DATA = Path(__file__).parents[1] / "data"


SECTIONS = ("line", "sentence", "inline", "first", "lead", "marker", "header")


TAIL_WINDOW = 400  # characters searched for a pattern anchored at the end of the line


# Where a sentence can start: the line start, or after a stop (and closing quotes) and a space.
_SENTENCE_START = r"(?:^|(?<=[.!?…:\"'”’)\]]\s)|(?<=[.!?…]\s\s))"


@dataclass(frozen=True)
class Pattern:
    reason: str
    regex: re.Pattern[str]
    at_end: bool = False  # anchored at the end of the line: only the tail is searched


@cache
def headline_words() -> frozenset[str]:
    """Lower-case words a headline keeps in lower case (data/headline_words_id.txt)."""
    return read_words(_DATA / "headline_words_id.txt")


def read_words(path: Path) -> frozenset[str]:
    """A word list: one word per line, `#` comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1)
def patterns() -> dict[str, tuple[Pattern, ...]]:
    """The sections of data/boilerplate_id.txt."""
    found: dict[str, list[Pattern]] = {s: [] for s in SECTIONS}
    section = ""
    path = _DATA / "boilerplate_id.txt"
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[] ")
            continue
        reason, _, regex = line.partition("\t")
        if section not in found or not regex:
            raise ConfigError(f"{path}:{n}: expected 'reason<TAB>regex' under one of {SECTIONS}")
        at_end = regex.rstrip(")").endswith("$")
        found[section].append(Pattern(reason, re.compile(regex, re.IGNORECASE), at_end))
    return {s: tuple(p) for s, p in found.items()}


@cache
def prefilter(section: str) -> re.Pattern[str]:
    """The patterns of a section as one regex, tried only where they can match (at word
    starts; for [sentence] patterns at the start of a line or after a stop): one cheap call
    tells whether any of them can apply, as most lines match none."""
    found = patterns()[section]
    alternatives = "|".join(f"(?:{p.regex.pattern})" for p in found) or "(?!)"
    where = _SENTENCE_START if section == "sentence" else r"(?<!\w)"
    return re.compile(f"{where}(?:{alternatives})", re.IGNORECASE)


def line_reason(line: str) -> str:
    """The reason of the first [line] pattern that matches `line` ("" when none does); most
    lines match none, which one call of the section's prefilter tells."""
    if not prefilter("line").match(line):
        return ""
    return next(p.reason for p in patterns()["line"] if p.regex.match(line))


@cache
def _inline_prefilters() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The [inline] patterns as two regexes: those that match anywhere, and those anchored at
    the line's end (searched, as `cut` does, only in its last TAIL_WINDOW characters)."""
    found = patterns()["inline"]
    return _one([p for p in found if not p.at_end]), _one([p for p in found if p.at_end])


def _one(found: Sequence[Pattern]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p.regex.pattern})" for p in found) or "(?!)", re.IGNORECASE)


def inline_may_cut(line: str) -> bool:
    """Can an [inline] pattern cut something from `line`? (Most lines hold nothing to cut,
    which two searches tell.)"""
    anywhere, at_end = _inline_prefilters()
    if anywhere.search(line):
        return True
    return bool(at_end.search(line, max(0, len(line) - TAIL_WINDOW)))


@cache
def any_lead() -> re.Pattern[str]:
    """The [first] and [lead] patterns as one regex, to be matched at a line's start (where
    they are anchored): a line it does not match has no dateline to cut."""
    found = (*patterns()["first"], *patterns()["lead"])
    return re.compile("|".join(f"(?:{p.regex.pattern})" for p in found) or "(?!)", re.IGNORECASE)


def cut(pattern: Pattern, line: str, line_no: int, out: list[DroppedLine]) -> str:
    """Cut every match of an inline pattern out of `line`, recording each one."""
    start = max(0, len(line) - TAIL_WINDOW) if pattern.at_end else 0
    if not pattern.regex.search(line, start):
        return line
    for m in pattern.regex.finditer(line):
        if m.group().strip(" ,;"):
            out.append(DroppedLine(line_no, m.group().strip(" ,;"), pattern.reason))
    return pattern.regex.sub(" ", line)


def starts_with_dateline(line: str) -> bool:
    """Does `line` start with a dateline ("JAKARTA, KOMPAS.com - ", "Jakarta (ANTARA) - ")?"""
    return bool(_datelines().match(line))


@cache
def _datelines() -> re.Pattern[str]:
    """The dateline patterns of [lead] and [inline] as one regex."""
    found = patterns()
    alternatives = "|".join(
        f"(?:{p.regex.pattern})"
        for p in (*found["lead"], *found["inline"])
        if p.reason == "dateline"
    )
    return re.compile(alternatives or "(?!)", re.IGNORECASE)


def is_related(text: str) -> bool:
    """Is `text` a whole "Baca juga: <title>" line?"""
    return any(p.regex.match(text) for p in patterns()["marker"])
