"""The build pipeline in-process with the tiny real model: workers, resume checks, presplit,
empty results, published paths, durability."""

from __future__ import annotations

import gzip
import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from helpers import NEWS, REPO, Interrupting, dataset_files, read_rows, run_cli

from corpus.clean.repair import repair
from corpus.errors import InputError, OutputError
from corpus.pipeline.config import BuildConfig
from corpus.pipeline.prepare import PrepareOptions, prepare
from corpus.pipeline.run import build
from corpus.read.config import ReadConfig
from corpus.records import Document
from translate import load_translator
from translate.base import DecodingOptions, EngineConfig, Translator
from translate.robust import RobustTranslator

FLORES_DEVTEST = REPO / "corpus" / "data" / "testsets" / "flores" / "ind_Latn.devtest.gz"
MENU = "Beranda | Nasional | Ekonomi | Olahraga | Indeks Berita"


def engine_config(model: str) -> EngineConfig:
    # CTranslate2 int8, the default: batch-invariant to the last digit like the transformers
    # reference (tests/test_batching.py), and several times faster on the tiny model
    return EngineConfig(
        model=model,
        engine="ctranslate2",
        compute_type="int8",
        device="cpu",
        threads=1,
        decoding=DecodingOptions(num_beams=1),
    )


@pytest.fixture(scope="module")
def engine(tiny_model: str) -> Translator:
    return RobustTranslator(load_translator(engine_config(tiny_model)))


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Eight news articles, four of them carrying the same site menu line."""
    folder = tmp_path_factory.mktemp("docs") / "news"
    folder.mkdir()
    for i, article in enumerate(sorted(NEWS.glob("*.txt"))[:8]):
        text = article.read_text(encoding="utf-8")
        (folder / article.name).write_text(f"{MENU}\n\n{text}" if i % 2 else text, encoding="utf-8")
    return folder


def config(docs: Path, out: Path, model: str, **kwargs: Any) -> BuildConfig:
    base = BuildConfig(
        inputs=(str(docs),),
        out=str(out),
        engine=engine_config(model),
        use_cache=False,
        quiet=True,
        chunk_sentences=12,
        jobs=1,
    )
    return replace(base, **kwargs)


def test_jobs_do_not_change_the_dataset(
    docs: Path, tiny_model: str, engine: Translator, tmp_path: Path
) -> None:
    one = build(config(docs, tmp_path / "one" / "corpus", tiny_model, jobs=1), engine)
    two = build(config(docs, tmp_path / "two" / "corpus", tiny_model, jobs=2), engine)
    assert dataset_files(tmp_path / "one" / "corpus") == dataset_files(tmp_path / "two" / "corpus")
    assert one.pairs_written == two.pairs_written > 50
    assert one.report.to_dict() == two.report.to_dict()


def interrupted(cfg: BuildConfig, engine: Translator) -> Path:
    import corpus.pipeline.translating

    # The build waits INTERRUPT_GRACE_S (1 s) for checkpoints being written when interrupted;
    # a test run on a loaded machine can take longer to write one, and this test needs one.
    with pytest.MonkeyPatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(corpus.pipeline.translating, "INTERRUPT_GRACE_S", 60.0)
        build(cfg, Interrupting(engine, 3))
    partial = Path(cfg.out + ".partial")
    assert list((partial / "shards").glob("u*-*.parquet"))  # checkpoints were written
    assert not Path(cfg.out).exists()
    return partial


def test_interrupted_build_resumes_to_the_same_dataset(
    docs: Path, tiny_model: str, engine: Translator, tmp_path: Path
) -> None:
    build(config(docs, tmp_path / "ref" / "corpus", tiny_model), engine)
    cfg = config(docs, tmp_path / "corpus", tiny_model, jobs=2)
    interrupted(cfg, engine)
    with pytest.raises(OutputError, match="--resume"):
        build(cfg, engine)
    build(replace(cfg, resume=True), engine)
    assert dataset_files(tmp_path / "corpus") == dataset_files(tmp_path / "ref" / "corpus")
    assert not Path(cfg.out + ".partial").exists()


@pytest.fixture(scope="module")
def other_model(tiny_model: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The tiny model with one weight changed: same files, other content."""
    from safetensors.numpy import load_file, save_file

    copy = tmp_path_factory.mktemp("other") / Path(tiny_model).name
    shutil.copytree(tiny_model, copy)
    weights = load_file(str(copy / "model.safetensors"))
    name = sorted(weights)[0]
    weights[name] = weights[name] + 0.5
    save_file(weights, str(copy / "model.safetensors"), metadata={"format": "pt"})
    return str(copy)


