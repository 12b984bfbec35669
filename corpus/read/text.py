"""Text and HTML inputs for corpus.read.inputs.

A text file (or stdin) is one document. One larger than PART_BYTES bytes is streamed instead
of read whole and yielded as consecutive Document parts (part = 0, 1, 2, ...; same doc_id and
source), cut by fixed byte windows (corpus/read/windows.py), so memory stays bounded and the
pipeline can checkpoint within it; a build may read a range of those parts alone
(`Source.window`). The parts' texts concatenated are exactly the file's decoded, sanitised
text.

An HTML file is one document, its main text extracted by corpus.clean.cleaner.html_to_text; it is read
whole, so one over MAX_HTML_BYTES is a skipped input ("too large").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from corpus.read import windows
from corpus.read.decode import BinaryFileError, decode_whole, load_bytes, opened
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
            text = decode_whole(head, src.location, report)
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
    data = load_bytes(src.path, src.location, report, src.compression, limit)
    return None if data is None else decode_whole(data, src.location, report)


def read_html(src: Source, config: ReadConfig, report: Report) -> Iterator[Document]:
    """An HTML file is one document: its main text, extracted by corpus.html.extract; every
    block the extractor leaves out is counted under `read:<reason>` (html_nav, not_main_text,
    ...), the first few with their text as examples."""
    html = load_text(src, report, MAX_HTML_BYTES)
    if html is None:
        return
    from corpus.html.extract import extract

    extraction = extract(html)
    for block in extraction.dropped:
        report.drop("read", block.reason, doc=src.name, text=block.text)
    text = extraction.text
    if not text.strip():
        report.skip_input(src.location, "empty: no text found in the HTML")
        return
    yield Document(doc_id=src.name, text=text, source=src.location)
