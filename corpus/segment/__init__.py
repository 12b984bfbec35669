"""Cleaned text -> sentence spans with exact character offsets (Indonesian rules).

`segment(text) -> list[Span]`, `split_sentences(text) -> list[str]` and `split_paragraphs` are
in corpus/segment/sentences.py, the quotation rules in corpus/segment/quotes.py, the language
data in corpus/segment/lexicon.py; they are named here too, as the segmenter's public face
(`corpus.segment:split_sentences`)."""

from corpus.segment.sentences import segment, split_paragraphs, split_sentences

__all__ = ["segment", "split_paragraphs", "split_sentences"]
