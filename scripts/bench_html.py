#!/usr/bin/env python3
"""HTML extraction is linear in the number of elements (issue 21.3): time for 10x the elements.

Generates pages of N and 10*N small `<p>` elements (default 100,000 and 1,000,000: the larger
is about 40 MB... of markup and a million paragraphs), extracts each with
`corpus.html.extract.extract` in one process (best of `--repeats`, after a warm-up), and prints
the time ratio; linear is 10, the target is at most 12. `html_linear()` is the function that
scripts/bench_hostile.py calls for its `html_linear=` figure.

    .venv/bin/python scripts/bench_html.py            # 100k and 1M elements
    .venv/bin/python scripts/bench_html.py --small 10000

Ends with `RESULT html_linear=<ratio> small_s=<s> large_s=<s>`.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 12.0


def page(n: int) -> str:
    """A page of `n` small paragraphs in one content block, with a menu and a footer."""
    body = "".join(f"<p>Kalimat nomor {i} ada di sini.</p>" for i in range(n))
    menu = "<nav><a href='/'>Beranda</a> <a href='/n'>Nasional</a></nav>"
    return (
        "<html><head><title>Halaman besar</title></head><body>"
        f"{menu}<div class='content'>{body}</div><footer>Hak cipta Contoh.</footer>"
        "</body></html>"
    )


def seconds(html: str, repeats: int) -> float:
    """Best of `repeats` extractions of `html` (garbage collected between them)."""
    from corpus.html.extract import extract

    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        extract(html)
        best = min(best, time.perf_counter() - start)
    return best


def html_linear(small: int = 100_000, factor: int = 10, repeats: int = 1) -> dict[str, float]:
    """Extraction time of a page of `small` elements and of one of `factor` times as many:
    {"html_linear": ratio, "small_s": ..., "large_s": ...}; linear is `factor`."""
    seconds(page(1_000), 1)  # warm-up: imports, patterns, trafilatura
    small_s = seconds(page(small), repeats)
    large_s = seconds(page(small * factor), repeats)
    return {"html_linear": large_s / small_s, "small_s": small_s, "large_s": large_s}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--small", type=int, default=100_000, help="elements of the smaller page")
    ap.add_argument("--factor", type=int, default=10, help="how many times larger the other is")
    ap.add_argument("--repeats", type=int, default=1, help="timed extractions of each page")
    ap.add_argument("--check", action="store_true", help=f"exit 1 when the ratio is over {TARGET}")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    found = html_linear(args.small, args.factor, args.repeats)
    print(
        f"{args.small:,} elements: {found['small_s']:.2f} s; {args.small * args.factor:,}: "
        f"{found['large_s']:.2f} s; ratio {found['html_linear']:.2f} (linear {args.factor}, "
        f"target <= {TARGET * args.factor / 10:.0f})"
    )
    print(
        f"RESULT html_linear={found['html_linear']:.2f} small_s={found['small_s']:.2f} "
        f"large_s={found['large_s']:.2f}"
    )
    return 1 if args.check and found["html_linear"] > TARGET * args.factor / 10 else 0


if __name__ == "__main__":
    sys.exit(main())
