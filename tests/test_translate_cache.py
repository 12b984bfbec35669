"""The persistent translation cache around the real tiny engine."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from translate.base import DecodingOptions, EngineConfig, Translation, Translator
from translate.cache import TABLE, CachedTranslator, checksum, default_cache_path, entry_key
from translate.errors import TranslationError
from translate.marian import MarianEngine

SENTENCES = ["Nyaman tanpa iklan.", "Sumber : Xinhua", "Artikel Terkait"]


class Counting:
    """Delegates to a real engine and records what it was asked to translate."""

    def __init__(self, inner: Translator, flag: bool = False) -> None:
        self.inner, self.flag = inner, flag
        self.calls: list[list[str]] = []

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        self.calls.append(list(sentences))
        out = self.inner.translate_batch(sentences)
        return (
            [replace(t, split=True, retried=True, degenerate=True) for t in out]
            if self.flag
            else out
        )

    def describe(self) -> dict[str, str]:
        return self.inner.describe()


@pytest.fixture(scope="module")
def engine(tiny_model: str) -> MarianEngine:
    return MarianEngine.load(
        EngineConfig(model=tiny_model, device="cpu", decoding=DecodingOptions(num_beams=1))
    )


def test_second_run_translates_nothing(engine: MarianEngine, tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"
    first = Counting(engine)
    with CachedTranslator(first, str(db)) as cache:
        expected = cache.translate_batch(SENTENCES)
        assert (cache.hits, cache.misses) == (0, 3)
    again = Counting(engine)
    with CachedTranslator(again, str(db)) as cache:
        assert cache.translate_batch(SENTENCES) == expected
        assert (cache.hits, cache.misses, again.calls) == (3, 0, [])
        cache.translate_batch(SENTENCES[:2] + ["Berita Terbaru"])  # one new sentence
        assert again.calls == [["Berita Terbaru"]] and (cache.hits, cache.misses) == (5, 1)


def test_duplicates_in_a_batch_are_translated_once(engine: MarianEngine) -> None:
    inner = Counting(engine)
    cache = CachedTranslator(inner, None)  # --no-cache: dedup only
    out = cache.translate_batch([SENTENCES[0]] * 5 + [SENTENCES[1], SENTENCES[0]])
    assert inner.calls == [[SENTENCES[0], SENTENCES[1]]]
    assert [t.text for t in out] == [SENTENCES[0]] * 5 + [SENTENCES[1], SENTENCES[0]]
    assert (cache.hits, cache.misses) == (5, 2)
    cache.translate_batch(SENTENCES[:1])
    assert len(inner.calls) == 2  # nothing persists without a path


@pytest.mark.parametrize("sentences", [[], [""]], ids=["no-sentences", "blank"])
def test_empty_input(engine: MarianEngine, tmp_path: Path, sentences: list[str]) -> None:
    cache = CachedTranslator(Counting(engine), str(tmp_path / "c.db"))
    assert [t.text for t in cache.translate_batch(sentences)] == sentences


def test_decoding_options_are_part_of_the_key(engine: MarianEngine, tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    CachedTranslator(Counting(engine), db).translate_batch(SENTENCES)
    beam = Counting(engine.with_decoding(DecodingOptions(num_beams=2)))
    CachedTranslator(beam, db).translate_batch(SENTENCES)
    assert beam.calls == [SENTENCES]
    other = Counting(engine)
    CachedTranslator(other, db, namespace={"robust": "v2"}).translate_batch(SENTENCES)
    assert other.calls == [SENTENCES]


def test_every_translation_field_round_trips(engine: MarianEngine, tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    stored = CachedTranslator(Counting(engine, flag=True), db).translate_batch(SENTENCES)
    loaded = CachedTranslator(Counting(engine), db).translate_batch(SENTENCES)
    assert loaded == stored and all(
        t.split and t.retried and t.degenerate and t.src_tokens for t in loaded
    )


def test_a_failure_in_the_middle_of_a_batch_stores_nothing(
    engine: MarianEngine, tmp_path: Path
) -> None:
    db = tmp_path / "c.db"
    cache = CachedTranslator(Counting(engine), str(db))
    with sqlite3.connect(db) as conn:  # the 2nd insert of the batch fails, after the 1st succeeded
        conn.execute(
            f"CREATE TRIGGER boom BEFORE INSERT ON {TABLE} WHEN NEW.value LIKE '%Xinhua%' "
            "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
        )
    with pytest.raises(TranslationError, match="disk on fire"):
        cache.translate_batch(SENTENCES)
    with sqlite3.connect(db) as conn:
        assert conn.execute(f"SELECT COUNT(*) FROM {TABLE}").fetchone() == (0,)


def test_inner_failure_stores_nothing(tmp_path: Path) -> None:
    class Short:
        def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
            return [Translation("x", 0.0)]  # one result for several sentences

        def describe(self) -> dict[str, str]:
            return {"engine": "short"}

    cache = CachedTranslator(Short(), str(tmp_path / "c.db"))
    with pytest.raises(TranslationError, match="returned 1 translations for 3"):
        cache.translate_batch(SENTENCES)
    assert cache.lookup([]) == {} and cache.misses == 0


@pytest.mark.parametrize(
    "content",
    [b"this is not a database" * 100, b"\x00" * 4096, b"x"],
    ids=["text", "zeros", "one-byte"],
)
def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(
    engine: MarianEngine, tmp_path: Path, content: bytes
) -> None:
    bad = tmp_path / "c.db"
    bad.write_bytes(content)
    with pytest.raises(TranslationError) as info:
        CachedTranslator(Counting(engine), str(bad))
    message = str(info.value)
    assert str(bad) in message and "is not a SQLite database" in message
    assert "--cache-path" in message and "--no-cache" in message
    assert bad.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.db"]  # no -wal/-shm either


def test_a_database_of_something_else_is_refused_and_left_untouched(
    engine: MarianEngine, tmp_path: Path
) -> None:
    db = tmp_path / "mine.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE customers (name TEXT)")
    before = db.read_bytes()
    with pytest.raises(TranslationError, match=r"database of something else \(tables: customers"):
        CachedTranslator(Counting(engine), str(db))
    assert db.read_bytes() == before


def test_a_folder_as_cache_path_is_refused(engine: MarianEngine, tmp_path: Path) -> None:
    with pytest.raises(TranslationError, match="is a folder; --cache-path names a file"):
        CachedTranslator(Counting(engine), str(tmp_path))


def test_an_empty_file_becomes_a_cache(engine: MarianEngine, tmp_path: Path) -> None:
    empty = tmp_path / "c.db"
    empty.touch()
    with CachedTranslator(Counting(engine), str(empty)) as cache:
        cache.translate_batch(SENTENCES)
    with CachedTranslator(Counting(engine), str(empty)) as cache:
        cache.translate_batch(SENTENCES)
        assert (cache.hits, cache.misses) == (3, 0)


def test_cli_with_a_garbage_cache_exits_3_naming_it(
    tiny_model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from corpus.cli.main import main

    (tmp_path / "doc.txt").write_text("Presiden meresmikan jalan tol baru di Jawa Tengah.\n")
    bad = tmp_path / "cache.db"
    bad.write_bytes(b"garbage" * 50)
    code = main(
        [
            "build",
            str(tmp_path / "doc.txt"),
            "--out",
            str(tmp_path / "out"),
            "--model",
            tiny_model,
            "--cache-path",
            str(bad),
            "--engine",
            "transformers",
            "--device",
            "cpu",
            "--num-beams",
            "1",
            "--threads",
            "1",
            "--quiet",
        ]  # fmt: skip
    )
    err = capsys.readouterr().err
    assert code == 3 and str(bad) in err and "not a SQLite database" in err
    assert "Traceback" not in err and bad.read_bytes() == b"garbage" * 50


def rows(db: Path) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return {k: (v, c) for k, v, c in conn.execute(f"SELECT key, value, checksum FROM {TABLE}")}


def test_every_row_carries_a_checksum_of_key_and_value(
    engine: MarianEngine, tmp_path: Path
) -> None:
    db = tmp_path / "c.db"
    with CachedTranslator(Counting(engine), str(db)) as cache:
        cache.translate_batch(SENTENCES)
    stored = rows(db)
    assert len(stored) == 3
    assert all(c == checksum(k, v) and len(c) == 32 for k, (v, c) in stored.items())


def _edit_value(conn: sqlite3.Connection, key: str) -> None:
    value = json.loads(conn.execute(f"SELECT value FROM {TABLE} WHERE key=?", [key]).fetchone()[0])
    value["text"] = "DAMAGED"
    conn.execute(f"UPDATE {TABLE} SET value=? WHERE key=?", [json.dumps(value), key])


def _edit_checksum(conn: sqlite3.Connection, key: str) -> None:
    conn.execute(f"UPDATE {TABLE} SET checksum=? WHERE key=?", ["0" * 32, key])


def _truncate_value(conn: sqlite3.Connection, key: str) -> None:
    conn.execute(f"UPDATE {TABLE} SET value=substr(value, 1, 10) WHERE key=?", [key])


def _blob_value(conn: sqlite3.Connection, key: str) -> None:
    conn.execute(f"UPDATE {TABLE} SET value=? WHERE key=?", [b"\xff\x00", key])


def _flip_score_digit(conn: sqlite3.Connection, key: str) -> None:
    """One changed character that still parses: the kind of damage a bad disk does."""
    value = conn.execute(f"SELECT value FROM {TABLE} WHERE key=?", [key]).fetchone()[0]
    damaged = value.replace('"score": -', '"score": -1', 1)
    assert damaged != value
    conn.execute(f"UPDATE {TABLE} SET value=? WHERE key=?", [damaged, key])


DAMAGE = {
    "value-edited": _edit_value,
    "checksum-edited": _edit_checksum,
    "value-truncated": _truncate_value,
    "value-blob": _blob_value,
    "score-digit": _flip_score_digit,
}


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_a_damaged_row_is_a_miss_recomputed_counted_and_replaced(
    engine: MarianEngine, tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "c.db"
    with CachedTranslator(Counting(engine), str(db)) as cache:
        expected = cache.translate_batch(SENTENCES)
    key = entry_key(cache.namespace, SENTENCES[1])
    with sqlite3.connect(db) as conn:
        DAMAGE[damage](conn, key)
    inner = Counting(engine)
    with CachedTranslator(inner, str(db)) as cache:
        assert cache.translate_batch(SENTENCES) == expected
        assert (cache.hits, cache.misses, cache.corrupt) == (2, 1, 1)
        assert inner.calls == [[SENTENCES[1]]]
    assert f"translation cache {db}: 1 damaged entry" in caplog.text
    value, check = rows(db)[key]
    assert check == checksum(key, value)  # the damaged row was replaced
    again = Counting(engine)
    with CachedTranslator(again, str(db)) as cache:
        assert cache.translate_batch(SENTENCES) == expected
        assert (cache.hits, cache.corrupt, again.calls) == (3, 0, [])


def test_rows_swapped_between_keys_are_both_damaged(engine: MarianEngine, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    with CachedTranslator(Counting(engine), str(db)) as cache:
        expected = cache.translate_batch(SENTENCES)
    a, b = (entry_key(cache.namespace, s) for s in SENTENCES[:2])
    stored = rows(db)
    with sqlite3.connect(db) as conn:
        for key, other in ((a, b), (b, a)):
            value, check = stored[other]
            conn.execute(f"UPDATE {TABLE} SET value=?, checksum=? WHERE key=?", [value, check, key])
    with CachedTranslator(Counting(engine), str(db)) as cache:
        assert cache.translate_batch(SENTENCES) == expected
        assert (cache.hits, cache.misses, cache.corrupt) == (1, 2, 2)


def test_rows_of_the_old_table_without_checksums_are_never_served(
    engine: MarianEngine, tmp_path: Path
) -> None:
    db = tmp_path / "c.db"
    cache = CachedTranslator(Counting(engine), str(db))
    key = entry_key(cache.namespace, SENTENCES[0])
    cache.close()
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE translations_v1 (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute(
            "INSERT INTO translations_v1 VALUES (?, ?)", [key, '{"text": "OLD", "score": 0}']
        )
    inner = Counting(engine)
    with CachedTranslator(inner, str(db)) as cache:
        assert cache.translate_batch(SENTENCES[:1])[0].text == SENTENCES[0]
        assert inner.calls == [SENTENCES[:1]]


def test_default_path_is_in_the_user_cache() -> None:
    assert default_cache_path().name == "translations.sqlite3" and "idcorpus" in str(
        default_cache_path()
    )


def test_a_sqlite_file_damaged_inside_says_what_to_do(engine: MarianEngine, tmp_path: Path) -> None:
    """Valid header, garbage pages: a clear TranslationError (exit 3), not a traceback."""
    db = tmp_path / "c.db"
    cache = CachedTranslator(Counting(engine), str(db))
    rows = {f"k{i}": Translation(text=f"kalimat {i} " * 20, score=-0.1) for i in range(300)}
    cache.store(rows)
    cache.close()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    assert len(data) > 4 * page
    data[page : len(data)] = b"\xff" * (len(data) - page)  # every page after the first
    db.write_bytes(bytes(data))
    with pytest.raises(
        TranslationError, match=f"translation cache {db}.*(malformed|not a database)"
    ):
        CachedTranslator(Counting(engine), str(db)).translate_batch(SENTENCES)
