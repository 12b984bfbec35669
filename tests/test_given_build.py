"""Builds from given translations (issue 22.1): `idcorpus build SRC --presplit --target TGT`
and `--target-field`: one row per line or record, in order, the English untouched; score null
without --model (no model loaded), the model's forced score with one (both engines); empty
sides dropped with their reason; the line-count check; filter, card and report on the result.
The FLORES devtest build pairs the package's vendored source with the vendored Firefox
opus-mt output (tests/data/real_mt, MPL-2.0)."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import pytest
from helpers import read_rows, run_cli

from corpus.errors import ConfigError, InputError
from corpus.pipeline.config import BuildConfig
from corpus.pipeline.run import build
from corpus.read.config import ReadConfig
from translate.base import DecodingOptions, EngineConfig

REPO = Path(__file__).resolve().parents[1]
FLORES_ID = REPO / "corpus/data/testsets/flores/ind_Latn.devtest.gz"
FLORES_EN = REPO / "tests/data/real_mt/firefox_id-en/opusmt/flores-test.opusmt.en.gz"

SOURCE = [
    "Halo dunia.",
    "",
    "Presiden meresmikan jalan tol baru.",
    "Sumber: Xinhua",
    "Terima kasih.",
]
ENGLISH = [
    "Hello world.  ",
    "Blank source.",
    "The president opened a new toll road.",
    " ",
    "Thanks!",
]


def _lines(path: Path) -> list[str]:
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").split("\n")
    return lines[:-1] if lines[-1] == "" else lines


def _pair(tmp_path: Path) -> tuple[str, str]:
    src, tgt = tmp_path / "id.txt", tmp_path / "en.txt"
    src.write_text("\n".join(SOURCE) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(ENGLISH) + "\n", encoding="utf-8")
    return str(src), str(tgt)


def _meta(out: Path) -> dict:
    return json.loads((out / "idcorpus.json").read_text(encoding="utf-8"))


def test_flores_devtest_with_real_output_one_row_per_line_in_order(tmp_path: Path) -> None:
    out = tmp_path / "flores"
    config = BuildConfig(inputs=(str(FLORES_ID),), out=str(out), quiet=True,
                         read=ReadConfig(presplit=True, target=str(FLORES_EN)))  # fmt: skip
    summary = build(config)
    english = _lines(FLORES_EN)
    rows = read_rows(out)
    assert len(english) == 1012 and summary.pairs_written == 1012
    assert [r["line_no"] for r in rows] == list(range(1, 1013))
    assert [r["translation"]["en"] for r in rows] == english  # every line, byte for byte
    assert all(r["score"] is None for r in rows)
    assert {r["src_lang"] for r in rows} >= {"id"} and all(r["tgt_lang"] for r in rows)
    assert sum(r["tgt_lang"] == "en" for r in rows) > 1000
    assert all(r["length_ratio_chars"] > 0 for r in rows)
    prov = _meta(out)["provenance"]
    assert prov["translator"]["engine"] == "none" and prov["translator"]["translations"] == "given"
    assert prov["build"]["read"]["target"] == FLORES_EN.name  # a name, never a path
    assert str(tmp_path) not in (out / "README.md").read_text(encoding="utf-8")
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "## Given translations" in card and "`score` is null in every row" in card
    signature = prov["signature"]
    assert signature.startswith("idcorpus:") and "|translations:given|seg:" in signature
    assert "model:" not in signature and "engine:" not in signature


def test_text_pair_drops_empty_sides_and_needs_no_model(tmp_path: Path) -> None:
    src, tgt = _pair(tmp_path)
    out = tmp_path / "out"
    config = BuildConfig(inputs=(src,), out=str(out), quiet=True,  # no model anywhere
                         engine=EngineConfig(cache_dir=str(tmp_path / "none")),
                         read=ReadConfig(presplit=True, target=tgt))  # fmt: skip
    summary = build(config)
    rows = read_rows(out)
    assert [(r["line_no"], r["translation"]["id"], r["translation"]["en"]) for r in rows] == [
        (1, SOURCE[0], ENGLISH[0]), (3, SOURCE[2], ENGLISH[2]), (5, SOURCE[4], ENGLISH[4]),
    ]  # fmt: skip
    assert summary.report.dropped == {"read:empty_source": 1, "read:empty_target": 1}
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "read:empty\\_source | 1" in card or "read:empty_source | 1" in card


@pytest.mark.parametrize("engine", ["transformers", "ctranslate2"])
def test_named_model_scores_the_given_english(tiny_model: str, tmp_path: Path, engine: str) -> None:
    src, tgt = _pair(tmp_path)
    settings = EngineConfig(model=tiny_model, engine=engine, device="cpu", threads=1,
                            compute_type="float32", cache_dir=str(tmp_path / "cache"),
                            decoding=DecodingOptions(num_beams=1))  # fmt: skip
    out = tmp_path / "out"
    build(BuildConfig(inputs=(src,), out=str(out), quiet=True, engine=settings,
                      read=ReadConfig(presplit=True, target=tgt)))  # fmt: skip
    rows = read_rows(out)
    assert [r["translation"]["en"] for r in rows] == [ENGLISH[0], ENGLISH[2], ENGLISH[4]]
    from translate.load import load_engine

    expected = load_engine(settings).score([SOURCE[0], SOURCE[2], SOURCE[4]],
                                           [ENGLISH[0], ENGLISH[2], ENGLISH[4]])  # fmt: skip
    assert [r["score"] for r in rows] == [round(s, 4) for s in expected]
    assert all(not math.isnan(r["score"]) and r["score"] < 0 for r in rows)
    translator = _meta(out)["provenance"]["translator"]
    assert translator["translations"] == "given" and translator["engine"] == engine
    assert "forced-decoding" in (out / "README.md").read_text(encoding="utf-8")
    signature = _meta(out)["provenance"]["signature"]
    assert "|translations:given|model:" in signature and f"|engine:{engine}/" in signature
    assert "beams:" not in signature


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_records_with_target_field(tmp_path: Path, kind: str) -> None:
    rows_in = [{"src": s, "tgt": e} for s, e in zip(SOURCE, ENGLISH, strict=True)]
    path = tmp_path / f"pairs.{kind}"
    if kind == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows_in), encoding="utf-8")
    else:
        import csv

        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=["src", "tgt"])
            writer.writeheader()
            writer.writerows(rows_in)
    out = tmp_path / "out"
    read = ReadConfig(presplit=True, text_field="src", target_field="tgt")
    summary = build(BuildConfig(inputs=(str(path),), out=str(out), quiet=True, read=read))
    rows = read_rows(out)
    assert [(r["translation"]["id"], r["translation"]["en"]) for r in rows] == [
        (SOURCE[0], ENGLISH[0]), (SOURCE[2], ENGLISH[2]), (SOURCE[4], ENGLISH[4]),
    ]  # fmt: skip
    assert summary.report.dropped == {"read:empty_source": 1, "read:empty_target": 1}
    assert _meta(out)["provenance"]["build"]["read"]["target_field"] == "tgt"
    assert "column tgt" in (out / "README.md").read_text(encoding="utf-8")


def test_line_count_mismatch_fails_before_anything_loads(tmp_path: Path) -> None:
    src, tgt = _pair(tmp_path)
    Path(tgt).write_text("one\ntwo\n", encoding="utf-8")
    config = BuildConfig(inputs=(src,), out=str(tmp_path / "out"), quiet=True,
                         engine=EngineConfig(model=str(tmp_path / "no-model")),
                         read=ReadConfig(presplit=True, target=tgt))  # fmt: skip
    with pytest.raises(InputError, match=r"id\.txt has 5 line\(s\), --target .*en\.txt has 2"):
        build(config)
    assert not (tmp_path / "out").exists()


def test_cli_mismatch_exit_2_then_build_filter_report(tmp_path: Path) -> None:
    src, tgt = _pair(tmp_path)
    short = tmp_path / "short.txt"
    short.write_text("one\n", encoding="utf-8")
    out = tmp_path / "out"
    bad = run_cli("build", src, "--presplit", "--target", str(short), "--out", str(out))
    assert bad.returncode == 2 and "has 5 line(s)" in bad.stderr and "short.txt has 1" in bad.stderr
    done = run_cli("build", src, "--presplit", "--target", tgt, "--out", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    filtered = tmp_path / "filtered"
    kept = run_cli("filter", str(out), "--out", str(filtered), "--min-score", "-0.5")
    assert kept.returncode == 0, kept.stderr
    report_ = _meta(filtered)["filter"]
    assert report_["dropped"]["min_score"] == 0  # null scores are not low scores
    assert report_["kept"] == len(read_rows(filtered)) == 3 - sum(report_["dropped"].values())
    assert "## Given translations" in (filtered / "README.md").read_text(encoding="utf-8")
    report = run_cli("report", str(out))
    assert report.returncode == 0, report.stderr
    assert (out / "report.html").stat().st_size > 10_000
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "none of the 3 pairs has one" in html and "figcaption>0 pairs" not in html


def test_ray_is_refused_with_given_translations(tmp_path: Path) -> None:
    src, tgt = _pair(tmp_path)
    config = BuildConfig(inputs=(src,), out=str(tmp_path / "out"), quiet=True, executor="ray",
                         read=ReadConfig(presplit=True, target=tgt))  # fmt: skip
    with pytest.raises(ConfigError, match="runs locally: leave out --executor ray"):
        build(config)
    assert not (tmp_path / "out").exists()


def _rejected(out: Path) -> list[dict]:
    import pyarrow.parquet as pq

    files = sorted((out / "rejected").glob("train-*.parquet"))
    return [row for f in files for row in pq.read_table(f).to_pylist()]


@pytest.mark.parametrize("kind", ["text", "text-in-parts", "jsonl"])
def test_empty_sides_are_rejected_rows_equal_to_the_card(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every empty-side pair is one row of the rejected configuration, with its input, line and
    what it had; per reason the rows equal the card's and the summary's counts (also when the
    text pair is read in several parts: line numbers go on across them)."""
    source, english = SOURCE * 4, ENGLISH * 4  # 20 lines: 8 empty sides
    if kind == "jsonl":
        path = tmp_path / "pairs.jsonl"
        path.write_text("".join(json.dumps({"text": s, "en": e}) + "\n"
                                for s, e in zip(source, english, strict=True)),
                        encoding="utf-8")  # fmt: skip
        read = ReadConfig(presplit=True, target_field="en")
    else:
        if kind == "text-in-parts":
            from corpus.read import aligned

            monkeypatch.setattr(aligned, "PART_BYTES", 40)
        path, tgt = tmp_path / "id.txt", tmp_path / "en.txt"
        path.write_text("\n".join(source) + "\n", encoding="utf-8")
        tgt.write_text("\n".join(english) + "\n", encoding="utf-8")
        read = ReadConfig(presplit=True, target=str(tgt))
    out = tmp_path / "out"
    summary = build(BuildConfig(inputs=(str(path),), out=str(out), quiet=True, read=read))
    rejected = _rejected(out)
    counts: dict[str, int] = {}
    for r in rejected:
        key = f"{r['stage']}:{r['reason']}"
        counts[key] = counts.get(key, 0) + 1
    assert counts == _meta(out)["report"]["dropped"] == dict(summary.report.dropped)
    assert counts == {"read:empty_source": 4, "read:empty_target": 4}
    assert all(r["source"] for r in rejected)
    if kind != "jsonl":
        assert [(r["line_no"], r["reason"]) for r in rejected] == [
            (n, "empty_source" if n % 5 == 2 else "empty_target")
            for n in range(1, 21) if n % 5 in (2, 4)
        ]  # fmt: skip
        assert all(r["source"] == "id.txt" for r in rejected)
        assert [r["translation"] for r in rejected] == ["Blank source.", " "] * 4
        rows = read_rows(out)
        assert [r["line_no"] for r in rows] == [n for n in range(1, 21) if n % 5 in (1, 3, 0)]
        assert [r["translation"]["en"] for r in rows] == [ENGLISH[0], ENGLISH[2], ENGLISH[4]] * 4
