"""HTML page -> main text, using the page's structure before it is flattened.

1. The page is parsed with lxml (a body fragment is fine) and split into *blocks*: the text
   between block-level tags, as a browser would lay it out, each with its element, its share
   of link text and whether it is a heading.
2. Page furniture goes first, each with a reason (`Extraction.dropped`): `nav`, `aside`,
   `footer`, `figcaption`, forms and buttons, embedded posts and iframes; elements whose class
   or id names furniture in `data/html_furniture.tsv` (related articles, share bars, comment
   sections, tags, bylines, captions, ads, ...); lists and blocks that are mostly links; short
   blocks repeated three times or more. Class names only count against an element that does
   not hold a good part of the page's prose; the page frame (html, body, the schema.org
   `articleBody`, the headline's ancestors) is never removed.
3. trafilatura (`favor_recall`) finds the main text in what is left. Its choice is widened to
   the article it belongs to: a heading or a full sentence that trafilatura skipped between
   the first and last blocks it kept (or inside the `articleBody`) is put back when it sits
   beside the article's blocks (within two levels of one), as is the standfirst (the page's
   meta description when the page shows it as a block).
4. The blocks of the article are returned, headline first, one paragraph each. Every other
   block is reported as `not_main_text`, so nothing leaves the page silently.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from corpus.errors import ConfigError
from corpus.records import DroppedLine

_DATA = Path(__file__).parent / "data"
_WS = re.compile(r"\s+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_TOKEN_SPLIT = re.compile(r"[\s_]+|-{1,2}")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_INNER_STOP = re.compile(r"[a-z][.!?][\"”’]? [A-Z\"“]")
_SITE_SEPARATOR = re.compile(r"\s*[-|–—:·]\s*$")
_BULLET = re.compile(r"^- ")
_WORD = re.compile(r"[^\W\d_]{2,}")
BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "body", "br", "caption", "center"),
        *("dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption"),
        *("figure", "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6"),
        *("header", "hgroup", "hr", "html", "iframe", "legend", "li", "main", "menu", "nav"),
        *("noframes", "ol", "option", "p", "pre", "section", "summary", "table", "tbody", "td"),
        *("tfoot", "th", "thead", "title", "tr", "ul"),
    }
)  # the block elements of the development set's visible-text definition
_INVISIBLE_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "math", "object", "embed"}
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_FURNITURE_TAGS = {
    "nav": "html_navigation",
    "aside": "html_aside",
    "footer": "html_footer",
    "figcaption": "html_caption",
    "form": "html_form",
    "button": "html_form",
    "select": "html_form",
    "label": "html_form",
    "iframe": "html_embed",
    "video": "html_embed",
    "audio": "html_embed",
}
_TEXT_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "article", "table")
REPEAT_MIN = 3
REPEAT_MAX_CHARS = 100


@dataclass(frozen=True)
class Extraction:
    """The main text of a page and what was left out, one DroppedLine (line 0) per block."""

    text: str
    dropped: tuple[DroppedLine, ...] = ()


@dataclass
class _Block:
    index: int
    element: Any
    text: str = ""
    link_chars: int = 0
    heading: bool = False
    parts: list[str] = field(default_factory=list)

    @property
    def link_density(self) -> float:
        return self.link_chars / max(1, len(self.text))

    def prose(self) -> bool:
        """A full sentence or more of running text (some paragraphs lack the final stop)."""
        if self.link_density >= 0.35:
            return False
        words = len(_WORD.findall(self.text))
        if _SENTENCE_END.search(self.text):
            return words >= 5
        return words >= 15 and bool(_INNER_STOP.search(self.text))


@lru_cache(maxsize=1)
def _furniture() -> tuple[dict[str, str], dict[str, str]]:
    """data/html_furniture.tsv: class/id token -> reason, for `always` and `unless_prose`."""
    always: dict[str, str] = {}
    weak: dict[str, str] = {}
    path = _DATA / "html_furniture.tsv"
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 3 or cells[1] not in ("always", "unless_prose"):
            raise ConfigError(f"{path}:{n}: expected 'reason<TAB>always|unless_prose<TAB>tokens'")
        table = always if cells[1] == "always" else weak
        for token in cells[2].split():
            table[token] = cells[0]
    return always, weak


def extract(html: str) -> Extraction:
    """The main text of `html` (see the module doc); empty when the page has none."""
    root = _parse(html)
    if root is None:
        return Extraction("")
    dropped: list[DroppedLine] = []
    page = _blocks(root)
    counts = Counter(b.text for b in page if len(b.text) <= REPEAT_MAX_CHARS)
    _prune(root, _prose_counts(page), dropped)
    blocks = _blocks(root)
    for b in blocks:
        if counts[b.text] >= REPEAT_MIN:  # the same short block all over the page
            dropped.append(DroppedLine(0, b.text, "html_repeated"))
            b.text = ""
    doc = _trafilatura(root)
    chosen = _choose(blocks, doc, root)
    title = _title(doc, blocks, chosen)
    lines = ([title] if title else []) + [blocks[i].text for i in sorted(chosen)]
    for b in blocks:
        if b.index not in chosen and b.text and b.text != title:
            dropped.append(DroppedLine(0, b.text, "not_main_text"))
    return Extraction("\n\n".join(lines), tuple(dropped))


def _parse(html: str) -> Any:
    try:
        import lxml.html
        from lxml import etree
    except ImportError as e:
        raise ConfigError('HTML input needs trafilatura: pip install "idcorpus[html]"') from e

    html = _XML_DECL.sub("", html.lstrip("\ufeff"))
    if not html.strip():
        return None
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None
    for el in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        _remove(el)
    for el in list(root.iter()):
        if isinstance(el.tag, str) and el.tag.lower() in _INVISIBLE_TAGS and el is not root:
            _remove(el)
    return root


def _remove(el: Any) -> None:
    """Remove an element but keep its tail text."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _tokens(el: Any) -> list[str]:
    value = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return [t for t in _TOKEN_SPLIT.split(value) if t]


