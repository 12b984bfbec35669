"""Document text -> cleaned text: Unicode repaired, news-site boilerplate dropped with reasons.

`Cleaner.clean` first repairs the characters of a text without changing its words
(corpus/clean/repair.py: mojibake, HTML entities, "\ufffd" where quotes were lost), then works line
by line (a line is a paragraph of scraped text) and returns the kept text, paragraphs separated
by a blank line and lines within a paragraph by a newline, with every dropped line or fragment
and its reason (the rules are in corpus/clean/rules.py, the patterns in data/boilerplate_id.txt,
read by corpus/clean/patterns.py; the result in corpus/clean/result.py):

1. Scraped text whose paragraphs were joined with commas ("... 2019.,Video itu ...") is split
   back into paragraphs, the holes left by dropped links (" ,, ", "(,)") are tidied, and
   Markdown and escaped quotes become plain text.
2. Fragments inside a line are cut out: ad markers ("SCROLL TO CONTINUE WITH CONTENT",
   "[Gambas:Video 20detik]"), "Baca juga: <title>" with its title even when the next sentence
   is glued to it, photo credits with their caption, desk codes and reporter initials after
   the last sentence ("(abc/de)"), datelines of every form at the start of the article.
3. Whole lines are dropped by pattern (menus, promos, paywall and login prompts, bylines,
   credits, tags, tables, comment disclaimers, ...), then single sentences of the kept lines
   ("Simak ulasannya berikut ini.", a name in capitals glued after the last sentence), then
   the run of short title-case lines after a "Baca Juga" / "Berita Terkait" header.
4. Repeats: a short line (up to `repeat_max_chars`) that occurs `repeat_min_count` times or
   more in a document is boilerplate and all its occurrences go. Any other repeated line keeps
   its first occurrence. A line that is only a quotation of words quoted in another line is a
   pull quote and goes. A line of up to `cross_doc_max_chars` found in `cross_doc_min_docs`
   documents of the input or more is dropped from every one of them: a build decides that
   over the whole input before cleaning (corpus/pipeline/repeats.py, from the `fingerprints`
   of each document) and passes each document its `drop` set, which `Cleaner.clean(text,
   drop)` applies, so parallel workers clean exactly as one process does. Without `drop`, a
   Cleaner counts lines across the documents it cleans, in turn (`RepeatTracker`: a line
   goes from its `cross_doc_min_docs`-th document on).
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from corpus.clean import rules
from corpus.clean.config import CleanConfig
from corpus.clean.context import (
    Line,
    drop_post_texts,
    drop_title_runs,
    keep_article,
    pull_quotes,
)
from corpus.clean.patterns import any_lead, cut, inline_may_cut, line_reason, patterns
from corpus.clean.repair import (
    INVISIBLE,
    SPACES,
    block_gaps,
    input_lines,
    repair,
    repair_line,
    split_lines,
    unescape,
)
from corpus.clean.result import CleanResult, join
from corpus.records import DroppedLine

if TYPE_CHECKING:
    from corpus.clean.repeats import RepeatTracker

CLEANER_VERSION = "id-clean-8"
"""8: a line repeated across documents is decided over the whole input, dropped from every
document that holds it (issue 20.5; 7 kept it in the first documents)."""

log = logging.getLogger(__name__)

_KEY_STRIP = " .,;:!?-–—"
# Paragraphs joined with commas by the scraper: "2019.,Video", "ini.,,“Kemudian", "Tuchel,Strasbourg".
_JOIN = re.compile(
    r"(?<=[.!?…\"”’)])[ \t]*,(?:[\s,]*,)?(?=[A-Z•#(\[]|[“\"‘]\S)"
    r"|(?<![\d\s,])[ \t]*,(?:[\s,]*,)?(?=[A-Z][A-Za-z]|[•#]|[“\"‘]\S)"
)
_JOIN_HINT = re.compile(r",[A-Z•#(\[“\"‘]")  # what every match of _JOIN holds
LEAD_LINES = 3  # datelines are looked for in the first lines the cleaner keeps


def line_fingerprint(line: str) -> bytes:
    """The digest that `fingerprints` and the Cleaner compare lines by (8 bytes)."""
    return _digest(_line_key(line))


def fingerprints(text: str, config: CleanConfig = CleanConfig()) -> frozenset[bytes]:
    """Digests of the short lines of a raw document (no ftfy, cheap): what a RepeatTracker
    counts across documents."""
    keys = {_line_key(line) for line in split_lines(text) if line and not line.isspace()}
    return frozenset(_digest(k) for k in keys if k and len(k) <= config.cross_doc_max_chars)


def _line_key(line: str) -> str:
    """A line without invisible characters, NFC, single spaces, case-folded, stripped of
    spaces and " .,;:!?-–—"."""
    if not (line.isascii() and line.isprintable()):  # else nothing to remove or compose
        line = unicodedata.normalize("NFC", INVISIBLE.sub("", line))
    return SPACES.sub(" ", line).casefold().strip(_KEY_STRIP)


def _digest(key: str) -> bytes:
    """A small, stable (not per-process) fingerprint of a line key."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()


