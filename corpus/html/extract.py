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

import datetime
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from corpus.errors import ConfigError
from corpus.html.blocks import Block, norm, parse, split_blocks
from corpus.html.furniture import prose_counts, prune
from corpus.records import DroppedLine

_SITE_SEPARATOR = re.compile(r"\s*[-|–—:·]\s*$")
_BULLET = re.compile(r"^- ")
REPEAT_MIN = 3
REPEAT_MAX_CHARS = 100


@dataclass(frozen=True)
class Extraction:
    """The main text of a page and what was left out, one DroppedLine (line 0) per block."""

    text: str
    dropped: tuple[DroppedLine, ...] = ()


def extract(html: str) -> Extraction:
    """The main text of `html` (see the module doc); empty when the page has none."""
    root = parse(html)
    if root is None:
        return Extraction("")
    dropped: list[DroppedLine] = []
    page = split_blocks(root)
    counts = Counter(b.text for b in page if len(b.text) <= REPEAT_MAX_CHARS)
    prune(root, prose_counts(page), dropped)
    blocks = split_blocks(root)
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
        date_extraction_params={  # trafilatura 2.0 needs max_date; the date is not used
            "extensive_search": False,
            "original_date": False,
            "max_date": datetime.date.today().isoformat(),
        },
        favor_recall=True,
    )


def _choose(blocks: list[Block], doc: Any, root: Any) -> set[int]:
    """Indexes of the blocks of the article (see the module doc, step 3)."""
    lines = [_BULLET.sub("", norm(x)) for x in (getattr(doc, "text", None) or "").split("\n")]
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


def _article_like(block: Block) -> bool:
    if block.heading:
        return block.link_density < 0.5 and block.words() >= 3
    return block.prose()


def _standfirst(blocks: list[Block], root: Any, lo: int) -> int | None:
    """The block before the article that shows the page's description, if any."""
    found = set()
    for meta in root.iterfind(".//meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        if key.endswith("description"):
            found.add(norm(meta.get("content") or ""))
    for b in blocks[:lo]:
        if b.text in found and len(b.text) >= 20 and b.ends_sentence():
            return b.index
    return None


def _title(doc: Any, blocks: list[Block], chosen: set[int]) -> str:
    """The headline: the page title without the site name, unless the article starts with it."""
    title = norm(getattr(doc, "title", None) or "")
    site = norm(getattr(doc, "sitename", None) or "")
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
