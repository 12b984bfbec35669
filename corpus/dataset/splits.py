"""Rows -> splits by document: a seeded hash of `doc_id` assigns each document to one split,
stable and streaming, so no document is in two splits however the rows are cut."""

from __future__ import annotations

import hashlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def split_indices(table: pa.Table, splits: tuple[tuple[str, float], ...], seed: int) -> np.ndarray:
    """Index into `splits` of each row's split, by its document."""
    encoded = pc.dictionary_encode(table.column("doc_id")).combine_chunks()
    names = [name for name, _ in splits]
    per_doc = np.array(
        [names.index(split_of(d, splits, seed)) for d in encoded.dictionary.to_pylist()],
        dtype=np.int64,
    )
    return per_doc[encoded.indices.to_numpy(zero_copy_only=False)] if len(per_doc) else per_doc


def split_of(doc_id: str, splits: tuple[tuple[str, float], ...], seed: int) -> str:
    """Assign a document to a split by a seeded hash: stable, streaming, never two splits."""
    digest = hashlib.sha256(f"{seed}\x00{doc_id}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    cumulative = 0.0
    for name, fraction in splits:
        cumulative += fraction
        if u < cumulative:
            return name
    return splits[-1][0]
