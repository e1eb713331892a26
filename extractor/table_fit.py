"""Rows onto the template: labels matched to template rows (``assign_rows``) and a row's cells
fitted to the template's columns (``fit_cells``, ``fit_row``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import pairwise

from .schema import RowSpec
from .table_cells import CUT_OFF, normalize_label

# ---------------------------------------------------------------------------- rows → template


def _label_index(label: str, specs: Sequence[RowSpec]) -> int | None:
    """The one template row whose patterns the label matches (None when none or several)."""
    return _label_index_cached(normalize_label(label), tuple(specs))


@lru_cache(maxsize=8192)
def _label_index_cached(norm: str, specs: tuple[RowSpec, ...]) -> int | None:
    if _any_row(specs).search(norm) is None:  # most text names no row: one search, not one per row
        return None
    hits = [i for i, spec in enumerate(specs) if spec.matches(norm)]
    return hits[0] if len(hits) == 1 else None


@lru_cache(maxsize=16)
def _any_row(specs: tuple[RowSpec, ...]) -> re.Pattern[str]:
    """Every label pattern of the rows as one: it matches where some row's does (where the
    patterns' flags differ, one pattern cannot say so: it then matches everything)."""
    patterns = [p for spec in specs for p in spec.labels]
    if len({p.flags for p in patterns}) > 1:
        return re.compile("")
    return re.compile(_alternatives(p.pattern for p in patterns) or "(?!)", patterns[0].flags if patterns else 0)


def _alternatives(patterns: Iterable[str]) -> str:
    """Patterns as one, each an alternative: ``a|b|c``, the same expression as ``(?:a)|(?:b)|(?:c)``
    (alternation is associative) but which ``re`` searches up to four times faster: through the
    groups it no longer sees the characters a match can start with, and tries every position."""
    return "|".join(patterns)


def assign_rows(labels: Sequence[str], specs: Sequence[RowSpec]) -> tuple[dict[int, int], bool]:
    """Map row positions to template rows: by label, and by order only where rows match one to one.

    Returns (row index → template index, whether some row was placed by order).
    """
    n = len(specs)
    found = [_label_index(label, specs) for label in labels]
    if len(labels) == n and all(t is None or t == i for i, t in enumerate(found)):
        return {i: i for i in range(n)}, any(t is None for t in found)
    mapping: dict[int, int] = {}
    for i, t in enumerate(found):  # every labelled row, in whatever order it is printed
        if t is not None and t not in mapping.values():
            mapping[i] = t
    by_order = False
    anchors = _increasing(sorted(mapping.items()))
    for (r0, t0), (r1, t1) in pairwise([(-1, -1), *anchors, (len(labels), n)]):
        free = [r for r in range(r0 + 1, r1) if found[r] is None]
        targets = range(t0 + 1, t1)
        if free and len(free) == len(targets) and len(free) == r1 - r0 - 1:
            if not set(targets) & set(mapping.values()):
                mapping.update(zip(free, targets, strict=True))
                by_order = True
    return mapping, by_order


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest run of (row, template) pairs whose template indices strictly increase."""
    best: list[list[tuple[int, int]]] = []
    for pair in pairs:
        chains = [c for c in best if c[-1][1] < pair[1]]
        best.append(max(chains, key=len, default=[]) + [pair])
    return max(best, key=len, default=[])


def fit_cells(cells: Sequence[str], width: int, last: bool = False,
              repeats: bool = True) -> tuple[list[str | None] | None, str | None]:
    """The row's cells for ``width`` columns, or (None, why) when they cannot be told apart.

    Blank cells beyond the width at either end are layout (spans, trailing tabs), where only one
    way to drop them is possible. ``repeats``: equal cells side by side may be one cell a grid
    repeated over its colspan (grids without span marks only). A row with too few cells is read
    left to right only where the text ends in it (a cut-off table).
    """
    if len(cells) == width:  # the usual row: one cell per column, nothing to drop
        return list(cells), None
    cells = list(cells)
    extra = len(cells) - width
    lead = next((i for i, c in enumerate(cells) if c.strip()), len(cells))
    trail = next((i for i, c in enumerate(reversed(cells)) if c.strip()), len(cells))
    if lead < len(cells) and 0 < extra <= lead + trail and min(extra, lead) + min(extra, trail) > extra:
        # blanks at both ends and more than one way to drop them: which cell is blank is not known
        return None, f"{len(cells)} cells for {width} columns, blank at both ends: " + " | ".join(c.strip() for c in cells)
    while len(cells) > width and not cells[-1].strip():
        cells.pop()
    while len(cells) > width and not cells[0].strip():
        cells.pop(0)
    if len(cells) == width:
        return list(cells), None
    if len(cells) > width and repeats:  # one cell spread over several columns (an expanded colspan): 97 | 97 | 97
        merged = [c for i, c in enumerate(cells) if i == 0 or c.strip() != cells[i - 1].strip()]
        if len(merged) == width:
            return merged, None
    if last and len(cells) < width:
        return [*cells, *([None] * (width - len(cells)))], CUT_OFF
    return None, f"{len(cells)} cells for {width} columns: " + " | ".join(c.strip() for c in cells)


def fit_row(cells: Sequence[str], width: int, last: bool = False, spans: Sequence[tuple[int, int]] | None = None,
            header: Sequence[tuple[int, int]] | None = None) -> tuple[list[str | None] | None, str | None]:
    """As ``fit_cells``, with a grid row's cells placed by position under the header's columns.

    Where the header above a grid row has one cell per template column, each data cell must
    line up with its column: the k-th cell overlapping the k-th header cell (a data row may span
    differently: ``value (colspan 2) | value | value`` under ``上一年 | 本年增/减 (colspan 2) | 处理决定``),
    or, where the counts differ, each printed cell under exactly one column and no column under
    two (a column with no printed cell is blank). A row that lines up neither way is unread,
    with the reason.
    """
    if spans is None:  # a printed line: a spanned cell is printed once, equal figures side by side are cells
        return fit_cells(cells, width, last, repeats=False)
    if not header or len(header) != width or len(spans) != len(cells):
        return fit_cells(cells, width, last)
    placed = [(c, sp) for c, sp in zip(cells, spans, strict=True) if c.strip() or any(_overlap(sp, h) for h in header)]
    if len(placed) == width and all(_overlap(sp, h) for (_, sp), h in zip(placed, header, strict=True)):
        return [c for c, _ in placed], None
    # else each printed (non-blank) cell under exactly one column, no column under two of them;
    # a column no printed cell stands under is blank (a grid's empty cell is printed blank)
    printed = [(c, sp) for c, sp in placed if c.strip()]
    under = [[h for h in range(width) if _overlap(sp, header[h])] for _, sp in printed]
    columns = [h[0] for h in under if len(h) == 1]
    if printed and len(columns) == len(printed) and len(set(columns)) == len(columns):
        fitted: list[str | None] = [""] * width
        for (c, _), h in zip(printed, columns, strict=True):
            fitted[h] = c
        return fitted, None
    if len(placed) != width and last:
        return fit_cells(cells, width, last)
    layout = " | ".join(f"{c.strip()}@{sp[0]}+{sp[1]}" for c, sp in placed)
    columns = " | ".join(f"{h[0]}+{h[1]}" for h in header)
    return None, f"cells {layout} do not line up with the header's columns {columns}"


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[0] + b[1] and b[0] < a[0] + a[1]
