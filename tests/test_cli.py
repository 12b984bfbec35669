"""The `idcorpus` subcommands end to end, with the tiny real model."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from helpers import NEWS, SEEDS, read_rows, run_cli
from helpers import TINY as TINY_FLAGS

from corpus.dataset.export import read_export

TINY = [*TINY_FLAGS, "--no-cache"]


def test_clean_lists_every_promo_line_and_keeps_article(tmp_path: Path) -> None:
    result = run_cli("clean", str(SEEDS))
    assert result.returncode == 0, result.stderr
    kept, dropped = result.stdout.split("--- dropped")
    assert "Nyaman tanpa iklan" not in kept and "Konten Premium" not in kept
    assert dropped.count("Nyaman tanpa iklan. Langganan BisnisPro") == 6
    assert "[paywall]" in dropped and "[promo]" in dropped
    for sentence in (
        "Kedua negara akan memperdalam kerja sama praktis mereka",
        "Idrissov mengatakan persahabatan Kazakhstan dan China merupakan hal yang tulus.",
    ):
        assert sentence in kept


def test_clean_lists_the_html_drops_of_a_page_with_their_lines(tmp_path: Path) -> None:
    """`idcorpus clean page.html` shows what the HTML extraction left out too, each on its
    line of the page's visible text, in order with the cleaner's own drops."""
    page = tmp_path / "page.html"
    body = (
        "<nav><a href='/'>Beranda</a> <a href='/e'>Ekonomi</a></nav><h1>Harga Beras Naik</h1>"
        "<p>JAKARTA, CONTOH.id - Harga beras medium di pasar induk naik menjadi Rp 14.000 per "
        "kilogram pekan ini karena pasokan dari petani berkurang.</p><p>Para pedagang "
        "mengatakan kenaikan itu sudah terasa sejak awal bulan dan berharap operasi pasar.</p>"
        "<footer><p>Hak cipta Contoh Media. Semua hak dilindungi.</p></footer>"
    )
    page.write_text(f"<html><head><title>Harga</title></head><body>{body}</body></html>", "utf-8")
    result = run_cli("clean", str(page))
    assert result.returncode == 0, result.stderr
    kept, dropped = result.stdout.split("--- dropped")
    assert "Harga beras medium" in kept and "Beranda" not in kept
    assert dropped.strip().splitlines() == [
        "[html_navigation] line 1: Beranda Ekonomi",
        "[dateline] line 3: JAKARTA, CONTOH.id -",
        "[html_footer] line 5: Hak cipta Contoh Media. Semua hak dilindungi.",
    ]


def _bad_folder(root: Path) -> dict[str, str]:
    """Good files plus one file of every bad kind; returns bad name -> expected reason word."""
    root.mkdir()
    (root / "good.txt").write_text((SEEDS / next(SEEDS.iterdir()).name).read_text())
    (root / "latin1.txt").write_bytes(
        "Harga kopi naik di Bandung. Petani senang sekali.".encode("cp1252")
        + " Caf\u00e9 ramai.".encode("cp1252")
    )
    (root / "utf16.txt").write_bytes("Hujan turun di Jakarta. Jalanan macet.".encode("utf-16"))
    (root / "nul.txt").write_bytes(b"Gempa terjadi di Palu.\x00\x01 Warga mengungsi.")
    (root / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (root / "empty.txt").write_bytes(b"")
    (root / "blank.txt").write_text("   \n\t\n")
    os.symlink(root / "missing-target.txt", root / "broken.txt")
    long_sentence = " ".join(["kata", "demi", "kata", "dan", "kalimat"] * 600) + "."  # 3,000 words
    (root / "long.txt").write_text(long_sentence)
    return {
        "binary.txt": "binary",
        "empty.txt": "empty",
        "blank.txt": "whitespace",
        "broken.txt": "link",
    }


def test_mixed_bad_folder_finishes_and_reports_each_bad_file(
    tiny_model: str, tmp_path: Path
) -> None:
    bad = _bad_folder(tmp_path / "in")
    out = tmp_path / "c"
    result = run_cli("build", str(tmp_path / "in"), "--out", str(out), "--model", tiny_model, *TINY)
    assert result.returncode == 0, result.stderr
    for name, word in bad.items():
        line = next((ln for ln in result.stderr.splitlines() if name in ln), "")
        assert word in line.lower(), f"{name} not reported with its reason: {result.stderr}"
    rows = read_rows(out)
    docs = {r["doc_id"] for r in rows}
    assert {"good.txt", "latin1.txt", "utf16.txt", "nul.txt", "long.txt"} <= docs
    assert any("Café" in r["translation"]["id"] for r in rows)
    assert not any("\x00" in r["translation"]["id"] for r in rows)
    long_rows = [r for r in rows if r["doc_id"] == "long.txt"]
    assert len(long_rows) == 1 and long_rows[0]["is_split"]  # translated whole, in pieces
    assert len(long_rows[0]["translation"]["id"]) == len((tmp_path / "in" / "long.txt").read_text())
    assert long_rows[0]["translation"]["en"]
    info = json.loads((out / "idcorpus.json").read_text())
    assert {Path(s).name for s, _ in info["report"]["skipped_inputs"]} == set(bad)


def test_warnings_are_summed_up_by_kind_and_no_local_path_is_published(
    tiny_model: str, tmp_path: Path
) -> None:
    """A folder given by its absolute path, with a PDF, a Markdown file, an archive, an empty
    file and a file with control characters: the terminal gets one grouped summary naming
    them; no file of the dataset names the machine's folders. `--resume` of the finished
    build says so and exits 0."""
    folder = tmp_path / "news"
    folder.mkdir()
    shutil.copy(next(SEEDS.glob("*.txt")), folder / "article.txt")
    (folder / "control.txt").write_bytes(b"Gempa terjadi di Palu.\x00\x01 Warga mengungsi.\n")
    (folder / "paper.pdf").write_bytes(b"%PDF-1.4\n")
    (folder / "notes.md").write_text("# catatan\n")
    (folder / "old.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    (folder / "empty.txt").write_bytes(b"")
    out = tmp_path / "corpus"
    args = ("build", str(folder.resolve()), "--out", str(out), "--model", tiny_model, *TINY)
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    summary = result.stderr[result.stderr.index("idcorpus: warnings") :].splitlines()
    assert "  2 input(s) skipped" in summary
    assert "    news/old.zip: archive: unpack it first" in summary
    assert "    news/empty.txt: empty: no bytes" in summary
    assert "    news/control.txt: removed 2 NUL/control character(s)" in summary
    assert "    news: ignored 2 file(s) of unsupported types: .md 1, .pdf 1" in summary
    assert len([line for line in summary if "control.txt" in line]) == 1  # once
    for path in [p for p in out.rglob("*") if p.is_file()]:
        data = path.read_bytes()
        assert str(tmp_path).encode() not in data and str(Path.home()).encode() not in data, path
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "- news/control.txt: removed 2 NUL/control character(s)" in card
    resumed = run_cli(*args, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "is complete: its build finished, there is nothing to resume" in resumed.stderr


def test_strict_exits_1_when_inputs_were_skipped(tiny_model: str, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Presiden meresmikan jembatan baru.")
    (tmp_path / "in" / "b.txt").write_text("")
    result = run_cli(
        "build",
        str(tmp_path / "in"),
        "--out",
        str(tmp_path / "c"),
        "--model",
        tiny_model,
        *TINY,
        "--strict",
    )
    assert result.returncode == 1
    assert read_rows(tmp_path / "c")


@pytest.fixture(scope="module")
def split_corpus(tiny_model: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("split")
    news = root / "news"  # a folder: doc_ids are relative names, the same in every checkout
    news.mkdir()
    for article in sorted(NEWS.glob("*.txt"))[:10]:
        shutil.copy(article, news / article.name)
    out = root / "corpus"
    split = "train=0.8,validation=0.1,test=0.1"  # seed 0 puts 8/1/2 of these 11 docs in them
    result = run_cli(
        "build",
        str(SEEDS),
        str(news),
        "--out",
        str(out),
        "--model",
        tiny_model,
        *TINY,
        "--split",
        split,
        "--seed",
        "0",
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize("fmt", ["jsonl", "tsv", "moses", "tmx", "arrow"])
def test_split_corpus_exports_and_rereads_same_pairs(
    split_corpus: Path, fmt: str, tmp_path: Path
) -> None:
    import datasets

    result = run_cli("export", str(split_corpus), "--format", fmt, "--out", str(tmp_path / fmt))
    assert result.returncode == 0, result.stderr
    exported = read_export(tmp_path / fmt, fmt)
    ds = datasets.load_dataset(str(split_corpus))
    assert set(exported) == set(ds) == {"train", "validation", "test"}
    for split in ds:
        expected = [(t["id"], t["en"]) for t in ds[split]["translation"]]
        assert exported[split] == expected


def test_filter_report_adds_up(split_corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "filtered"
    result = run_cli(
        "filter",
        str(split_corpus),
        "--out",
        str(out),
        "--min-score",
        "-1.5",
        "--drop-flagged",
        "is_short",
        "--dedup",
        "near",
    )
    assert result.returncode == 0, result.stderr
    info = json.loads((out / "idcorpus.json").read_text())
    report = info["filter"]
    total_in = sum(len(read_rows(split_corpus, s)) for s in ("train", "validation", "test"))
    total_out = sum(len(read_rows(out, s)) for s in ("train", "validation", "test"))
    assert report["input_rows"] == total_in and report["kept"] == total_out
    assert report["kept"] + sum(report["dropped"].values()) == total_in
    assert all(r["score"] >= -1.5 and not r["is_short"] for r in read_rows(out))


def test_build_filter_flags_apply_only_given_rules(tiny_model: str, tmp_path: Path) -> None:
    result = run_cli(
        "build",
        str(SEEDS),
        "--out",
        str(tmp_path / "c"),
        "--model",
        tiny_model,
        *TINY,
        "--drop-flagged",
        "is_short",
    )
    assert result.returncode == 0, result.stderr
    rows = read_rows(tmp_path / "c")
    assert rows and not any(r["is_short"] for r in rows)
    assert any(r["is_untranslated"] for r in rows)  # the tiny model copies; that rule is off
    info = json.loads((tmp_path / "c" / "idcorpus.json").read_text())
    assert info["filter"]["kept"] == len(rows)


def test_missing_input_path_exits_2_naming_it(tiny_model: str, tmp_path: Path) -> None:
    result = run_cli(
        "build",
        str(tmp_path / "nope.txt"),
        "--out",
        str(tmp_path / "c"),
        "--model",
        tiny_model,
        *TINY,
    )
    assert result.returncode == 2
    assert "nope.txt" in result.stderr
    assert not (tmp_path / "c.partial").exists()


def test_filter_can_resplit_by_document(split_corpus: Path, tmp_path: Path) -> None:
    import datasets

    out = tmp_path / "resplit"
    result = run_cli(
        "filter",
        str(split_corpus),
        "--out",
        str(out),
        "--dedup",
        "none",
        "--min-score",
        "-100",
        "--min-length-ratio",
        "0",
        "--require-tgt-lang",
        "",
        "--drop-flagged",
        "",
        "--split",
        "train=0.5,test=0.5",
        "--seed",
        "1",
    )
    assert result.returncode == 0, result.stderr
    ds = datasets.load_dataset(str(out))
    assert set(ds) == {"train", "test"}
    assert not set(ds["train"]["doc_id"]) & set(ds["test"]["doc_id"])


def test_a_corpus_folder_in_the_working_directory_cannot_shadow_the_package(
    tmp_path: Path,
) -> None:
    """The README's own `--out corpus/` leaves a dataset folder named like the package; the
    strict editable install (scripts/setup.sh) keeps `import corpus` and `python -m corpus`
    on the package."""
    import subprocess
    import sys

    (tmp_path / "corpus" / "data").mkdir(parents=True)
    (tmp_path / "corpus" / "README.md").write_text("a dataset card\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    imported = subprocess.run(
        [sys.executable, "-c", "import corpus.cli.main, corpus.pipeline.run; print(corpus.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip().endswith("__init__.py")
    assert str(tmp_path) not in imported.stdout
    version = subprocess.run([sys.executable, "-m", "corpus", "--version"], cwd=tmp_path,
                             capture_output=True, text=True, env=env)  # fmt: skip
    assert version.returncode == 0 and "idcorpus" in version.stdout, version.stderr


def test_out_under_a_regular_file_exits_2(tiny_model: str, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    result = run_cli("build", str(SEEDS), "--out", str(tmp_path / "file" / "corpus"),
                     "--model", tiny_model, *TINY)  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "is a file, not a folder" in result.stderr and "Traceback" not in result.stderr
