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
3. trafilatura (`favor_recall`) finds the main text in what is left. Its choice is widened to
   the article it belongs to: a heading or a full sentence that trafilatura skipped between
   the first and last lines it kept (or inside the `articleBody`) is put back when it sits
   beside the article's lines (within two levels of one), as is the standfirst (the page's meta
   description when the page shows it as a line). A page of more than TRAFILATURA_MAX_ELEMENTS
   elements (trafilatura's time grows faster than the page) takes its prose lines instead.
4. Never worse than trafilatura alone: when the structure pass keeps little prose (under
   WEAK_PROSE_CHARS characters, or under half of what one removed element held), trafilatura
   also reads the whole page as it came; if it finds clearly more prose, its lines are kept
   too, except those that are never the article (removed by their tag or an `always` class:
   menus, forms, comment sections).
5. The result is the visible text with every line that is not the article's left empty, so
   that its line numbers are the page's; every other line (or part of a line) is reported
   with its reason (`not_main_text` when only the choice of the main text left it out).

The work is linear in the size of the page; a page nested deeper than MAX_DEPTH levels is
refused with PageError.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from corpus.clean.span import Piece, article_span
from corpus.errors import ConfigError
from corpus.html.blocks import Block, Page, PageError, norm, parse, remove
from corpus.html.furniture import prune
from corpus.records import DroppedLine

__all__ = ["Extraction", "PageError", "extract", "html_to_text", "looks_like_html"]

_BULLET = re.compile(r"^- ")
REPEAT_MIN = 3
REPEAT_MAX_CHARS = 100
TRAFILATURA_MAX_ELEMENTS = 30_000
WEAK_PROSE_CHARS = 300
MATCH_WINDOW = 4_000  # characters of trafilatura's text searched past the last line found
_QUIET = ("trafilatura", "htmldate", "courlan", "justext")
_TAG = re.compile(
    r"<(?:!doctype\s+html|/?(?:html|body|p|br|div|span|a|b|i|u|em|strong|h[1-6]|ul|ol|li|table"
    r"|tr|td|th|img|figure|figcaption|blockquote|section|article|header|footer|nav|font|sup|sub"
    r"|iframe|hr|center|small|big|strike|s|script|style)\b[^<>]{0,2000}?/?)>",
    re.IGNORECASE,
)
MARKUP_MIN_TAGS = 3
_NOT_KEY = re.compile(r"[^a-z0-9]+")


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
    chosen = _main_text(page, lines, root)
    if _weak(page, chosen, lines, removed):
        chosen |= _raw_trafilatura(page, html, chosen)
    outside = _outside_article(page, texts, lines, chosen)
    article = chosen - set(outside)
    for found in (_standfirst(page, lines, article), _headline(page, texts, article)):
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


def _main_text(page: Page, lines: list[str], root: Any) -> set[int]:
    """Indexes of the lines of the article (see the module doc, step 3)."""
    if len(page.elements) > TRAFILATURA_MAX_ELEMENTS:
        return _prose_lines(page, lines)
    found = _matched(page, lines, _trafilatura(root))
    if not found:  # trafilatura found nothing: the page's prose, if any
        return _prose_lines(page, lines)
    return _widen(page, lines, found)


def _prose_lines(page: Page, lines: list[str]) -> set[int]:
    return {b.index for b in page.blocks if lines[b.index] and _is_prose_line(b, lines)}


def _is_prose_line(block: Block, lines: list[str]) -> bool:
    if lines[block.index] == block.text:
        return block.prose()
    return Block(block.index, block.element, lines[block.index]).prose()


def _trafilatura(root: Any) -> str:
    """trafilatura's main text of `root` (its log lines silenced)."""
    try:
        import trafilatura
    except ImportError as e:
        raise ConfigError('HTML input needs trafilatura: pip install "idcorpus[html]"') from e
    _quiet()
    doc = trafilatura.bare_extraction(
        root,
        include_comments=False,
        include_tables=True,
        with_metadata=False,
        date_extraction_params={  # trafilatura 2.0 needs max_date; the date is not used
            "extensive_search": False,
            "original_date": False,
            "max_date": datetime.date.today().isoformat(),
        },
        favor_recall=True,
    )
    return str(getattr(doc, "text", None) or "")


def _quiet() -> None:
    """trafilatura and its helpers log warnings ("discarding data: None") of their own; they
    are not the user's business and never reach the terminal (ours do)."""
    for name in _QUIET:
        logger = logging.getLogger(name)
        if logger.propagate:
            logger.addHandler(logging.NullHandler())
            logger.propagate = False


def _matched(page: Page, lines: list[str], found: str) -> set[int]:
    """The lines that trafilatura's text holds: whole lines of it, or (15 characters and more)
    parts of it, looked for in order within MATCH_WINDOW characters of the last one found, so
    the matching stays linear. Lines are compared by their ASCII letters and digits
    (trafilatura decodes some characters its own way: "&#128;" is "€" there)."""
    wanted = [_key(_BULLET.sub("", norm(x))) for x in found.split("\n")]
    wanted = [x for x in wanted if x]
    joined = "\n".join(wanted)
    whole = set(wanted)
    kept = set()
    pos = 0
    for b in page.blocks:
        text = _key(lines[b.index])
        if not text:
            continue
        if text in whole:
            hit = True
        elif len(text) >= 15:
            at = joined.find(text, pos, pos + MATCH_WINDOW + len(text))
            hit = at >= 0
            pos = at + len(text) if hit else pos
        else:
            hit = False
        if hit and (b.link_density < 0.8 or b.prose()):  # not a bare link ("Artikel Asli")
            kept.add(b.index)
    return kept


def _key(text: str) -> str:
    return _NOT_KEY.sub("", text.lower())


def _widen(page: Page, lines: list[str], kept: set[int]) -> set[int]:
    """trafilatura's lines and the article's lines it skipped beside them (step 3)."""
    root = page.root
    blocks = page.blocks
    lo, hi = min(kept), max(kept)
    frame = {root, root.find("body")}
    near = {a for i in kept for a in _containers(blocks[i].element)} - frame
    body = root.find(".//*[@itemprop='articleBody']")
    if body is not None and body in page.span:
        inside = [b.index for b in blocks if page.inside(b.element, body)]
        if inside and inside[0] <= hi and inside[-1] >= lo:
            lo, hi = min(lo, inside[0]), max(hi, inside[-1])
            near |= {blocks[i].element for i in inside}
    for b in blocks[lo : hi + 1]:
        beside = any(c in near for c in _containers(b.element))  # the article's own lines
        if lines[b.index] and b.index not in kept and beside and _article_like(b, lines):
            kept.add(b.index)
            near.update(_containers(b.element))
    lead = _standfirst(page, lines, kept)
    if lead is not None:
        kept.add(lead)
    return kept


def _containers(el: Any) -> list[Any]:
    """The element, its parent and its grandparent."""
    found = [el]
    for ancestor in el.iterancestors():
        if len(found) == 3:
            break
        found.append(ancestor)
    return found


def _article_like(block: Block, lines: list[str]) -> bool:
    if block.heading:
        return block.link_density < 0.5 and block.words() >= 3
    return _is_prose_line(block, lines)


def _standfirst(page: Page, lines: list[str], article: set[int]) -> int | None:
    """The line before the article that shows the page's description, if any."""
    if not article:
        return None
    lo = min(article)
    found = set()
    for meta in page.root.iterfind(".//meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        if key.endswith("description"):
            found.add(norm(meta.get("content") or ""))
    for b in page.blocks[:lo]:
        if lines[b.index] in found and len(b.text) >= 20 and b.ends_sentence():
            return b.index
    return None


def _prose_chars(page: Page, indexes: set[int], lines: list[str]) -> int:
    return sum(len(lines[i]) for i in indexes if lines[i] and page.blocks[i].prose())


def _weak(page: Page, chosen: set[int], lines: list[str], removed: dict[Any, str]) -> bool:
    """Did the structure pass keep little prose: under WEAK_PROSE_CHARS characters, or under
    half of what one removed element held?"""
    kept = _prose_chars(page, chosen, lines)
    if kept < WEAK_PROSE_CHARS:
        return True
    prose = [len(b.text) if b.prose() else 0 for b in page.blocks]
    start = [0]
    for n in prose:
        start.append(start[-1] + n)
    most = 0
    for el in removed:
        lo, hi, _, _ = page.span[el]
        if lo < hi:
            first, last = page.nodes[lo].line, page.nodes[hi - 1].line
            most = max(most, start[last + 1] - start[first])
    return kept < most / 2


def _raw_trafilatura(page: Page, html: str, chosen: set[int]) -> set[int]:
    """The lines trafilatura finds in the page as it came, when they hold clearly more prose
    than `chosen` (step 4); else nothing."""
    if len(page.elements) > TRAFILATURA_MAX_ELEMENTS:
        return set()
    raw = parse(html)
    if raw is None:
        return set()
    full = [b.text for b in page.blocks]
    for node in page.nodes:  # what is never the article stays out (comments, menus, forms)
        if node.sure:
            full[node.line] = ""
    found = _matched(page, full, _trafilatura(raw))
    ours = _prose_chars(page, chosen, full)
    theirs = _prose_chars(page, found, full)
    if theirs > max(1.5 * ours, ours + WEAK_PROSE_CHARS):
        return found
    return set()


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


def _headline(page: Page, texts: list[str], article: set[int]) -> int | None:
    """The page's headline: the last `<h1>` before the article whose text is (in) the page's
    `<title>`, or failing that the last `<h1>` before it."""
    if not article:
        return None
    start = min(article)
    title = norm(page.root.findtext(".//title") or "")
    found = None
    for b in page.blocks[:start]:
        if b.heading and texts[b.index] == b.text and _h1(b.element):
            matches = bool(title) and (b.text in title or title in b.text)
            if matches or found is None or not found[1]:
                found = (b.index, matches)
    return found[0] if found is not None else None


def _h1(el: Any) -> bool:
    return el.tag == "h1" or any(a.tag == "h1" for a in _containers(el))


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
