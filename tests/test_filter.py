"""corpus/dataset/filter.py: each rule, the report adding up, exact and near dedup, dataset folders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from corpus.dataset.files import SplitWriter
from corpus.dataset.filter import FilterConfig, FilterReport, filter_rows
from corpus.dataset.filter_folder import filter_dataset
from corpus.dataset.pairkeys import near_key
from corpus.dataset.schema import arrow_schema, columns
from corpus.errors import ConfigError, InputError, OutputError
from corpus.signals.quality import SIGNAL_COLUMNS

SRC = "Menteri itu bertemu dengan mitranya di Jakarta hari ini."
TGT = "The minister met his counterpart in Jakarta today."


def row(src: str = SRC, tgt: str = TGT, **overrides: Any) -> dict[str, Any]:
    """A row that every default rule keeps; `overrides` sets columns."""
    base: dict[str, Any] = {
        "translation": {"id": src, "en": tgt}, "doc_id": "d0", "source": "in.txt",
        "para_index": 0, "sent_index": 0, "src_start": 0, "src_end": len(src), "line_no": 1,
        "score": -0.5,
        "length_ratio_chars": len(tgt) / len(src), "length_ratio_tokens": 1.0,
        "src_lang": "id", "src_lang_conf": 0.9, "tgt_lang": "en", "tgt_lang_conf": 1.0,
        "repetition": 0.0, "is_split": False, "is_retried": False, "is_degenerate": False,
        "is_untranslated": False, "is_non_indonesian_source": False, "is_short": False,
        "has_unk": False, "number_mismatch": 0, "is_number_mismatch": False,
        "is_test_overlap": False,
    }  # fmt: skip
    base.update(overrides)
    return base


def run(
    rows: list[dict[str, Any]], config: FilterConfig
) -> tuple[list[dict[str, Any]], FilterReport]:
    kept, report = filter_rows(rows, config)
    out = list(kept)
    assert report.adds_up()
    return out, report


@pytest.mark.parametrize(
    ("bad", "rule"),
    [
        (row(score=-4.0), "min_score"),
        (row(length_ratio_chars=0.1), "length_ratio"),
        (row(length_ratio_chars=5.0), "length_ratio"),
        (row(src_lang="ms", src_lang_conf=0.8), "src_lang"),
        (row(src_lang="en", src_lang_conf=0.99), "src_lang"),
        (row(src_lang="min", src_lang_conf=0.9), "src_lang"),
        (row(src_lang="su", src_lang_conf=0.99), "src_lang"),
        (row(tgt_lang="id", tgt_lang_conf=0.9), "tgt_lang"),
        (row(is_degenerate=True), "flag:is_degenerate"),
        (row(is_untranslated=True), "flag:is_untranslated"),
        (row(), "duplicate"),
    ],
    ids=["score", "ratio-low", "ratio-high", "malay", "english-source", "minangkabau-source",
         "sundanese-source", "indonesian-target", "degenerate", "untranslated", "duplicate"],
)  # fmt: skip
def test_default_rules(bad: dict[str, Any], rule: str) -> None:
    kept, report = run([row(), bad], FilterConfig())
    assert kept == [row()]
    assert report.dropped[rule] == 1
    assert sum(report.dropped.values()) == 1


@pytest.mark.parametrize(
    "ok",
    [
        row(src_lang="ms", src_lang_conf=0.55),
        row("Ya.", "Yes, indeed.", length_ratio_chars=4.0),
        row(is_short=True, is_split=True, is_retried=True),
        row(score=-2.9),
    ],
    ids=["unsure-malay", "short-source-ratio", "flags-not-dropped", "score-above"],
)
def test_default_keeps(ok: dict[str, Any]) -> None:
    kept, report = run([ok], FilterConfig())
    assert kept == [ok], report


@pytest.mark.parametrize(
    ("bad", "rule"),
    [
        (row(tgt_lang="ms", tgt_lang_conf=0.55), "tgt_lang"),
        (row(length_ratio_chars=0.35), "length_ratio"),
        (row(number_mismatch=1, is_number_mismatch=True), "flag:is_number_mismatch"),
    ],
    ids=["unsure-malay-output", "a-third-of-the-length", "changed-number"],
)
def test_default_drops(bad: dict[str, Any], rule: str) -> None:
    kept, report = run([bad], FilterConfig())
    assert kept == [] and report.dropped[rule] == 1


def test_first_failing_rule_wins_and_report_order() -> None:
    rows = [row(score=-9.0, is_degenerate=True, length_ratio_chars=9.0), row(is_degenerate=True)]
    _, report = run(rows, FilterConfig())
    assert list(report.dropped) == [
        "min_score", "length_ratio", "src_lang", "tgt_lang",
        "flag:is_degenerate", "flag:is_untranslated", "flag:is_number_mismatch", "duplicate",
    ]  # fmt: skip
    assert (report.dropped["min_score"], report.dropped["flag:is_degenerate"]) == (1, 1)
    assert report.to_dict()["input_rows"] == 2 and report.kept == 0


def test_report_adds_up_on_a_mix() -> None:
    rows = [row(f"{SRC} {i}", f"{TGT} {i}", score=-0.1 * i) for i in range(50)]
    rows += rows[:10] + [row(is_short=True, is_untranslated=True)] * 3
    kept, report = run(rows, FilterConfig(min_score=-3.05))
    assert report.input_rows == 63
    assert report.kept == len(kept) == 31  # rows 0..30
    assert report.dropped["min_score"] == 19  # rows 31..49
    assert report.dropped["duplicate"] == 10
    assert report.dropped["flag:is_untranslated"] == 3


def test_off_keeps_everything() -> None:
    rows = [row(score=-50.0, is_degenerate=True, src_lang="en", src_lang_conf=1.0)] * 3
    kept, report = run(rows, FilterConfig.off())
    assert kept == rows and report.dropped == {} and FilterConfig.off().rules() == ()


def test_empty_input() -> None:
    kept, report = run([], FilterConfig())
    assert kept == [] and (report.input_rows, report.kept) == (0, 0)
    assert set(report.dropped.values()) == {0}


@pytest.mark.parametrize(
    ("second", "mode", "dropped"),
    [
        (row(), "exact", True),
        (row(SRC.upper(), TGT), "exact", False),
        (row(SRC.upper(), TGT.replace(".", " !")), "near", True),
        (row("Menteri  itu bertemu dengan mitranya di Jakartá hari ini", TGT), "near", True),
        (row(SRC.replace("ini", "ini 2"), TGT), "near", False),
        (row(SRC, "The minister met his counterpart."), "near", False),
        (row(), "none", False),
    ],
    ids=["exact-same", "exact-case-differs", "near-case-punct", "near-space-accent",
         "near-digit-differs", "near-other-target", "none"],
)  # fmt: skip
def test_dedup(second: dict[str, Any], mode: str, dropped: bool) -> None:
    kept, report = run([row(), second], FilterConfig(**{**_off(), "dedup": mode}))
    assert len(kept) == (1 if dropped else 2)
    assert report.dropped.get("duplicate", 0) == int(dropped)


def _off() -> dict[str, Any]:
    return dict(min_score=None, min_length_ratio=None, max_length_ratio=None,
                require_src_lang=None, require_tgt_lang=None, drop_flagged=())  # fmt: skip


def test_dedup_key_claimed_only_by_kept_rows() -> None:
    kept, report = run([row(score=-9.0), row()], FilterConfig())
    assert kept == [row()] and report.dropped["duplicate"] == 0


def test_near_key() -> None:
    assert near_key("  Halo,\nDUNIA!  Café 3 ") == "halo dunia cafe 3"
    assert near_key("") == ""


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"drop_flagged": ("is_bogus",)}, "unknown flag"),
        ({"dedup": "fuzzy"}, "unknown dedup"),
        ({"min_length_ratio": 2.0, "max_length_ratio": 1.0}, "above --max-length-ratio"),
        ({"max_length_ratio": 0.0}, "positive"),
        ({"lang_confidence": 1.5}, "lang_confidence"),
        (
            {"require_src_lang": "ind"},
            r"unknown require_src_lang 'ind'; choose one of: id, ms, en, jv, su",
        ),
        ({"require_tgt_lang": "xx"}, r"unknown require_tgt_lang 'xx'.*ace"),
    ],
    ids=["flag", "dedup", "ratio-order", "ratio-sign", "confidence", "src-lang", "tgt-lang"],
)
def test_config_errors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        FilterConfig(**kwargs)


def test_any_label_of_the_identifier_may_be_required() -> None:
    """A Javanese corpus: keep confident jv sources, drop confident Indonesian ones."""
    config = FilterConfig(require_src_lang="jv", dedup="none")
    kept, report = run([row(src_lang="jv"), row(src_lang="id", src_lang_conf=0.95)], config)
    assert [r["src_lang"] for r in kept] == ["jv"] and report.dropped["src_lang"] == 1


def test_drop_flagged_list_becomes_tuple() -> None:
    assert FilterConfig(drop_flagged=["is_short"]).drop_flagged == ("is_short",)  # type: ignore[arg-type]


def test_missing_signal_columns() -> None:
    bare = {"translation": {"id": SRC, "en": TGT}, "score": -0.5}
    with pytest.raises(ConfigError, match="--no-signals"):
        run([bare], FilterConfig())
    kept, _ = run([bare], FilterConfig(**{**_off(), "min_score": -1.0, "dedup": "exact"}))
    assert kept == [bare]


def write_corpus(path: Path, splits: dict[str, list[dict[str, Any]]]) -> None:
    writer = SplitWriter(path, arrow_schema(columns(SIGNAL_COLUMNS)), splits=list(splits))
    for split, rows in splits.items():
        for r in rows:
            writer.add(split, r)
    counts = writer.close()
    meta = {"provenance": {"tool_version": "test"}, "report": {}, "splits": counts}
    (path / "idcorpus.json").write_text(json.dumps(meta))


def read_split(path: Path, split: str) -> list[dict[str, Any]]:
    return [r for f in sorted((path / "data").glob(f"{split}-*.parquet"))
            for r in pq.read_table(f).to_pylist()]  # fmt: skip


def test_filter_dataset(tmp_path: Path) -> None:
    good = [row(f"{SRC} {i}", f"{TGT} {i}") for i in range(5)]
    write_corpus(tmp_path / "in", {"train": good + [row(score=-9.0)], "test": [good[0], row()]})
    report = filter_dataset(tmp_path / "in", tmp_path / "out", FilterConfig())
    assert report.to_dict() == {
        "input_rows": 8, "kept": 6,
        "dropped": {"min_score": 1, "length_ratio": 0, "src_lang": 0, "tgt_lang": 0,
                    "flag:is_degenerate": 0, "flag:is_untranslated": 0,
                    "flag:is_number_mismatch": 0, "duplicate": 1},
    }  # fmt: skip
    out = tmp_path / "out"
    assert read_split(out, "train") == good and read_split(out, "test") == [row()]
    assert sorted(p.name for p in (out / "data").iterdir()) == [
        "test-00000-of-00001.parquet", "train-00000-of-00001.parquet"]  # fmt: skip
    meta = json.loads((out / "idcorpus.json").read_text())
    assert meta["filter"]["kept"] == 6 and meta["splits"] == {"train": 5, "test": 1}
    assert meta["report"]["dropped"]["filter:min_score"] == 1
    card = (out / "README.md").read_text()
    assert "split: train" in card and "min_score" in card


def test_split_emptied_by_the_filter_is_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_corpus(tmp_path / "in", {"train": [row()], "test": [row(score=-9.0)]})
    filter_dataset(tmp_path / "in", tmp_path / "out", FilterConfig())
    out = tmp_path / "out"
    assert json.loads((out / "idcorpus.json").read_text())["splits"] == {"train": 1}
    message = "split 'test' has no rows after filtering and is left out of the dataset"
    report = json.loads((out / "idcorpus.json").read_text())["report"]
    assert report["warnings"] == [{"kind": "split_empty", "where": "", "message": message}]
    assert report["warning_counts"] == {"split_empty": 1}
    assert message in (out / "README.md").read_text() and message in caplog.text


def test_filter_dataset_refuses(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in", {"train": [row()]})
    (tmp_path / "out").mkdir()
    with pytest.raises(OutputError, match="--overwrite"):
        filter_dataset(tmp_path / "in", tmp_path / "out", FilterConfig())
    with pytest.raises(OutputError, match="another folder"):
        filter_dataset(tmp_path / "in", tmp_path / "in", FilterConfig(), overwrite=True)
    with pytest.raises(InputError, match="idcorpus build --out"):
        filter_dataset(tmp_path / "out", tmp_path / "x", FilterConfig())
    filter_dataset(tmp_path / "in", tmp_path / "out", FilterConfig(), overwrite=True)
    assert read_split(tmp_path / "out", "train") == [row()]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
