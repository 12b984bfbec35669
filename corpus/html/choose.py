"""Which lines of a page are its article, before the span decides (for corpus/html/extract.py).

trafilatura (`favor_recall`) finds the main text in what the structure pass left; its text is
matched back to the page's lines (by their letters and digits, in order, within MATCH_WINDOW
characters: linear), and its choice is widened to the article it belongs to: a heading or a
full sentence it skipped between the first and last lines it kept (or inside the schema.org
`articleBody`) comes back when it sits beside the article's lines (within two levels of one).
A page of more than TRAFILATURA_MAX_ELEMENTS elements (trafilatura's time grows faster than
the page) takes its prose lines instead. When the structure pass kept little prose (under
WEAK_PROSE_CHARS characters, or under half of what one removed element held), trafilatura also
reads the page as it came, and its lines come back when they hold clearly more prose: never
worse than trafilatura alone. The page's standfirst (the line its meta description shows) and
headline (the `<h1>` that its `<title>` names) belong to the article. trafilatura's log lines
never reach the terminal.
"""

from __future__ import annotations

import datetime
import logging
import re
from typing import Any

from corpus.errors import ConfigError
from corpus.html.blocks import Block, Page
from corpus.html.tree import norm, parse

_BULLET = re.compile(r"^- ")
TRAFILATURA_MAX_ELEMENTS = 30_000
WEAK_PROSE_CHARS = 300
MATCH_WINDOW = 4_000  # characters of trafilatura's text searched past the last line found
_QUIET = ("trafilatura", "htmldate", "courlan", "justext")
_NOT_KEY = re.compile(r"[^a-z0-9]+")


def main_text(page: Page, lines: list[str], root: Any) -> set[int]:
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
    lead = standfirst(page, lines, kept)
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


def standfirst(page: Page, lines: list[str], article: set[int]) -> int | None:
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


def weak(page: Page, chosen: set[int], lines: list[str], removed: dict[Any, str]) -> bool:
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


def raw_trafilatura(page: Page, html: str, chosen: set[int]) -> set[int]:
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


def headline(page: Page, texts: list[str], article: set[int]) -> int | None:
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
