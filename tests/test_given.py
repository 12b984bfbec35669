"""Given translations (issue 22.1): reading the input with its English (`--target` file,
`--target-field` column), one pair per line or record, the English untouched; the pairs'
units and drops; their Translation records with and without a scoring model (both engines);
the filter's min-score rule on null scores."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import pytest

from corpus.dataset.filter import FilterConfig, RowFilter
from corpus.errors import ConfigError, InputError
from corpus.pipeline.given import GivenTranslations, given_translations
from corpus.pipeline.prepare import PrepareOptions, prepare
from corpus.read import aligned
from corpus.read.config import ReadConfig
from corpus.read.inputs import iter_documents, iter_sources
from corpus.report import Report
from translate.base import EngineConfig

SOURCE = ["Halo dunia.", "", "Presiden meresmikan jalan tol.", "Sumber: Xinhua", "Terima kasih."]
ENGLISH = ["Hello world.  ", "Blank source.", "The president opened a toll road.", "", "Thanks!"]


def _write(path: Path, lines: list[str], *, end: str = "\n") -> str:
    data = "\n".join(lines) + end
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(data.encode("utf-8")))
    else:
        path.write_text(data, encoding="utf-8")
    return str(path)


def _read(src: str, config: ReadConfig) -> tuple[list, Report]:
    report = Report()
    return list(iter_documents([src], config, report)), report


def test_options_are_checked() -> None:
    with pytest.raises(ConfigError, match="add --presplit"):
        ReadConfig(target="en.txt")
    with pytest.raises(ConfigError, match="add --presplit"):
        ReadConfig(target_field="en")
    with pytest.raises(ConfigError, match="not both"):
        ReadConfig(presplit=True, target="en.txt", target_field="en")
    with pytest.raises(ConfigError, match="two columns"):
        ReadConfig(presplit=True, target_field="text")
    with pytest.raises(ConfigError, match="--target-field"):
        ReadConfig(presplit=True, target="en.txt", input_format="jsonl")
    assert ReadConfig(presplit=True, target="en.txt").given
    assert not ReadConfig(presplit=True).given


@pytest.mark.parametrize("suffix", [".txt", ".txt.gz"], ids=["plain", "gzip"])
def test_text_pair_is_read_line_by_line_english_untouched(tmp_path: Path, suffix: str) -> None:
    src = _write(tmp_path / f"id{suffix}", SOURCE)
    tgt = _write(tmp_path / f"en{suffix}", ENGLISH, end="")  # no final line break
    docs, _ = _read(src, ReadConfig(presplit=True, target=tgt))
    assert len(docs) == 1 and docs[0].text == "\n".join(SOURCE)
    assert docs[0].target == tuple(ENGLISH)


def test_text_pair_in_parts_keeps_lines_whole(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(aligned, "PART_BYTES", 40)
    lines = [f"Kalimat nomor {i} di sini." for i in range(30)]
    english = [f"Sentence number {i} here." for i in range(30)]
    src = _write(tmp_path / "id.txt", lines)
    tgt = _write(tmp_path / "en.txt", english)
    docs, _ = _read(src, ReadConfig(presplit=True, target=tgt))
    assert len(docs) > 5 and [d.part for d in docs] == list(range(len(docs)))
    assert "".join(d.text for d in docs) == "\n".join(lines)
    assert [e for d in docs for e in d.target or ()] == english
    units = [u for d in docs for u in prepare(d, PrepareOptions(presplit=True)).units]
    assert [(u.text, u.target) for u in units] == list(zip(lines, english, strict=True))


def test_line_count_mismatch_names_both_files(tmp_path: Path) -> None:
    src = _write(tmp_path / "id.txt", SOURCE)
    tgt = _write(tmp_path / "en.txt", ENGLISH[:3])
    config = ReadConfig(presplit=True, target=tgt)
    sources = list(iter_sources([src], config, Report()))
    with pytest.raises(InputError, match=r"id\.txt has 5 line\(s\), --target .*en\.txt has 3"):
        aligned.check_aligned(sources, config)
    with pytest.raises(InputError, match="has 5 line"):
        _read(src, config)  # reading finds it too


def test_target_needs_one_text_input(tmp_path: Path) -> None:
    one, two = _write(tmp_path / "a.txt", SOURCE), _write(tmp_path / "b.txt", SOURCE)
    config = ReadConfig(presplit=True, target=_write(tmp_path / "en.txt", ENGLISH))
    with pytest.raises(InputError, match="one text file"):
        aligned.check_aligned(list(iter_sources([one, two], config, Report())), config)
    with pytest.raises(InputError, match="not found"):
        aligned.check_aligned(
            list(iter_sources([one], config, Report())),
            ReadConfig(presplit=True, target=str(tmp_path / "missing.txt")),
        )


def test_empty_lines_are_dropped_units_with_reason(tmp_path: Path) -> None:
    src = _write(tmp_path / "id.txt", SOURCE)
    tgt = _write(tmp_path / "en.txt", ENGLISH)
    (doc,), _ = _read(src, ReadConfig(presplit=True, target=tgt))
    prepared = prepare(doc, PrepareOptions(presplit=True))
    assert [(u.line_no, u.text, u.target) for u in prepared.units] == [
        (1, SOURCE[0], ENGLISH[0]), (3, SOURCE[2], ENGLISH[2]), (5, SOURCE[4], ENGLISH[4]),
    ]  # fmt: skip
    counts = prepared.report.to_dict()["dropped"]
    assert counts == {"read:empty_source": 1, "read:empty_target": 1}


def _records(tmp_path: Path, kind: str) -> str:
    rows = [
        {"id": "Halo dunia.", "en": "Hello world. ", "n": 1},
        {"id": "Baris satu\nbaris dua.", "en": "Line one\nline two.", "n": 2},
        {"id": "", "en": "No source.", "n": 3},
        {"id": "Tanpa terjemahan.", "en": "", "n": 4},
        {"id": "Terima kasih.", "en": "Thanks!", "n": 5},
    ]
    if kind == "jsonl":
        path = tmp_path / "pairs.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    elif kind == "csv":
        import csv

        path = tmp_path / "pairs.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=["id", "en", "n"])
            writer.writeheader()
            writer.writerows(rows)
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = tmp_path / "pairs.parquet"
        pq.write_table(pa.Table.from_pylist(rows), path)
    return str(path)


@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet"])
def test_records_with_target_field_are_one_pair_each(tmp_path: Path, kind: str) -> None:
    config = ReadConfig(presplit=True, text_field="id", target_field="en")
    docs, report = _read(_records(tmp_path, kind), config)
    assert [(d.text, d.target) for d in docs] == [
        ("Halo dunia.", ("Hello world. ",)),
        ("Baris satu\nbaris dua.", ("Line one\nline two.",)),
        ("Terima kasih.", ("Thanks!",)),
    ]
    assert report.to_dict()["dropped"] == {"read:empty_source": 1, "read:empty_target": 1}
    units = [u for d in docs for u in prepare(d, PrepareOptions(presplit=True)).units]
    assert [(u.text, u.target) for u in units] == [(d.text, d.target[0]) for d in docs]


def test_missing_target_column_says_which_option(tmp_path: Path) -> None:
    config = ReadConfig(presplit=True, text_field="id", target_field="english")
    with pytest.raises(InputError, match="--target-field"):
        _read(_records(tmp_path, "csv"), config)


def test_without_a_model_nothing_is_loaded_and_score_is_nan() -> None:
    given = GivenTranslations.load(EngineConfig())  # no --model: no engine at all
    assert given.engine is None and given.describe()["engine"] == "none"
    found = given.translations(["Halo dunia.", "Satu dua tiga empat lima."],
                               ["Hello world.", "one one one one one one one one one one"])  # fmt: skip
    assert [t.text for t in found] == ["Hello world.", "one one one one one one one one one one"]
    assert all(math.isnan(t.score) for t in found)
    assert [t.degenerate for t in found] == [False, True]


@pytest.mark.parametrize("engine", ["transformers", "ctranslate2"])
def test_named_model_scores_given_english_on_the_translation_scale(
    tiny_model: str, tmp_path: Path, engine: str
) -> None:
    config = EngineConfig(model=tiny_model, engine=engine, device="cpu", compute_type="float32",
                          cache_dir=str(tmp_path), threads=1)  # fmt: skip
    given = GivenTranslations.load(config)
    assert given.engine is not None and given.describe()["translations"] == "given"
    sources = ["Presiden meresmikan jalan tol baru.", "Halo dunia.", "Terima kasih banyak."]
    made = given.engine.translate_batch(sources)
    found = given.translations(sources, [t.text for t in made])
    assert [t.text for t in found] == [t.text for t in made]
    assert [t.score for t in found] == given.engine.score(sources, [t.text for t in made])
    for mine, model in zip(found, made, strict=True):  # the model's own output: its score
        if given.engine.target_tokens(model.text) == given.engine.target_tokens(mine.text):
            assert mine.score == pytest.approx(model.score, abs=2e-3)
    other = given_translations(sources[:1], ["Completely unrelated words here."], given.engine)
    assert other[0].score < 0


def test_min_score_keeps_null_scores() -> None:
    rows = [
        {"score": None, "translation": {"id": "Halo dunia.", "en": "Hello world."}},
        {"score": -5.0, "translation": {"id": "Halo dunia.", "en": "Hello world."}},
        {"score": -1.0, "translation": {"id": "Halo dunia.", "en": "Hello world."}},
    ]
    only_score = FilterConfig.off()
    only_score = type(only_score)(**{**only_score.__dict__, "min_score": -3.0})
    row_filter = RowFilter(only_score)
    assert [row_filter.keep(r) for r in rows] == [True, False, True]


def test_target_content_is_part_of_the_run_identity(tmp_path: Path) -> None:
    from corpus.pipeline.config import BuildConfig
    from corpus.pipeline.identity import build_settings

    src = _write(tmp_path / "id.txt", SOURCE)
    tgt = tmp_path / "en.txt"
    config = BuildConfig(inputs=(src,), out=str(tmp_path / "out"),
                         read=ReadConfig(presplit=True, target=str(tgt)))  # fmt: skip
    _write(tgt, ENGLISH)
    first = build_settings(config)["read"]
    _write(tgt, [*ENGLISH[:-1], "Thank you!"])
    second = build_settings(config)["read"]
    assert first["target"] == second["target"] == "en.txt"  # a name, not the path
    assert first["target_sha256"] != second["target_sha256"]
