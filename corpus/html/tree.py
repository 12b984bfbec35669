"""An HTML page's element tree (for corpus/html/blocks.py and the extractor): parsed by lxml
without its comments and processing instructions, an element removed with its tail kept, and
whitespace runs as the visible text has them (one space)."""

from __future__ import annotations

import re
from typing import Any

from corpus.errors import ConfigError

_WS = re.compile(r"\s+")


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


def parse(html: str) -> Any:
    """The page's element tree (a body fragment is fine), or None when it holds nothing."""
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
