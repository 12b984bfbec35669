#!/usr/bin/env python3
"""What cleaning and segmentation take from clean text: every drop here is a false drop.

The Indonesian side of the reference test sets (FLORES-200 dev + devtest, NTREX-128, TICO-19,
NusaX; ../shared/data) is edited translation, not web pages: no menus, no bylines, no junk.
Cleaned in documents of `--doc-lines` sentences (one paragraph each, as an article), every
line or fragment the cleaner drops is a sentence lost, except an exact repeat inside a
document (`duplicate_in_doc`, `repeated_in_doc`: the sets do repeat a few sentences). Each
sentence is also segmented alone: a split whose first piece ends without punctuation is a
guessed boundary inside one sentence (punctuated splits are mostly real: FLORES lines hold
several sentences). Tatoeba is left out: its conversational lines ("Keluar!") are printed
for a look with --show but not counted.

    .venv/bin/python scripts/bench_reference_text.py [--show]

Ends with `RESULT dropped=N/M unmarked_splits=K/M`. Today 2 drops, both NTREX lines that
start "Saksikan: …" ("Watch: …"), which on a news page are video teasers and go on purpose.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
REPEATS = {"duplicate_in_doc", "repeated_in_doc"}
PUNCTUATED = ".!?…\"”')»:"
SETS = {
    "flores": ["flores/ind_Latn.dev", "flores/ind_Latn.devtest"],
    "ntrex": ["ntrex128/newstest2019-ref.ind.txt"],
    "tico19": ["tico19/tico19-test.ind"],
    "nusax": ["nusax/nusax_mt_train.id-en.tsv", "nusax/nusax_mt_valid.id-en.tsv",
              "nusax/nusax_mt_test.id-en.tsv"],
    "tatoeba (not counted)": ["tatoeba/tatoeba-test-v2021-08-07.ind"],
}  # fmt: skip


def sentences(path: Path) -> Iterator[str]:
    """The Indonesian sentences of one file (NusaX: the `indonesian` column)."""
    with path.open(encoding="utf-8", newline="") as f:
        if path.suffix == ".tsv":
            for row in csv.DictReader(f, delimiter="\t"):
                yield row["indonesian"].strip()
        else:
            yield from (line.strip() for line in f)


def score(lines: list[str], doc_lines: int) -> tuple[Counter[str], list[str], list[str]]:
    """Drops by reason (repeats apart), the texts dropped, and the unmarked splits."""
    from corpus.clean.cleaner import Cleaner
    from corpus.clean.config import CleanConfig
    from corpus.segment.sentences import split_sentences

    cleaner = Cleaner(CleanConfig(cross_doc_min_docs=0))
    reasons: Counter[str] = Counter()
    dropped: list[str] = []
    for i in range(0, len(lines), doc_lines):
        for d in cleaner.clean("\n\n".join(lines[i : i + doc_lines])).dropped:
            if d.reason not in REPEATS:
                reasons[d.reason] += 1
                dropped.append(f"[{d.reason}] {d.text}")
    unmarked = []
    for line in lines:
        parts = split_sentences(line)
        for a, b in zip(parts, parts[1:], strict=False):
            if a.rstrip()[-1] not in PUNCTUATED:
                unmarked.append(f"{a[-50:]} ‖ {b[:50]}")
    return reasons, dropped, unmarked


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    ap.add_argument("--doc-lines", type=int, default=20, help="sentences per document")
    ap.add_argument("--show", action="store_true", help="print what was dropped or split")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    total = drops = splits = 0
    for name, files in SETS.items():
        lines = [s for f in files for s in sentences(args.data / f) if s]
        reasons, dropped, unmarked = score(lines, args.doc_lines)
        print(f"{name:22} {len(lines):6} sentences  dropped {len(dropped):3} {dict(reasons)}"
              f"  unmarked splits {len(unmarked)}")  # fmt: skip
        if args.show:
            for text in dropped + unmarked:
                print(f"    {text[:120]}")
        if "not counted" not in name:
            total, drops, splits = total + len(lines), drops + len(dropped), splits + len(unmarked)
    print(f"RESULT dropped={drops}/{total} unmarked_splits={splits}/{total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
