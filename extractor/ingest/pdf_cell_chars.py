"""The characters of a PDF table's cells: each character belongs to the cells its middle is
in (pdfplumber's boxes, edges included), in page order. Middles are worked out once a page
and a table's characters sorted by them (by x and by y), so a cell's are found by bisection. A cell written
gets its text without pdfplumber's word and text maps (``plain_text``, the same text)."""

from __future__ import annotations

import bisect

Centred = tuple[float, float, dict]  # a character with the middle of its box


def centres(chars: list[dict]) -> list[Centred]:
    """Each character with its middle, worked out once a page (not once a cell)."""
    return [((c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2, c) for c in chars]


def centred_in_box(centred: list[Centred], box) -> list[Centred]:
    """The characters whose middle is in the box."""
    x0, top, x1, bottom = box
    return [t for t in centred if x0 <= t[0] <= x1 and top <= t[1] <= bottom]


class ByMiddle:
    """A table's characters sorted by the x of their middle and by its y: the characters of a
    cell are found by bisection on both (not by a pass over the whole table for every cell),
    those of the narrower band (its row's, most often, or its column's) tested for the other
    coordinate, in page order."""

    def __init__(self, centred: list[Centred]):
        n = len(centred)
        by_x = sorted(range(n), key=lambda k: centred[k][0])
        by_y = sorted(range(n), key=lambda k: centred[k][1])
        self._xs = [centred[k][0] for k in by_x]
        self._ys = [centred[k][1] for k in by_y]
        self._by_x = [(k, centred[k]) for k in by_x]
        self._by_y = [(k, centred[k]) for k in by_y]

    def within(self, box) -> list[dict]:
        x0, top, x1, bottom = box
        lo, hi = bisect.bisect_left(self._xs, x0), bisect.bisect_right(self._xs, x1)
        y_lo, y_hi = bisect.bisect_left(self._ys, top), bisect.bisect_right(self._ys, bottom)
        if y_hi - y_lo < hi - lo:
            return [t[2] for _, t in sorted(item for item in self._by_y[y_lo:y_hi] if x0 <= item[1][0] <= x1)]
        return [t[2] for _, t in sorted(item for item in self._by_x[lo:hi] if top <= item[1][1] <= bottom)]
