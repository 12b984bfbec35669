"""`idcorpus evaluate` with the tiny real model: vendored sets, sacrebleu's own CLI as the
judge of our scores, comparisons, batch invariance, document level, calibration, errors."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import cli_env, read_rows, run_cli

from corpus.cli.commands import evaluate_config
from corpus.cli.main import build_parser, main
from corpus.errors import ConfigError, InputError, OutputError
from corpus.evaluate.calibrate import calibrate, spearman
from corpus.evaluate.metrics import corpus_scores
from corpus.evaluate.run import EvalConfig, evaluate
from corpus.evaluate.testsets import TESTSET_DIR, load_files, load_named, named_set, set_names
from translate.base import DecodingOptions, EngineConfig
from translate.options import from_args

# the fastest setting of the tiny model: CTranslate2 (int8 unless --compute-type), greedy
CT2 = ["--engine", "ctranslate2", "--device", "cpu", "--num-beams", "1", "--threads", "1", "-q"]
COUNTS = {
    "flores-devtest": 1012,
    "flores-dev": 997,
    "ntrex": 1997,
    "tico19": 2100,
    "tatoeba": 4289,
    "nusax": 400,
}


def ct2(model: str, **changes: Any) -> EngineConfig:
    settings: dict[str, Any] = dict(
        model=model, engine="ctranslate2", device="cpu", threads=1,
        decoding=DecodingOptions(num_beams=1),
    )  # fmt: skip
    settings.update(changes)
    return EngineConfig(**settings)


def sacrebleu_cli(ref: Path, hyp: Path, *args: str) -> list[dict[str, Any]]:
    """`python -m sacrebleu REF -i HYP ARGS -f json` in a subprocess: one dict per metric."""
    result = subprocess.run(
        [sys.executable, "-m", "sacrebleu", str(ref), "-i", str(hyp), "-w", "6", "-f", "json",
         *args],
        capture_output=True, text=True, env=cli_env(), timeout=120, check=True,
    )  # fmt: skip
    data = json.loads(result.stdout)
    return data if isinstance(data, list) else [data]


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")[:-1]


# vendored test sets -------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(COUNTS), ids=list(COUNTS))
def test_vendored_set_is_complete_aligned_and_attributed(name: str) -> None:
    info = named_set(name)
    registry = json.loads((TESTSET_DIR / "testsets.json").read_text(encoding="utf-8"))[name]
    for rel, sha in registry["sha256"].items():
        assert hashlib.sha256(gzip.decompress((TESTSET_DIR / rel).read_bytes())).hexdigest() == sha
    assert (TESTSET_DIR / registry["licence_file"]).stat().st_size > 500
    loaded = load_named(name)
    assert len(loaded) == len(loaded.reference) == info.lines == COUNTS[name]
    assert all(line.strip() for line in loaded.source)
    if info.docs is not None:
        assert loaded.doc_ids is not None and len(loaded.doc_ids) == COUNTS[name]
    assert (info.written_in == "id") == (name == "nusax")
    limited = load_named(name, limit=7)
    assert limited.source == loaded.source[:7] and limited.total_lines == COUNTS[name]


def test_named_set_documents_are_the_source_groups() -> None:
    flores, ntrex = load_named("flores-devtest"), load_named("ntrex")
    assert flores.doc_ids is not None and ntrex.doc_ids is not None
    assert len(set(flores.doc_ids)) == 281 and flores.doc_ids[0].startswith("https://")
    assert len(set(ntrex.doc_ids)) == 123 and ntrex.doc_ids[0] == "bbc.381790"


def test_list_sets_names_every_set_with_licence_and_direction(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["evaluate", "--list-sets"]) == 0
    out = capsys.readouterr().out
    for name in set_names():
        assert name in out
    assert "CC BY-SA 4.0" in out and "CC0 1.0" in out and "CC BY 2.0 FR" in out
    assert "written in Indonesian first" in out


def test_lines_are_read_as_sacrebleu_reads_them(tmp_path: Path) -> None:
    src, ref = tmp_path / "s.txt", tmp_path / "r.txt"
    src.write_bytes(b"\xef\xbb\xbfSatu  \r\nDua\xe2\x80\xa8tiga\x0cempat\n\nLima\n")
    ref.write_text("One \nTwo three four\n\nFive", encoding="utf-8")
    loaded = load_files(src, ref)
    assert loaded.source == ["Satu", "Dua tiga empat", "", "Lima"]
    assert loaded.reference == ["One", "Two three four", "", "Five"]


# scores equal sacrebleu's own command line -----------------------------------------------


@pytest.fixture(scope="module")
def all_sets(tiny_model: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """`idcorpus evaluate --set all --limit 24` in a real process."""
    out = tmp_path_factory.mktemp("evaluate") / "all"
    result = run_cli(
        "evaluate", "--set", "all", "--limit", "24", "--model", tiny_model, *CT2, "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    return out, result.stdout


@pytest.mark.parametrize("name", list(COUNTS), ids=list(COUNTS))
def test_every_set_scores_as_sacrebleu_cli_scores_the_written_files(
    all_sets: tuple[Path, str], name: str
) -> None:
    out, stdout = all_sets
    report = json.loads((out / name / "report.json").read_text(encoding="utf-8"))
    hyp, ref = out / name / "hypotheses.txt", out / name / "reference.txt"
    assert len(lines_of(hyp)) == len(lines_of(ref)) == report["lines"] == 24
    assert lines_of(ref) == load_named(name, limit=24).reference
    bleu, chrf = sacrebleu_cli(ref, hyp, "-m", "bleu", "chrf")
    assert report["bleu"] == pytest.approx(bleu["score"], abs=1e-6)
    assert report["chrf"] == pytest.approx(chrf["score"], abs=1e-6)
    assert report["signature"]["bleu"] == bleu["signature"]
    assert report["signature"]["chrf"] == chrf["signature"]
    assert report["signature"]["idcorpus"].startswith("idcorpus:0.1.0|model:tiny-model-")
    assert report["signature"]["idcorpus"] == report["provenance"]["signature"]
    assert report["missing"] == 0 and 0 < report["chrf"] < 100
    assert f"{name}: 24 lines (first 24 of {COUNTS[name]:,})" in stdout


def test_chrf_plus_and_segment_chrf_match_sacrebleu_cli(all_sets: tuple[Path, str]) -> None:
    folder = all_sets[0] / "flores-devtest"
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    hyp, ref = folder / "hypotheses.txt", folder / "reference.txt"
    (plus,) = sacrebleu_cli(ref, hyp, "-m", "chrf", "--chrf-word-order", "2")
    assert report["chrf_plus"] == pytest.approx(plus["score"], abs=1e-6)
    assert report["signature"]["chrf_plus"] == plus["signature"]
    per_line = subprocess.run(
        [sys.executable, "-m", "sacrebleu", str(ref), "-i", str(hyp), "-m", "chrf", "-w", "4",
         "--sentence-level"],
        capture_output=True, text=True, env=cli_env(), check=True,
    ).stdout.splitlines()  # fmt: skip
    with open(folder / "segments.tsv", encoding="utf-8", newline="") as fh:
        segments = list(csv.DictReader(fh, delimiter="\t"))
    assert [s["chrf"] for s in segments] == [line.rsplit("= ", 1)[1] for line in per_line]
    assert [s["hypothesis"] for s in segments] == lines_of(hyp)
    rows = read_rows(folder / "dataset")
    assert [r["line_no"] for r in rows] == list(range(1, 25))
    assert [float(s["score"]) for s in segments] == [r["score"] for r in rows]


def test_nusax_is_reported_separately_as_written_in_indonesian(
    all_sets: tuple[Path, str],
) -> None:
    out, stdout = all_sets
    heading = stdout.index("Written in Indonesian first")
    assert stdout.index("nusax: 24 lines") > heading
    for name in COUNTS.keys() - {"nusax"}:
        assert stdout.index(f"{name}: 24 lines") < heading
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert {r["set"]: r["written_in"] for r in report["runs"]}["nusax"] == "id"
    assert re.search(r"published \(real model\) +33\.4 +61\.2 +- ", stdout)


@pytest.mark.slow  # seconds of CPU: out of the inner loop
def test_reference_scored_against_itself_gives_100() -> None:
    for name in ("flores-devtest", "nusax"):
        reference = str(named_set(name).ref)
        result = evaluate(EvalConfig(sets=(name,), hypotheses=reference))
        (run,) = result.runs
        assert run.scores["bleu"] == pytest.approx(100.0)
        assert run.scores["chrf"] == pytest.approx(100.0)
        assert run.scores["chrf_plus"] == pytest.approx(100.0)
        assert set(run.scores.segment_chrf) == {100.0} and len(run.hypotheses) == COUNTS[name]


# comparisons and batch invariance ---------------------------------------------------------


def test_comparing_two_compute_types_prints_both_and_their_difference(
    tiny_model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["evaluate", "--set", "ntrex", "--limit", "40", "--model", tiny_model, *CT2,
            "--compute-type", "int8,float32", "--calibrate", "--out", str(tmp_path / "cmp")]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    report = json.loads((tmp_path / "cmp" / "report.json").read_text(encoding="utf-8"))
    int8, fp32 = report["runs"]
    assert (int8["setting"], fp32["setting"]) == ("compute-type=int8", "compute-type=float32")
    assert "engine:ctranslate2/int8/cpu" in int8["signature"]["idcorpus"]
    assert "engine:ctranslate2/float32/cpu" in fp32["signature"]["idcorpus"]
    table = {line.split()[0]: line.split()[1:4] for line in out.splitlines() if line.strip()}
    assert table["compute-type=int8"] == [f"{int8[m]:.2f}" for m in ("bleu", "chrf", "chrf_plus")]
    assert table["compute-type=float32"] == [f"{fp32[m]:.2f}" for m in ("bleu", "chrf", "chrf_plus")]  # fmt: skip
    assert table["difference"] == [
        f"{fp32[m] - int8[m]:+.2f}" for m in ("bleu", "chrf", "chrf_plus")
    ]
    assert "p-value" in table
    (comparison,) = report["comparisons"]
    chrf = comparison["metrics"]["chrf"]
    assert chrf["difference"] == pytest.approx(fp32["chrf"] - int8["chrf"])
    assert 0 < chrf["p_value"] <= 1 and comparison["resamples"] == 1000
    assert "bs:1000" in comparison["signature"]["chrf"]
    for run, name in ((int8, "compute-type-int8"), (fp32, "compute-type-float32")):
        assert len(lines_of(tmp_path / "cmp" / name / "hypotheses.txt")) == 40
        assert run["files"]["hypotheses"] == f"{name}/hypotheses.txt"
        calibration = run["calibration"]
        assert calibration["segments"] == 40
        assert [t["k"] for t in calibration["thresholds"]] == [5, 10, 20]  # 1% of 40: none
        cuts = [t["min_score"]["value"] for t in calibration["thresholds"]]
        assert cuts == sorted(cuts) and all(-20 < c <= 0 for c in cuts)
        drops = [t["min_score"]["drops"] for t in calibration["thresholds"]]
        assert all(0 < d <= m for d, m in zip(drops, (2, 4, 8), strict=True))
        assert "length_ratio" in calibration["thresholds"][0]
    assert "calibration on 40 segments" in out


def test_scores_do_not_depend_on_batch_size(tiny_model: str, tmp_path: Path) -> None:
    out = tmp_path / "batch"
    args = ["evaluate", "--set", "flores-devtest", "--limit", "60", "--model", tiny_model,
            "--engine", "ctranslate2", "--num-beams", "4", "--threads", "1", "-q",
            "--batch-tokens", "40,4096", "--no-cache", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    small, large = report["runs"]
    assert (small["setting"], large["setting"]) == ("batch-tokens=40", "batch-tokens=4096")
    hyps = [lines_of(out / name / "hypotheses.txt") for name in ("batch-tokens-40", "batch-tokens-4096")]  # fmt: skip
    assert hyps[0] == hyps[1] and len(set(hyps[0])) > 30
    for metric in ("bleu", "chrf", "chrf_plus"):
        assert small[metric] == large[metric]
        assert report["comparisons"][0]["metrics"][metric]["identical_output"] is True
    rows = [read_rows(out / name / "dataset") for name in ("batch-tokens-40", "batch-tokens-4096")]  # fmt: skip
    assert [r["score"] for r in rows[0]] == [r["score"] for r in rows[1]]
    assert small["signature"]["idcorpus"] == large["signature"]["idcorpus"]  # speed only


# alignment: every source line has its hypothesis line ------------------------------------


def test_lines_without_a_row_get_empty_hypotheses_in_place(tiny_model: str, tmp_path: Path) -> None:
    src, ref = tmp_path / "t.id", tmp_path / "t.en"
    src.write_text("Harga beras naik.\n\n\u200b\u200b\nKalimat satu\u2028kalimat dua.\n"
                   "Harga beras naik.\n", encoding="utf-8")  # fmt: skip
    ref.write_text("Rice prices rise.\n\n-\nSentence one, sentence two.\nRice prices rise.\n")
    result = evaluate(
        EvalConfig(
            settings=(ct2(tiny_model),), src=str(src), ref=str(ref), out=str(tmp_path / "o"),
            build={"quiet": True},
        )
    )  # fmt: skip
    (run,) = result.runs
    assert run.translated is not None and run.translated.missing == [2, 3]
    hyps = lines_of(tmp_path / "o" / "hypotheses.txt")
    assert len(hyps) == 5 and hyps[1] == hyps[2] == "" and hyps[0] == hyps[4] != ""
    assert hyps == run.hypotheses
    assert run.scores.values == corpus_scores(hyps, lines_of(ref)).values
    report = json.loads((tmp_path / "o" / "report.json").read_text(encoding="utf-8"))
    assert report["missing"] == 2 and report["missing_lines"] == [2, 3]
    assert lines_of(tmp_path / "o" / "source.txt")[3] == "Kalimat satu kalimat dua."


# document level ---------------------------------------------------------------------------


def test_document_level_check_scores_joined_documents(tiny_model: str, tmp_path: Path) -> None:
    src, ref, ids = tmp_path / "d.id", tmp_path / "d.en", tmp_path / "d.ids"
    source = ["Presiden meresmikan jembatan baru.", "Baca juga: Harga Cabai Naik Lagi",
              "Warga menyambut gembira.", "Hujan turun di Bogor. Banjir tidak terjadi.",
              "Sekolah libur."]  # fmt: skip
    src.write_text("\n".join(source) + "\n", encoding="utf-8")
    ref.write_text("The president opened a bridge.\nRead also: chili\nPeople cheered.\n"
                   "It rained in Bogor. No flood.\nSchools are closed.\n")  # fmt: skip
    ids.write_text("a\na\na\nb\nb\n")
    result = evaluate(
        EvalConfig(
            settings=(ct2(tiny_model),), src=str(src), ref=str(ref), doc_ids=str(ids),
            documents=True, out=str(tmp_path / "o"), build={"quiet": True},
        )
    )  # fmt: skip
    (run,) = result.runs
    docs = run.documents
    assert docs is not None and docs["documents"] == 2 and docs["lines"] == 5
    # the "Baca juga" line is cleaned away in the document build
    assert any(k.startswith("clean:") for k in docs["dropped"])
    assert docs["segments"] == 5  # 2 + 3: one line cleaned away, one line split in two
    folder = tmp_path / "o" / "documents"
    built, refs = lines_of(folder / "hypotheses.txt"), lines_of(folder / "reference.txt")
    assert refs[0] == "The president opened a bridge. Read also: chili People cheered."
    joined = lines_of(folder / "hypotheses_presplit.txt")
    assert joined[1] == f"{run.hypotheses[3]} {run.hypotheses[4]}"
    again = corpus_scores(built, refs)
    assert docs["chrf"] == again["chrf"] and docs["bleu"] == again["bleu"]
    assert docs["chrf_presplit"] == corpus_scores(joined, refs)["chrf"]
    with open(folder / "documents.tsv", encoding="utf-8", newline="") as fh:
        table = list(csv.DictReader(fh, delimiter="\t"))
    assert [(r["doc_id"], r["lines"], r["segments"]) for r in table] == [("a", "3", "2"), ("b", "2", "3")]  # fmt: skip
    rows = read_rows(folder / "dataset")
    assert "Baca juga" not in " ".join(r["translation"]["id"] for r in rows)


def test_document_level_check_on_named_sets(
    tiny_model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["evaluate", "--set", "ntrex,flores-dev,nusax", "--limit", "25", "--documents",
            "--model", tiny_model, *CT2, "--out", str(tmp_path / "o")]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    report = json.loads((tmp_path / "o" / "report.json").read_text(encoding="utf-8"))
    runs = {r["set"]: r for r in report["runs"]}
    assert runs["ntrex"]["documents"]["documents"] == len(set(load_named("ntrex", 25).doc_ids or []))  # fmt: skip
    flores_docs = set(load_named("flores-dev", 25).doc_ids or [])
    assert runs["flores-dev"]["documents"]["documents"] == len(flores_docs) > 3
    assert runs["nusax"]["documents"] is None  # no documents in NusaX
    assert out.count("\n  documents: ") == 2
    assert "note: --documents: this set has no document ids" in out.split("nusax: 25 lines")[1]


# calibration ------------------------------------------------------------------------------


def test_calibration_finds_the_threshold_of_an_informative_score() -> None:
    chrf = [float(i) for i in range(100)]
    hyps = [f"h {i}" for i in range(100)]
    good = calibrate(chrf, [c / 100 - 1 for c in chrf], [1.0] * 100, hyps, hyps)
    assert good["spearman_score_chrf"] == 1.0
    for t in good["thresholds"]:
        assert t["min_score"]["drops"] == t["k"] and t["min_score"]["worst_share"] == 1.0
        assert t["min_score"]["value"] == pytest.approx(t["k"] / 100 - 1)
        assert t["chrf_below"] == t["k"] - 1
    bad = calibrate(chrf, [-c / 100 for c in chrf], [1.0] * 100, hyps, hyps)
    assert bad["spearman_score_chrf"] == -1.0
    assert all(t["min_score"]["worst_share"] == 0.0 for t in bad["thresholds"])
    # the worst segments have implausible length ratios at both ends
    ratios = [0.1 if i % 2 else 9.0 for i in range(20)] + [1.0 + i / 1000 for i in range(80)]
    lengths = calibrate(chrf, [-1.0] * 100, ratios, hyps, hyps)
    by_k = {t["k"]: t["length_ratio"] for t in lengths["thresholds"]}
    assert by_k[20]["worst_share"] == 1.0 and by_k[20]["drops"] == 20
    assert by_k[20]["min"] == 1.0 and by_k[20]["max"] == pytest.approx(1.079)
    assert all(t["min_score"]["drops"] == 0 for t in lengths["thresholds"])  # constant score


def test_spearman_with_ties_and_constant_input() -> None:
    assert spearman([1, 2, 2, 3], [10, 20, 20, 30]) == 1.0
    assert spearman([1, 1, 1], [1, 2, 3]) is None
    assert spearman([1, 2], [2, 1]) is None


# flags ------------------------------------------------------------------------------------


def test_engine_flags_are_declared_once_for_build_and_evaluate() -> None:
    parser = build_parser()
    built = from_args(EngineConfig, parser.parse_args(
        ["build", "x", "--out", "o", "--compute-type", "int8", "--num-beams", "2"]))  # fmt: skip
    assert (built.compute_type, built.decoding.num_beams, built.engine) == ("int8", 2, "auto")
    ev = evaluate_config(parser.parse_args(
        ["evaluate", "--set", "nusax", "--compute-type", "int8,float32", "--engine", "ctranslate2",
         "--num-beams", "1,4,1"]))  # fmt: skip
    assert ev.labels == ("compute-type=int8,num-beams=1", "compute-type=int8,num-beams=4",
                         "compute-type=float32,num-beams=1", "compute-type=float32,num-beams=4")  # fmt: skip
    assert [(s.compute_type, s.decoding.num_beams, s.engine) for s in ev.settings] == [
        ("int8", 1, "ctranslate2"), ("int8", 4, "ctranslate2"), ("float32", 1, "ctranslate2"),
        ("float32", 4, "ctranslate2")]  # fmt: skip
    assert evaluate_config(parser.parse_args(["evaluate", "--set", "nusax"])).labels == ("",)


@pytest.mark.parametrize("command", ["build", "evaluate"])
def test_help_lists_each_engine_flag_once(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    help_text = capsys.readouterr().out
    assert "model, engine and decoding" in help_text
    for flag in ("--model", "--engine", "--compute-type", "--num-beams", "--batch-tokens",
                 "--max-tokens", "--threads", "--device", "--revision", "--no-cache"):  # fmt: skip
        assert len(re.findall(rf"^  {flag}\b(?!-)", help_text, flags=re.M)) == 1, flag


# errors -----------------------------------------------------------------------------------


def _two_files(tmp_path: Path, src_lines: int, ref_lines: int) -> tuple[Path, Path]:
    src, ref = tmp_path / "test.id", tmp_path / "test.en"
    src.write_text("".join(f"Kalimat {i}.\n" for i in range(src_lines)), encoding="utf-8")
    ref.write_text("".join(f"Sentence {i}.\n" for i in range(ref_lines)), encoding="utf-8")
    return src, ref


def test_mismatched_line_counts_exit_2_naming_files_and_counts(tmp_path: Path) -> None:
    src, ref = _two_files(tmp_path, 3, 2)
    result = run_cli("evaluate", "--src", str(src), "--ref", str(ref), "--model", "/nowhere")
    assert result.returncode == 2
    assert f"{src} has 3 lines, {ref} has 2" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            "unknown_set",
            r"unknown test set 'flores'; choose one of: flores-devtest, flores-dev, ntrex, tico19, tatoeba, nusax",
        ),  # fmt: skip
        ("missing_src", r"missing\.id: no such file"),
        ("not_utf8", r"latin1\.id: not UTF-8 text \(line 2\)"),
        ("empty_ref", r"empty\.en is empty"),
        ("doc_ids_count", r"test\.id has 3 lines, .*ids\.txt has 1;"),
        ("hypotheses_count", r"hyp\.txt has 2 lines, .*test\.id has 3; --hypotheses needs"),
        ("src_without_ref", r"--src and --ref go together"),
        ("set_and_src", r"give either --set or --src/--ref, not both"),
        ("nothing", r"name a test set with --set NAME \(see --list-sets\) or give your own"),
        ("limit", r"--limit must be >= 1"),
        ("out_exists", r"already exists: pass --overwrite"),
        ("overwrite_other", r"is not the output of idcorpus evaluate"),
        ("hypotheses_compare", r"cannot be combined with several settings"),
        (
            "engine_compute",
            r"setting engine=transformers: the transformers engine has no compute type 'int8'; choose one of: auto, float32",
        ),  # fmt: skip
    ],
)
def test_user_errors_exit_2_with_a_message(
    case: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, ref = _two_files(tmp_path, 3, 3)
    (tmp_path / "latin1.id").write_bytes(b"Satu\nCaf\xe9\n")
    (tmp_path / "empty.en").write_text("")
    (tmp_path / "ids.txt").write_text("a\n")
    (tmp_path / "hyp.txt").write_text("x\ny\n")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    pair = ["--src", str(src), "--ref", str(ref)]
    args = {
        "unknown_set": ["--set", "nusax,flores"],
        "missing_src": ["--src", str(tmp_path / "missing.id"), "--ref", str(ref)],
        "not_utf8": ["--src", str(tmp_path / "latin1.id"), "--ref", str(tmp_path / "latin1.id")],
        "empty_ref": ["--src", str(src), "--ref", str(tmp_path / "empty.en")],
        "doc_ids_count": [*pair, "--doc-ids", str(tmp_path / "ids.txt")],
        "hypotheses_count": [*pair, "--hypotheses", str(tmp_path / "hyp.txt")],
        "src_without_ref": ["--src", str(src)],
        "set_and_src": ["--set", "nusax", *pair],
        "nothing": [],
        "limit": ["--set", "nusax", "--limit", "0"],
        "out_exists": [*pair, "--out", str(tmp_path / "full")],
        "overwrite_other": [*pair, "--out", str(tmp_path / "full"), "--overwrite"],
        "hypotheses_compare": [*pair, "--hypotheses", str(src), "--compute-type", "int8,float32"],
        "no_model": ["--set", "nusax", "--limit", "2"],
        "engine_compute": [*pair, "--engine", "transformers,ctranslate2", "--compute-type", "int8"],
    }[case]
    assert main(["evaluate", *args, "--model", str(tmp_path / "no-model"), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("idcorpus: error: ") and "Traceback" not in err
    assert re.search(expected, err), err
    assert (tmp_path / "full" / "notes.txt").read_text() == "mine"


def test_bad_flag_values_are_argparse_errors(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--engine", "ctranslate2,marian"], ["--num-beams", "1,x"], ["--limit", "x"]):
        with pytest.raises(SystemExit) as exit_info:
            main(["evaluate", "--set", "nusax", *args])
        assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice 'marian'" in err and "'x' is not a valid int" in err


def test_overwrite_replaces_an_earlier_evaluation(tmp_path: Path) -> None:
    out = tmp_path / "o"
    reference = str(named_set("nusax").ref)
    first = EvalConfig(sets=("nusax",), hypotheses=reference, limit=5, out=str(out))
    evaluate(first)
    (out / "stale.txt").write_text("old")
    with pytest.raises(OutputError, match="already exists"):
        evaluate(first)
    again = EvalConfig(sets=("nusax",), hypotheses=reference, limit=5, out=str(out), overwrite=True)  # fmt: skip
    evaluate(again)
    assert not (out / "stale.txt").exists()
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["lines"] == 5 and report["complete"] is True
    # an evaluation that stopped half-way (no scores written) is still replaced by --overwrite
    (out / "report.json").write_text('{"complete": false, "runs": []}\n')
    (out / "hypotheses.txt").unlink()
    evaluate(again)
    assert (out / "hypotheses.txt").is_file()


def test_config_errors_in_the_python_api(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="one distinct label per setting"):
        EvalConfig(sets=("nusax",), settings=(EngineConfig(), EngineConfig()), labels=("a", "a"))
    with pytest.raises(ConfigError, match="--doc-ids goes with --src"):
        EvalConfig(sets=("ntrex",), doc_ids="x")
    src, ref = _two_files(tmp_path, 4, 4)
    hyp = tmp_path / "hyp.txt"
    hyp.write_text("a\nb\nc\n")
    with pytest.raises(InputError, match=r"hyp\.txt has 3 lines, .*test\.id has 4 \(2 with --limit\)"):  # fmt: skip
        evaluate(EvalConfig(src=str(src), ref=str(ref), hypotheses=str(hyp), limit=2))
    hyp.write_text("a\nb\n")  # the --limit lines alone are taken as they are
    assert evaluate(EvalConfig(src=str(src), ref=str(ref), hypotheses=str(hyp), limit=2)).runs


def test_missing_sacrebleu_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "sacrebleu", None)
    reference = str(named_set("nusax").ref)
    assert main(["evaluate", "--set", "nusax", "--hypotheses", reference]) == 2
    assert 'pip install "idcorpus[eval]"' in capsys.readouterr().err
