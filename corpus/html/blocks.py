"""An HTML page as *blocks*: the text between block-level tags as a browser lays it out, each
with the element it starts in, its share of link text and whether it is a heading (for
corpus/html/extract.py and corpus/html/furniture.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from corpus.errors import ConfigError

_WS = re.compile(r"\s+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_INNER_STOP = re.compile(r"[a-z][.!?][\"”’]? [A-Z\"“]")
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
INVISIBLE_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "math", "object", "embed"}
)
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


@dataclass
class Block:
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

    def words(self) -> int:
        return len(_WORD.findall(self.text))

    def ends_sentence(self) -> bool:
        return bool(_SENTENCE_END.search(self.text))


def parse(html: str) -> Any:
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
        remove(el)
    for el in list(root.iter()):
        if isinstance(el.tag, str) and el.tag.lower() in INVISIBLE_TAGS and el is not root:
            remove(el)
    return root


def remove(el: Any) -> None:
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


def norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


def split_blocks(root: Any) -> list[Block]:
    """The text blocks of `root` in document order (block tags and <br> break lines)."""
    blocks: list[Block] = []
    current = Block(0, root)
    for kind, el, text, in_link, in_heading in _walk(root):
        if kind == "break":
            if current.parts:
                _close(current, blocks)
            current = Block(len(blocks), el)
        elif text:
            current.parts.append(text)
            if in_link:
                current.link_chars += len(norm(text))
            current.heading = current.heading or in_heading
    if current.parts:
        _close(current, blocks)
    return blocks


def _close(block: Block, blocks: list[Block]) -> None:
    block.text = norm("".join(block.parts))
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
            heads += tag in HEADINGS
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
                heads -= tag in HEADINGS
                yield "text", el, el.tail, links > 0, heads > 0
