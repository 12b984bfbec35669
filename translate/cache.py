"""A persistent translation cache around any Translator.

Entries are keyed by sha256(namespace, source sentence). The namespace is the inner
translator's `describe()` (model id, revision and fingerprint, engine, compute type, decoding
options, library versions; thread counts left out) plus the caller's `namespace` dict, so a
change to any of them never serves a stale translation. Storage is SQLite in WAL mode; each
batch's new entries are written in one transaction after the inner translator returned, so
a crash leaves either the whole batch or nothing, never a partial or corrupt entry.

Within a batch each distinct sentence is translated once. `path=None` keeps only that
(nothing persists: the `--no-cache` mode). Counters: `misses` = sentences the inner
translator translated; `hits` = sentences answered without it (stored or duplicate);
`corrupt` = stored entries found damaged (counted in `misses` too).

Integrity: every row carries a checksum of its key and value (sha256). A row whose checksum
does not match, or whose value does not decode, is never served: it counts as `corrupt`, is
logged, translated again and replaced by the fresh entry. A cache file that is not a SQLite
database at all (or a SQLite database with other tables) is not touched: opening it raises a
TranslationError that names it and says what to do (the CLI exits 3), since it may be a file
the user pointed --cache-path at by mistake.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from translate.base import (
    BatchDone,
    Translation,
    Translator,
    check_lengths,
    translate_with_progress,
)
from translate.errors import TranslationError

logger = logging.getLogger(__name__)

TABLE = "translations_v2"  # v1 rows had no checksum
SQLITE_MAGIC = b"SQLite format 3\x00"
IGNORED_KEYS = frozenset({"inter_threads", "intra_threads", "threads"})
CHUNK = 500
FIELDS = frozenset(f.name for f in fields(Translation))


def default_cache_path() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("idcorpus")) / "translations.sqlite3"


def namespace_key(description: Mapping[str, str], extra: Mapping[str, Any] | None = None) -> str:
    """What identifies a translator's output (thread counts excluded)."""
    ident = {k: v for k, v in description.items() if k not in IGNORED_KEYS}
    blob = json.dumps([ident, dict(extra or {})], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def entry_key(namespace: str, sentence: str) -> str:
    return hashlib.sha256(f"{namespace}\0{sentence}".encode()).hexdigest()


def checksum(key: str, value: str) -> str:
    """What a row's `checksum` column holds: sha256 of its key and value."""
    return hashlib.sha256(f"{key}\0{value}".encode()).hexdigest()[:32]


class CachedTranslator:
    """Translator that answers from (and fills) a SQLite cache; see the module docstring."""

    def __init__(
        self,
        inner: Translator,
        path: str | Path | None = None,
        namespace: Mapping[str, Any] | None = None,
    ) -> None:
        self.inner = inner
        self.path = None if path is None else Path(path)
        self.namespace = namespace_key(inner.describe(), namespace)
        self.hits = 0
        self.misses = 0
        self.corrupt = 0
        self._db = None if self.path is None else open_db(self.path)

    def describe(self) -> dict[str, str]:
        return dict(self.inner.describe())

    def translate_batch(
        self, sentences: Sequence[str], progress: BatchDone | None = None
    ) -> list[Translation]:
        """Translations of `sentences`, from the cache where it has them. With `progress`,
        the inner translator's results are stored batch by batch as they come (so an
        interrupted call keeps what it translated) and reported, stored ones at once."""
        keys = {s: entry_key(self.namespace, s) for s in dict.fromkeys(sentences)}
        found = self.lookup(list(keys.values()))
        todo = [s for s, k in keys.items() if k not in found]
        where: dict[str, list[int]] = {}
        if progress is not None:
            for i, s in enumerate(sentences):
                where.setdefault(s, []).append(i)
            hits = [i for s, k in keys.items() if k in found for i in where[s]]
            if hits:
                progress(hits, [found[keys[sentences[i]]] for i in hits])

        def done(rows: Sequence[int], results: Sequence[Translation]) -> None:
            new = {keys[todo[r]]: t for r, t in zip(rows, results, strict=True)}
            self.store(new)
            found.update(new)
            if progress is not None:
                at = [(i, t) for r, t in zip(rows, results, strict=True) for i in where[todo[r]]]
                progress([i for i, _ in at], [t for _, t in at])

        if todo:
            fresh = check_lengths(todo, translate_with_progress(self.inner, todo, done))
            missing = {keys[s]: t for s, t in zip(todo, fresh, strict=True) if keys[s] not in found}
            self.store(missing)
            found.update(missing)
        self.misses += len(todo)
        self.hits += len(sentences) - len(todo)
        return [found[keys[s]] for s in sentences]

    def lookup(self, keys: list[str]) -> dict[str, Translation]:
        """The stored translations of `keys`; damaged rows are left out and counted."""
        if self._db is None or not keys:
            return {}
        found: dict[str, Translation] = {}
        damaged = 0
        for chunk in chunks(keys, CHUNK):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT key, value, checksum FROM {TABLE} WHERE key IN ({marks})"
            for key, value, check in self._query(sql, chunk):
                translation = verified(key, value, check)
                if translation is None:
                    damaged += 1
                else:
                    found[key] = translation
        if damaged:
            self.corrupt += damaged
            logger.warning(
                "translation cache %s: %d damaged entr%s (checksum mismatch) ignored; "
                "translating again and replacing them",
                self.path,
                damaged,
                "y" if damaged == 1 else "ies",
            )
        return found

    def store(self, entries: Mapping[str, Translation]) -> None:
        """Write a batch's entries in one transaction (all or nothing)."""
        if self._db is None or not entries:
            return
        rows = []
        for key, t in entries.items():
            value = json.dumps(asdict(t), ensure_ascii=False)
            rows.append((key, value, checksum(key, value)))
        try:
            with self._db:
                self._db.executemany(
                    f"INSERT OR REPLACE INTO {TABLE} (key, value, checksum) VALUES (?, ?, ?)",
                    rows,
                )
        except sqlite3.Error as e:
            raise TranslationError(
                f"cannot write the translation cache {self.path}: {e}; use --no-cache"
            ) from e

    def _query(self, sql: str, args: Sequence[str]) -> list[tuple[Any, Any, Any]]:
        assert self._db is not None
        try:
            return self._db.execute(sql, list(args)).fetchall()
        except sqlite3.Error as e:
            raise TranslationError(
                f"cannot read the translation cache {self.path}: {e}; delete it or use --no-cache"
            ) from e

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> CachedTranslator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_db(path: Path) -> sqlite3.Connection:
    check_sqlite_file(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=60, check_same_thread=False)
        check_tables(path, db)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} "
            "(key TEXT PRIMARY KEY, value TEXT NOT NULL, checksum TEXT NOT NULL) WITHOUT ROWID"
        )
        db.commit()
    except (OSError, sqlite3.Error) as e:
        raise TranslationError(
            f"cannot open the translation cache {path}: {e}; delete it if it is a damaged "
            "cache, or pass another --cache-path, or use --no-cache"
        ) from e
    return db


