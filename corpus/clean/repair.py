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
_INPUT_BREAKS = re.compile("\r\n?|[\x0b\x0c\u2028\u2029]")
_MANY_BLANKS = re.compile(r"\n{3,}")
_GAP = re.compile("\t|[ \u00a0\u2000-\u200a\u202f\u205f\u3000]{3,}")
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


def input_lines(text: str) -> list[str]:
    """The lines of `text` as read: split at the line breaks the read stage knows (CR LF, CR,
    LF, VT, FF, U+2028, U+2029), each one break, so that line n is the n-th line of the input.
    U+0085 is no break here: it is more often what is left of mojibake."""
    return _INPUT_BREAKS.sub("\n", text).split("\n")


def repair(text: str) -> str:
    """Fix mojibake (ftfy, incl. Mac-Roman "‚Äú"), HTML entities ("&ldquo;", "&nbsp;"), quotes
    lost as U+FFFD, NFC, drop zero-width and control characters, turn non-breaking and other
    spaces into plain ones and normalise whitespace (single spaces, no trailing spaces, at
    most one blank line). Words are never changed. Linear in the length of the text."""
    lines = [repair_line(line) for line in split_lines(unescape(text))]
    return _MANY_BLANKS.sub("\n\n", "\n".join(lines)).strip()


def unescape(text: str) -> str:
    """HTML entities decoded, twice ("&amp;ldquo;" was escaped twice)."""
    for _ in range(2):
        if "&" in text:
            text = _ENTITY.sub(lambda m: _entity(m.group()), text)
    return text


def _entity(found: str) -> str:
    """One entity; a numeric one of 128-159 is the Windows-1252 character, as browsers read it
    ("&#128;" is "€"), so the mojibake it may be part of can be repaired."""
    text = html.unescape(found)
    if len(text) == 1 and "\x80" <= text <= "\x9f":
        return bytes([ord(text)]).decode("cp1252", errors="ignore") or text
    return text


def block_gaps(line: str) -> list[str]:
    """The blocks of one line of plain text: a run of three or more spaces, or a tab, separates
    two of them (a sign-off and the tag list after it, columns of a copied page)."""
    if "\t" not in line and "   " not in line and "\u00a0" not in line:
        return [line]
    return [b for b in _GAP.split(line) if b.strip()] or [""]


def repair_line(line: str) -> str:
    """`repair` of one line whose entities are decoded (`unescape`): mojibake, NFC, invisible
    and control characters, lost quotes, spaces."""
    if line.isascii() and line.isprintable():  # nothing to repair but the spaces
        return SPACES.sub(" ", line).strip() if "  " in line else line.strip()
    if _MOJIBAKE_HINT.search(line):
        line = _ftfy(line)
    line = unicodedata.normalize("NFC", INVISIBLE.sub("", line))
    if "\ufffd" in line:
        for regex, quote in _LOST_QUOTES:
            line = regex.sub(quote, line)
    return SPACES.sub(" ", line).strip()


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
