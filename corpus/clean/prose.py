"""What one block of a document is: running text or page furniture, and how much prose it
weighs (for corpus/clean/span.py; the article span weighs the blocks, this module reads them).

The jusText family of features: length, share of Indonesian stopwords and the copyright sign
(jusText's own classifier, `justext.core.classify_paragraphs`, with the library's Indonesian
stoplist and thresholds), terminal punctuation, the share of capitalised words, the shape of
labels, headlines, teasers and addresses. Language data (headline words) lives in
data/headline_words_id.txt.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from corpus.clean.patterns import headline_words

HEADLINE_WORDS = 20  # a headline is no longer than this
HEADLINE_MIN_WORDS = 4
OPENING_HEADLINE_MIN_WORDS = 2  # the document's first kept block: its title
LABEL_WORDS = 5  # a block of this many words or fewer without a final stop is a label
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_STOP_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
_INNER_STOP = re.compile(r"[.!?][\"'”’)]* +[\"“‘(]?[A-Z]")
_ELLIPSIS_END = re.compile(r"(?:…|\.\.\.)[\"'”’)\]]*$")
_URL = re.compile(r"^\S*(?:https?://|www\.)\S*$|^\S+\.(?:com|id|net|org)/\S*$")
_NOT_HEADLINE = re.compile(r"\b(?:19|20)\d\d\b|\b\d{1,2}[:.]\d\d\b|[|/@©]")
_CLASS_WEIGHT = {"good": 1.0, "neargood": 0.7, "short": 0.5, "bad": 0.3}
SENTENCE_WEIGHT = 0.7
SENTENCE_WORDS = 5


def words(text: str) -> int:
    return len(_WORD.findall(text))


def weight(text: str, jt_class: str) -> float:
    """The prose weight of a kept block: its length times how much jusText believes it, a whole
    sentence at least SENTENCE_WEIGHT whatever its stopwords."""
    found = _CLASS_WEIGHT[jt_class]
    if _STOP_END.search(text) and len(_WORD.findall(text)) >= SENTENCE_WORDS:
        found = max(found, SENTENCE_WEIGHT)
    return len(text) * found


def furniture(text: str, jt_class: str | None = None) -> bool:
    """Is a kept block shaped like page furniture rather than running text? (`jt_class`, its
    jusText class, is only asked for when the shape leaves it open.)"""
    shaped = _shape(text)
    if shaped is not None:
        return shaped
    return (jt_class or jt_classes([text])[0]) == "bad"


def _shape(text: str) -> bool | None:
    """`furniture` by the block's shape alone: True, False, or None when jusText decides."""
    if _URL.match(text):
        return True
    words = _WORD.findall(text)
    initial = text.lstrip("\"'“‘([•*-– ")[:1]
    if initial.islower():
        return False  # a sentence or the rest of one, not a label
    if len(words) <= 3:  # a label or a menu item ("Nomor telegram aktif." is a sentence)
        return not (len(words) == 3 and _STOP_END.search(text))
    common = headline_words()
    content = [w for w in words if w.lower() not in common]
    lower = sum(1 for w in content if w[0].islower())
    if lower < 0.25 * len(content) and len(words) <= HEADLINE_WORDS:
        return True  # a headline or a list of names, with or without a final stop
    if _ELLIPSIS_END.search(text) and not _INNER_STOP.search(text):
        return True  # a teaser: one sentence cut off
    if _STOP_END.search(text):
        return False  # a sentence, however short
    if len(words) <= LABEL_WORDS:
        return True  # a label: few words and no final stop
    return True if lower < 0.4 * len(content) else None


def is_headline(text: str, opening: bool = False) -> bool:
    """Shaped like a headline: 4 to 20 words (2 when it opens the document), mostly
    capitalised, no final stop, and no date, time, separator or credit (a byline or date line
    is not the headline)."""
    words = _WORD.findall(text)
    least = OPENING_HEADLINE_MIN_WORDS if opening else HEADLINE_MIN_WORDS
    if not least <= len(words) <= HEADLINE_WORDS or text.rstrip()[-1:] in ".,:;":
        return False
    if _NOT_HEADLINE.search(text):
        return False
    common = headline_words()
    content = [w for w in words if w.lower() not in common]
    return sum(1 for w in content if w[0].islower()) < 0.25 * len(content)


@lru_cache(maxsize=1)
def _stoplist() -> frozenset[str]:
    import justext

    return frozenset(justext.get_stoplist("Indonesian"))


def jt_classes(texts: Sequence[str]) -> list[str]:
    """jusText's context-free class of each block (good, neargood, short, bad): its length,
    its share of Indonesian stopwords, a copyright sign (the library's own rules and
    thresholds, `justext.core.classify_paragraphs`)."""
    from justext.core import LENGTH_LOW_DEFAULT, classify_paragraphs

    found = ["short"] * len(texts)  # what the library says of a short text without "©"
    asked = [i for i, t in enumerate(texts) if len(t) >= LENGTH_LOW_DEFAULT or "\xa9" in t]
    if asked:
        make = _block_type()
        blocks = [make(texts[i]) for i in asked]
        classify_paragraphs(blocks, _stoplist())
        for i, block in zip(asked, blocks, strict=True):
            found[i] = block.cf_class
    return found


@lru_cache(maxsize=1)
def _block_type() -> type:
    from justext.paragraph import Paragraph

    class Block(Paragraph):  # type: ignore[misc]
        """A jusText paragraph made from plain text (no DOM path, no links)."""

        text = ""  # a plain attribute instead of the library's property: computed once

        def __init__(self, text: str) -> None:
            self.dom_path = "p"
            self.xpath = "/p"
            self.text_nodes = [text]
            self.chars_count_in_links = 0
            self.tags_count = 0
            self.class_type = ""
            self.text = text

    return Block
