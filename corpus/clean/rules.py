"""The rules of the line cleaner (corpus/clean/cleaner.py): what to cut from a line, which sentences and
lines to drop, with the patterns of `data/boilerplate_id.txt` (corpus/clean/patterns.py) and the
context they need.

Every function that removes text appends a DroppedLine (line number, text, reason) to `out`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from corpus.clean.patterns import headline_words, patterns, prefilter
from corpus.records import DroppedLine
from corpus.segment.sentences import segment

TITLE_RUN_MAX_LINES = 12
TITLE_MAX_WORDS = 25

# Markup left in scraped text; none of these changes a word.
_ESCAPED_QUOTE = re.compile(r"\\([\"'])")
_MD_EMPHASIS = re.compile(
    r"\*\*(?=\S)([^*\n]{1,300}?)(?<=\S)\*\*|__(?=\S)([^_\n]{1,300}?)(?<=\S)__"
)
_MD_HEADING = re.compile(r"^#{1,6}\s+(?=\S)")
_MD_LINK = re.compile(r"(?<!!)\[([^\[\]\n]{0,300})\]\((?:https?://|/)[^)\s]{0,500}\)")
# A line that is only Markdown links (a menu, a list of related articles).
_MD_LINK_LINE = re.compile(
    r"^[-*•·\s]*(?:\[[^\[\]\n]{0,300}\]\((?:https?://|/)[^)\s]{0,500}\)[\s|·,•-]*)+$"
)
# A credit in brackets after a sentence: "(Reuters/Nama)", "(Situs.com/Nama)".
_SLASH_CREDIT = re.compile(
    r"(?<=[.!?\"”])\s*\([A-Z][\w.&' -]{1,40}/\s?[A-Z][\w.&' -]{1,40}\)(?=\s|$)"
)
_HEADER_MAX = 60
_POLL_MAX = 200
_POST_MAX = 600
POST_TEXT_MAX = 320  # a tweet: 280 characters and a link
_POST_LINK = re.compile(r"\bpic\.twitter\.com/\w|\bhttps?://t\.co/\w")
_POST_SIGNATURE = re.compile(
    r"[—–-]\s*[^()\n]{1,80}\(@\w{1,30}\)\s+"
    r"(?:[A-Z][a-z]+\.?\s+\d{1,2},\s+\d{4}|\d{1,2}\s+[A-Z][a-z]+\s+\d{4})\W*$"
)
_EMPTY_BRACKETS = re.compile(r"\(\s*[,;]?\s*\)")  # left by a dropped link
_EMPTY_QUOTES = re.compile(r"(?<![\w.,!?])[\"“”]\s*,?\s*[\"“”](?!\w)")  # '","'
_COMMA_HOLES = (
    (re.compile(r"[ \t]+,"), ","),
    (re.compile(r",(?:\s*,)+"), ","),
    (re.compile(r",+(?=[.!?])"), ""),
    (re.compile(r",(?=[^\s\d,\"“”’‘')\]])"), ", "),
)
_ANY_COMMA_HOLE = re.compile(r"[ \t],|,\s*,|,[.!?]|,(?=[^\s\d,\"“”’‘')\]])")  # one of them
_DOUBLE_SPACE = re.compile(r"[ \t]{2,}")
_WORDS = re.compile(r"\S+")
_TITLE_WORD = re.compile(r"^[\"'“‘(\[]?(?:[A-Z0-9]|[a-z]+[A-Z])")
_OPENING_QUOTE = re.compile(r"^[\"“]")
_STOP_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_ALNUM = re.compile(r"[^\W_]")
_UPPER_TAIL = re.compile(r"^[A-Z][A-Z.'/-]*(?:\s+[A-Z][A-Z.'/-]*){0,4}$")


@cache
def _headers() -> re.Pattern[str]:
    found = patterns()["header"]
    return re.compile("|".join(f"(?:{p.regex.pattern})" for p in found) or "(?!)", re.IGNORECASE)


def fix_markup(line: str) -> str:
    """Backslash-escaped quotes and Markdown emphasis, headings and links become plain text."""
    if "\\" in line:
        line = _ESCAPED_QUOTE.sub(r"\1", line)
    if "**" in line or "__" in line:
        line = _MD_EMPHASIS.sub(lambda m: m.group(1) or m.group(2), line)
    if line.startswith("#"):
        line = _MD_HEADING.sub("", line)
    if "](" in line:
        line = _MD_LINK.sub(r"\1", line)
    return line


def is_embedded_post(line: str) -> bool:
    """A post embedded in the page: a short line ending in the signature "— Name (@handle)
    June 4, 2024" (a tweet, maybe with its text before it), or holding a tweet's link."""
    if len(line) > _POST_MAX:
        return False
    if "(@" in line and _POST_SIGNATURE.search(line[-160:]):
        return True
    return ("t.co/" in line or "pic.twitter.com/" in line) and bool(_POST_LINK.search(line))


def is_post_signature(line: str) -> bool:
    """Is `line` only a post's signature ("— Name (@handle) June 4, 2024")? The line before
    it is then the post's text."""
    return "(@" in line and bool(_POST_SIGNATURE.match(line.strip()))


def is_link_line(line: str) -> bool:
    """Is `line` nothing but Markdown links?"""
    return "](" in line and bool(_MD_LINK_LINE.match(line))


