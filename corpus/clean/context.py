"""Line decisions that need the lines around them, over one document's cleaned lines
(corpus/clean/cleaner.py runs them after the line-by-line pass):

- the run of short title-case lines after a "Baca Juga" / "Berita Terkait" header, or a poll's
  question and answers after a "Polling" line;
- an embedded post split over two lines: its text, then its signature ("— Name (@handle)
  June 4, 2024");
- pull quotes: a line that is only a quotation of words quoted in another line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.clean import rules
from corpus.clean.patterns import is_related
from corpus.clean.span import Piece, article_span
from corpus.records import DroppedLine

_PULL_QUOTE = re.compile(r"[\"“‘'](?=\S)([^\"“”]{20,300}?)[.,!?…]?[\"”’']\W{0,2}$")
_WORD = re.compile(r"\w+")
_MAX_PULL_QUOTES = 20


@dataclass
class Line:
    """One line (or one block or piece of one) of a document, as cleaning left it."""

    line_no: int
    text: str  # as repaired, before cleaning
    kept: str  # what cleaning kept ("" when the line went)
    new_paragraph: bool
    rule: str = ""  # the reason of the line rule that dropped all of it
    dateline: bool = False  # a dateline was cut from its start


def keep_article(lines: list[Line], out: list[DroppedLine]) -> None:
    """Lines outside the article's span go (corpus/clean/span.py)."""
    pieces = [
        Piece(line.kept, line.rule or ("dropped" if not line.kept and line.text.strip() else ""),
              line.dateline)
        for line in lines
    ]  # fmt: skip
    start, end, islands, stray = article_span(pieces)
    for i, line in enumerate(lines):
        if line.kept and (i in stray or not (start <= i < end or i in islands)):
            reason = (
                "furniture" if i in stray else "before_article" if i < start else "after_article"
            )
            out.append(DroppedLine(line.line_no, line.kept, reason))
            line.kept = ""


def drop_title_runs(lines: list[Line], out: list[DroppedLine]) -> None:
    """The short title-case lines without final punctuation after a "Baca Juga" or "Berita
    Terkait" header (or a dropped "Baca juga: ..." line) are related links too; after a
    "Polling:" line they are the poll's answers."""
    run = 0
    reason = ""
    for line in lines:
        header = rules.header_reason(line.text)
        if header or (not line.kept and is_related(line.text)):
            run = rules.TITLE_RUN_MAX_LINES
            reason = header or "related_link"
        elif run and line.kept and rules.in_title_run(line.kept, reason):
            out.append(DroppedLine(line.line_no, line.kept, reason))
            line.kept = ""
            run -= 1
        elif line.kept:
            run = 0


def drop_post_texts(lines: list[Line], out: list[DroppedLine]) -> None:
    """A short line right before a post's signature line is the post's text (an embedded
    tweet whose blockquote became two lines)."""
    previous: Line | None = None
    for line in lines:
        if previous is not None and _signed(previous, line):
            out.append(DroppedLine(previous.line_no, previous.kept, "embed"))
            previous.kept = ""
        if line.text.strip():
            previous = line  # the line just before, whether it was kept or not


def _signed(text: Line, signature: Line) -> bool:
    """Is `signature` a post's signature line and `text`, the line before it, short enough to
    be the post's text?"""
    return 0 < len(text.kept) <= rules.POST_TEXT_MAX and rules.is_post_signature(signature.text)


def pull_quotes(lines: list[str]) -> set[str]:
    """Lines that are only a quotation repeating words quoted in another line of the document
    (a pull quote: '"Kami tidak mau rugi"' next to '"Kami tidak mau rugi," kata Slamet.')."""
    quotes = [(line, _PULL_QUOTE.match(line)) for line in lines]
    found = [(line, _words(m.group(1))) for line, m in quotes if m]
    if not found or len(found) > _MAX_PULL_QUOTES:  # dialogue, not a news page: no pull quotes
        return set()
    others = [_words(line) for line in lines]
    return {line for line, words in found if sum(words in o for o in others) >= 2}


def _words(text: str) -> str:
    return " " + " ".join(_WORD.findall(text.casefold())) + " "
