#!/usr/bin/env python3
"""How well the default filter catches bad pairs: real FLORES outputs, corrupted by kind.

Clean pairs: the FLORES-200 dev and devtest Indonesian sources with the real outputs of six
id->en systems (opus-mt-id-en, NLLB-600M, Firefox's bergamot-tiny, Argos, Google, Microsoft;
vendored in tests/data/real_mt). Each kind of corruption is applied to every clean pair it
applies to (changed numbers: pairs whose output has a number in digits), the pair's signals
are computed from the (source, translation) text alone (`compute_signals_batch`; the model's
score is unknown, so the score rule passes every row), and the default filter
(`FilterConfig()`, deduplication off so that six systems' identical outputs are not counted
as drops) is applied. Printed: per kind, the share of corrupted pairs removed and the rule
that removed them; the share of clean pairs removed; a RESULT line.

Kinds a model-free check can see (acceptance: >= 95% removed each, <= 2% of clean removed):
untranslated (the source copied), wrong language (the output replaced by the FLORES Malay or
Javanese sentence, or the source replaced by its English reference), repetition (the output
followed by a loop of its last words), changed numbers (one number in digits changed),
truncation (the output cut to its first third). Kinds that need the model's score, reported
for the record: misaligned (the output of another line), dropped clause (the output's longest
comma clause removed). Boilerplate units (`Baca juga: ...`, bylines) reach the filter only
when the cleaner let them through; the figure says what the filter alone would do.

    python scripts/bench_signals.py
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import os
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("IDCORPUS_SHARED_DATA", ROOT.parent / "shared" / "data"))

from corpus.dataset.filter import FilterConfig, RowFilter  # noqa: E402
from corpus.signals.quality import compute_signals_batch  # noqa: E402
from translate.base import Translation  # noqa: E402
from translate.robust import is_degenerate  # noqa: E402

SYSTEMS = ("opusmt", "nllb", "bergamot-tiny", "argos", "google", "microsoft")
TESTSETS = ROOT / "corpus" / "data" / "testsets" / "flores"
REAL_MT = ROOT / "tests" / "data" / "real_mt" / "firefox_id-en"
MODEL_FREE = ("untranslated", "wrong_lang_tgt_ms", "wrong_lang_tgt_jv", "wrong_lang_src_en",
              "repetition", "changed_number", "truncated")  # fmt: skip
NEEDS_SCORE = ("misaligned", "dropped_clause")
BOILERPLATE = [
    ("Baca juga: Harga cabai naik jelang Lebaran", "Read also: Chili prices rise ahead of Eid"),
    ("Simak berita lainnya di Google News.", "Check out other news on Google News."),
    ("Penulis: Budi Santoso | Editor: Ani Lestari", "Author: Budi Santoso | Editor: Ani Lestari"),
    ("Artikel ini telah tayang di Kompas.com dengan judul berikut.", "This article has aired on Kompas.com with the following title."),
    ("Lihat juga video pilihan di bawah ini.", "See also the selected videos below."),
    ("Ikuti kami di Instagram dan Twitter.", "Follow us on Instagram and Twitter."),
]  # fmt: skip

Pair = tuple[str, str]


def read_gz(path: Path) -> list[str]:
    return gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()


def flores(lang: str, split: str) -> list[str]:
    """A FLORES file: ind/eng from the vendored test sets, others from ../shared."""
    vendored = TESTSETS / f"{lang}.{split}.gz"
    if vendored.is_file():
        return read_gz(vendored)
    path = SHARED / "flores" / f"{lang}.{split}"
    if not path.is_file():
        sys.exit(f"bench_signals: {path} not found; set IDCORPUS_SHARED_DATA")
    return path.read_text(encoding="utf-8").splitlines()


def clean_pairs() -> list[tuple[Pair, int, str]]:
    """(source, output), its FLORES line and split, for every system and split."""
    pairs = []
    for split, name in (("dev", "dev"), ("devtest", "test")):
        sources = flores("ind_Latn", split)
        for system in SYSTEMS:
            outputs = read_gz(REAL_MT / system / f"flores-{name}.{system}.en.gz")
            pairs += [
                ((s, t), i, split) for i, (s, t) in enumerate(zip(sources, outputs, strict=True))
            ]
    return pairs


_NUMBER = re.compile(r"(?<![\d.,:#])\d+(?:[.,:]\d+)*")


def change_number(text: str, rng: random.Random) -> str | None:
    """One number token with one digit changed (its format kept): 6,500 -> 6,700."""
    found = list(_NUMBER.finditer(text))
    if not found:
        return None
    m = rng.choice(found)
    digits = [i for i, ch in enumerate(m.group()) if ch.isdigit()]
    at = rng.choice(digits)
    old = int(m.group()[at])
    new = rng.choice([d for d in range(1 if at == digits[0] else 0, 10) if d != old])
    token = m.group()[:at] + str(new) + m.group()[at + 1 :]
    return text[: m.start()] + token + text[m.end() :]


def corrupt(kind: str, pair: Pair, line: int, split: str, rng: random.Random) -> Pair | None:
    source, target = pair
    words = target.split()
    if kind == "untranslated":
        return source, source
    if kind == "wrong_lang_tgt_ms":
        return source, flores("zsm_Latn", split)[line]
    if kind == "wrong_lang_tgt_jv":
        return source, flores("jav_Latn", split)[line]
    if kind == "wrong_lang_src_en":
        return flores("eng_Latn", split)[line], target
    if kind == "repetition":
        loop = " ".join(words[-4:])
        return source, " ".join([target, *[loop] * 6])
    if kind == "changed_number":
        changed = change_number(target, rng)
        return None if changed is None else (source, changed)
    if kind == "truncated":
        return None if len(words) < 6 else (source, " ".join(words[: max(1, len(words) // 3)]))
    if kind == "misaligned":
        others = flores("ind_Latn", split)
        return others[(line + 1) % len(others)], target
    if kind == "dropped_clause":
        clauses = target.split(", ")
        if len(clauses) < 2:
            return None
        longest = max(range(len(clauses)), key=lambda i: len(clauses[i]))
        return source, ", ".join(c for i, c in enumerate(clauses) if i != longest)
    raise ValueError(kind)


def rows(pairs: Sequence[Pair]) -> list[dict[str, Any]]:
    """Dataset rows of the pairs: signals from the text alone, score unknown (0.0)."""
    translations = []
    for source, target in pairs:
        t = Translation(target, 0.0, tokens=len(target.split()))
        translations.append(dataclasses.replace(t, degenerate=is_degenerate(source, t)))
    signals = compute_signals_batch([s for s, _ in pairs], translations)
    return [{"translation": {"id": s, "en": t}, "score": 0.0, **sig}
            for (s, t), sig in zip(pairs, signals, strict=True)]  # fmt: skip


def removed(pairs: Sequence[Pair], config: FilterConfig) -> tuple[float, Counter[str]]:
    """Share of the pairs the filter removes, and the rules that removed them."""
    filt = RowFilter(config)
    kept = sum(filt.keep(row) for row in rows(pairs))
    counts = Counter({k: v for k, v in filt.report.dropped.items() if v})
    return 1 - kept / max(len(pairs), 1), counts


def table(config: FilterConfig, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    clean = clean_pairs()
    figures: dict[str, float] = {}
    share, rules = removed([p for p, _, _ in clean], config)
    figures["clean"] = share
    print(f"{'kind':22s} {'pairs':>6s} {'removed':>8s}  by rule")
    print(f"{'clean (real outputs)':22s} {len(clean):6d} {share:8.2%}  {fmt(rules)}")
    corrupt_kinds: list[tuple[str, Callable[[], list[Pair]]]] = [
        (kind, lambda kind=kind: [c for p, i, s in clean if (c := corrupt(kind, p, i, s, rng))])
        for kind in (*MODEL_FREE, *NEEDS_SCORE)
    ]
    corrupt_kinds.append(("boilerplate", lambda: list(BOILERPLATE)))
    for kind, make in corrupt_kinds:
        pairs = make()
        share, rules = removed(pairs, config)
        figures[kind] = share
        note = "  (needs the model's score)" if kind in NEEDS_SCORE else ""
        print(f"{kind:22s} {len(pairs):6d} {share:8.2%}  {fmt(rules)}{note}")
    return figures


def fmt(rules: Counter[str]) -> str:
    return ", ".join(f"{rule} {n}" for rule, n in rules.most_common()) or "-"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--seed", type=int, default=0, help="which number is changed (default 0)")
    args = ap.parse_args(argv)
    config = dataclasses.replace(FilterConfig(), dedup="none")
    print(f"default filter: {config}\n")
    figures = table(config, args.seed)
    worst = min(figures[k] for k in MODEL_FREE)
    parts = " ".join(f"{k}={figures[k]:.3f}" for k in (*MODEL_FREE, *NEEDS_SCORE, "boilerplate"))
    print(f"\nRESULT clean_removed={figures['clean']:.4f} model_free_min={worst:.3f} {parts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
