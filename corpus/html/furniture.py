"""Page furniture of an HTML page, removed before the text is flattened (for corpus/html/extract.py):
by tag (`nav`, `aside`, `footer`, `figcaption`, forms, embeds), by the class or id names of
`data/html_furniture.tsv`, lists and blocks that are mostly links, and photo boxes. Each
removed block is recorded with its reason."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from corpus.errors import ConfigError
from corpus.html.blocks import BLOCK_TAGS, Block, norm, remove, split_blocks
from corpus.records import DroppedLine

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
}
_TEXT_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "article", "table")


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


def prune(root: Any, prose: Counter[Any], out: list[DroppedLine]) -> None:
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
    title = norm(root.findtext(".//title") or "")
    for h1 in root.iter("h1"):
        text = norm(h1.text_content())
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


def prose_counts(blocks: list[Block]) -> Counter[Any]:
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
    remove(el)


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
    text = norm(el.text_content())
    if not text:
        return ""
    links = el.findall(".//a")
    link_chars = sum(len(norm(a.text_content())) for a in links)
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
    text = norm(el.text_content())
    if not text or len(text) >= 700 or sum(1 for b in split_blocks(el) if b.prose()) > 1:
        return ""
    return "html_caption"


def _record(el: Any, reason: str, out: list[DroppedLine]) -> None:
    for b in split_blocks(el):
        if b.text:
            out.append(DroppedLine(0, b.text, reason))