def _prune(root: Any, prose: Counter[Any], out: list[DroppedLine]) -> None:
    """Remove page furniture in two passes, recording each removed block: first what is never
    the article (by tag, or by an `always` class or id), then, with the prose of what is left
    counted, what class names call furniture unless it holds the prose, lists of links and
    photo boxes. The page frame (html, body, the articleBody, the headline's ancestors) stays."""
    frame = _frame(root)
    always, weak = _furniture()
    for el in _candidates(root, frame):
        reason = _FURNITURE_TAGS.get(el.tag.lower(), "")
        if not reason and el.tag.lower() in BLOCK_TAGS:
            reason = next((always[t] for t in _tokens(el) if t in always), "")
            if reason and reason != "html_comments" and _holds(prose, el, 0.5):
                reason = ""
        if reason:
            _drop(el, reason, prose, out)
    for el in _candidates(root, frame):
        if el.tag.lower() not in BLOCK_TAGS:
            continue  # an inline element (a link in a sentence) is part of its text
        reason = next((weak[t] for t in _tokens(el) if t in weak), "")
        if reason and _holds(prose, el, 0.3):
            continue
        reason = reason or _link_block(el) or _photo_box(el)
        if reason:
            _drop(el, reason, prose, out)


def _frame(root: Any) -> set[Any]:
    """Elements never removed: the page itself, the articleBody, the headline's ancestors."""
    frame = {root, root.find("body")}
    body = root.find(".//*[@itemprop='articleBody']")
    if body is not None:
        frame |= {body, *body.iterancestors()}
    title = _norm(root.findtext(".//title") or "")
    for h1 in root.iter("h1"):
        text = _norm(h1.text_content())
        if text and title and (text in title or title in text):
            frame |= set(h1.iterancestors())
            break
    return frame


