"""Where the article starts and ends in a document's blocks (corpus/clean/context.py runs it
after the line rules): the text before the start and after the end is not the article unless
strong prose evidence says otherwise. The same principles hold on any news site:

1. Every block (a line, or a piece of one) is *prose* or *furniture*. Furniture: what a line
   rule dropped, and a kept block shaped like a menu item, a label, a headline (mostly
   capitalised words, even with a final stop), a teaser cut off with an ellipsis, a list of
   names or a bare address, or one that jusText (the `justext` library with its Indonesian
   stoplist) calls bad and that is no sentence either. Prose: every other block, weighted by
   its length and by jusText's class of it (good, near-good, short).
2. The article is the run of blocks where prose outweighs furniture most (the maximum-sum
   segment, as in Body Text Extraction): prose adds its weight, furniture costs. What the
   rules know as the page's frame (menus, section titles, footers, comment prompts, tags,
   share buttons) costs PAGE_COST; what also sits inside articles (bylines, dates, captions
   and credits, ads, "Baca juga", pagination) costs BODY_COST; an unknown furniture-shaped
   block costs more. So short blocks between prose stay (a heading, a caption, a list item)
   and short blocks among furniture go (context smoothing). An unknown furniture-shaped block costs FURNITURE_FACTOR times its length
   within [BODY_COST, 2 * PAGE_COST]: a list of teasers (headline, excerpt, date) has no
   weight of its own.
3. The start moves to a dateline ("JAKARTA, KOMPAS.com - ...") among the run's first prose
   blocks: what comes before a dateline is the page's (an intro, a repeated standfirst). The
   end moves back to a sign-off (a byline or editor line, the desk code, "this article first
   appeared in", tags, share or comment prompts, a section title, copyright) after which the
   run holds less than ISLAND_SHARE of the prose before it: a site's blurb, teasers and reader
   comments come after the article's end.
4. A block outside the article goes (`before_article`, `after_article`) unless it belongs to
   another run at least ISLAND_SHARE as heavy as the article and as dense in prose as an
   article is (ISLAND_DENSITY): strong evidence, as of an article in two parts around a large
   ad block. A document without furniture, or without
   prose, is left as it is.

Linear in the number of blocks.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import overload

from corpus.clean.rules import headline_words, starts_with_dateline

PAGE_COST = 40
BODY_COST = 10
ISLAND_SHARE = 0.5
ISLAND_DENSITY = 0.8
FURNITURE_FACTOR = 1.5  # an unknown furniture-shaped block costs this much per character
HEADLINE_WORDS = 20  # a headline is no longer than this
HEADLINE_MIN_WORDS = 4
OPENING_HEADLINE_MIN_WORDS = 2  # the document's first kept block: its title
HEADLINE_REACH = 8  # blocks between the headline and the article's first
LABEL_WORDS = 5  # a block of this many words or fewer without a final stop is a label
PAGE_EVIDENCE = 3  # furniture blocks the rules found before the span is decided
DATELINE_WINDOW = 3
DATELINE_SEARCH = 4  # kept blocks looked at for a dateline  # prose blocks at the start of the article searched for a dateline
# Reasons (of the line rules and the HTML structure) for the page's frame; anything else also
# occurs inside articles.
PAGE_REASONS = frozenset(
    {
        *("navigation", "section_title", "copyright", "comments", "tags", "share_button"),
        *("paywall", "caps_line", "table", "link_list", "repeated_across_docs"),
        *("source_link", "html_navigation", "html_aside", "html_footer", "html_form"),
        *("html_comments", "html_related", "html_link_list", "html_share", "html_tags"),
        *("html_login", "html_poll", "not_main_text"),
    }
)
# Reasons that close an article.
SIGN_OFF_REASONS = frozenset(
    {
        *("byline", "desk_code", "republished", "copyright", "tags", "share_button"),
        *("comments", "section_title", "source_link", "html_comments", "html_share"),
        "html_tags",
    }
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_STOP_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
_INNER_STOP = re.compile(r"[.!?][\"'”’)]* +[\"“‘(]?[A-Z]")
_ELLIPSIS_END = re.compile(r"(?:…|\.\.\.)[\"'”’)\]]*$")
_URL = re.compile(r"^\S*(?:https?://|www\.)\S*$|^\S+\.(?:com|id|net|org)/\S*$")
_NOT_HEADLINE = re.compile(r"\b(?:19|20)\d\d\b|\b\d{1,2}[:.]\d\d\b|[|/@©]")
_CLASS_WEIGHT = {"good": 1.0, "neargood": 0.7, "short": 0.5, "bad": 0.3}
SENTENCE_WEIGHT = 0.7
SENTENCE_WORDS = 5


@dataclass
class Piece:
    """What the span needs to know of one block: its text as kept ("" when a rule dropped
    it), the reason of the rule that dropped it, whether it starts with a dateline, and for
    a block left out without a known reason (`not_main_text`) its text."""

    kept: str
    rule: str = ""
    dateline: bool = False  # known to start with a dateline (else its text is looked at)
    text: str = ""


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


def article_span(pieces: Sequence[Piece]) -> tuple[int, int, set[int], set[int]]:
    """(start, end, islands, stray): the article's pieces are `start <= i < end`, plus the
    pieces of `islands` (other runs of strong prose), less the `stray` furniture among them.
    Without evidence of a page only the dateline, the sign-off and the headline decide (the
    blocks they need are scored, no others)."""
    n = len(pieces)
    if sum(1 for p in pieces if p.rule in PAGE_REASONS) < PAGE_EVIDENCE:
        lazy = _LazyScores(pieces)
        start = _dateline_start(pieces, lazy, 0, n)
        end = _sign_off_end(pieces, lazy.all(), start, n) if _signed(pieces, start) else n
        return start, end, _headline(pieces, lazy, start), set()
    classes = jt_classes([p.kept for p in pieces])
    scores = [_score(p, c) for p, c in zip(pieces, classes, strict=True)]
    if all(s <= 0 for s in scores):
        return 0, n, set(), set()
    start, end, _ = _best_run(scores)
    start = _dateline_start(pieces, scores, start, end)
    end = _sign_off_end(pieces, scores, start, end)
    net = sum(scores[start:end])
    islands: set[int] = set()
    for lo, hi, run in _runs(scores):
        if (hi <= start or lo >= end) and run >= ISLAND_SHARE * net and _dense(scores, lo, hi):
            islands.update(range(lo, hi))
    inside = [i for i in range(n) if start <= i < end or i in islands]
    return start, end, islands | _headline(pieces, scores, start), _stray(pieces, scores, inside)


def _signed(pieces: Sequence[Piece], start: int) -> bool:
    """Is there a sign-off after `start` with something kept after it?"""
    kept_after = False
    for piece in reversed(pieces[start:]):
        if piece.rule in SIGN_OFF_REASONS and kept_after:
            return True
        kept_after = kept_after or bool(piece.kept)
    return False


def _is_prose(pieces: Sequence[Piece], scores: Sequence[float], i: int) -> bool:
    """Does block i count as prose (a positive score)? Without the scores of every block, its
    shape decides (a kept block that is not furniture): no jusText call is needed."""
    if isinstance(scores, _LazyScores) and i not in scores.known:
        piece = pieces[i]
        return bool(piece.kept) and not piece.rule and not furniture(piece.kept)
    return scores[i] > 0


class _LazyScores(Sequence[float]):
    """The scores of `pieces`, each computed when first asked for."""

    def __init__(self, pieces: Sequence[Piece]) -> None:
        self.pieces = pieces
        self.known: dict[int, float] = {}

    def __len__(self) -> int:
        return len(self.pieces)

    @overload
    def __getitem__(self, i: int) -> float: ...

    @overload
    def __getitem__(self, i: slice) -> list[float]: ...

    def __getitem__(self, i: int | slice) -> float | list[float]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i not in self.known:
            piece = self.pieces[i]
            self.known[i] = _score(piece, jt_classes([piece.kept])[0])
        return self.known[i]

    def all(self) -> list[float]:
        """Every score (those not known yet computed in one batch)."""
        todo = [i for i in range(len(self.pieces)) if i not in self.known]
        classes = jt_classes([self.pieces[i].kept for i in todo])
        for i, c in zip(todo, classes, strict=True):
            self.known[i] = _score(self.pieces[i], c)
        return [self.known[i] for i in range(len(self.pieces))]


def _headline(pieces: Sequence[Piece], scores: Sequence[float], start: int) -> set[int]:
    """The article's headline: the last headline-shaped block before its start, with only
    the article's header between them (bylines, dates, pictures and credits, labels, one
    standfirst), within HEADLINE_REACH blocks; a menu, a section title or a footer between
    them means it is some other article's."""
    prose = 0
    seen = 0
    for i in range(start - 1, -1, -1):
        piece = pieces[i]
        if not piece.kept and not piece.rule:
            continue  # a blank line
        seen += 1
        if seen > HEADLINE_REACH or piece.rule in PAGE_REASONS:
            break
        if piece.kept and _is_prose(pieces, scores, i):
            prose += 1
            if prose > 1:
                break
        elif piece.kept and _is_headline(piece.kept, _opens(pieces, i)):
            return {i}
    return set()


