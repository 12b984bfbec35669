"""Fingerprints of documents, in document order -> the lines each document drops as repeated
across documents (`corpus.clean.cleaner.fingerprints` makes them; `Cleaner.clean(text, drop)` applies
the drop set). Sequential and cheap, so that a parallel or distributed build decides the
repeats in input order, exactly as one process cleaning the documents in turn does.
"""

from __future__ import annotations

from array import array

from corpus.clean.config import CleanConfig


class RepeatTracker:
    """Cross-document line counts, fed in document order (sequential; cheap).

    Memory is fixed from the start: the counts live in an open-addressing table sized for
    `max_tracked_lines` (twice as many slots of an 8-byte key and a 1-byte count), allocated
    and touched up front, so a build's memory does not grow with the corpus. Lines first seen
    after `max_tracked_lines` distinct ones are not tracked, the same in every process."""

    def __init__(self, config: CleanConfig = CleanConfig()) -> None:
        self.config = config
        slots = 1 << max(4, (2 * config.max_tracked_lines - 1).bit_length())
        self._mask = slots - 1
        self._keys = array("Q", bytes(8 * slots))
        self._counts = array("B", bytes(slots))
        self._size = 0

    def observe(self, fps: frozenset[bytes]) -> frozenset[bytes]:
        """The fingerprints to drop from this document (seen in at least
        `cross_doc_min_docs - 1` earlier documents), then count this document."""
        need = self.config.cross_doc_min_docs - 1
        if need < 1:
            return frozenset()
        drop = []
        for fp in sorted(fps):  # a set's order varies between processes; the bound must not
            slot = self._slot(fp)
            if slot < 0:
                continue
            count = self._counts[slot]
            if count >= need:
                drop.append(fp)
            if count < 255:
                self._counts[slot] = count + 1
        return frozenset(drop)

    def _slot(self, fp: bytes) -> int:
        """The slot of `fp` (claimed if new and there is room), or -1 when it is not tracked."""
        key = int.from_bytes(fp, "little") or 1  # 0 marks an empty slot
        i = key & self._mask
        while True:
            found = self._keys[i]
            if found == key:
                return i
            if not found:
                if self._size >= self.config.max_tracked_lines:
                    return -1
                self._keys[i] = key
                self._size += 1
                return i
            i = (i + 1) & self._mask
