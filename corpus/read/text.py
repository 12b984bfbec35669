"""Text and HTML inputs for corpus.read.inputs.

A text file (or stdin) is one document. One larger than PART_BYTES bytes is streamed instead
of read whole and yielded as consecutive Document parts (part = 0, 1, 2, ...; same doc_id and
source), cut by fixed byte windows (corpus/read/windows.py), so memory stays bounded and the
pipeline can checkpoint within it; a build may read a range of those parts alone
(`Source.window`). The parts' texts concatenated are exactly the file's decoded, sanitised
text.

An HTML file is one document, its main text extracted by corpus.html.extract.extract; it is read
whole, so one over MAX_HTML_BYTES is a skipped input ("too large"). Its text is the page's
visible text with only the article's lines left (the others empty), so that a line number is
the page's; every line or part the extraction leaves out is dropped at stage `html` with its
line. A document of any other format whose text is HTML (a CMS field, a page saved as .txt:
`corpus.html.extract.looks_like_html`) goes the same way (`markup_aware`). A page nested too deeply to
extract is skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from corpus.read import windows
from corpus.read.decode import decode_whole, load_bytes, opened
from corpus.read.encoding import BinaryFileError
from corpus.read.streams import CorruptInputError
from corpus.records import Document
from corpus.report import Report

if TYPE_CHECKING:
    from corpus.read.config import ReadConfig
    from corpus.read.paths import Source

MAX_HTML_BYTES = 64 * 2**20
"""An HTML file over this many (decompressed) bytes is skipped: convert it to text first."""


def read_text(src: Source, config: ReadConfig, report: Report) -> Iterator[Document]:
    """A plain-text file (or stdin): one document, or its parts when it is large (all of
    them, or the range `src.window`)."""
    if src.window is not None:
        yield from windows.read_window_range(src, report)
        return
    with opened(src.path, src.location, report, src.compression) as f:
        if f is None:
            return
        budget = windows.PART_BYTES
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
            cutter = windows.cutter_for(head[:budget], src.location, report)
        except BinaryFileError as e:
            report.skip_input(src.location, f"binary: {e}")
            return
        del head
        done = 0
        try:
            for doc in windows.parts(f, src, cutter, report):  # type: ignore[arg-type]
                done += 1
                yield doc
        except CorruptInputError as e:
            report.skip_input(src.location, f"{e}; the {done} part(s) before it are kept")


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
        report.drop("html", block.reason, doc=doc.doc_id, text=block.text,
                    line_no=block.line_no, source=doc.source)  # fmt: skip
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
