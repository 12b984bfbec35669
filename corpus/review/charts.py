"""The report's charts, drawn by matplotlib as SVG (text kept as text) for inlining in HTML.

matplotlib renders on the server, so the page carries no script: each chart is an `<svg>`
element of a few kilobytes, searchable and sharp at any zoom. Figures are made with the
object API (no pyplot state), and every chart gets its own id salt so the ids of two inlined
SVGs never clash. Imported only when a report is written (matplotlib is the `report` extra).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import numpy as np

from corpus.errors import ConfigError
from corpus.review.deps import MISSING
from corpus.review.samples import Histogram

STAGE_COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
                 "#ff9da7", "#9c755f", "#bab0ac")  # fmt: skip
KEPT, DROPPED, OTHER = "#4e79a7", "#e15759", "#f28e2b"
WIDTH = 5.6  # inches (72 points each) of a chart in a two-column grid
WIDE = 10.5  # of a chart across the page
RC: Any = {  # matplotlib settings of every chart (typed Any: rc_context wants literal keys)
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#e3e3e3",
    "text.parse_math": False,
    "text.usetex": False,
}


def _figure(height: float, width: float = WIDTH) -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError as e:
        raise ConfigError(MISSING) from e
    return Figure(figsize=(width, height), layout="constrained")


def _svg(fig: Any, salt: str, label: str) -> str:
    """The figure as an inline <svg> element: no XML prolog, scalable, labelled."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    out = io.StringIO()
    with matplotlib.rc_context({**RC, "svg.hashsalt": salt}):
        FigureCanvasSVG(fig).print_svg(out, metadata={"Date": None})
    svg = out.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, count=1, flags=re.S)
    svg = _prefix_ids(svg, salt)
    end = svg.index(">") + 1
    tag = re.sub(r' (width|height)="[^"]*"', "", svg[:end])
    head = f'<svg class="chart" role="img" aria-label="{escape(label)}"'
    return tag.replace("<svg", head, 1) + svg[end:]