def test_resume_with_other_model_weights_is_refused_naming_them(
    docs: Path, tiny_model: str, other_model: str, engine: Translator, tmp_path: Path
) -> None:
    cfg = config(docs, tmp_path / "out", tiny_model)
    interrupted(cfg, engine)
    swapped = replace(cfg, resume=True, engine=engine_config(other_model))
    other = RobustTranslator(load_translator(swapped.engine))
    with pytest.raises(OutputError, match="translator.model_fingerprint") as e:
        build(swapped, other)
    assert "other arguments, another model" in str(e.value)
    assert Path(cfg.out + ".partial", "state.json").exists()  # nothing lost


def test_resume_after_an_input_changed_is_refused_naming_the_file(
    docs: Path, tiny_model: str, engine: Translator, tmp_path: Path
) -> None:
    folder = tmp_path / "news"
    shutil.copytree(docs, folder)
    cfg = config(folder, tmp_path / "out", tiny_model)
    interrupted(cfg, engine)
    first = sorted(folder.glob("*.txt"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nKalimat baru.\n", encoding="utf-8")
    with pytest.raises(OutputError, match=f"changed: .*{first.name}"):
        build(replace(cfg, resume=True), engine)
    (folder / "added.txt").write_text("Dokumen baru.", encoding="utf-8")
    with pytest.raises(OutputError, match="added: .*added.txt"):
        build(replace(cfg, resume=True), engine)


def test_presplit_flores_devtest_is_one_unit_per_line_in_order() -> None:
    text = gzip.decompress(FLORES_DEVTEST.read_bytes()).decode("utf-8")  # the vendored copy
    lines = text.split("\n")
    doc = Document("devtest", text, "devtest")
    units = prepare(doc, PrepareOptions(presplit=True)).units
    assert len(units) == 1012 == len([line for line in lines if line.strip()])
    assert [u.line_no for u in units] == list(range(1, 1013))
    assert [u.text for u in units] == [repair(line) for line in lines[:1012]]
    assert "\u2014" in units[23].text  # the file's mojibake ("â€”") is repaired


def test_presplit_keeps_duplicates_boilerplate_and_numbers(
    tiny_model: str, engine: Translator, tmp_path: Path
) -> None:
    lines = [
        "Baca juga: Harga cabai naik lagi",
        "Presiden meresmikan jembatan baru di Kalimantan.",
        "",
        "Presiden meresmikan jembatan baru di Kalimantan.",
        "2024",
        "   Nyaman tanpa iklan. Langganan BisnisPro  ",
        "Ia berkata: \u201cSaya senang.\u201d Lalu pulang.",
    ]
    src = tmp_path / "test.id"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cfg = BuildConfig(
        inputs=(str(src),),
        out=str(tmp_path / "out"),
        engine=engine_config(tiny_model),
        read=ReadConfig(presplit=True),
        use_cache=False,
        quiet=True,
    )
    build(cfg, engine)
    rows = read_rows(tmp_path / "out")
    expected = [(n, line.strip()) for n, line in enumerate(lines, 1) if line.strip()]
    assert [(r["line_no"], r["translation"]["id"]) for r in rows] == expected
    assert run_cli("export", str(tmp_path / "out"), "--format", "moses", "--out",
                   str(tmp_path / "moses")).returncode == 0  # fmt: skip
    exported = (tmp_path / "moses" / "train.id").read_text(encoding="utf-8").splitlines()
    assert exported == [text for _, text in expected]


def test_a_filter_that_drops_everything_publishes_nothing(
    docs: Path, tiny_model: str, engine: Translator, tmp_path: Path
) -> None:
    from corpus.dataset.filter import FilterConfig

    cfg = config(docs, tmp_path / "out", tiny_model, filter=FilterConfig.off().__class__(
        min_score=0.5, min_length_ratio=None, max_length_ratio=None, require_src_lang=None,
        require_tgt_lang=None, drop_flagged=(), dedup="none"))  # fmt: skip
    with pytest.raises(OutputError, match=r"the filter dropped all \d+ rows \(min_score \d+\)"):
        build(cfg, engine)
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.partial").exists()


def test_filter_command_that_drops_everything_exits_2_and_writes_nothing(
    docs: Path, tiny_model: str, engine: Translator, tmp_path: Path
) -> None:
    build(config(docs, tmp_path / "corpus", tiny_model), engine)
    result = run_cli("filter", str(tmp_path / "corpus"), "--out", str(tmp_path / "f"),
                     "--min-score", "0.5")  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "filter dropped all" in result.stderr and "min_score" in result.stderr
    assert not (tmp_path / "f").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".f")]