def check_sqlite_file(path: Path) -> None:
    """Refuse a folder, or an existing non-empty file that is not SQLite (left as it is)."""
    if path.is_dir():
        raise TranslationError(
            f"the translation cache {path} is a folder; --cache-path names a file"
        )
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except (FileNotFoundError, NotADirectoryError):
        return  # a new cache, or a path sqlite reports below
    except OSError as e:
        raise TranslationError(
            f"cannot read the translation cache {path}: {e}; use --no-cache"
        ) from e
    if head and head != SQLITE_MAGIC:
        raise TranslationError(
            f"the translation cache {path} is not a SQLite database (it does not start with "
            "'SQLite format 3'); it was left untouched: pass another --cache-path, move or "
            "delete that file if it is a damaged cache, or use --no-cache"
        )


def check_tables(path: Path, db: sqlite3.Connection) -> None:
    """Refuse a SQLite database that holds anything but translation caches (a user's own)."""
    names = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    foreign = [name for name in names if not name.startswith("translations_")]
    if foreign:
        db.close()
        raise TranslationError(
            f"{path} is a SQLite database of something else (tables: {', '.join(foreign[:5])}), "
            "not a translation cache; it was left untouched: pass another --cache-path"
        )


def verified(key: str, value: Any, check: Any) -> Translation | None:
    """The Translation a row holds, or None when the row is damaged."""
    if not isinstance(value, str) or check != checksum(key, value):
        return None
    try:
        return decode(value)
    except (ValueError, TypeError, AttributeError):
        return None


def decode(value: str) -> Translation:
    data = json.loads(value)
    return Translation(**{k: v for k, v in data.items() if k in FIELDS})


def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