def _opens(pieces: Sequence[Piece], i: int) -> bool:
    """Is block i the first one the document keeps (where its title stands)?"""
    return not any(p.kept for p in pieces[:i])


def _is_headline(text: str, opening: bool = False) -> bool:
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


def _stray(pieces: Sequence[Piece], scores: Sequence[float], inside: list[int]) -> set[int]:
    """Kept furniture-shaped blocks of the article that no prose follows, or that the page
    repeats: a heading or a list item introduces text and occurs once, a widget label, a
    caption or a headline among furniture does not."""
    labels = Counter(pieces[i].kept for i in inside if scores[i] < 0 and pieces[i].kept)
    found = set()
    following = 1.0  # (the last block of a run is prose)
    for i in reversed(inside):
        if scores[i] == 0:
            continue  # nothing there (a blank line)
        if scores[i] < 0 and pieces[i].kept and (following < 0 or labels[pieces[i].kept] > 1):
            found.add(i)
        following = scores[i]
    return found


def _score(piece: Piece, jt_class: str) -> float:
    """Prose weight (length times how much jusText believes it), or the cost of furniture."""
    if piece.rule and piece.text:  # left out for no known reason: furniture by its shape
        if len(_WORD.findall(piece.text)) <= LABEL_WORDS:
            return -BODY_COST
        return -min(max(BODY_COST, FURNITURE_FACTOR * len(piece.text)), 2 * PAGE_COST)
    if piece.rule:
        return -(PAGE_COST if piece.rule in PAGE_REASONS else BODY_COST)
    if not piece.kept:
        return 0.0
    if furniture(piece.kept, jt_class):
        return -min(max(BODY_COST, FURNITURE_FACTOR * len(piece.kept)), 2 * PAGE_COST)
    weight = _CLASS_WEIGHT[jt_class]
    if _STOP_END.search(piece.kept) and len(_WORD.findall(piece.kept)) >= SENTENCE_WORDS:
        weight = max(weight, SENTENCE_WEIGHT)  # a whole sentence, whatever its stopwords
    return len(piece.kept) * weight


