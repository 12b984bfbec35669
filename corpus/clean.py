"""Document text -> cleaned text: Unicode repaired, news-site boilerplate dropped with reasons.

`repair` fixes the characters of a text without changing its words. `Cleaner.clean` then works
line by line (a line is a paragraph of scraped text) and returns the kept text, paragraphs
separated by a blank line and lines within a paragraph by a newline, with every dropped line
or fragment and its reason:

1. Scraped text whose paragraphs were joined with commas ("... 2019.,Video itu ...") is split
   back into paragraphs, and the holes left by dropped links (" ,, ", "(,)") are tidied.
2. Fragments inside a line are cut out: "(Baca juga: ...)", a reporter's initials "(dta)" at
   the end, a dateline "JAKARTA, KOMPAS.com -" (`strip_datelines`).
3. Whole lines are dropped by the patterns of `data/boilerplate_id.txt` (menus, promos,
   paywall prompts, "Baca juga:", bylines, credits, "Artikel ini telah tayang di ...", ...),
   then single sentences of the kept lines ("Simak ulasannya berikut ini.").
4. Repeats: a short line (up to `repeat_max_chars`) that occurs `repeat_min_count` times or
   more in a document is boilerplate and all its occurrences go ("Nyaman tanpa iklan. Langganan
   BisnisPro" six times in the seed). Any other repeated line keeps its first occurrence and
   loses the later ones (a headline printed twice, a lead paragraph repeated as a summary), so
   no article text is lost and no sentence is translated twice. A line of up to
   `cross_doc_max_chars` seen in `cross_doc_min_docs` documents of the same run is dropped from
   that document on (the first ones keep it). The state lives in the `Cleaner`, so results
   depend only on the documents and their order.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from corpus.errors import ConfigError
from corpus.records import DroppedLine
from corpus.segment import segment

CLEANER_VERSION = "id-clean-1"

log = logging.getLogger(__name__)
_DATA = Path(__file__).parent / "data"
_SECTIONS = ("line", "sentence", "inline", "lead")

_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufe00-\ufe0f\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)
_SPACES = re.compile("[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_BREAKS = re.compile("\r\n?|[\u2028\u0085]")
_MANY_BLANKS = re.compile(r"\n{3,}")
_ALNUM = re.compile(r"[^\W_]")
# Paragraphs joined with commas by the scraper: "2019.,Video", "ini.,,“Kemudian", "Tuchel,Strasbourg".
_JOIN = re.compile(
    r"(?<=[.!?…\"”’)])[ \t]*,(?:[\s,]*,)?(?=[A-Z•#(\[]|[“\"‘]\S)"
    r"|(?<![\d\s,])[ \t]*,(?:[\s,]*,)?(?=[A-Z][A-Za-z]|[•#]|[“\"‘]\S)"
)
_TIDY = (
    (re.compile(r"\(\s*[,;]?\s*\)"), ""),  # empty brackets left by a dropped link
    (re.compile(r"(?<![\w.,!?])[\"“”]\s*,?\s*[\"“”](?!\w)"), ""),  # empty quotes: '","'
    (re.compile(r"[ \t]+,"), ","),
    (re.compile(r",(?:\s*,)+"), ","),
    (re.compile(r",+(?=[.!?])"), ""),
    (re.compile(r",(?=[^\s\d,\"“”’‘')\]])"), ", "),
    (re.compile(r"^[\s,;]+|[\s,;]+$"), ""),
    (re.compile(r"[ \t]{2,}"), " "),
)


@dataclass(frozen=True)
class CleanConfig:
    """Options of the line cleaner (see the module doc). `cross_doc_min_docs=0` disables the
    cross-document repeats; `max_tracked_lines` bounds their memory (about 100 bytes a line)."""

    drop_boilerplate: bool = True
    strip_datelines: bool = True
    fix_scraped_text: bool = True
    repeat_min_count: int = 3
    repeat_max_chars: int = 80
    cross_doc_min_docs: int = 3
    cross_doc_max_chars: int = 200
    max_tracked_lines: int = 500_000

    def __post_init__(self) -> None:
        if self.repeat_min_count < 2:
            raise ConfigError(
                f"CleanConfig.repeat_min_count must be >= 2, got {self.repeat_min_count}"
            )
        for name in ("repeat_max_chars", "cross_doc_min_docs", "cross_doc_max_chars"):
            if getattr(self, name) < 0:
                raise ConfigError(f"CleanConfig.{name} must be >= 0, got {getattr(self, name)}")
        if self.cross_doc_min_docs == 1:
            raise ConfigError("CleanConfig.cross_doc_min_docs must be 0 (off) or >= 2, got 1")
        if self.max_tracked_lines < 1:
            raise ConfigError("CleanConfig.max_tracked_lines must be >= 1")


@dataclass(frozen=True)
class CleanResult:
    """The kept text and every dropped line or fragment (1-based input line number, reason)."""

    text: str
    dropped: tuple[DroppedLine, ...]

    @property
    def counts(self) -> Counter[str]:
        """Number of dropped lines and fragments per reason."""
        return Counter(d.reason for d in self.dropped)


@dataclass(frozen=True)
class _Pattern:
    reason: str
    regex: re.Pattern[str]


@lru_cache(maxsize=1)
def _patterns() -> dict[str, tuple[_Pattern, ...]]:
    """The sections of data/boilerplate_id.txt."""
    found: dict[str, list[_Pattern]] = {s: [] for s in _SECTIONS}
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
            raise ConfigError(f"{path}:{n}: expected 'reason<TAB>regex' under one of {_SECTIONS}")
        found[section].append(_Pattern(reason, re.compile(regex, re.IGNORECASE)))
    return {s: tuple(p) for s, p in found.items()}


def repair(text: str) -> str:
    """Fix mojibake (ftfy, incl. Mac-Roman "‚Äú"), NFC, drop zero-width and control
    characters, turn non-breaking and other spaces into plain ones and normalise whitespace
    (single spaces, no trailing spaces, at most one blank line). Words are never changed."""
    import ftfy

    config = ftfy.TextFixerConfig(uncurl_quotes=False, fix_latin_ligatures=False, explain=False)
    text = ftfy.fix_text(text, config)
    text = _BREAKS.sub("\n", text).replace("\u2029", "\n\n")
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _MANY_BLANKS.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> str:
    """Main text of an HTML page: headline first, blocks separated by blank lines. What the
    page structure and the extractor leave out is listed by `corpus.html.extract`."""
    from corpus.html import extract

    return extract(html).text


class Cleaner:
    """Line cleaner for one corpus: keeps the cross-document line counts between documents."""

    def __init__(self, config: CleanConfig = CleanConfig()) -> None:
        self.config = config
        self._doc_counts: dict[bytes, int] = {}  # 8-byte digest of a line key -> documents

    def clean(self, text: str) -> CleanResult:
        dropped: list[DroppedLine] = []
        paragraphs: list[list[tuple[int, str]]] = [[]]
        first = True
        for line_no, raw in enumerate(repair(text).split("\n"), 1):
            if not raw:
                paragraphs.append([])
                continue
            pieces = _JOIN.split(raw) if self.config.fix_scraped_text else [raw]
            for i, piece in enumerate(pieces):
                if i:
                    paragraphs.append([])
                kept = self._clean_line(piece, line_no, first, dropped)
                first = False
                if kept:
                    paragraphs[-1].append((line_no, kept))
        self._drop_repeats(paragraphs, dropped)
        text = "\n\n".join("\n".join(t for _, t in p) for p in paragraphs if p)
        dropped.sort(key=lambda d: d.line_no)
        return CleanResult(text, tuple(dropped))

    def _clean_line(self, line: str, line_no: int, first: bool, out: list[DroppedLine]) -> str:
        """The kept part of one line ("" when all of it goes); drops go to `out`."""
        if not _ALNUM.search(line):
            if line.strip():
                out.append(DroppedLine(line_no, line, "empty"))
            return ""
        if not self.config.drop_boilerplate:
            return _tidy(line) if self.config.fix_scraped_text else line
        patterns = _patterns()
        sections = patterns["lead"] + patterns["inline"] if first else patterns["inline"]
        for p in sections:
            if p.reason == "dateline" and not self.config.strip_datelines:
                continue
            line = _cut(p, line, line_no, out)
        line = _tidy(line) if self.config.fix_scraped_text else line.strip()
        if not _ALNUM.search(line):
            return ""
        for p in patterns["line"]:
            if p.regex.match(line):
                out.append(DroppedLine(line_no, line, p.reason))
                return ""
        line = _drop_sentences(line, line_no, out)
        if line and not _ALNUM.search(line):
            out.append(DroppedLine(line_no, line, "empty"))
            return ""
        return line

    def _drop_repeats(
        self, paragraphs: list[list[tuple[int, str]]], out: list[DroppedLine]
    ) -> None:
        """Drop lines repeated inside the document or across documents (see module doc)."""
        cfg = self.config
        counts = Counter(_key(t) for p in paragraphs for _, t in p)
        seen: set[str] = set()
        for para in paragraphs:
            keep: list[tuple[int, str]] = []
            for line_no, text in para:
                key = _key(text)
                reason = ""
                if counts[key] >= cfg.repeat_min_count and len(text) <= cfg.repeat_max_chars:
                    reason = "repeated_in_doc"
                elif key in seen:
                    reason = "duplicate_in_doc"
                elif self._seen_before(key, len(text)):
                    reason = "repeated_across_docs"
                seen.add(key)
                if reason:
                    out.append(DroppedLine(line_no, text, reason))
                else:
                    keep.append((line_no, text))
            para[:] = keep
        self._remember(counts)

    def _seen_before(self, key: str, length: int) -> bool:
        cfg = self.config
        if not cfg.cross_doc_min_docs or length > cfg.cross_doc_max_chars:
            return False
        return self._doc_counts.get(_digest(key), 0) + 1 >= cfg.cross_doc_min_docs

    def _remember(self, counts: Counter[str]) -> None:
        """Count each short line of this document once; new keys stop at max_tracked_lines."""
        cfg = self.config
        if not cfg.cross_doc_min_docs:
            return
        for key in counts:
            if len(key) > cfg.cross_doc_max_chars:
                continue
            digest = _digest(key)
            if digest in self._doc_counts:
                self._doc_counts[digest] += 1
            elif len(self._doc_counts) < cfg.max_tracked_lines:
                self._doc_counts[digest] = 1


def _cut(pattern: _Pattern, line: str, line_no: int, out: list[DroppedLine]) -> str:
    """Cut every match of an inline pattern out of `line`, recording each one."""
    if not pattern.regex.search(line):
        return line
    for m in pattern.regex.finditer(line):
        if m.group().strip():
            out.append(DroppedLine(line_no, m.group().strip(), pattern.reason))
    return pattern.regex.sub(" ", line)


def _drop_sentences(line: str, line_no: int, out: list[DroppedLine]) -> str:
    """Drop the sentences of `line` that a [sentence] pattern matches."""
    patterns = _patterns()["sentence"]
    if not any(p.regex.search(line) for p in patterns):
        return line
    kept: list[str] = []
    for span in segment(line):
        reason = next((p.reason for p in patterns if p.regex.match(span.text)), "")
        if reason:
            out.append(DroppedLine(line_no, span.text, reason))
        else:
            kept.append(span.text)
    return " ".join(kept)


def _tidy(line: str) -> str:
    """Tidy the holes that dropped links leave in scraped text: " ,, " -> ", ", "(,)" -> ""."""
    for regex, repl in _TIDY:
        line = regex.sub(repl, line)
    return line.strip()


def _digest(key: str) -> bytes:
    """A small, stable (not per-process) fingerprint of a line key."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()


def _key(line: str) -> str:
    """Comparison key of a line for repeat detection."""
    return " ".join(line.casefold().split()).strip(" .,;:!?-–—")
