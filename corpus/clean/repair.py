"""Text -> repaired text: the characters fixed, the words never changed (mojibake, HTML entities
left in scraped text, quotes lost as "\ufffd", invisible and control characters, odd spaces and
line breaks). The first thing `corpus.clean.cleaner.Cleaner` does to a document, and all that a
presplit build (one unit per line) does to a line.
"""

from __future__ import annotations

import html
import re
import unicodedata

INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufe00-\ufe0f\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)
SPACES = re.compile("[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_BREAKS = re.compile("\r\n?|[\u2028\u0085]")
_MANY_BLANKS = re.compile(r"\n{3,}")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# ftfy only where mojibake can be: Latin-1 letters and C1 controls, fullwidth forms, escapes.
_MOJIBAKE_HINT = re.compile("[\u0080-\u009f\u00a1-\u00ff\uff00-\uffef\x1b]")
_FTFY_PIECE = 20_000  # characters per ftfy call, so that huge lines stay linear
_LOST_QUOTES = (  # U+FFFD where a page lost its curly quotes
    (re.compile("(?<![^\\s(\\[])\ufffd(?=[^\\W_])"), '"'),  # opening
    (re.compile("(?<=[.,!?])\\s?\ufffd(?![^\\W_])"), '"'),  # closing, after the punctuation
    (re.compile("(?<=[^\\W\\d_])\ufffd(?=[^\\W\\d_])"), "'"),  # apostrophe: Ma'ruf
)


def split_lines(text: str) -> list[str]:
    """The lines of `text`, split at every kind of line break (a paragraph separator, U+2029,
    gives a blank line)."""
    return _BREAKS.sub("\n", text).replace("\u2029", "\n\n").split("\n")


def repair(text: str) -> str:
    """Fix mojibake (ftfy, incl. Mac-Roman "‚Äú"), HTML entities ("&ldquo;", "&nbsp;"), quotes
    lost as U+FFFD, NFC, drop zero-width and control characters, turn non-breaking and other
    spaces into plain ones and normalise whitespace (single spaces, no trailing spaces, at
    most one blank line). Words are never changed. Linear in the length of the text."""
    for _ in range(2):  # "&amp;ldquo;" was escaped twice
        if "&" in text:
            text = _ENTITY.sub(lambda m: html.unescape(m.group()), text)
    lines = []
    for line in split_lines(text):
        if _MOJIBAKE_HINT.search(line):
            line = _ftfy(line)
        line = unicodedata.normalize("NFC", INVISIBLE.sub("", line))
        if "\ufffd" in line:
            for regex, quote in _LOST_QUOTES:
                line = regex.sub(quote, line)
        lines.append(SPACES.sub(" ", line).strip())
    return _MANY_BLANKS.sub("\n\n", "\n".join(lines)).strip()


def _ftfy(line: str) -> str:
    """ftfy on one line, in pieces of about _FTFY_PIECE characters cut at spaces."""
    import ftfy

    config = ftfy.TextFixerConfig(
        uncurl_quotes=False, fix_latin_ligatures=False, unescape_html=False, explain=False
    )
    pieces = []
    pos = 0
    while pos < len(line):
        end = len(line) if len(line) - pos <= _FTFY_PIECE else line.find(" ", pos + _FTFY_PIECE)
        end = len(line) if end < 0 else end
        pieces.append(ftfy.fix_text(line[pos:end], config))
        pos = end
    return "".join(pieces)
