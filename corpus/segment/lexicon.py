"""The language data of the segmenter (corpus/segment/sentences.py), read once from
`corpus/data/`: `abbreviations.tsv` (each abbreviation with a behaviour),
`sentence_starters_id.txt`, `speech_verbs_id.txt` and `list_cues_id.txt`."""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

_DATA = Path(__file__).parents[1] / "data"


@lru_cache(maxsize=1)
def _abbreviations() -> dict[str, str]:
    """Abbreviation without its final period -> behaviour, both as written and lower-cased
    (so "A.S." for Amerika Serikat and "a.s." for alaihissalam can differ)."""
    table: dict[str, str] = {}
    path = _DATA / "abbreviations.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        abbr, behaviour = line.split("\t")[:2]
        for piece in abbr.split():  # "Dr. rer. nat." -> "Dr", "rer", "nat"
            key = piece.rstrip(".,")
            if key:
                table.setdefault(key, behaviour)
                table.setdefault(key.lower(), behaviour)
    return table


def behaviour(token: str) -> str | None:
    table = _abbreviations()
    return table.get(token) or table.get(token.lower())


@cache
def word_set(name: str) -> frozenset[str]:
    return frozenset(_rows(name))


@lru_cache(maxsize=1)
def starters() -> dict[str, str]:
    """Capitalised sentence-starting word -> "any" or "strong" (see the data file)."""
    return dict(row.split("\t")[:2] for row in _rows("sentence_starters_id.txt"))


def _rows(name: str) -> list[str]:
    lines = (_DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def is_speech_verb(word: str) -> bool:
    word = word.lower()
    verbs = word_set("speech_verbs_id.txt")
    return word in verbs or (word.endswith("nya") and word[:-3] in verbs)
