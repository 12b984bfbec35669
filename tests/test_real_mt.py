"""Real system outputs on FLORES, scored by `evaluate --hypotheses`: every published score is
reproduced (BLEU to its published 1 decimal, and BLEU/chrF to 5 decimals as sacrebleu 2.3.1
printed them for the same files). The OPUS-MT-leaderboard outputs, which have no licence and
are not in this repository, are checked the same way by scripts/check_leaderboard.py where
../shared/data/real_mt is present: a test that needs files a clone lacks would be skipped."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from corpus.evaluate.run import EvalConfig, evaluate

# each test scores a whole FLORES set with sacrebleu (about 2 s of CPU): out of the inner loop
pytestmark = pytest.mark.slow

HERE = Path(__file__).parent / "data" / "real_mt"

# file (under tests/data/real_mt), set, BLEU and chrF as reproduced with sacrebleu 2.3.1
FIREFOX = [
    ("firefox_id-en/opusmt/flores-dev.opusmt.en", 35.09802, 61.88311),
    ("firefox_id-en/opusmt/flores-test.opusmt.en", 33.42375, 61.24091),
    ("firefox_id-en/nllb/flores-dev.nllb.en", 39.23426, 64.23970),
    ("firefox_id-en/nllb/flores-test.nllb.en", 38.65429, 63.77238),
    ("firefox_id-en/bergamot-tiny/flores-dev.bergamot-tiny.en", 39.46533, 65.66800),
    ("firefox_id-en/bergamot-tiny/flores-test.bergamot-tiny.en", 38.60001, 65.55379),
    ("firefox_id-en/argos/flores-dev.argos.en", 29.53975, 58.56460),
    ("firefox_id-en/argos/flores-test.argos.en", 28.52005, 58.11663),
    ("firefox_id-en/google/flores-dev.google.en", 47.47708, 71.19252),
    ("firefox_id-en/google/flores-test.google.en", 47.96757, 71.39859),
    ("firefox_id-en/microsoft/flores-dev.microsoft.en", 46.99099, 70.15090),
    ("firefox_id-en/microsoft/flores-test.microsoft.en", 46.96160, 70.10061),
    ("firefox_ms-en/nllb/flores-dev.nllb.en", 38.42211, 62.72677),
    ("firefox_ms-en/nllb/flores-test.nllb.en", 36.94394, 61.63700),
    ("firefox_ms-en/bergamot-tiny/flores-dev.bergamot-tiny.en", 41.03903, 66.14512),
    ("firefox_ms-en/bergamot-tiny/flores-test.bergamot-tiny.en", 38.76007, 65.04222),
    ("firefox_ms-en/google/flores-dev.google.en", 50.80468, 72.98790),
    ("firefox_ms-en/google/flores-test.google.en", 49.82338, 72.09974),
    ("firefox_ms-en/microsoft/flores-dev.microsoft.en", 48.10255, 70.48612),
    ("firefox_ms-en/microsoft/flores-test.microsoft.en", 46.52137, 69.69908),
]


def flores_set(name: str) -> str:
    return "flores-dev" if "flores-dev." in name or "-dev." in name else "flores-devtest"


def score(hypotheses: Path, testset: str, out: Path | None = None) -> dict[str, object]:
    result = evaluate(EvalConfig(sets=(testset,), hypotheses=str(hypotheses), out=out and str(out)))
    return result.runs[0].to_dict()


@pytest.mark.parametrize(("name", "bleu", "chrf"), FIREFOX, ids=[f[0] for f in FIREFOX])
def test_vendored_outputs_reproduce_their_published_scores(
    name: str, bleu: float, chrf: float, tmp_path: Path
) -> None:
    plain = tmp_path / Path(name).name
    plain.write_bytes(gzip.decompress((HERE / f"{name}.gz").read_bytes()))
    published = float((HERE / f"{name}.bleu").read_text().strip())
    report = score(plain, flores_set(name))
    assert round(report["bleu"], 1) == published  # type: ignore[call-overload]
    assert report["bleu"] == pytest.approx(bleu, abs=5e-6)
    assert report["chrf"] == pytest.approx(chrf, abs=5e-6)
    assert report["missing"] == 0


def test_report_names_no_folder_of_the_machine(tmp_path: Path) -> None:
    name = FIREFOX[1][0]
    hypotheses = tmp_path / "inputs" / Path(name).name
    hypotheses.parent.mkdir()
    hypotheses.write_bytes(gzip.decompress((HERE / f"{name}.gz").read_bytes()))
    score(hypotheses.resolve(), "flores-devtest", tmp_path / "eval")
    text = (tmp_path / "eval" / "report.json").read_text(encoding="utf-8")
    assert str(tmp_path) not in text
    assert json.loads(text)["hypotheses_from"] == hypotheses.name
