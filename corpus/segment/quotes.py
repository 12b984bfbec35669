"""One paragraph of text -> its quotations (open and close offsets of balanced double quotes),
and the stops inside a quotation that are no sentence boundary (the "!" or "?" of a short quoted
title, a detached ellipsis): the quotation rules of `corpus.segment.sentences` (see its module doc).
"""

from __future__ import annotations

import bisect
import re

QUOTE = re.compile(r"[\"“”]")
_MAX_QUOTE = 500
_MAX_TITLE = 40


def quote_regions(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """(open, close) positions of balanced double quotes in text[lo:hi], at most _MAX_QUOTE
    apart."""
    regions: list[tuple[int, int]] = []
    open_at = -1
    for m in QUOTE.finditer(text, lo, hi):
        i = m.start()
        before = text[i - 1] if i > lo else " "
        after = text[i + 1] if i + 1 < hi else " "
        opening = (before.isspace() or before in "([{:—–-") and not after.isspace()
        closing = not before.isspace() and (after.isspace() or not after.isalnum())
        if opening == closing:  # no hint from the context: curly shape, else alternate
            opening = m.group() == "“" or (m.group() == '"' and open_at < 0)
        if opening:
            open_at = i
        elif open_at >= 0:
            if i - open_at <= _MAX_QUOTE:
                regions.append((open_at, i))
            open_at = -1
    return regions


def quoted_non_boundary(regions: list[tuple[int, int]], text: str, start: int, end: int) -> bool:
    """A stop inside a quotation ends a sentence, except the "!" or "?" that ends a short
    quoted title inside a sentence (Rilis Lagu "Pergi!" Versi Akustik) and a detached ellipsis
    that marks words left out of a quotation ("... pinjaman … Walaupun ...")."""
    region = _region_of(regions, start)
    if region is None:
        return False
    o, c = region
    if c < end and c - o <= _MAX_TITLE and text[start] in "!?":
        before = text[max(0, o - 2) : o]
        return len(before) == 2 and before[0].isalnum() and before[1].isspace()
    if end <= c and text[start - 1].isspace() and text[start] in "….":
        return text[start:end] in ("…", "...")
    return False


def inside(regions: list[tuple[int, int]], start: int, end: int) -> bool:
    """Is text[start:end] inside one of the quotations?"""
    region = _region_of(regions, start)
    return region is not None and end <= region[1]


def _region_of(regions: list[tuple[int, int]], pos: int) -> tuple[int, int] | None:
    """The quotation (open, close) with open < pos < close, if any (regions are sorted and
    do not overlap, so a binary search keeps long lines linear)."""
    i = bisect.bisect_left(regions, (pos, -1)) - 1
    if i >= 0 and regions[i][0] < pos < regions[i][1]:
        return regions[i]
    return None
