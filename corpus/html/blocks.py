"""An HTML page as the lines of its visible text, with what the extractor needs to know about
its elements, computed in one pass (for corpus/html/extract.py and corpus/html/furniture.py).

The visible text is the one of the development set's `check_set.py --dump`: `<head>`, scripts,
styles, `<noscript>`, `<template>`, comments and processing instructions are not text; every
block-level element and `<br>` ends a line; whitespace runs are one space; empty lines are not
lines. Line n of it (1-based) is `Page.blocks[n - 1]`, and every drop of the extractor names
that line, so it and the cleaner's drops share one numbering ("the document as read").

Every question the extractor asks about an element (its text, link text, prose lines, links,
pictures, removed or not) is answered from prefix sums over the text nodes and elements in
document order, so the work is linear in the size of the page whatever its shape.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate, chain
from typing import Any

from corpus.html.tree import norm

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
NOT_TEXT_TAGS = frozenset({"head", "script", "style", "noscript", "template"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
GROUPS = {
    "link": frozenset({"a"}),
    "picture": frozenset({"img", "picture"}),
    "text": frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "article"})
    | frozenset({"table"}),
}
MAX_DEPTH = 250
"""A page nested deeper is not extracted (the parser stops nesting at 255 levels)."""
MAX_ELEMENTS = 1_500_000
"""A page of more elements is not extracted (its memory: about 1.5 kB an element)."""


class PageError(ValueError):
    """A page that is not extracted (too deep, too many elements); the message says why."""


@dataclass(slots=True)
class Block:
    """One line of the page's visible text: `index` is its 0-based line number, `element` the
    element it starts in, `first`/`end` its text nodes (`Page.nodes`)."""

    index: int
    element: Any
    text: str = ""
    link_chars: int = 0
    heading: bool = False
    first: int = 0
    end: int = 0
    _prose: bool | None = None

    @property
    def link_density(self) -> float:
        return self.link_chars / max(1, len(self.text))

    def prose(self) -> bool:
        """A full sentence or more of running text (some paragraphs lack the final stop)."""
        if self._prose is None:
            self._prose = is_prose(self.text, self.link_density)
        return self._prose

    def words(self) -> int:
        return len(_WORD.findall(self.text))

    def ends_sentence(self) -> bool:
        return bool(_SENTENCE_END.search(self.text))


def is_prose(text: str, link_density: float = 0.0) -> bool:
    """A full sentence or more of running text (some paragraphs lack the final stop)."""
    if link_density >= 0.35:
        return False
    words = len(_WORD.findall(text))
    if _SENTENCE_END.search(text):
        return words >= 5
    return words >= 15 and bool(_INNER_STOP.search(text))


@dataclass(slots=True)
class Node:
    """A text node (an element's text or tail) with text in it: its line, whether it is inside
    a link, and the reason it was removed ("" while it is not)."""

    text: str
    line: int
    link: bool
    removed: str = ""
    sure: bool = False  # removed by its tag or a class that never holds the article


class Spans:
    """element -> (first node, end node, first element, end element), kept as arrays indexed
    by the element's position in document order (8 bytes a number, not a tuple each)."""

    def __init__(self) -> None:
        self.index: dict[Any, int] = {}
        self.nodes = array("q")  # first node, end node: two per element
        self.ends = array("q")  # end element

    def add(self, el: Any, index: int, first_node: int, end_node: int, end_el: int) -> None:
        while len(self.ends) <= index:
            self.nodes.extend((0, 0))
            self.ends.append(0)
        self.index[el] = index
        self.nodes[2 * index] = first_node
        self.nodes[2 * index + 1] = end_node
        self.ends[index] = end_el

    def __getitem__(self, el: Any) -> tuple[int, int, int, int]:
        i = self.index[el]
        return self.nodes[2 * i], self.nodes[2 * i + 1], i, self.ends[i]

    def __contains__(self, el: Any) -> bool:
        return el in self.index


class Page:
    """The visible text of a page as lines (`blocks`) and its text nodes (`nodes`), with the
    span of every element: `span[el] = (first node, end node, first element, end element)`
    (its own text and its descendants', not its tail)."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.blocks: list[Block] = []
        self.nodes: list[Node] = []
        self.elements: list[Any] = []
        self.tags: list[str] = []
        self.span = Spans()
        self.depth = 0
        self._walk()
        self.removed_elements = bytearray(len(self.elements))
        self._prose_line = bytearray(b.prose() for b in self.blocks)
        self.refresh()

    # -- the walk ---------------------------------------------------------------------------

    def _walk(self) -> None:
        """One iterative walk in document order (block tags and <br> end lines)."""
        current = Block(0, self.root)
        self._parts: list[str] = []  # the text pieces of the line being read
        stack: list[tuple[Any, bool, int, int, int, int, int]] = [(self.root, True, 0, 0, 1, 0, 0)]
        while stack:
            el, enter, links, heads, depth, first_node, first_el = stack.pop()
            tag = el.tag.lower() if isinstance(el.tag, str) else ""
            hidden = tag in NOT_TEXT_TAGS and el is not self.root
            if enter and hidden:
                stack.append((el, False, links, heads, depth, 0, 0))  # only its tail is text
                continue
            block = tag in BLOCK_TAGS
            if enter:
                if depth > MAX_DEPTH:
                    raise PageError(f"too deep: elements nested more than {MAX_DEPTH} levels")
                if len(self.elements) >= MAX_ELEMENTS:
                    raise PageError(f"too large: more than {MAX_ELEMENTS:,} elements")
                self.depth = max(self.depth, depth)
                links += tag == "a"
                heads += tag in HEADINGS
                if block:
                    current = self._break(current, el)
                index = len(self.elements)
                self.elements.append(el)
                self.tags.append(tag)
                stack.append((el, False, links, heads, depth, len(self.nodes), index))
                if el.text:
                    self._text(current, el.text, links > 0, heads > 0)
                for child in reversed(el):
                    stack.append((child, True, links, heads, depth + 1, 0, 0))
            else:
                if not hidden:
                    self.span.add(el, first_el, first_node, len(self.nodes), len(self.elements))
                    if block:
                        parent = el.getparent()
                        current = self._break(current, parent if parent is not None else el)
                    links -= tag == "a"
                    heads -= tag in HEADINGS
                if el.tail:
                    self._text(current, el.tail, links > 0, heads > 0)
        self._close(current)

    def _text(self, current: Block, text: str, link: bool, heading: bool) -> None:
        self._parts.append(text)
        if not text.strip():
            if current.end:  # a space between two words of the line
                self.nodes[-1].text += " "
        else:
            if not current.end:  # the line's first text node
                current.first = len(self.nodes)
            self.nodes.append(Node(text, len(self.blocks), link))
            current.end = len(self.nodes)
            if link:
                current.link_chars += len(norm(text))
            current.heading = current.heading or heading

    def _break(self, current: Block, el: Any) -> Block:
        if self._parts:
            self._close(current)
            return Block(len(self.blocks), el)
        current.element = el
        return current

    def _close(self, block: Block) -> None:
        block.text = norm("".join(self._parts))
        self._parts = []
        if block.text:
            block.index = len(self.blocks)
            block.link_chars = min(block.link_chars, len(block.text))
            self.blocks.append(block)

    # -- questions about elements ------------------------------------------------------------

    def refresh(self) -> None:
        """Recount the prefix sums without what was removed so far."""
        sizes = array("q", (0 if n.removed else len(norm(n.text)) for n in self.nodes))
        self._chars = _prefix(sizes)
        self._links = _prefix(s if n.link else 0 for n, s in zip(self.nodes, sizes, strict=True))
        prose = bytearray(len(self.nodes))
        for b, is_prose_line in zip(self.blocks, self._prose_line, strict=True):
            if is_prose_line and not self.nodes[b.first].removed:
                prose[b.first] = 1
        self._prose = _prefix(prose)
        self.prose_total = self._prose[-1]
        self._groups = {
            name: _prefix(
                t in tags and not r for t, r in zip(self.tags, self.removed_elements, strict=True)
            )
            for name, tags in GROUPS.items()
        }

    def chars(self, el: Any) -> int:
        lo, hi, _, _ = self.span[el]
        return self._chars[hi] - self._chars[lo]

    def link_chars(self, el: Any) -> int:
        lo, hi, _, _ = self.span[el]
        return self._links[hi] - self._links[lo]

    def prose_lines(self, el: Any) -> int:
        """Prose lines that start inside `el` and are still there."""
        lo, hi, _, _ = self.span[el]
        return self._prose[hi] - self._prose[lo]

    def count(self, el: Any, group: str) -> int:
        """Elements of a `GROUPS` group in `el` (itself included), not removed when last
        counted."""
        _, _, lo, hi = self.span[el]
        found = self._groups[group]
        return found[hi] - found[lo]

    def inside(self, el: Any, outer: Any) -> bool:
        """Is `el` `outer` or inside it?"""
        _, _, lo, hi = self.span[outer]
        return lo <= self.span[el][2] < hi

    def remove(self, el: Any, reason: str, sure: bool) -> None:
        """Mark `el` and everything in it removed for `reason` (its tail stays); `sure`: it
        never holds the article, whatever trafilatura thinks."""
        lo, hi, elo, ehi = self.span[el]
        for i in range(lo, hi):
            if not self.nodes[i].removed:
                self.nodes[i].removed, self.nodes[i].sure = reason, sure
        for i in range(elo, ehi):
            self.removed_elements[i] = True


def _prefix(values: Iterable[int]) -> array[int]:
    """0 and the running sums of `values` (8 bytes each)."""
    return array("q", chain((0,), accumulate(values)))