def _candidates(root: Any, frame: set[Any]) -> Iterator[Any]:
    """The elements of the page body still attached, in document order."""
    head = root.find("head")
    for el in list(root.iter()):
        attached = isinstance(el.tag, str) and el.getparent() not in (None, head)
        if attached and el not in frame and not _detached(el, root):
            yield el


def _prose_counts(blocks: list[_Block]) -> Counter[Any]:
    """Prose blocks under each element (the root's count is the page's)."""
    counts: Counter[Any] = Counter()
    for block in blocks:
        if block.prose():
            counts[block.element] += 1
            for ancestor in block.element.iterancestors():
                counts[ancestor] += 1
    return counts


def _drop(el: Any, reason: str, prose: Counter[Any], out: list[DroppedLine]) -> None:
    """Remove `el`, record its blocks and take its prose off its ancestors' counts."""
    for ancestor in el.iterancestors():
        prose[ancestor] -= prose[el]
    _record(el, reason, out)
    _remove(el)


def _holds(prose: Counter[Any], el: Any, share: float) -> bool:
    """Does `el` hold `share` of the page's prose (so it is the article, not furniture)?"""
    return prose[el] >= 3 and prose[el] >= share * prose[_root_of(el)]


def _root_of(el: Any) -> Any:
    return el.getroottree().getroot()


def _detached(el: Any, root: Any) -> bool:
    """Was `el` removed with an ancestor already?"""
    return all(a is not root for a in el.iterancestors())


def _link_block(el: Any) -> str:
    """A list or short block whose text is mostly links (related articles, menus)."""
    tag = el.tag.lower()
    if tag not in ("ul", "ol", "p", "div", "li", "dl", "table", "section", "h2", "h3", "h4"):
        return ""
    text = _norm(el.text_content())
    if not text:
        return ""
    links = el.findall(".//a")
    link_chars = sum(len(_norm(a.text_content())) for a in links)
    density = link_chars / len(text)
    if tag in ("ul", "ol", "dl", "table", "section", "div"):
        return "html_link_list" if len(links) >= 2 and density >= 0.6 else ""
    return "html_link_list" if links and density >= 0.7 and len(text) < 300 else ""


def _photo_box(el: Any) -> str:
    """A picture with its caption and credit: an element around an image with a little text
    and no paragraph, heading or list of its own."""
    if el.tag.lower() not in ("div", "figure", "span", "section", "a"):
        return ""
    if el.find(".//img") is None and el.find(".//picture") is None:
        return ""
    if any(el.find(f".//{t}") is not None for t in _TEXT_TAGS):
        return ""
    text = _norm(el.text_content())
    if not text or len(text) >= 700 or sum(1 for b in _blocks(el) if b.prose()) > 1:
        return ""
    return "html_caption"


def _record(el: Any, reason: str, out: list[DroppedLine]) -> None:
    for b in _blocks(el):
        if b.text:
            out.append(DroppedLine(0, b.text, reason))


def _blocks(root: Any) -> list[_Block]:
    """The text blocks of `root` in document order (block tags and <br> break lines)."""
    blocks: list[_Block] = []
    current = _Block(0, root)
    for kind, el, text, in_link, in_heading in _walk(root):
        if kind == "break":
            if current.parts:
                _close(current, blocks)
            current = _Block(len(blocks), el)
        elif text:
            current.parts.append(text)
            if in_link:
                current.link_chars += len(_norm(text))
            current.heading = current.heading or in_heading
    if current.parts:
        _close(current, blocks)
    return blocks


def _close(block: _Block, blocks: list[_Block]) -> None:
    block.text = _norm("".join(block.parts))
    if block.text:
        block.index = len(blocks)
        block.link_chars = min(block.link_chars, len(block.text))
        blocks.append(block)


