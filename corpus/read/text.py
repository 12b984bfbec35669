"""Text and HTML inputs for corpus.read.inputs.

A text file (or stdin) is one document. One larger than PART_CHARS bytes is streamed instead
of read whole: it is decoded in the encoding detected from its head and yielded as consecutive
Document parts of at most PART_CHARS characters (part = 0, 1, 2, ...; same doc_id and source),
so memory stays bounded and the pipeline can checkpoint between them. The parts' texts
concatenated are exactly the file's decoded, sanitised text; a stream damaged midway gives its
text up to the damage (the last part ends there). A part ends right after the last
blank line within the budget, else right after the last newline, else (one huge line) right
after the last whitespace character, else at the budget. While streaming, every U+FFFD in the
text is counted as a decode replacement.

An HTML file is one document, its main text extracted by corpus.html.extract.extract; it is read
whole, so one over MAX_HTML_BYTES is a skipped input ("too large"). Its text is the page's
visible text with only the article's lines left (the others empty), so that a line number is
the page's; every line or part the extraction leaves out is dropped at stage `html` with its
line. A document of any other format whose text is HTML (a CMS field, a page saved as .txt:
`corpus.html.extract.looks_like_html`) goes the same way (`markup_aware`). A page nested too deeply to
extract is skipped with the reason.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from corpus.read.decode import (
    BinaryFileError,
    choose_encoding,
    decode_whole,
    load_bytes,
    opened,
    sanitize_count,
)
from corpus.read.streams import CorruptInputError, InputStream
from corpus.records import Document
from corpus.report import Report

if TYPE_CHECKING:
    from corpus.read.config import ReadConfig
    from corpus.read.paths import Source

PART_CHARS = 4 * 2**20
"""A text input over this many bytes is read in parts of at most this many characters."""
MAX_HTML_BYTES = 64 * 2**20
"""An HTML file over this many (decompressed) bytes is skipped: convert it to text first."""
_BLANK_LINE = re.compile(r"(?<=\n)[^\S\n]*\n")
_LAST_SPACE = re.compile(r"\s(?=\S*\Z)")


def read_text(src: Source, config: ReadConfig, report: Report) -> Iterator[Document]:
    """A plain-text file (or stdin): one document, or its parts when it is large."""
    with opened(src.path, src.location, report, src.compression) as f:
        if f is None:
            return
        budget = PART_CHARS
        try:
            head = f.peek_head(budget + 1)
        except CorruptInputError as e:
            report.skip_input(src.location, f"{e}")
            return
        if len(head) <= budget:
            if f.damage is not None:
                report.skip_input(src.location, f"{f.damage}; the text before it is kept")
            text = decode_whole(head, src.location, report, complete=f.damage is None)
            if text is not None:
                yield Document(doc_id=src.name, text=text, source=src.location)
            return
        try:
            encoding = choose_encoding(head, src.location, report, complete=False)
        except BinaryFileError as e:
            report.skip_input(src.location, f"binary: {e}")
            return
        del head
        pieces = decoded_pieces(f, encoding, max(1, budget // 4))
        yield from _parts(pieces, src, report, budget)


def decoded_pieces(f: InputStream, encoding: str, size: int) -> Iterator[str]:
    """The text of `f`, decoded as it arrives (undecodable bytes replaced), a read of at most
    `size` bytes at a time, so that damage loses nothing decoded before it; a CR at a piece's
    end waits for the next piece (a CRLF across two reads is one line break)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    buffer = bytearray(size)
    carry = ""
    while n := f.readinto(buffer):
        text = carry + decoder.decode(memoryview(buffer)[:n])
        carry = "\r" if text.endswith("\r") else ""
        yield text[:-1] if carry else text
    yield carry + decoder.decode(b"", final=True)


