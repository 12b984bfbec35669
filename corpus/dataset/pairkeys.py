"""Keys of translation pairs for duplicate detection (`filter --dedup`): exact, or after
normalisation (`near_key`: case, accents, punctuation and spacing do not count)."""

from __future__ import annotations

import hashlib
import unicodedata


def near_key(text: str) -> str:
    """Text for near-duplicate matching: NFKC, casefolded, accents, punctuation and symbols
    removed, whitespace collapsed. Digits are kept: "3 orang" and "4 orang" differ."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    kept = (ch for ch in text if ch.isspace() or unicodedata.category(ch)[0] not in "MPSC")
    return " ".join("".join(kept).split())


def pair_key(translation: tuple[str, str], *, near: bool) -> bytes:
    """A 16-byte hash of the (id, en) pair, exact or normalised by `near_key`."""
    src, tgt = translation
    if near:
        src, tgt = near_key(src), near_key(tgt)
    return hashlib.blake2b(f"{src}\x00{tgt}".encode(), digest_size=16).digest()
