"""Cleaned text -> sentence spans with exact character offsets (Indonesian rules).

The segmenter looks only at candidate positions, found by one regex: a run of `.`, `!`, `?`
or `…` followed by optional closing quotes/brackets and whitespace, a stop glued to the next
word ("kemarin.Menurut"), a line break, a colon, and a space before a strong sentence starter.
Each is decided from the token before it and the word after it, with the language data in
`corpus/data/`: `abbreviations.tsv` (titles, honorifics, addresses, company forms, shorthand,
degrees, months, units; each with a behaviour), `sentence_starters_id.txt`,
`speech_verbs_id.txt` ("Kenapa?" tanya dia) and `list_cues_id.txt` ("yaitu:").

- A quotation holding several sentences is split at its inner boundaries (the convention of
  the UD treebanks, Moses and FLORES): the opening quote stays with the first piece, the
  closing quote and the attribution with the last (“Saya lelah. | Saya pulang,” kata Ani.),
  also when the attribution is capitalised after "?”" ("Siapa kalian?” Ujar Budi ..."). Inside a
  quotation, a "!" or "?" that ends a short quoted title ("Pergi!" Versi Akustik) and a detached
  ellipsis marking left-out words are no boundary, and a lost stop is not guessed (the
  quotations are found by corpus/segment/quotes.py).
- No-break spaces count as spaces everywhere.
- Blank lines always end a sentence. A single line break ends one when the layout says so:
  the next line is a bullet, or the line has no final punctuation and the next line starts
  with a capital letter (headlines, captions, list items), unless the paragraph looks
  hard-wrapped (long lines of similar length).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from corpus.records import Span
from corpus.segment import lexicon
from corpus.segment.quotes import QUOTE, inside, quote_regions, quoted_non_boundary

SEGMENTER_VERSION = "id-rules-3"

_CLOSERS = "\"'”’»)]}"
_OPENERS = "\"'“‘«([{"
_STOPS = ".!?…"

# A terminator run (stops, then closers) followed by whitespace; or a line break; or a stop
# glued to the next sentence ("kemarin.Menurut"), which scraped text often has.
_CANDIDATE = re.compile(
    r"[.!?…]+[\"'”’»)\]}]*(?=\s)"
    r"|\n|:(?=[ \t\u00a0])"
    r"|(?<=[a-z]{3})[.!?](?=[A-Z][a-z]{2})"
)
_PARA_BREAK = re.compile(r"(?:\r?\n|\r)[ \t\f\v\u00a0\u3000]*(?:\r?\n|\r)\s*")
_NEXT_WORD = re.compile(r"[\w$€£¥]+(?:[.'’-]\w+)*")
_TOKEN_BEFORE = re.compile(r"\S+$")
_INITIALS = re.compile(r"(?:[A-Z]\.)*[A-Z]")
_LIST_MARKER = re.compile(r"(?:\d{1,2}|[a-z]|[ivx]{1,4}|[IVX]{1,4})")
_BULLET = re.compile(r"(?:[-–—•▪●◦‣*·►✓]|\d{1,3}[.)]|[a-zA-Z][.)])\s")
_CAMEL = re.compile(r"[a-z]{1,2}[A-Z]")
_URLISH = re.compile(r"://|@|^www\.|\.(?:com|id|org|net|co)\b", re.IGNORECASE)
_ALNUM = re.compile(r"[^\W_]")
_LOWER_START_OK = re.compile(r"[a-zA-Z]{4,}|\d{3,}")
_NUMBERISH = re.compile(r"\w*\d|[IVXLC]+\b|[A-Za-z]\b")
_FIRST_MARKERS = frozenset({"1", "a", "A", "i", "I"})
_DOMAIN_WORDS = frozenset({"Com", "Co", "Id", "Net", "Org", "Js"})


@lru_cache(maxsize=1)
def _candidates() -> re.Pattern[str]:
    """_CANDIDATE plus a space before a strong starter ("persen Sementara itu")."""
    strong = sorted(w for w, kind in lexicon.starters().items() if kind == "strong")
    unmarked = rf"(?<=[a-z0-9%])[ \u00a0](?=(?:{'|'.join(strong)})(?:[ \u00a0][a-z]|,))"
    return re.compile(f"{_CANDIDATE.pattern}|{unmarked}")


def split_paragraphs(text: str) -> list[Span]:
    """Blocks of `text` separated by blank lines, stripped, with exact offsets."""
    spans: list[Span] = []
    pos = 0
    for m in _PARA_BREAK.finditer(text):
        _add_stripped(spans, text, pos, m.start())
        pos = m.end()
    _add_stripped(spans, text, pos, len(text))
    return spans


def segment(text: str) -> list[Span]:
    """Sentence spans of `text`: stripped, non-empty, in order, `span.text == text[start:end]`."""
    spans: list[Span] = []
    for para in split_paragraphs(text):
        first = len(spans)
        pos = para.start
        for cut in _cuts(text, para.start, para.end):
            _add_stripped(spans, text, pos, cut, first)
            pos = cut
        _add_stripped(spans, text, pos, para.end, first)
    return spans


def split_sentences(text: str) -> list[str]:
    """The sentences of `text` as strings (the interface `seg_eval.py` scores)."""
    return [s.text for s in segment(text)]


def _add_stripped(spans: list[Span], text: str, start: int, end: int, first: int = 0) -> None:
    """Append text[start:end] stripped; a piece with no letter or digit joins the previous span."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return
    if len(spans) > first and not _ALNUM.search(text, start, end):
        start = spans.pop().start
    spans.append(Span(start, end, text[start:end]))


