"""Pages in two columns: the gutter, and the page's characters in reading order.

A vertical gutter in the middle of the page that no more than a tenth of the rows cross, with
text on both sides in at least ``COLUMN_ROWS`` rows, makes a page two columns; it is read as
rows above the columns, the left column, the right column, rows below.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from itertools import accumulate
from operator import itemgetter

COLUMN_ROWS = 5  # rows of text on both sides of a gutter that make a page two columns
GUTTER_ZONE = (0.3, 0.7)  # where a gutter may stand, as shares of the page width


@dataclass
class _Columns:
    """A page set in two columns between ``top`` and ``bottom``, split at ``gutter``."""

    gutter: float
    shift: float  # how far right-column lines move left to line up with the left column
    top: float
    bottom: float

    def block_of(self, x0: float, x1: float, top: float, bottom: float) -> int:
        if bottom <= self.top:
            return 0
        if top >= self.bottom:
            return 3
        return 2 if x0 >= self.gutter else 1


_TOP, _X0 = itemgetter("top"), itemgetter("x0")


def _rows_of(chars: list[dict]) -> list[list[dict]]:
    """Characters grouped into printed rows (by the top of each character, 2 pt apart at most)."""
    rows: list[list[dict]] = []
    first = 0.0  # the top of the row's first character
    for c in sorted([c for c in chars if c["text"].strip()], key=_TOP):
        top = c["top"]
        if rows and top - first <= 2:
            rows[-1].append(c)
        else:
            rows.append([c])
            first = top
    return rows


def _columns(chars: list[dict], width: float) -> _Columns | None:
    """The gutter of a page in two columns: a vertical band no row's text crosses, with text on
    both sides of it in at least ``COLUMN_ROWS`` rows; None for a page in one column."""
    rows = _rows_of(chars)
    if len(rows) < 2 * COLUMN_ROWS or width <= 0:
        return None
    size = statistics.median([c.get("size", 10) or 10 for row in rows for c in row])
    covered = _covered(rows, int(width) + 2)
    lo, hi = int(GUTTER_ZONE[0] * width), int(GUTTER_ZONE[1] * width)
    crossing = len(rows) // 10  # rows across the page (a title, a heading) the gutter may have
    best: tuple[int, int] | None = None
    start = None
    for x in range(lo, hi + 1):
        if covered[x] <= crossing and start is None:
            start = x
        if (covered[x] > crossing or x == hi) and start is not None:
            end = x if covered[x] > crossing else x + 1
            if best is None or end - start > best[1] - best[0]:
                best = (start, end)
            start = None
    if best is None or best[1] - best[0] < 1.5 * size:
        return None
    left_edge, right_edge = best

    def crosses(row: list[dict]) -> bool:
        return any(c["x0"] < right_edge and c["x1"] > left_edge for c in row)

    both = [row for row in rows if not crosses(row)
            and any(c["x1"] <= left_edge + 1 for c in row) and any(c["x0"] >= right_edge - 1 for c in row)]
    if len(both) < COLUMN_ROWS:
        return None
    # the columns run on above and below the rows with text on both sides, up to a row that
    # crosses the gutter (a title or heading across the page) or the page's end: a column
    # shorter than the other ends the page with rows on one side only

    first, last = rows.index(both[0]), rows.index(both[-1])
    while first > 0 and not crosses(rows[first - 1]):
        first -= 1
    while last + 1 < len(rows) and not crosses(rows[last + 1]):
        last += 1
    top, bottom = min(c["top"] for c in rows[first]), max(c["bottom"] for c in rows[last])
    inside = [c for row in rows for c in row if top - 1 <= c["top"] <= bottom + 1]
    left_x = min((c["x0"] for c in inside if c["x1"] <= left_edge + 1), default=0.0)
    right_x = min((c["x0"] for c in inside if c["x0"] >= right_edge - 1), default=float(right_edge))
    return _Columns(gutter=(left_edge + right_edge) / 2, shift=right_x - left_x, top=top - 1, bottom=bottom + 1)


def _covered(rows: list[list[dict]], n: int) -> list[int]:
    """For each whole x from 0 to ``n - 1``, how many rows have a character over it (the x
    from ``int(x0)`` to ``int(x1)``): each row's spans merged, counted by their ends. A row's
    characters are taken by ``x0`` (their spans' starts in order: ``int`` keeps the order)."""
    ends = [0] * (n + 1)
    for row in rows:
        start = end = -1
        for c in sorted(row, key=_X0):
            lo, hi = int(c["x0"]), int(c["x1"]) + 1
            if lo < 0:
                lo = 0
            if hi > n:
                hi = n
            if lo >= hi:
                continue
            if lo <= end:
                if hi > end:
                    end = hi
                continue
            if end > start:
                ends[start] += 1
                ends[end] -= 1
            start, end = lo, hi
        if end > start:
            ends[start] += 1
            ends[end] -= 1
    return list(accumulate(ends[:n]))


def _blocks(chars: list[dict], columns: _Columns | None) -> list[tuple[int, list[dict], float]]:
    """(block, its characters, x shift) in reading order: the whole page, or for two columns
    the rows above them, the left column, the right column, the rows below them."""
    if columns is None:
        return [(0, chars, 0.0)]

    def part(block: int) -> list[dict]:
        return [c for c in chars
                if columns.block_of((c["x0"] + c["x1"]) / 2, (c["x0"] + c["x1"]) / 2, c["top"], c["bottom"]) == block]

    return [(0, part(0), 0.0), (1, part(1), 0.0), (2, part(2), columns.shift), (3, part(3), 0.0)]
