"""The characters of a PDF table's cells: each character belongs to the cells its middle is
in (pdfplumber's boxes, edges included), in page order. Middles are worked out once a page
and a table's characters sorted by them, so a cell's are found by bisection. A cell written
gets its text without pdfplumber's word and text maps (``plain_text``, the same text)."""

from __future__ import annotations

import bisect

from pdfplumber.utils.text import LIGATURES

Centred = tuple[float, float, dict]  # a character with the middle of its box


def centres(chars: list[dict]) -> list[Centred]:
    """Each character with its middle, worked out once a page (not once a cell)."""
    return [((c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2, c) for c in chars]


def centred_in_box(centred: list[Centred], box) -> list[Centred]:
    """The characters whose middle is in the box."""
    x0, top, x1, bottom = box
    return [t for t in centred if x0 <= t[0] <= x1 and top <= t[1] <= bottom]


class ByMiddle:
    """A table's characters sorted by the x of their middle: the characters of a cell are
    found by bisection (not by a pass over the whole table for every cell), in page order."""

    def __init__(self, centred: list[Centred]):
        order = sorted(range(len(centred)), key=lambda k: centred[k][0])
        self._xs = [centred[k][0] for k in order]
        self._items = [(k, centred[k]) for k in order]

    def within(self, box) -> list[dict]:
        x0, top, x1, bottom = box
        lo, hi = bisect.bisect_left(self._xs, x0), bisect.bisect_right(self._xs, x1)
        return [t[2] for _, t in sorted(item for item in self._items[lo:hi] if top <= item[1][1] <= bottom)]


def plain_text(chars: list[dict], x_tolerance: float = 3, y_tolerance: float = 3) -> str | None:
    """What ``pdfplumber.utils.extract_text(chars, x_tolerance, y_tolerance)`` gives (its plain
    reading, default settings) for upright characters, without building its word and text maps:
    lines are the characters chained by ``top`` within ``y_tolerance``; a line's characters
    by ``x0`` make words, a word ending at a blank, at a character left of the one before, more
    than ``x_tolerance`` after its end or more than ``y_tolerance`` above or below it; the words
    are chained into lines again by their ``top`` and joined by spaces, the lines by line feeds.
    None for characters this does not cover (not upright, an empty text)."""
    if any(not c["upright"] or not c["text"] for c in chars):
        return None
    words: list[tuple[float, str]] = []  # (top, text)
    for line in _chained(chars, lambda c: c["top"], y_tolerance):
        word: list[dict] = []
        for char in sorted(line, key=lambda c: c["x0"]):
            if char["text"].isspace():
                word = _close_word(word, words)
            elif word and (char["x0"] < word[-1]["x0"] or char["x0"] > word[-1]["x1"] + x_tolerance
                           or abs(char["top"] - word[-1]["top"]) > y_tolerance):
                word = _close_word(word, words) + [char]
            else:
                word.append(char)
        _close_word(word, words)
    lines = _chained(words, lambda w: w[0], y_tolerance)
    return "\n".join(" ".join(text for _, text in line) for line in lines)


def _close_word(word: list[dict], words: list[tuple[float, str]]) -> list[dict]:
    if word:
        words.append((min(c["top"] for c in word), "".join(LIGATURES.get(c["text"], c["text"]) for c in word)))
    return []


def _chained(items: list, key, tolerance: float) -> list[list]:  # type: ignore[no-untyped-def]
    """pdfplumber's ``cluster_objects``: distinct key values sorted and chained within
    ``tolerance``; the groups in that order, each in the order of ``items``."""
    cluster: dict[float, int] = {}
    n, last = -1, None
    for v in sorted({key(x) for x in items}):
        if last is None or v > last + tolerance:
            n += 1
        cluster[v] = n
        last = v
    groups: dict[int, list] = {}
    for x in items:
        groups.setdefault(cluster[key(x)], []).append(x)
    return [groups[k] for k in sorted(groups)]
