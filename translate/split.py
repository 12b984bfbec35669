"""Cut a text that is too long for the model into pieces that fit, losing nothing.

`split_to_fit` cuts at the clause boundary nearest the middle (punctuation ``; : , — –``
followed by a space first, then Indonesian conjunctions), again and again; a clause-free
stretch is cut into word windows whose tokens fit, and a word with no whitespace at all into
character windows. A very long text (a 1 MB line) is first cut into blocks of about
`BLOCK_LIMITS` limits near a clause boundary or a space, and cuts are made without recursion,
so the work (token counts included) stays linear in the text's length. Joined with spaces,
the pieces give back the text up to whitespace.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

SPLITTER_VERSION = "clauses-words-chars-2"
"""Bump when `split_to_fit` cuts differently (2: blocks first for very long texts; clause
punctuation counts only when a space follows it)."""

BLOCK_LIMITS = 4
"""A text over 2 * BLOCK_LIMITS limits is first cut into blocks of about this many limits."""

CLAUSE_PUNCTUATION = ";:,\u2014\u2013"
CONJUNCTIONS = (
    "tetapi", "namun", "sedangkan", "melainkan", "sehingga", "karena", "sebab", "meskipun",
    "walaupun", "padahal", "ketika", "sementara", "setelah", "sebelum", "jika", "apabila",
    "agar", "supaya", "bahwa", "serta", "dan", "atau", "yang",
)  # fmt: skip
_PUNCT_RE = re.compile(f"[{CLAUSE_PUNCTUATION}]+\\s+")  # "1,5" is a number, not two clauses
_CONJ_RE = re.compile(r"\s(?=(?:" + "|".join(CONJUNCTIONS) + r")\b)", re.IGNORECASE)
_SPACE_RE = re.compile(r"\s+")

CountTokens = Callable[[Sequence[str]], list[int]]


def clause_boundaries(text: str) -> tuple[list[int], list[int]]:
    """Cut positions after clause punctuation, and before conjunctions (inner positions only)."""
    n = len(text.rstrip())
    punct = [m.end() for m in _PUNCT_RE.finditer(text) if 0 < m.end() < n]
    conj = [m.end() for m in _CONJ_RE.finditer(text) if 0 < m.end() < n]
    return punct, conj


def best_boundary(text: str) -> int | None:
    """The boundary to split `text` at: punctuation before conjunctions, each preferring the
    middle third; any boundary nearest the middle otherwise; None when there is none."""
    punct, conj = clause_boundaries(text)
    middle, lo, hi = len(text) / 2, len(text) / 3, 2 * len(text) / 3
    for group in ([p for p in punct if lo <= p <= hi], [p for p in conj if lo <= p <= hi]):
        if group:
            return min(group, key=lambda p: (abs(p - middle), p))
    anywhere = punct + conj
    return min(anywhere, key=lambda p: (abs(p - middle), p)) if anywhere else None


def word_windows(text: str, limit: int, count: CountTokens) -> list[str]:
    """Greedy runs of whole words whose token count fits `limit` (eos included)."""
    words = text.split()
    sizes = [max(c - 1, 1) for c in count(words)] if words else []
    pieces: list[str] = []
    run: list[str] = []
    used = 1
    for word, size in zip(words, sizes, strict=True):
        if run and used + size > limit:
            pieces.append(" ".join(run))
            run, used = [], 1
        run.append(word)
        used += size
    if run:
        pieces.append(" ".join(run))
    return pieces


def char_windows(text: str, limit: int, tokens: int) -> list[str]:
    """Cut a whitespace-free string into character windows of about `limit` tokens each."""
    width = max(1, int(len(text) * (limit - 1) / max(tokens, 1) * 0.9))
    return [text[i : i + width] for i in range(0, len(text), width)]


def split_to_fit(text: str, limit: int, count: CountTokens, tokens: int | None = None) -> list[str]:
    """Split `text` into pieces whose token count (by `count`, eos included) is <= `limit`.

    Joined with spaces, the pieces give back `text` up to whitespace. A text that fits comes
    back whole. Clause boundaries first, then word windows, then character windows.
    `tokens` is `text`'s own count when the caller knows it. Linear in `len(text)`.
    """
    if limit < 2:
        raise ValueError(f"limit must be >= 2 tokens, got {limit}")
    text = text.strip()
    if not text:
        return []
    total = count([text])[0] if tokens is None else tokens
    if total <= limit:
        return [text]
    blocks, sizes = [text], [total]
    if total > 2 * BLOCK_LIMITS * limit:
        blocks = coarse_blocks(text, total, BLOCK_LIMITS * limit)
        sizes = count(blocks)
    return [
        piece
        for block, size in zip(blocks, sizes, strict=True)
        for piece in bisect(block, size, limit, count)
    ]


def coarse_blocks(text: str, tokens: int, block_tokens: int) -> list[str]:
    """Cut `text` into blocks of about `block_tokens` tokens (by its own token/char ratio),
    each ending at the last clause boundary, else space, in the second half of its window."""
    width = max(2, len(text) * block_tokens // tokens)
    blocks: list[str] = []
    start = 0
    while len(text) - start > width + width // 2:
        cut = last_boundary(text, start + width // 2, start + width)
        blocks.append(text[start:cut].strip())
        start = cut
    blocks.append(text[start:].strip())
    return [b for b in blocks if b]


def last_boundary(text: str, lo: int, hi: int) -> int:
    """The last clause boundary in text[lo:hi], else the last space, else `hi`."""
    window = text[lo:hi]
    for pattern in (_PUNCT_RE, _CONJ_RE, _SPACE_RE):
        ends = [m.end() for m in pattern.finditer(window) if 0 < m.end() < len(window)]
        if ends:
            return lo + ends[-1]
    return hi


def bisect(text: str, tokens: int, limit: int, count: CountTokens) -> list[str]:
    """Pieces of `text` that fit `limit`, cutting each piece that does not (see `cut`)."""
    out: list[str] = []
    stack = [(text, tokens)]
    while stack:
        piece, n = stack.pop()
        parts = cut(piece, n, limit, count) if n > limit else [piece]
        if len(parts) < 2:  # it fits, or one character is over the limit: nothing to cut
            out.append(piece)
            continue
        stack.extend(reversed(list(zip(parts, count(parts), strict=True))))
    return out


def cut(text: str, tokens: int, limit: int, count: CountTokens) -> list[str]:
    """One cut of a text over the limit: at its best clause boundary, else into word
    windows, else into character windows (a single unit is returned when none applies)."""
    boundary = best_boundary(text)
    if boundary is not None:
        parts = [p for p in (text[:boundary].strip(), text[boundary:].strip()) if p]
    elif len(text.split()) > 1:
        parts = word_windows(text, limit, count)
    else:
        parts = char_windows(text, limit, tokens)
    if len(parts) < 2:  # the estimate put everything in one window: halve it instead
        words = text.split()
        half = len(words) // 2
        parts = [" ".join(words[:half]), " ".join(words[half:])] if half else [text]
    if len(parts) < 2:
        parts = char_windows(text, limit, tokens)
    return parts
