"""Page furniture of an HTML page, decided on the page's structure before the text is flattened
(for corpus/html/extract.py): by tag (`nav`, `aside`, `footer`, `figcaption`, forms, embeds and
graphics), by the class or id names of `data/html_furniture.tsv`, lists and blocks that are
mostly links, and photo boxes. Each removed element is marked in the `Page` with its reason;
nothing is taken out of the tree here.

Every decision reads counts the Page keeps as prefix sums, and an element inside one already
removed is never looked at, so pruning is linear in the number of elements.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from corpus.errors import ConfigError
from corpus.html.blocks import BLOCK_TAGS, Page
from corpus.html.tree import norm

_DATA = Path(__file__).parents[1] / "data"
_TOKEN_SPLIT = re.compile(r"[\s_]+|-{1,2}")
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
    "object": "html_embed",
    "embed": "html_embed",
    "svg": "html_embed",
    "math": "html_embed",
}
_LINK_LISTS = frozenset({"ul", "ol", "dl", "table", "section", "div"})
_LINK_LINES = frozenset({"p", "li", "h2", "h3", "h4"})
_PHOTO_BOXES = frozenset({"div", "figure", "span", "section", "a"})


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


def _tokens(el: Any) -> list[str]:
    value = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return [t for t in _TOKEN_SPLIT.split(value) if t]


def prune(page: Page) -> dict[Any, str]:
    """The furniture of `page`, element -> reason, in two passes: first what is never the
    article (by tag, or by an `always` class or id: `sure`), then, with the prose of what is
    left counted, what class names call furniture unless it holds the prose, lists of links
    and photo boxes. The page frame (html, body, the articleBody, the headline's ancestors)
    stays."""
    frame = _frame(page)
    always, weak = _furniture()
    removed: dict[Any, str] = {}
    prose = page.prose_total
    for el in _candidates(page, frame):
        reason = _FURNITURE_TAGS.get(page.tags[page.span[el][2]], "")
        if not reason and page.tags[page.span[el][2]] in BLOCK_TAGS:
            reason = next((always[t] for t in _tokens(el) if t in always), "")
            if reason and reason != "html_comments" and _holds(page, el, 0.5, prose):
                reason = ""
        if reason:
            removed[el] = reason
            prose -= page.prose_lines(el)
            page.remove(el, reason, sure=True)
    page.refresh()
    prose = page.prose_total
    for el in _candidates(page, frame):
        if page.tags[page.span[el][2]] not in BLOCK_TAGS:
            continue  # an inline element (a link in a sentence) is part of its text
        reason = next((weak[t] for t in _tokens(el) if t in weak), "")
        if reason and _holds(page, el, 0.3, prose):
            continue
        reason = reason or _link_block(page, el) or _photo_box(page, el)
        if reason:
            removed[el] = reason
            prose -= page.prose_lines(el)
            page.remove(el, reason, sure=False)
    page.refresh()
    return removed


def _frame(page: Page) -> set[Any]:
    """Elements never removed: the page itself, the articleBody, the headline's ancestors."""
    root = page.root
    frame = {root, root.find("body")}
    body = root.find(".//*[@itemprop='articleBody']")
    if body is not None:
        frame |= {body, *body.iterancestors()}
    title = norm(root.findtext(".//title") or "")
    for h1 in root.iter("h1"):
        text = norm(h1.text_content())
        if text and title and (text in title or title in text):
            frame |= set(h1.iterancestors())
            break
    return frame


def _candidates(page: Page, frame: set[Any]) -> Iterator[Any]:
    """The elements of the page body not removed yet, in document order; the elements inside
    one that is removed while iterating are skipped."""
    elements = page.elements
    i = 0
    while i < len(elements):
        el = elements[i]
        if page.removed_elements[i]:
            i = page.span[el][3]  # past everything inside it
            continue
        if el not in frame and page.tags[i] not in ("html", "body"):
            yield el
            if page.removed_elements[i]:
                i = page.span[el][3]
                continue
        i += 1


def _holds(page: Page, el: Any, share: float, prose: int) -> bool:
    """Does `el` hold `share` of the page's `prose` lines (so it is the article, not
    furniture)?"""
    held = page.prose_lines(el)
    return held >= 3 and held >= share * prose


def _link_block(page: Page, el: Any) -> str:
    """A list or short block whose text is mostly links (related articles, menus)."""
    tag = page.tags[page.span[el][2]]
    if tag not in _LINK_LISTS and tag not in _LINK_LINES:
        return ""
    chars = page.chars(el)
    if not chars:
        return ""
    links = page.count(el, "link")
    density = page.link_chars(el) / chars
    if tag in _LINK_LISTS:
        return "html_link_list" if links >= 2 and density >= 0.6 else ""
    return "html_link_list" if links and density >= 0.7 and chars < 300 else ""


def _photo_box(page: Page, el: Any) -> str:
    """A picture with its caption and credit: an element around an image with a little text
    and no paragraph, heading or list of its own."""
    if page.tags[page.span[el][2]] not in _PHOTO_BOXES or not page.count(el, "picture"):
        return ""
    if page.count(el, "text"):
        return ""
    chars = page.chars(el)
    if not chars or chars >= 700 or page.prose_lines(el) > 1:
        return ""
    return "html_caption"