def _cuts(text: str, lo: int, hi: int) -> Iterator[int]:
    """Positions inside text[lo:hi] (one paragraph) where a sentence ends."""
    wrapped: bool | None = None
    quotes = quote_regions(text, lo, hi) if QUOTE.search(text, lo, hi) else []
    last = lo
    for m in _candidates().finditer(text, lo, hi):
        start, end = m.span()
        char = text[start]
        if char == "\n":
            if wrapped is None:
                wrapped = _looks_wrapped(text[lo:hi])
            cut = start if _line_break_ends(text, start, lo, hi, wrapped) else -1
        elif quotes and quoted_non_boundary(quotes, text, start, end):
            cut = -1
        elif char == ":":
            cut = end if _colon_ends(text, last, start, end, hi) else -1
        elif char in " \u00a0":  # a lost stop; not guessed inside a quotation
            unmarked = _lower_word_before(text, start, last) and not inside(quotes, start, end)
            cut = start if unmarked else -1
        elif end - start == 1 and end < hi and not text[end].isspace():
            cut = end if _glued_stop_ends(text, start, end, lo) else -1
        else:
            cut = end if _stop_ends(text, start, end, lo, hi) else -1
        if cut >= 0:
            last = cut
            yield cut


def _stop_ends(text: str, start: int, end: int, lo: int, hi: int) -> bool:
    """Does the terminator run text[start:end] (followed by whitespace) end a sentence?"""
    k = end
    while k < hi and (text[k].isspace() or text[k] in _OPENERS):
        k += 1  # past opening quotes/brackets, and closing quotes detached by a space
    if k >= hi:
        return not QUOTE.search(text, end, hi)
    first = text[k]
    lower = first.islower() and not _CAMEL.match(text, k)
    nxt = _NEXT_WORD.match(text, k)
    next_word = nxt.group() if nxt else ""
    core = text[start:end].rstrip(_CLOSERS)
    closed = len(core) < end - start
    if core[-1] in "?!":
        if closed and lexicon.is_speech_verb(next_word):  # "Siapa kalian?” Ujar Budi ...
            return False
        return not lower or (not closed and not lexicon.is_speech_verb(next_word))
    if len(core) > 1 or core[-1] == "…" or closed:
        return not lower  # ellipsis, or a stop followed by a closing quote/bracket
    tm = _TOKEN_BEFORE.search(text, max(lo, start - 60), start)
    token = tm.group().lstrip(_OPENERS) if tm else ""
    if not token or token[-1] in _CLOSERS or _URLISH.search(token):
        return not lower
    bracket = text[end:k].lstrip()[:1] == "("
    tok_start = tm.start() if tm else start
    return _after_token(text, token, tok_start, lo, first, next_word, lower, bracket)