def _prefix_ids(svg: str, prefix: str) -> str:
    """Every element id of `svg` and every reference to one (`url(#…)`, `href="#…"`) with
    `prefix`, so that ids stay unique across the charts of one page."""
    svg = re.sub(r' id="([^"]+)"', rf' id="{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    return re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)


def drops_chart(dropped: Mapping[str, int], order: Sequence[str]) -> str:
    """Horizontal bars: units dropped per `stage:reason`, grouped by stage (in `order`)."""
    import matplotlib

    items = sorted(dropped.items(), key=lambda kv: (_stage_rank(kv[0], order), -kv[1], kv[0]))
    with matplotlib.rc_context(RC):
        fig = _figure(0.7 + 0.2 * max(len(items), 1), WIDE)
        ax = fig.add_subplot()
        stages = [key.split(":", 1)[0] for key, _ in items]
        colours = {s: STAGE_COLOURS[i % len(STAGE_COLOURS)] for i, s in enumerate(dict.fromkeys(stages))}  # fmt: skip
        y = np.arange(len(items))
        values = [n for _, n in items]
        ax.barh(y, values, color=[colours[s] for s in stages], height=0.7)
        ax.set_yticks(y, [_clip(k, 38) for k, _ in items])
        ax.invert_yaxis()
        _count_axis(ax, "x")
        ax.set_xlabel("units dropped")
        ax.grid(axis="y", visible=False)
        for yi, n in zip(y, values, strict=True):
            ax.annotate(f"{n:,}", (n, yi), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=8)  # fmt: skip
        ax.margins(x=0.12)
        return _svg(fig, "drops", "units dropped per stage and reason")


def _stage_rank(key: str, order: Sequence[str]) -> int:
    stage = key.split(":", 1)[0]
    return order.index(stage) if stage in order else len(order)


def histogram_chart(
    hist: Histogram,
    name: str,
    xlabel: str,
    thresholds: Sequence[tuple[float, str]] = (),
    *,
    outside: str = "",
) -> str:
    """Bars of a fixed-bin histogram with each filter threshold as a labelled line; the
    share of rows beyond a threshold is shaded."""
    import matplotlib

    with matplotlib.rc_context(RC):
        fig = _figure(2.6)
        ax = fig.add_subplot()
        _bars(ax, hist, KEPT)
        for value, label in thresholds:
            ax.axvline(value, color=DROPPED, linewidth=1.2, linestyle="--")
            ax.annotate(label, (value, 1), xycoords=("data", "axes fraction"), xytext=(3, -2),
                        textcoords="offset points", va="top", fontsize=9, color=DROPPED)  # fmt: skip
        ax.set_xlabel(xlabel + (f" ({outside})" if outside else ""))
        ax.set_ylabel("pairs")
        _count_axis(ax, "y")
        ax.set_xlim(hist.lo, hist.hi)
        return _svg(fig, f"hist-{name}", f"histogram of {name}")


def lang_chart(hit: Histogram, other: Histogram, required: str, side: str, threshold: float) -> str:
    """Stacked bars of language-ID confidence: calls of `required` and of other languages,
    with the confidence from which another language's call removes the pair."""
    import matplotlib

    with matplotlib.rc_context(RC):
        fig = _figure(2.6)
        ax = fig.add_subplot()
        _bars(ax, hit, KEPT, label=f"{side} called {required}")
        _bars(ax, other, OTHER, label=f"{side} called another language", bottom=hit.counts)
        ax.axvline(threshold, color=DROPPED, linewidth=1.2, linestyle="--")
        ax.annotate(f"{threshold:g}", (threshold, 1), xycoords=("data", "axes fraction"),
                    xytext=(3, -2), textcoords="offset points", va="top", fontsize=9,
                    color=DROPPED)  # fmt: skip
        ax.set_xlabel(f"language-ID confidence of the {side}")
        ax.set_ylabel("pairs")
        _count_axis(ax, "y", log=int((hit.counts + other.counts).max(initial=0)) > 100)
        ax.set_xlim(0, 1)
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1), ncols=2, fontsize=9, frameon=False)
        return _svg(fig, f"lang-{side}", f"language-ID confidence of the {side}")


def _count_axis(ax: Any, which: str, log: bool = False) -> None:
    """An axis of counts: integer ticks as plain numbers with thousands separators (a log
    scale's default labels are math text); `log`: a symmetric log scale, for counts from a
    few to millions."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis = ax.yaxis if which == "y" else ax.xaxis
    if log:
        (ax.set_yscale if which == "y" else ax.set_xscale)("symlog", linthresh=10)
    else:
        axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))


def _bars(
    ax: Any, hist: Histogram, colour: str, label: str | None = None, bottom: Any = None
) -> None:
    """The histogram as one filled step path (on `bottom` when stacked)."""
    base = np.zeros(hist.bins) if bottom is None else np.asarray(bottom)
    ax.stairs(base + hist.counts, hist.edges, baseline=base, fill=True, color=colour, label=label)


def sites_chart(pairs: Mapping[str, int], docs: Mapping[str, int], top: int = 15) -> str:
    """Horizontal bars: pairs of the `top` sites, with their documents in the labels."""
    import matplotlib

    items = sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    with matplotlib.rc_context(RC):
        fig = _figure(0.7 + 0.2 * max(len(items), 1), WIDE)
        ax = fig.add_subplot()
        y = np.arange(len(items))
        ax.barh(y, [n for _, n in items], color=KEPT, height=0.7)
        ax.set_yticks(y, [f"{_clip(h, 32)} ({_docs(docs.get(h, 0))})" for h, _ in items])
        ax.invert_yaxis()
        ax.set_xlabel("pairs")
        _count_axis(ax, "x")
        ax.grid(axis="y", visible=False)
        return _svg(fig, "sites", f"pairs of the {len(items)} largest sites")


def _docs(n: int) -> str:
    return f"{n:,} doc" if n == 1 else f"{n:,} docs"


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