def test_nothing_but_boilerplate_is_a_user_error(
    tiny_model: str, engine: Translator, tmp_path: Path
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "menu.txt").write_text("Beranda\n\nIndeks\n\n12345\n", encoding="utf-8")
    cfg = config(tmp_path / "in", tmp_path / "out", tiny_model)
    with pytest.raises(OutputError, match="held no sentence after cleaning"):
        build(cfg, engine)
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.partial").exists()


def test_published_dataset_holds_no_local_path(
    tiny_model: str, engine: Translator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "project"
    shutil.copytree(NEWS, work / "docs", ignore=lambda d, names: names[3:])
    monkeypatch.chdir(work)
    cfg = replace(config(Path("docs"), Path("corpus"), tiny_model), inputs=("docs",), out="corpus")
    build(cfg, engine)
    text = "\n".join(
        data.decode("utf-8", "replace") for data in dataset_files(work / "corpus").values()
    )
    for private in (str(tmp_path), os.path.expanduser("~"), str(Path(tiny_model).parent)):
        assert private not in text
    assert "/tmp" not in text
    assert Path(tiny_model).name in text  # the model is named by its folder


def test_absolute_inputs_are_published_relative(
    tiny_model: str, engine: Translator, tmp_path: Path
) -> None:
    folder = tmp_path / "deep" / "news"
    shutil.copytree(NEWS, folder, ignore=lambda d, names: names[2:])
    build(config(folder, tmp_path / "out", tiny_model), engine)
    sources = {row["source"] for row in read_rows(tmp_path / "out")}
    assert sources and all(s.startswith("news/") for s in sources), sources


def test_every_published_file_is_synced(
    docs: Path, tiny_model: str, engine: Translator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    build(config(docs, tmp_path / "out", tiny_model), engine)
    staged = str(tmp_path / "out.partial" / "final")
    published = {p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*")}
    for path in published:
        assert str(Path(staged) / path) in synced, path
    assert str(tmp_path) in synced  # the parent folder, after the rename


def test_disk_full_while_writing_is_a_storage_error(
    docs: Path, tiny_model: str, engine: Translator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import corpus.pipeline.checkpoints
    from corpus.errors import StorageError

    def full(path: Path, table: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(corpus.pipeline.checkpoints, "write_parquet_atomic", full)
    with pytest.raises(StorageError, match="No space left on device.*--resume"):
        build(config(docs, tmp_path / "out", tiny_model), engine)
    assert (tmp_path / "out.partial" / "state.json").exists()


def test_input_path_errors_come_before_the_model(tmp_path: Path) -> None:
    cfg = BuildConfig(inputs=(str(tmp_path / "missing"),), out=str(tmp_path / "out"),
                      engine=EngineConfig(model=str(tmp_path / "no-model")))  # fmt: skip
    with pytest.raises(InputError, match="does not exist"):
        build(cfg)


def test_a_huge_file_is_read_in_parts_whose_rows_continue_one_document(
    tiny_model: str, engine: Translator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A text file over the part size comes in parts that are checkpointed separately; the
    rows still count sentences, paragraphs and offsets through the whole document."""
    import corpus.read.windows

    monkeypatch.setattr(corpus.read.windows, "PART_BYTES", 1500)
    articles = [a.read_text(encoding="utf-8") for a in sorted(NEWS.glob("*.txt"))[:6]]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "big.txt").write_text("\n\n".join(articles), encoding="utf-8")
    cfg = config(tmp_path / "in", tmp_path / "out", tiny_model, chunk_sentences=5)
    summary = build(cfg, engine)
    rows = read_rows(tmp_path / "out")
    assert summary.documents == 1 and len(rows) > 30
    assert {r["doc_id"] for r in rows} == {"big.txt"}
    assert [r["sent_index"] for r in rows] == sorted(r["sent_index"] for r in rows)
    assert len({r["sent_index"] for r in rows}) == len(rows)
    starts = [r["src_start"] for r in rows]
    assert starts == sorted(starts) and all(r["src_end"] > r["src_start"] for r in rows)
    assert [r["para_index"] for r in rows] == sorted(r["para_index"] for r in rows)
    assert rows[-1]["para_index"] > 5


def test_output_inside_an_input_folder_is_refused_before_the_model_loads(
    docs: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    shutil.copytree(docs, folder)
    cfg = BuildConfig(inputs=(str(folder),), out=str(folder / "corpus"),
                      engine=EngineConfig(model=str(tmp_path / "no-model")))  # fmt: skip
    with pytest.raises(InputError, match="inside the input"):
        build(cfg)
    assert not (folder / "corpus.lock").exists()


def test_output_in_a_folder_that_cannot_be_written_is_refused_up_front(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only or immutable parent (seen through os.access, as root sees an immutable
    folder) is refused before the model loads, naming the folder."""
    import corpus.pipeline.paths

    (tmp_path / "ro").mkdir()
    real = os.access
    monkeypatch.setattr(
        corpus.pipeline.paths.os,
        "access",
        lambda p, m: False if Path(p) == tmp_path / "ro" else real(p, m),
    )
    cfg = BuildConfig(inputs=(str(NEWS),), out=str(tmp_path / "ro" / "corpus"),
                      engine=EngineConfig(model=str(tmp_path / "no-model")))  # fmt: skip
    with pytest.raises(OutputError, match=f"no permission to write in {tmp_path / 'ro'}"):
        build(cfg)
    with pytest.raises(OutputError, match="read-only or immutable"):
        build(replace(cfg, out=str(tmp_path / "ro"), overwrite=True))


def test_bytes_do_not_depend_on_jobs_checkpoints_work_units_or_an_interruption(
    docs: Path, tiny_model: str, engine: Translator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 21.7: the same rows, the same bytes, whatever --jobs, the checkpoint size, where
    the work units are cut or whether the build was interrupted and resumed — with several
    data files per split, several row groups per file and a document read in parts. Issue
    20.5: the menu line of four documents goes from all four."""
    import corpus.dataset.pieces
    import corpus.pipeline.plan
    import corpus.read.windows

    monkeypatch.setattr(corpus.read.windows, "PART_BYTES", 1500)
    monkeypatch.setattr(corpus.dataset.pieces, "GROUP_ROWS", 16)
    monkeypatch.setattr(corpus.dataset.pieces, "ROWS_PER_FILE", 60)
    folder = tmp_path / "in"
    shutil.copytree(docs, folder)
    articles = [a.read_text(encoding="utf-8") for a in sorted(NEWS.glob("*.txt"))[8:14]]
    (folder / "big.txt").write_text("\n\n".join(articles), encoding="utf-8")
    splits = (("train", 0.7), ("test", 0.3))
    monkeypatch.setattr(corpus.pipeline.plan, "UNIT_BYTES", 2000)
    first = build(config(folder, tmp_path / "a" / "corpus", tiny_model, chunk_sentences=5,
                         splits=splits), engine)  # fmt: skip
    cut = config(folder, tmp_path / "c" / "corpus", tiny_model, jobs=2, chunk_sentences=7,
                 splits=splits)  # fmt: skip
    interrupted(cut, engine)
    build(replace(cut, resume=True), engine)
    monkeypatch.setattr(corpus.pipeline.plan, "UNIT_BYTES", 1 << 20)
    build(config(folder, tmp_path / "b" / "corpus", tiny_model, jobs=2, chunk_sentences=500,
                 splits=splits), engine)  # fmt: skip
    a = dataset_files(tmp_path / "a" / "corpus")
    assert a == dataset_files(tmp_path / "b" / "corpus") == dataset_files(Path(cut.out))
    data = [name for name in a if name.startswith("data/train-")]
    assert len(data) >= 2 and any(name.startswith("data/test-") for name in a)
    meta = pq.ParquetFile(tmp_path / "a" / "corpus" / data[0]).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [16, 16, 16, 12]
    assert first.report.dropped["clean:repeated_across_docs"] >= 4
    rows = read_rows(tmp_path / "a" / "corpus") + read_rows(tmp_path / "a" / "corpus", "test")
    assert not any(MENU in r["translation"]["id"] for r in rows)
