"""HTML page -> main text, using the page's structure before it is flattened.

1. The page is parsed with lxml (a body fragment is fine) and read as the lines of its visible
   text (corpus/html/blocks.py), each with its element, its share of link text and whether it
   is a heading. Line n of the visible text is line n of the document as read: every drop
   names it.
2. Page furniture goes first, each with a reason: `nav`, `aside`, `footer`, `figcaption`,
   forms and buttons, embedded posts, iframes and graphics; elements whose class or id names
   furniture in `data/html_furniture.tsv` (related articles, share bars, comment sections,
   tags, bylines, captions, ads, ...); lists and blocks that are mostly links; short lines
   repeated three times or more. Class names only count against an element that does not hold
   a good part of the page's prose; the page frame (html, body, the schema.org `articleBody`,
   the headline's ancestors) is never removed (corpus/html/furniture.py).
3. trafilatura finds the main text in what is left, widened to the article it belongs to, and
   never worse than trafilatura alone on the page as it came (corpus/html/choose.py).
4. The article span (corpus/clean/span.py) decides on the page's lines where the article
   starts and ends: the lines the structure left out count as furniture; the standfirst and
   the `<h1>` headline the page shows are the article's.
5. The result is the visible text with every line that is not the article's left empty, so
   that its line numbers are the page's; every other line (or part of a line) is reported
   with its reason (`not_main_text` when only the choice of the main text left it out,
   `before_article`, `after_article`, `furniture` when the span did).

The work is linear in the size of the page; a page nested deeper than MAX_DEPTH levels, or of
more than MAX_ELEMENTS elements, is refused with PageError (corpus/html/blocks.py).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from corpus.clean.span import Piece, article_span
from corpus.html import choose
from corpus.html.blocks import Page, PageError
from corpus.html.furniture import prune
from corpus.html.tree import norm, parse, remove
from corpus.records import DroppedLine

__all__ = ["Extraction", "PageError", "extract", "html_to_text", "looks_like_html"]

REPEAT_MIN = 3
REPEAT_MAX_CHARS = 100
_TAG = re.compile(
    r"<(?:!doctype\s+html|/?(?:html|body|p|br|div|span|a|b|i|u|em|strong|h[1-6]|ul|ol|li|table"
    r"|tr|td|th|img|figure|figcaption|blockquote|section|article|header|footer|nav|font|sup|sub"
    r"|iframe|hr|center|small|big|strike|s|script|style)\b[^<>]{0,2000}?/?)>",
    re.IGNORECASE,
)
MARKUP_MIN_TAGS = 3


@dataclass(frozen=True)
class Extraction:
    """The page's visible text with only the article's lines left (the others empty, so line
    n is the page's line n) and every line or part of a line left out, with its line and
    reason."""

    text: str
    dropped: tuple[DroppedLine, ...] = ()

    @property
    def article(self) -> str:
        """The article's lines, one paragraph each."""
        return "\n\n".join(line for line in self.text.split("\n") if line)


def looks_like_html(text: str) -> bool:
    """Is `text` HTML or an HTML fragment (MARKUP_MIN_TAGS tags of HTML's own names or more),
    as a text file or a text field of a scraped dataset often is? Such text goes through
    `extract`, not straight to the line cleaner: its tags and entities are markup, not words."""
    if "<" not in text:
        return False
    return any(n >= MARKUP_MIN_TAGS for n, _ in enumerate(_TAG.finditer(text), 1))


def html_to_text(html: str) -> str:
    """Main text of an HTML page: its article's lines, one paragraph each. What the page
    structure and the extractor leave out is listed, line by line, by `extract`."""
    return extract(html).article


def extract(html: str) -> Extraction:
    """The main text of `html` (see the module doc); empty when the page has none. Raises
    PageError for a page nested too deep."""
    root = parse(html)
    if root is None:
        return Extraction("")
    page = Page(root)
    if not page.blocks:
        return Extraction("")
    counts = Counter(b.text for b in page.blocks if len(b.text) <= REPEAT_MAX_CHARS)
    removed = prune(page)
    texts = _surviving(page)
    repeated = {b.index for b in page.blocks if texts[b.index] and counts[b.text] >= REPEAT_MIN}
    lines = [t if b.index not in repeated else "" for b, t in zip(page.blocks, texts, strict=True)]
    for el in _topmost(page, removed):
        remove(el)
    chosen = choose.main_text(page, lines, root)
    if choose.weak(page, chosen, lines, removed):
        chosen |= choose.raw_trafilatura(page, html, chosen)
    outside = _outside_article(page, texts, lines, chosen)
    article = chosen - set(outside)
    for found in (choose.standfirst(page, lines, article), choose.headline(page, texts, article)):
        if found is not None:  # the page shows them as the article's: they are its own
            article.add(found)
            outside.pop(found, None)
    return _result(page, texts, lines, article, outside)


def _surviving(page: Page) -> list[str]:
    """The text of every line without its removed parts."""
    parts: list[list[str]] = [[] for _ in page.blocks]
    whole = [True] * len(page.blocks)
    for node in page.nodes:
        if node.removed:
            whole[node.line] = False
        else:
            parts[node.line].append(node.text)
    return [b.text if whole[b.index] else norm("".join(parts[b.index])) for b in page.blocks]


def _topmost(page: Page, removed: dict[Any, str]) -> list[Any]:
    """The removed elements that are not inside another removed one."""
    found = []
    end = -1
    for el in sorted(removed, key=lambda e: page.span[e][2]):
        if page.span[el][2] >= end:
            found.append(el)
            end = page.span[el][3]
    return found


def _outside_article(
    page: Page, texts: list[str], lines: list[str], chosen: set[int]
) -> dict[int, str]:
    """Chosen lines outside the article's span, with the reason (corpus/clean/span.py: the
    page's lines left out count as furniture)."""
    reasons = ["" for _ in page.blocks]
    for node in page.nodes:
        if node.removed and not reasons[node.line]:
            reasons[node.line] = node.removed
    pieces = []
    for b in page.blocks:
        if b.index in chosen:
            pieces.append(Piece(lines[b.index] or b.text))
        else:
            why = reasons[b.index] or ("not_main_text" if lines[b.index] else "html_repeated")
            pieces.append(Piece("", why, text=lines[b.index] if why == "not_main_text" else ""))
    start, end, islands, stray = article_span(pieces)
    found = {}
    for i in chosen:
        if i in stray:
            found[i] = "furniture"
        elif not (start <= i < end or i in islands):
            found[i] = "before_article" if i < start else "after_article"
    return found


def _result(
    page: Page, texts: list[str], lines: list[str], chosen: set[int], outside: dict[int, str]
) -> Extraction:
    """The text with the chosen lines in place and the drops of every other line or part
    (`texts`: the lines without their removed parts; `lines`: the same without repeats;
    `outside`: chosen lines outside the article's span, with their reason)."""
    dropped: list[DroppedLine] = []
    removed: dict[int, list[tuple[str, str]]] = {}
    for node in page.nodes:
        if node.removed:
            found = removed.setdefault(node.line, [])
            if found and found[-1][1] == node.removed:
                found[-1] = (found[-1][0] + node.text, node.removed)
            else:
                found.append((node.text, node.removed))
    out = []
    for b in page.blocks:
        line = b.index + 1
        if b.index in chosen:
            kept = lines[b.index] or b.text  # a line restored whole by step 4
            out.append(kept)
            if kept != b.text:
                dropped += [DroppedLine(line, norm(t), r) for t, r in removed.get(b.index, [])]
            continue
        out.append("")
        dropped += [DroppedLine(line, norm(t), r) for t, r in removed.get(b.index, [])]
        if b.index in outside:
            dropped.append(DroppedLine(line, lines[b.index] or b.text, outside[b.index]))
        elif lines[b.index]:
            dropped.append(DroppedLine(line, lines[b.index], "not_main_text"))
        elif texts[b.index]:
            dropped.append(DroppedLine(line, texts[b.index], "html_repeated"))
    return Extraction("\n".join(out), tuple(d for d in dropped if d.text))
