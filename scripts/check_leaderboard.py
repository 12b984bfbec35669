"""Reproduce the published figures of the OPUS-MT-leaderboard outputs on FLORES with
`idcorpus evaluate --hypotheses`: BLEU (to its published decimal), the four n-gram precisions,
hyp_len and chrF (5 decimals).

These outputs have no licence, so they are not in this repository (tests/test_real_mt.py checks
the vendored Firefox Translations outputs the same way); they are read from the shared data
folder beside the checkout.

    python scripts/check_leaderboard.py                 # ../shared/data/real_mt
    python scripts/check_leaderboard.py --data DIR
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus.evaluate.run import EvalConfig, evaluate  # noqa: E402

# OPUS-MT-leaderboard outputs (not committed: no licence), with their published .eval figures:
# BLEU, the four n-gram precisions, hyp_len, chrF (0-1 scale, 5 decimals)
LEADERBOARD = [
    ("leaderboard_id-en_opus-2019-12-18/flores101-devtest.ind-eng.output", "flores-devtest",
     33.4, "66.0/40.7/27.4/18.9", 24004, 0.61210),
    ("leaderboard_msa-eng_opus+bt-2021-04-30/flores200-dev.ind-eng.output", "flores-dev",
     40.0, "69.5/46.6/33.6/24.7", 23289, 0.65329),
    ("leaderboard_msa-eng_opus+bt-2021-04-30/flores200-devtest.ind-eng.output", "flores-devtest",
     38.6, "68.8/45.3/32.2/23.4", 24370, 0.64742),
    ("leaderboard_msa-eng_opus+bt-2021-04-30/flores200-dev.zsm-eng.output", "flores-dev",
     38.1, "68.7/45.2/31.8/22.8", 23145, 0.63107),
    ("leaderboard_msa-eng_opus+bt-2021-04-30/flores200-devtest.msa-eng.output", "flores-devtest",
     36.2, "67.4/43.2/29.9/21.2", 24274, 0.61985),
]  # fmt: skip


def check(data: Path) -> list[str]:
    """The figures that differ from the published ones (empty: all reproduced)."""
    wrong = []
    for name, testset, bleu, precisions, hyp_len, chrf in LEADERBOARD:
        result = evaluate(EvalConfig(sets=(testset,), hypotheses=str(data / name)))
        report = result.runs[0].to_dict()
        line = str(report["sacrebleu"]["bleu"])
        found = (round(report["bleu"], 1), precisions in line, f"hyp_len = {hyp_len}" in line,
                 round(report["chrf"] / 100, 5))  # fmt: skip
        ok = found == (bleu, True, True, chrf)
        print(f"{'ok   ' if ok else 'WRONG'} {name}: BLEU {found[0]} chrF {found[3]}")
        if not ok:
            wrong.append(name)
    return wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=ROOT.parent / "shared" / "data" / "real_mt",
        help="folder holding the leaderboard_* folders (default: ../shared/data/real_mt)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"check_leaderboard: {args.data} does not exist", file=sys.stderr)
        return 2
    wrong = check(args.data)
    print(f"RESULT reproduced={len(LEADERBOARD) - len(wrong)}/{len(LEADERBOARD)}")
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