def cut_related(line: str, line_no: int, out: list[DroppedLine]) -> str:
    """Cut "Baca juga: <title>" where it starts a line or follows a sentence, with the title:
    the run of title-case words up to the next sentence ("... Harga Gabah Turun Pedagang
    mengeluh ..."), an opening quote or the end of the line."""
    found: list[tuple[int, int, str]] = []
    if not prefilter("marker").search(line):
        return line
    for p in patterns()["marker"]:
        for m in p.regex.finditer(line):
            end = _title_end(line, m.end()) if _after_boundary(line, m.start()) else -1
            if end >= 0:
                found.append((m.start(), end, p.reason))
    if not found:
        return line
    pieces: list[str] = []
    pos = 0
    for start, end, reason in sorted(found):
        if start < pos:  # inside a cut already made
            continue
        out.append(DroppedLine(line_no, line[start:end].strip(), reason))
        pieces.append(line[pos:start])
        pos = end
    pieces.append(line[pos:])
    return " ".join(p.strip() for p in pieces if p.strip())


def _after_boundary(line: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and line[i].isspace():
        i -= 1
    return i < 0 or line[i] in '.!?"”’)]:»›>•►▪·*|'


def _title_end(line: str, pos: int) -> int:
    """End of the headline that starts at `pos`, or -1 when no headline starts there."""
    words = _WORDS.finditer(line, pos)
    word = next(words, None)
    count = 0
    end = -1
    while word is not None and count < TITLE_MAX_WORDS:
        nxt = next(words, None)
        text = word.group()
        following = nxt.group() if nxt else ""
        if count and (
            _OPENING_QUOTE.match(text) or (_TITLE_WORD.match(text) and _lower(following))
        ):
            break  # a sentence starts: "Pedagang mengeluh ...", "“Kami ...", "Budi memandang, ..."
        if not (_TITLE_WORD.match(text) or text.lower() in headline_words()):
            break
        count += 1
        end = word.end()
        if _STOP_END.search(text):
            break
        word = nxt
    return end if count >= 2 else -1


def _lower(word: str) -> bool:
    """A lower-case word that a headline would capitalise (so a sentence has started)."""
    bare = word.strip("\"'“”‘’(),.:;!?")
    return bool(bare) and bare[0].islower() and bare.lower() not in headline_words()


def cut_caption_credit(line: str, line_no: int, out: list[DroppedLine]) -> str:
    """A photo credit after a sentence ("... 2019. (Reuters/Nama) ...") is cut; when
    it follows the first sentence of the line, that sentence is the caption and goes too."""
    m = _SLASH_CREDIT.search(line)
    if m is None:
        return line
    out.append(DroppedLine(line_no, m.group().strip(), "credit"))
    head, tail = line[: m.start()], line[m.end() :].strip()
    if tail and len(segment(head)) == 1:
        out.append(DroppedLine(line_no, head.strip(), "caption"))
        return tail
    return f"{head.rstrip()} {tail}".strip()


def drop_sentences(line: str, line_no: int, out: list[DroppedLine]) -> str:
    """Drop the sentences of `line` that a [sentence] pattern matches, and a tail of capitals
    glued after the last sentence ("... katanya. BUDI SANTOSO")."""
    found = patterns()["sentence"]
    tail = line[-1:].isupper() and ". " in line and _UPPER_TAIL.search(line.rsplit(". ", 1)[-1])
    if not tail and not prefilter("sentence").search(line):
        return line
    spans = segment(line)
    kept: list[str] = []
    for i, span in enumerate(spans):
        reason = next((p.reason for p in found if p.regex.match(span.text)), "")
        if not reason and i == len(spans) - 1 and i and _is_name_tail(span.text, kept):
            reason = "byline"
        if reason:
            out.append(DroppedLine(line_no, span.text, reason))
        else:
            kept.append(span.text)
    return " ".join(kept)


def _is_name_tail(text: str, before: Sequence[str]) -> bool:
    """A last "sentence" of one to five words in capitals without a stop, after a sentence."""
    return bool(before) and bool(_STOP_END.search(before[-1])) and bool(_UPPER_TAIL.match(text))


def header_reason(text: str) -> str:
    """The reason of the list that `text` heads: related titles ("Baca Juga", "## Berita
    Terkait :") or a poll's answers ("Polling: Setujukah Anda ...?"); "" if it heads none."""
    if len(text) > _POLL_MAX:
        return ""
    text = fix_markup(text)
    if not _headers().match(text):
        return ""
    found = (p for p in patterns()["header"] if p.regex.match(text))
    return next((p.reason for p in found if len(text) <= _HEADER_MAX or p.reason == "poll"), "")


def is_title_line(text: str) -> bool:
    """A short headline or a poll's answer: mostly capitalised words and no final stop (a "?"
    may end it)."""
    text = text.lstrip("•-–—*· ").strip()
    words = text.split()
    if not 1 <= len(words) <= TITLE_MAX_WORDS or text[-1] in ".!…:;,":
        return False
    content = [w for w in words if w.lower() not in headline_words()]
    capital = sum(1 for w in content if _TITLE_WORD.match(w))
    return bool(content) and capital >= 0.75 * len(content)


def in_title_run(text: str, reason: str) -> bool:
    """Does `text` belong to the list a header started: a title, or for a poll also its
    question ("Apakah suku bunga perlu turun?")?"""
    if reason == "poll" and len(text) <= _POLL_MAX and text.rstrip().endswith("?"):
        return True
    return is_title_line(text)


def tidy(line: str) -> str:
    """Tidy the holes that dropped links leave in scraped text: " ,, " -> ", ", "(,)" -> ""."""
    if "(" in line:
        line = _EMPTY_BRACKETS.sub("", line)
    if '"' in line or "“" in line or "”" in line:
        line = _EMPTY_QUOTES.sub("", line)
    if "," in line and _ANY_COMMA_HOLE.search(line):
        for regex, repl in _COMMA_HOLES:
            line = regex.sub(repl, line)
    line = line.strip(" \t,;")
    return _DOUBLE_SPACE.sub(" ", line) if "  " in line or "\t" in line else line


def has_text(line: str) -> bool:
    return bool(_ALNUM.search(line))
