"""Where the article starts and ends in a document's blocks (corpus/clean/context.py runs it
after the line rules; corpus/html/extract.py on a page's lines): the text before the start and
after the end is not the article unless strong prose evidence says otherwise. The principles
hold on any news site:

1. Every block is prose or furniture (corpus/clean/prose.py): furniture is what a rule (or the
   HTML structure) left out, and a kept block shaped like a label, a menu item, a headline, a
   teaser cut off or a bare address, or one jusText calls bad and that is no sentence; prose
   weighs its length times jusText's belief in it.
2. The article is the run where prose outweighs furniture most (the maximum-sum segment, as in
   Body Text Extraction). What the rules know as the page's frame (menus, section titles,
   footers, comment prompts, tags, share buttons) costs PAGE_COST; what also sits inside
   articles (bylines, dates, captions and credits, ads, "Baca juga", pagination) costs
   BODY_COST; an unknown furniture-shaped block costs FURNITURE_FACTOR times its length within
   [BODY_COST, 2 * PAGE_COST], so a list of teasers (headline, excerpt, date) weighs nothing.
   Short blocks between prose stay (a heading, a caption, a list item) and short blocks among
   furniture go: the context smoothing of the jusText family.
3. The start moves to a dateline ("JAKARTA, KOMPAS.com - ...") among the run's first blocks:
   what comes before a dateline is the page's (an intro, a repeated standfirst). The end moves
   back to a sign-off (byline, desk code, "artikel ini telah tayang", tags, share or comment
   prompts, a source link, a section title, copyright) after which no strong prose follows: a
   run at least ISLAND_SHARE as heavy as the article before it and as dense in prose as an
   article is (ISLAND_DENSITY): a site's blurb, teasers, reader comments and appended
   summaries come after the article's end.
4. A block outside the article goes (`before_article`, `after_article`) unless it is part of
   such strong prose elsewhere (an article in two parts around a large ad block), or is the
   headline: the last headline-shaped block before the start with only the article's header
   between (bylines, dates, pictures, labels, one standfirst). A furniture-shaped block inside
   the article that no prose follows, or that the page repeats, goes (`furniture`: a widget
   label, a caption, a teaser headline); a heading before text stays.
5. Without evidence of a page (fewer than PAGE_EVIDENCE blocks of its frame) only the dateline,
   the sign-off and the headline decide, on the few blocks they need: clean text loses nothing.

Linear in the number of blocks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

from corpus.clean.patterns import starts_with_dateline
from corpus.clean.prose import LABEL_WORDS, furniture, is_headline, jt_classes, weight, words
from corpus.clean.runs import best_run, best_runs_after, runs

PAGE_COST = 40
BODY_COST = 10
ISLAND_SHARE = 0.5
ISLAND_DENSITY = 0.8
FURNITURE_FACTOR = 1.5  # an unknown furniture-shaped block costs this much per character
HEADLINE_REACH = 8  # blocks between the headline and the article's first
PAGE_EVIDENCE = 3  # furniture blocks the rules found before the span is decided
DATELINE_WINDOW = 3  # prose blocks before a dateline that the article may start after
DATELINE_SEARCH = 4  # kept blocks looked at for a dateline
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


@dataclass
class Piece:
    """What the span needs to know of one block: its text as kept ("" when a rule dropped
    it), the reason of the rule that dropped it, whether it starts with a dateline, and for
    a block left out without a known reason (`not_main_text`) its text."""

    kept: str
    rule: str = ""
    dateline: bool = False  # known to start with a dateline (else its text is looked at)
    text: str = ""


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
    start, end, _ = best_run(scores)
    start = _dateline_start(pieces, scores, start, end)
    end = _sign_off_end(pieces, scores, start, end)
    net = sum(scores[start:end])
    islands: set[int] = set()
    for lo, hi, run in runs(scores):
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
        elif piece.kept and is_headline(piece.kept, _opens(pieces, i)):
            return {i}
    return set()


def _opens(pieces: Sequence[Piece], i: int) -> bool:
    """Is block i the first one the document keeps (where its title stands)?"""
    return not any(p.kept for p in pieces[:i])


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
    """Prose weight, or the cost of furniture."""
    if piece.rule and piece.text:  # left out for no known reason: furniture by its shape
        if words(piece.text) <= LABEL_WORDS:
            return -BODY_COST
        return -min(max(BODY_COST, FURNITURE_FACTOR * len(piece.text)), 2 * PAGE_COST)
    if piece.rule:
        return -(PAGE_COST if piece.rule in PAGE_REASONS else BODY_COST)
    if not piece.kept:
        return 0.0
    if furniture(piece.kept, jt_class):
        return -min(max(BODY_COST, FURNITURE_FACTOR * len(piece.kept)), 2 * PAGE_COST)
    return weight(piece.kept, jt_class)


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
    after = best_runs_after(scores, start, end)
    before = 0.0
    for i in range(start, end):
        if pieces[i].rule in SIGN_OFF_REASONS and before > 0:
            lo, hi, best = after[i - start]
            if best < ISLAND_SHARE * before or not _dense(scores, lo, hi):
                return i
        before += scores[i]
    return end
