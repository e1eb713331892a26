"""Results put back in input order as they arrive out of it (Ray Data's blocks finish in any
order), held meanwhile in memory up to a budget and beyond it in a scratch file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator

from .scratch import scratch_database

# Bytes of results held in memory while a result before them is still missing (a slow block, or one
# Ray Data gave up on, whose documents are known only when the stream ends); beyond, a scratch file
HELD_IN_MEMORY = 256 << 20


class Held:
    """Results waiting for those before them: in memory up to ``budget`` bytes, the rest in a
    scratch database. A block lost near the start of a run of a million documents holds every
    later result until the stream ends: in memory, that was the whole output."""

    def __init__(self, budget: int = HELD_IN_MEMORY):
        self._memory: dict[int, bytes] = {}
        self.in_memory = 0  # bytes
        self._budget = budget
        self._db: sqlite3.Connection | None = None

    @property
    def spilled(self) -> bool:
        return self._db is not None

    def put(self, i: int, blob: bytes) -> None:
        if self.in_memory + len(blob) <= self._budget:
            self._memory[i] = blob
            self.in_memory += len(blob)
            return
        if self._db is None:
            self._db = scratch_database("results waiting for an earlier one", "as large as they are")
            self._db.execute("CREATE TABLE held (i INTEGER PRIMARY KEY, blob BLOB NOT NULL)")
        self._db.execute("INSERT OR REPLACE INTO held VALUES (?, ?)", (i, blob))

    def __contains__(self, i: int) -> bool:
        return i in self._memory or (
            self._db is not None and self._db.execute("SELECT 1 FROM held WHERE i = ?", (i,)).fetchone() is not None)

    def pop(self, i: int) -> bytes | None:
        blob = self._memory.pop(i, None)
        if blob is not None:
            self.in_memory -= len(blob)
            return blob
        if self._db is not None:
            row = self._db.execute("SELECT blob FROM held WHERE i = ?", (i,)).fetchone()
            if row is not None:
                self._db.execute("DELETE FROM held WHERE i = ?", (i,))
                return bytes(row[0])
        return None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


def in_input_order(pairs: Iterable[tuple[int, bytes]], total: int,
                   again: Callable[[list[int]], Iterable[tuple[int, bytes]]] | None = None,
                   held: Held | None = None) -> Iterator[tuple[int, bytes | None]]:
    """Results ``(index, result)`` as they come, yielded by index from 0 to ``total - 1``; each
    is held (``Held``) until those before it are out. The indexes that never came (their block
    failed every try) are asked for ``again`` once the stream has ended; one that still does not
    come is yielded with None."""
    ready = Held() if held is None else held
    try:
        expected = 0
        for i, blob in pairs:
            ready.put(i, blob)
            while expected in ready:
                yield expected, ready.pop(expected)
                expected += 1
        lost = [i for i in range(expected, total) if i not in ready]
        if lost and again is not None:
            for i, blob in again(lost):
                ready.put(i, blob)
        for i in range(expected, total):
            yield i, ready.pop(i)
    finally:
        ready.close()