def _after_token(
    text: str, token: str, tok_start: int, lo: int, first: str, nxt: str, lower: bool, bracket: bool
) -> bool:
    """Decide a single period after `token`, given what follows."""
    token = token.rsplit("/", 1)[-1] if "/" in token[:-1] else token  # "03/RW." -> "RW."
    behaviour = lexicon.behaviour(token)
    if behaviour == "initial" or (behaviour is None and _INITIALS.fullmatch(token)):
        return not lower and nxt in lexicon.starters()
    if behaviour is not None:
        if lower or behaviour == "prefix" or (behaviour == "number" and _NUMBERISH.match(nxt)):
            return False
        return not bracket and lexicon.behaviour(nxt) is None
    if _LIST_MARKER.fullmatch(token) and _list_position(text, tok_start, lo, token):
        return False
    if _NUMBERISH.fullmatch(nxt) and _after_number_abbreviation(text, tok_start, lo):
        return False  # one piece of a code: "Peraturan Bapepam No. XI. B. 02.00"
    if lower:  # "... pada 1879. atau ..." (sentences typed in lower case)
        return bool(_LOWER_START_OK.fullmatch(token)) and not lexicon.is_speech_verb(nxt)
    return True


def _colon_ends(text: str, last: int, start: int, end: int, hi: int) -> bool:
    """A colon after a list cue ends a sentence before a capitalised word
    ("... 11 desa, yaitu: Desa ..."); after a label or a name it does not ("Foto: Antara")."""
    k = end
    while k < hi and text[k].isspace():
        k += 1
    if k >= hi or not text[k].isupper():
        return False
    words = text[max(last, start - 200) : start].lower().split()
    if len(words) < 3 or words[-1] not in lexicon.word_set("list_cues_id.txt"):
        return False
    return words[-1] != "ini" or words[-2] == "berikut"  # "berikut ini:", not "minggu ini:"


def _lower_word_before(text: str, space: int, last: int) -> bool:
    """Is the word before `space` lower case (or a number), so that a strong starter after it
    begins a sentence that lost its stop?"""
    tm = _TOKEN_BEFORE.search(text, max(last, space - 60), space)
    if tm is None or space - last <= 20:
        return False
    return not any(c.isupper() for c in tm.group())


def _after_number_abbreviation(text: str, tok_start: int, lo: int) -> bool:
    """Does the token at `tok_start` follow an abbreviation that a number follows ("No.")?"""
    tm = _TOKEN_BEFORE.search(text, max(lo, tok_start - 30), max(lo, tok_start - 1))
    return (
        tm is not None and tm.group()[-1:] == "." and lexicon.behaviour(tm.group()[:-1]) == "number"
    )


def _list_position(text: str, pos: int, lo: int, token: str) -> bool:
    """Is the marker `token` at `pos` a list number: at the start of a line, or the first
    item after a colon ("yaitu: 1. ...", but not "surat Al-Baqarah : 183. Dalam ...")?"""
    i = pos - 1
    while i >= lo and text[i] in " \t\u00a0":
        i -= 1
    if i < lo or text[i] == "\n":
        return True
    return text[i] == ":" and token in _FIRST_MARKERS


def _glued_stop_ends(text: str, start: int, end: int, lo: int) -> bool:
    """A stop with no space after it: "kemarin.Menurut" splits, "detik.Com" does not."""
    tm = _TOKEN_BEFORE.search(text, max(lo, start - 60), start)
    token = tm.group().lstrip(_OPENERS) if tm else ""
    nxt = _NEXT_WORD.match(text, end)
    if not token.isalpha() or not nxt or _URLISH.search(nxt.group()):
        return False
    word = nxt.group().split(".")[0]
    return word.isalpha() and word not in _DOMAIN_WORDS and lexicon.behaviour(token) is None


def _line_break_ends(text: str, nl: int, lo: int, hi: int, wrapped: bool) -> bool:
    """Does the single line break at `nl` end a sentence (headline, bullet, caption)?"""
    k = nl + 1
    while k < hi and text[k].isspace():
        k += 1
    if k >= hi:
        return False
    if _BULLET.match(text, k):
        return True
    i = nl - 1
    while i >= lo and text[i].isspace():
        i -= 1
    if i < lo:
        return False
    while i > lo and text[i] in _CLOSERS:
        i -= 1
    last = text[i]
    if last in _STOPS or last in ",;([-–—/&+" or wrapped:
        return False  # a stop is decided by _stop_ends; others continue the sentence
    while k < hi and text[k] in _OPENERS:
        k += 1
    return k < hi and not (text[k].islower() and not _CAMEL.match(text, k))


def _looks_wrapped(para: str) -> bool:
    """Hard-wrapped prose: three or more lines whose non-final ones are long and even."""
    lengths = [len(line.strip()) for line in para.splitlines()]
    body = lengths[:-1]
    if len(body) < 2 or min(body) < 40:
        return False
    return max(body) - min(body) <= 0.35 * max(body)