def _best_run(scores: Sequence[float]) -> tuple[int, int, float]:
    """The segment of maximum sum (Kadane), as (start, end, sum)."""
    best, best_lo, best_hi = 0.0, 0, 0
    total, lo = 0.0, 0
    for i, s in enumerate(scores):
        if total <= 0:
            total, lo = 0.0, i
        total += s
        if total > best:
            best, best_lo, best_hi = total, lo, i + 1
    return best_lo, best_hi, best


def _runs(scores: Sequence[float]) -> list[tuple[int, int, float]]:
    """The runs Kadane's scan passes through: (start, end of its best prefix, its sum)."""
    found: list[tuple[int, int, float]] = []
    total, lo, best, hi = 0.0, 0, 0.0, 0
    for i, s in enumerate(scores):
        if total <= 0:
            if best > 0:
                found.append((lo, hi, best))
            total, lo, best, hi = 0.0, i, 0.0, i
        total += s
        if total > best:
            best, hi = total, i + 1
    if best > 0:
        found.append((lo, hi, best))
    return found


def _dense(scores: Sequence[float], lo: int, hi: int) -> bool:
    """Is the run mostly prose (its furniture costs at most 1 - ISLAND_DENSITY of it), as an
    article is and a list of teasers (headline, excerpt, date, ...) is not?"""
    prose = _prose(scores, lo, hi)
    return prose - sum(scores[lo:hi]) <= (1 - ISLAND_DENSITY) * prose


def _prose(scores: Sequence[float], lo: int, hi: int) -> float:
    return sum(s for s in scores[lo:hi] if s > 0)


def _dateline_start(pieces: Sequence[Piece], scores: Sequence[float], start: int, end: int) -> int:
    """The article starts at a dateline among its first prose blocks, if there is one (the
    blocks are only scored when a dateline is found after the first kept one)."""
    kept = 0
    for i in range(start, end):
        if not pieces[i].kept:
            continue
        if pieces[i].dateline or starts_with_dateline(pieces[i].kept):
            prose = sum(1 for j in range(start, i) if _is_prose(pieces, scores, j))
            return i if prose <= DATELINE_WINDOW else start
        kept += 1
        if kept > DATELINE_SEARCH:
            break
    return start


def _sign_off_end(pieces: Sequence[Piece], scores: Sequence[float], start: int, end: int) -> int:
    """The article ends at the first sign-off after which no strong prose follows in its run:
    no run at least ISLAND_SHARE as heavy as the article before the sign-off and dense in
    prose (a teaser box in the middle of an article is not its end; a list of teasers after
    it is no continuation)."""
    after = _best_runs_after(scores, start, end)
    before = 0.0
    for i in range(start, end):
        if pieces[i].rule in SIGN_OFF_REASONS and before > 0:
            lo, hi, best = after[i - start]
            if best < ISLAND_SHARE * before or not _dense(scores, lo, hi):
                return i
        before += scores[i]
    return end


def _best_runs_after(scores: Sequence[float], start: int, end: int) -> list[tuple[int, int, float]]:
    """For each i in [start, end): the maximum-sum run within (i, end), as (lo, hi, sum); one
    pass from the right (Kadane backwards)."""
    found: list[tuple[int, int, float]] = [(end, end, 0.0)] * (end - start)
    best = (end, end, 0.0)
    here, here_end = 0.0, end  # the best run starting exactly at j
    for i in range(end - 1, start - 1, -1):
        found[i - start] = best  # runs strictly after i
        if here <= 0:
            here, here_end = 0.0, i + 1
        here += scores[i]
        if here > best[2]:
            best = (i, here_end, here)
    return found


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