def _parts(pieces: Iterator[str], src: Source, report: Report, budget: int) -> Iterator[Document]:
    held: list[str] = []  # sanitised text not yet given out as a part
    size, part, replaced, removed = 0, 0, 0, 0
    damage: CorruptInputError | None = None
    try:
        for piece in pieces:
            replaced += piece.count("\ufffd")
            clean, n = sanitize_count(piece)
            held.append(clean)
            size, removed = size + len(clean), removed + n
            if size > budget:
                buf = "".join(held)
                while len(buf) > budget:
                    cut = cut_point(buf, budget)
                    yield Document(doc_id=src.name, text=buf[:cut], source=src.location, part=part)
                    buf, part = buf[cut:], part + 1
                held, size = [buf], len(buf)
    except CorruptInputError as e:
        damage = e
    if size:  # the last part; after damage, the text up to it
        yield Document(doc_id=src.name, text="".join(held), source=src.location, part=part)
        part += 1
    if damage is not None:
        report.skip_input(src.location, f"{damage}; the {part} part(s) before it are kept")
    if removed:
        report.count("control_chars_removed", removed)
        report.warn(
            "text_altered", f"removed {removed} NUL/control character(s)", where=src.location
        )
    if replaced:
        report.count("decode_replacements", replaced)
        report.warn(
            "text_altered",
            f"{replaced} undecodable byte sequence(s) replaced by U+FFFD",
            where=src.location,
        )


def cut_point(text: str, budget: int) -> int:
    """Where the part that starts `text` ends (at most `budget` characters in)."""
    if len(text) <= budget:
        return len(text)
    window = text[:budget]
    end = 0
    for match in _BLANK_LINE.finditer(window):
        end = match.end()
    if end:
        return end
    newline = window.rfind("\n")
    if newline >= 0:
        return newline + 1
    space = _LAST_SPACE.search(window)
    return space.start() + 1 if space else budget


def load_text(src: Source, report: Report, limit: int) -> str | None:
    """A whole input decoded and sanitised, or None (reported) when it holds no usable text or
    is over `limit` bytes."""
    loaded = load_bytes(src.path, src.location, report, src.compression, limit)
    return None if loaded is None else decode_whole(loaded[0], src.location, report, loaded[1])


def read_html(src: Source, config: ReadConfig, report: Report) -> Iterator[Document]:
    """An HTML file is one document: its main text, extracted by corpus.html.extract.extract."""
    html = load_text(src, report, MAX_HTML_BYTES)
    if html is None:
        return
    doc = html_document(Document(doc_id=src.name, text=html, source=src.location), report)
    if doc is not None:
        yield doc


def html_document(doc: Document, report: Report) -> Document | None:
    """`doc`, whose text is HTML, with its main text: the page's visible text with the lines
    that are not the article left empty. Every line or part left out is counted under
    `html:<reason>` (html_navigation, not_main_text, ...) with its line; a page without main
    text, or too deep to extract, is a skipped input (None)."""
    from corpus.html.extract import PageError, extract

    try:
        extraction = extract(doc.text)
    except PageError as e:
        report.skip_input(doc.source, f"{e}")
        return None
    for block in extraction.dropped:
        report.drop("html", block.reason, doc=doc.doc_id, text=block.text, line_no=block.line_no)
    if not extraction.text.strip():
        report.skip_input(doc.source, "empty: no text found in the HTML")
        return None
    return replace(doc, text=extraction.text)


Reader = Callable[["Source", "ReadConfig", Report], Iterator[Document]]


def markup_aware(reader: Reader) -> Reader:
    """`reader` whose documents holding HTML (`corpus.html.extract.looks_like_html`) go through the
    HTML extraction: tags and entities in a text file or a text field are markup."""
    from corpus.html.extract import looks_like_html

    def read(src: Source, config: ReadConfig, report: Report) -> Iterator[Document]:
        for doc in reader(src, config, report):
            if looks_like_html(doc.text) and doc.target is None:  # a given pair stays as it is
                found = html_document(doc, report)
                if found is not None:
                    yield found
            else:
                yield doc

    read.__name__ = reader.__name__
    read.__doc__ = reader.__doc__
    return read