def _walk(root: Any) -> Iterator[tuple[str, Any, str, bool, bool]]:
    """("break" | "text", element, text, inside a link, inside a heading), iteratively."""
    stack: list[tuple[Any, bool, int, int]] = [(root, True, 0, 0)]
    while stack:
        el, enter, links, heads = stack.pop()
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag == "head":
            continue
        block = tag in BLOCK_TAGS
        if enter:
            links += tag == "a"
            heads += tag in _HEADINGS
            if block:
                yield "break", el, "", False, False
            if el.text:
                yield "text", el, el.text, links > 0, heads > 0
            stack.append((el, False, links, heads))
            for child in reversed(el):
                stack.append((child, True, links, heads))
        else:
            if block:
                yield (
                    "break",
                    el.getparent() if el.getparent() is not None else el,
                    "",
                    False,
                    False,
                )
            if el.tail:
                links -= tag == "a"
                heads -= tag in _HEADINGS
                yield "text", el, el.tail, links > 0, heads > 0


def _trafilatura(root: Any) -> Any:
    try:
        import trafilatura
    except ImportError as e:
        raise ConfigError('HTML input needs trafilatura: pip install "idcorpus[html]"') from e
    return trafilatura.bare_extraction(
        root,
        include_comments=False,
        include_tables=True,
        with_metadata=True,  # for the title and site name; the date search is kept short
        date_extraction_params={"extensive_search": False, "original_date": False},
        favor_recall=True,
    )


def _choose(blocks: list[_Block], doc: Any, root: Any) -> set[int]:
    """Indexes of the blocks of the article (see the module doc, step 3)."""
    lines = [_BULLET.sub("", _norm(x)) for x in (getattr(doc, "text", None) or "").split("\n")]
    lines = [x for x in lines if x]
    joined = "\n".join(lines)
    line_set = set(lines)
    kept = {
        b.index
        for b in blocks
        if b.text
        and (b.text in line_set or (len(b.text) >= 15 and b.text in joined))
        and (b.link_density < 0.8 or b.prose())  # not a bare link ("Artikel Asli")
    }
    if not kept:  # trafilatura found nothing: the page's prose, if any
        return {b.index for b in blocks if b.text and b.prose()}
    lo, hi = min(kept), max(kept)
    near = {a for i in kept for a in _containers(blocks[i].element)} - {root, root.find("body")}
    body = root.find(".//*[@itemprop='articleBody']")
    if body is not None:
        inside = [b.index for b in blocks if b.element is body or body in b.element.iterancestors()]
        if inside and inside[0] <= hi and inside[-1] >= lo:
            lo, hi = min(lo, inside[0]), max(hi, inside[-1])
            near |= {blocks[i].element for i in inside}
    for b in blocks[lo : hi + 1]:
        beside = any(c in near for c in _containers(b.element))  # the article's own blocks
        if b.text and b.index not in kept and beside and _article_like(b):
            kept.add(b.index)
            near.update(_containers(b.element))
    lead = _standfirst(blocks, root, lo)
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


def _article_like(block: _Block) -> bool:
    if block.heading:
        return block.link_density < 0.5 and len(_WORD.findall(block.text)) >= 3
    return block.prose()


def _standfirst(blocks: list[_Block], root: Any, lo: int) -> int | None:
    """The block before the article that shows the page's description, if any."""
    found = set()
    for meta in root.iterfind(".//meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        if key.endswith("description"):
            found.add(_norm(meta.get("content") or ""))
    for b in blocks[:lo]:
        if b.text in found and len(b.text) >= 20 and _SENTENCE_END.search(b.text):
            return b.index
    return None


def _title(doc: Any, blocks: list[_Block], chosen: set[int]) -> str:
    """The headline: the page title without the site name, unless the article starts with it."""
    title = _norm(getattr(doc, "title", None) or "")
    site = _norm(getattr(doc, "sitename", None) or "")
    if site and title.endswith(site) and len(title) > len(site):
        title = _SITE_SEPARATOR.sub("", title[: -len(site)])
    elif " | " in title:
        head, _, tail = title.rpartition(" | ")
        title = head if len(tail.split()) <= 4 else title
    if not title:
        return ""
    first = [blocks[i].text for i in sorted(chosen)[:3]]
    if any(title in t or t in title for t in first):
        return ""
    return title
