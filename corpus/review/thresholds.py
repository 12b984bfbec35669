"""The report's "Scores and signals" section: histograms with the filter's thresholds, what
each rule of `idcorpus filter` would remove (alone and in the filter's order), the flags."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from corpus.dataset.filter import FilterConfig
from corpus.review import charts
from corpus.review.samples import Histogram
from corpus.review.scan import Scan
from corpus.signals.quality import SIGNAL_DOCS
from translate.robust import RATIO_MIN_WORDS


def _share(n: int, total: int) -> str:
    return f"{100 * n / total:.2f}%" if total else "–"


def _removes(n: int, total: int) -> str:
    return f"removes <b>{n:,}</b> pairs ({_share(n, total)})"


def _outside(hist: Histogram, fmt: str = "g") -> str:
    ends = []
    if hist.below:
        ends.append(f"{hist.below:,} below {hist.lo:{fmt}}")
    if hist.above:
        ends.append(f"{hist.above:,} above {hist.hi:{fmt}}")
    return "; ".join(ends) + " (in the end bins)" if ends else ""


def _without(hist: Histogram) -> str:
    return f" ({hist.missing:,} without a score, kept by --min-score)" if hist.missing else ""


def no_scores(pairs: int) -> str:
    """What stands for the score chart when no pair has a score: given translations (`--target`,
    `--target-field`) that no model scored."""
    return (
        '<figure><figcaption class="muted">score: none of the '
        f"{pairs:,} pairs has one (null in every row): the translations were given and no "
        "model was named (<code>--model</code>) to score them. <code>--min-score</code> "
        "removes none of them.</figcaption></figure>"
    )


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{caption}</figcaption></figure>"


def signals_section(s: Scan) -> str:
    """The section's HTML (charts only for the columns the corpus has)."""
    c, alone, total = s.rules.config, s.rules.alone, s.pairs
    figures = []
    hists = s.histograms
    if "score" in s.columns and not hists["score"].total and hists["score"].missing:
        figures.append(no_scores(hists["score"].missing))
    elif "score" in s.columns:
        h = hists["score"]
        figures.append(_figure(
            charts.histogram_chart(h, "score", "score: mean log-probability per token",
                                   [(c.min_score or -3.0, f"--min-score {c.min_score:g}")]),
            f"{h.total:,} pairs{_without(h)}. <code>--min-score {c.min_score:g}</code> "
            f"{_removes(alone.get('min_score', 0), total)}. {_outside(h)}",
        ))  # fmt: skip
    if "length_ratio_chars" in s.columns:
        h = hists["length_ratio_chars"]
        lo, hi = c.min_length_ratio or 0.0, c.max_length_ratio or 0.0
        figures.append(_figure(
            charts.histogram_chart(h, "ratio-chars", "English / Indonesian characters",
                                   [(lo, f"{lo:g}"), (hi, f"{hi:g}")]),
            f"{h.total:,} pairs. Outside {lo:g}–{hi:g} (judged for sources of "
            f"{RATIO_MIN_WORDS}+ words) {_removes(alone.get('length_ratio', 0), total)}. "
            f"{_outside(h)}",
        ))  # fmt: skip
    for side, flag in (("src", "--require-src-lang"), ("tgt", "--require-tgt-lang")):
        lang = s.lang.get(side)
        if lang is None or not lang.labels:
            continue
        labels = ", ".join(f"{k} {v:,}" for k, v in lang.labels.most_common(6))
        what = "source" if side == "src" else "translation"
        figures.append(_figure(
            charts.lang_chart(lang.hit, lang.other, lang.required, what, c.lang_confidence),
            f"Languages called: {escape(labels)}. <code>{flag} {escape(lang.required)}</code> "
            f"(another language, orange, at confidence ≥ {c.lang_confidence:g}: right of the line) "
            f"{_removes(alone.get(f'{side}_lang', 0), total)}.",
        ))  # fmt: skip
    for name, label in (("length_ratio_tokens", "target / source model tokens"),
                        ("repetition", "share of repeated word n-grams in the translation")):  # fmt: skip
        if name in s.columns and not hists[name].total and hists[name].missing:
            figures.append(
                '<figure><figcaption class="muted">'
                f"{name.replace('_', '-')}: none of the {hists[name].missing:,} pairs has a "
                "value (null in every row). No filter rule.</figcaption></figure>"
            )
        elif name in s.columns:
            h = hists[name]
            figures.append(_figure(
                charts.histogram_chart(h, name.replace("_", "-"), label),
                f"{h.total:,} pairs ({h.missing:,} without a value). No filter rule. {_outside(h)}",
            ))  # fmt: skip
    parts = ['<section id="signals"><h2>Scores and signals</h2>']
    if figures:
        parts.append(f'<div class="charts">{"".join(figures)}</div>')
    else:
        parts.append('<p class="muted">This corpus has no score or signal columns.</p>')
    parts.append(rules_table(s))
    parts.append(flags_table(s.flag_counts, c, total))
    return "".join(parts) + "</section>"


def _option(rule: str, c: FilterConfig) -> str:
    if rule == "min_score":
        return f"--min-score {c.min_score:g}"
    if rule == "length_ratio":
        return (
            f"--min-length-ratio {c.min_length_ratio:g} --max-length-ratio {c.max_length_ratio:g}"
        )
    if rule in ("src_lang", "tgt_lang"):
        return f"--require-{rule.replace('_', '-')} {getattr(c, f'require_{rule}')}"
    if rule.startswith("flag:"):
        return f"--drop-flagged {rule[5:]}"
    return f"--dedup {c.dedup}"


def rules_table(s: Scan) -> str:
    """What each default rule of `idcorpus filter` would remove from this corpus."""
    r, total = s.rules, s.pairs
    rows = "".join(
        f"<tr><td><code>{escape(rule)}</code></td><td><code>{escape(_option(rule, r.config))}</code></td>"
        f'<td class="n">{r.alone[rule]:,}</td><td class="n">{_share(r.alone[rule], total)}</td>'
        f'<td class="n">{r.in_order[rule]:,}</td></tr>'
        for rule in r.alone
    )
    kept = total - sum(r.in_order.values())
    return (
        "<h3>What <code>idcorpus filter</code> would remove</h3>"
        "<p>Each rule at its default (the options of <code>idcorpus filter</code>): the pairs it "
        "removes by itself, and in the filter's order, where a pair counts under the first "
        f"rule it fails. With all the defaults, {kept:,} of {total:,} pairs "
        f"({_share(kept, total)}) would be kept.</p>"
        '<table><tr><th>rule</th><th>option (default)</th><th class="n">removes alone</th>'
        '<th class="n">share</th><th class="n">in filter order</th></tr>'
        f"{rows}</table>"
    )


def flags_table(counts: Mapping[str, int], c: FilterConfig, total: int) -> str:
    if not counts:
        return ""
    rows = "".join(
        f'<tr><td><code>{escape(flag)}</code></td><td class="n">{n:,}</td>'
        f'<td class="n">{_share(n, total)}</td><td>{"yes" if flag in c.drop_flagged else ""}</td>'
        f"<td>{escape(SIGNAL_DOCS.get(flag, ''))}</td></tr>"
        for flag, n in counts.items()
    )
    return (
        '<h3>Flags</h3><table><tr><th>flag</th><th class="n">pairs</th><th class="n">share</th>'
        f"<th>dropped by default</th><th>meaning</th></tr>{rows}</table>"
    )