class Cleaner:
    """Line cleaner for one corpus. With `clean(text)` it counts repeated lines across the
    documents it sees (in order); with `clean(text, drop)` it is stateless per document."""

    def __init__(self, config: CleanConfig = CleanConfig()) -> None:
        self.config = config
        self._tracker: RepeatTracker | None = None  # made on first use: its table is 9 MB

    def clean(self, text: str, drop: frozenset[bytes] | None = None) -> CleanResult:
        """Clean one document. `drop`: fingerprints of lines to drop as repeated across
        documents (from `RepeatTracker.observe(fingerprints(text))`); None: the Cleaner's own
        tracker decides, in the order documents are cleaned."""
        if drop is None:
            if self._tracker is None:
                from corpus.clean.repeats import RepeatTracker  # (it imports this module)

                self._tracker = RepeatTracker(self.config)
            drop = self._tracker.observe(fingerprints(text, self.config))
        dropped: list[DroppedLine] = []
        lines = list(self._lines(text, drop, dropped))
        if self.config.drop_boilerplate:
            drop_title_runs(lines, dropped)
            drop_post_texts(lines, dropped)
            keep_article(lines, dropped)
        if self.config.drop_boilerplate and self.config.strip_datelines:
            self._cut_datelines(lines, dropped)
        paragraphs: list[list[tuple[int, str]]] = []
        for line in lines:
            if line.new_paragraph or not paragraphs:
                paragraphs.append([])
            if line.kept:
                paragraphs[-1].append((line.line_no, line.kept))
        self._drop_repeats(paragraphs, dropped)
        text, origins = join(paragraphs)
        dropped.sort(key=lambda d: d.line_no)
        return CleanResult(text, tuple(dropped), origins)

    def _lines(self, text: str, drop: frozenset[bytes], out: list[DroppedLine]) -> Iterable[Line]:
        """Every block of every line, cleaned (a blank line, a run of three spaces or a tab,
        and a comma-joined paragraph start a new paragraph). Line numbers are the input's."""
        blank = False
        for line_no, raw in enumerate(input_lines(text), 1):
            if not raw or raw.isspace():
                blank = True
                continue
            if drop and line_fingerprint(raw) in drop:
                out.append(DroppedLine(line_no, repair(raw), "repeated_across_docs"))
                yield Line(line_no, raw, "", blank, "repeated_across_docs")
                blank = False
                continue
            decoded = unescape(raw)
            blocks = block_gaps(decoded) if self.config.fix_scraped_text else [decoded]
            fresh = True
            for block in blocks:
                line = repair_line(block)
                if not line:
                    continue
                joined = self.config.fix_scraped_text and _JOIN_HINT.search(line)
                pieces = _JOIN.split(line) if joined else [line]
                for piece in pieces:
                    before = len(out)
                    cleaned = self._clean_line(piece, line_no, out)
                    rule = out[-1].reason if not cleaned and len(out) > before else ""
                    dateline = any(d.reason == "dateline" for d in out[before:])
                    yield Line(line_no, piece, cleaned, blank or not fresh, rule, dateline)
                    blank, fresh = False, False
            if fresh:
                blank = True  # nothing on this line: a paragraph break

    def _clean_line(self, line: str, line_no: int, out: list[DroppedLine]) -> str:
        """The kept part of one line ("" when all of it goes); drops go to `out`."""
        if not rules.has_text(line):
            if line.strip():
                out.append(DroppedLine(line_no, line, "empty"))
            return ""
        if self.config.fix_scraped_text:
            if self.config.drop_boilerplate and rules.is_link_line(line):
                out.append(DroppedLine(line_no, line, "link_list"))
                return ""
            if self.config.drop_boilerplate and rules.is_embedded_post(line):
                out.append(DroppedLine(line_no, line, "embed"))
                return ""
            line = rules.fix_markup(line)
        if not self.config.drop_boilerplate:
            return rules.tidy(line) if self.config.fix_scraped_text else line
        line = self._cut_fragments(line, line_no, out)
        if not rules.has_text(line):
            return ""
        reason = line_reason(line)
        if reason:
            out.append(DroppedLine(line_no, line, reason))
            return ""
        line = rules.drop_sentences(line, line_no, out)
        if line and not rules.has_text(line):
            out.append(DroppedLine(line_no, line, "empty"))
            return ""
        return line

    def _cut_fragments(self, line: str, line_no: int, out: list[DroppedLine]) -> str:
        """Cut the fragments of a line: inline patterns, "Baca juga" titles, caption credits."""
        if inline_may_cut(line):
            for p in patterns()["inline"]:
                if p.reason != "dateline" or self.config.strip_datelines:
                    line = cut(p, line, line_no, out)
        line = rules.cut_related(line, line_no, out)
        line = rules.cut_caption_credit(line, line_no, out)
        return rules.tidy(line) if self.config.fix_scraped_text else line.strip()

    def _cut_datelines(self, lines: list[Line], out: list[DroppedLine]) -> None:
        """Datelines in the first lines of the article (`[first]`: its first line only)."""
        found = patterns()
        seen = 0
        for line in lines:
            if not line.kept:
                continue
            sections = ("first", "lead") if seen == 0 else ("lead",)
            if any_lead().match(line.kept):
                for p in (q for s in sections for q in found[s]):
                    line.kept = cut(p, line.kept, line.line_no, out)
                fixed = self.config.fix_scraped_text
                line.kept = rules.tidy(line.kept) if fixed else line.kept.strip()
            seen += 1
            if seen >= LEAD_LINES:
                break

    def _drop_repeats(
        self, paragraphs: list[list[tuple[int, str]]], out: list[DroppedLine]
    ) -> None:
        """Drop lines repeated inside the document (see module doc)."""
        cfg = self.config
        counts = Counter(_key(t) for p in paragraphs for _, t in p)
        seen: set[str] = set()
        pulled = pull_quotes([t for p in paragraphs for _, t in p])
        for para in paragraphs:
            keep: list[tuple[int, str]] = []
            for line_no, text in para:
                key = _key(text)
                reason = ""
                if counts[key] >= cfg.repeat_min_count and len(text) <= cfg.repeat_max_chars:
                    reason = "repeated_in_doc"
                elif key in seen:
                    reason = "duplicate_in_doc"
                elif text in pulled:
                    reason = "pull_quote"
                seen.add(key)
                if reason:
                    out.append(DroppedLine(line_no, text, reason))
                else:
                    keep.append((line_no, text))
            para[:] = keep


def _key(line: str) -> str:
    """Comparison key of a line for repeat detection."""
    return " ".join(line.casefold().split()).strip(_KEY_STRIP)
