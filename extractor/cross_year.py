"""Pairing results of one body in consecutive years (``cross_year.carry_over``) as a batch
streams by, in memory that does not grow with the batch.

A batch of a million reports must remember every result it has seen: a body's 2023 report may
arrive after its 2024 one, at any distance. What it remembers of each is small (body, year, the
two 总计 cells the check reads, and what the caller needs to deliver a late check), but kept as
Python objects it still grew the process by about 1 KiB per report plus 2 KiB per body for the
name index. Here every entry is a row of an SQLite database in a private temporary file (SQLite
deletes it when the index is closed or the process ends), read through a page cache of fixed
size: a result costs the same memory and, through the database's B-tree, about the same time
at the millionth document as at the first.

Bodies are matched as ``same_body`` says: names without white space, equal, or one ending
with the other of ``SAME_BODY_MIN_SUFFIX`` characters or more (淮安市洪泽区人民政府 and
洪泽区人民政府). Names are stored reversed, so the names ending with a given one are a range of
the index (those starting with its reversal) and the names it ends with are its reversal's
prefixes.
"""

from __future__ import annotations

import json
from typing import Any

from .checks import YearEnds, carry_over
from .models import Check, Report
from .scratch import scratch_database

SAME_BODY_MIN_SUFFIX = 4  # a shorter name (市政府) could be any body's
# Above every character a name can hold: the end of the range of names starting with a prefix
_AFTER_ALL = "\U0010ffff"
_PAGE_CACHE_KIB = 1024  # SQLite's page cache: what the index holds in memory at most (the OS caches the rest)


def body_key(body: str) -> str:
    """A body's name as pairing compares it: without white space."""
    return "".join(body.split())


def same_body(a: str, b: str) -> bool:
    """One body however its titles name it: 淮安市洪泽区人民政府 and 洪泽区人民政府."""
    short, long = sorted((body_key(a), body_key(b)), key=len)
    return short == long or (len(short) >= SAME_BODY_MIN_SUFFIX and long.endswith(short))


class CrossYear:
    """Pairs results of one body in consecutive years as a batch streams by.

    ``add_ends`` indexes one result and returns the checks it completes, each with the id of
    the later year's entry it belongs to: the one just added, or one seen earlier (whose output
    a caller may already have written: a *late* check). The checks and their order are those
    of comparing the result with every earlier one in turn (``same_body``), as candidates
    are visited in arrival order. An entry can carry ``data`` (anything JSON can hold: what a
    caller needs to deliver a late check), read back with ``data`` and replaced with ``set_data``.

    ``add`` is the same for a ``Report`` a caller holds (``run_batch_checks``): the checks come
    with the ``key`` given for the later year's report (the report itself by default), which
    the index then holds in memory, as the caller does.
    """

    def __init__(self) -> None:
        self._db = scratch_database("the cross-year index", "about 1 KiB a report")
        self._db.execute(f"PRAGMA cache_size = -{_PAGE_CACHE_KIB}")
        self._db.execute("CREATE TABLE entry (id INTEGER PRIMARY KEY, name TEXT NOT NULL, year INTEGER NOT NULL,"
                         " ends TEXT NOT NULL, data TEXT)")
        self._db.execute("CREATE INDEX entry_by_name ON entry (name, year)")
        self._keys: dict[int, Any] = {}  # entry id → key, for ``add`` only

    def add(self, report: Report, key: Any = None) -> list[tuple[Any, Check]]:
        if not (report.body and report.year is not None and report.tables):
            return []
        entry, found = self.add_ends(report.body, YearEnds.of(report.doc, report.year, report.tables))
        self._keys[entry] = report if key is None else key
        return [(self._keys[later], check) for later, check in found]

    def add_ends(self, body: str, ends: YearEnds, data: Any = None) -> tuple[int, list[tuple[int, Check]]]:
        """Index one result; its entry id and the checks it completes, each with its later entry's id."""
        name = body_key(body)[::-1]
        years = (ends.year - 1, ends.year + 1)
        entry = self._db.execute(
            "INSERT INTO entry (name, year, ends, data) VALUES (?, ?, ?, ?)",
            (name, ends.year, json.dumps([ends.doc, *ends.forward, *ends.over]),
             None if data is None else json.dumps(data, ensure_ascii=False))).lastrowid
        assert entry is not None
        found: list[tuple[int, Check]] = []
        for other, year, other_json in self._candidates(name, years, entry):
            other_ends = _ends(year, other_json)
            if year == ends.year - 1:
                check, later = carry_over(other_ends, ends), entry
            else:
                check, later = carry_over(ends, other_ends), other
            if check is not None:
                found.append((later, check))
        return entry, found

    def _candidates(self, name: str, years: tuple[int, int], before: int) -> list[tuple[int, int, str]]:
        """Entries of the years around, of the same body, added before ``before``, in arrival order."""
        names = [name] + [name[:k] for k in range(SAME_BODY_MIN_SUFFIX, len(name))]  # equal, or names it ends with
        rows = []
        for i in range(0, len(names), 500):  # within SQLite's oldest limit of 999 variables
            chunk = names[i:i + 500]
            rows += self._db.execute(
                f"SELECT id, year, ends FROM entry WHERE name IN ({','.join('?' * len(chunk))})"
                " AND year IN (?, ?) AND id < ?", (*chunk, *years, before)).fetchall()
        if len(name) >= SAME_BODY_MIN_SUFFIX:  # names that end with it: their reversal starts with its own
            rows += self._db.execute(
                "SELECT id, year, ends FROM entry WHERE name > ? AND name < ? AND year IN (?, ?) AND id < ?",
                (name, name + _AFTER_ALL, *years, before)).fetchall()
        rows.sort()
        return rows

    def data(self, entry: int) -> Any:
        row = self._db.execute("SELECT data FROM entry WHERE id = ?", (entry,)).fetchone()
        return None if row is None or row[0] is None else json.loads(row[0])

    def set_data(self, entry: int, data: Any) -> None:
        self._db.execute("UPDATE entry SET data = ? WHERE id = ?", (json.dumps(data, ensure_ascii=False), entry))

    def close(self) -> None:
        self._db.close()


def _ends(year: int, stored: str) -> YearEnds:
    doc, forward_present, forward, over_present, over = json.loads(stored)
    return YearEnds(doc, year, (forward_present, forward), (over_present, over))


def run_batch_checks(reports: list[Report]) -> None:
    """Checks across documents of one batch (cross_year.carry_over); appends to the later year.

    For two results of the same body in consecutive years: last year's 结转下年度 总计 must equal
    this year's 上年结转 总计.
    """
    batch = CrossYear()
    try:
        for report in reports:
            for later, check in batch.add(report):
                later.checks.append(check)
    finally:
        batch.close()
