"""pdfplumber's table finder (``TableFinder``) with its quadratic steps indexed.

Of pdfplumber's time on a ruled page once the characters come from PDFium, most goes to
``edges_to_intersections`` (every vertical edge against every horizontal one) and
``intersections_to_cells`` (for every crossing, every later crossing; the edges of each pair
turned into sets again for every test). The functions here give the same crossings and the
same cells: the horizontal edges a vertical one can meet are found by bisection on their
``top`` (then tested with pdfplumber's own condition, so floating-point results are the same),
each crossing's edge sets are made once (of edge numbers, tested for overlap), and the
crossings below and to the right of a point are sliced from those on its x and y. Grouping the
cells into tables (``cells_to_tables``) is pdfplumber's, passes over the cells left without a
list removal and a corner count for each. Everything else (snapping and joining the edges) is
pdfplumber's. ``tests/test_pdf_backends.py`` checks the three functions against pdfplumber's on
every bundled PDF and on random edges.
"""

from __future__ import annotations

import bisect
from operator import itemgetter
from typing import Any

from pdfplumber.table import Table, TableFinder, TableSettings

Point = tuple[float, float]
BBox = tuple[float, float, float, float]
_bbox = itemgetter("x0", "top", "x1", "bottom")  # pdfplumber's obj_to_bbox


class IndexedTableFinder(TableFinder):
    """``pdfplumber.table.TableFinder`` (its ``__init__``, step by step) with the indexed steps."""

    def __init__(self, page: Any, settings: Any = None):
        self.page = page
        self.settings = TableSettings.resolve(settings)
        self.edges = self.get_edges()
        self.intersections = edges_to_intersections(
            self.edges, self.settings.intersection_x_tolerance, self.settings.intersection_y_tolerance)
        self.cells = intersections_to_cells(self.intersections)
        self.tables = [Table(self.page, cell_group) for cell_group in cells_to_tables(self.cells)]


def edges_to_intersections(edges: list[dict], x_tolerance: float = 1,
                           y_tolerance: float = 1) -> dict[Point, dict[str, list[dict]]]:
    """``pdfplumber.table.edges_to_intersections``: the same crossings, edges in the same order."""
    verticals = sorted((e for e in edges if e["orientation"] == "v"), key=itemgetter("x0", "top"))
    horizontals = sorted((e for e in edges if e["orientation"] == "h"), key=itemgetter("top", "x0"))
    tops = [h["top"] for h in horizontals]
    intersections: dict[Point, dict[str, list[dict]]] = {}
    for v in verticals:
        # a margin of a point around pdfplumber's bounds, then its own test: no rounding differs
        lo = bisect.bisect_left(tops, v["top"] - y_tolerance - 1)
        hi = bisect.bisect_right(tops, v["bottom"] + y_tolerance + 1)
        for h in horizontals[lo:hi]:
            if (
                (v["top"] <= (h["top"] + y_tolerance))
                and (v["bottom"] >= (h["top"] - y_tolerance))
                and (v["x0"] >= (h["x0"] - x_tolerance))
                and (v["x0"] <= (h["x1"] + x_tolerance))
            ):
                vertex = (v["x0"], h["top"])
                if vertex not in intersections:
                    intersections[vertex] = {"v": [], "h": []}
                intersections[vertex]["v"].append(v)
                intersections[vertex]["h"].append(h)
    return intersections


def intersections_to_cells(intersections: dict[Point, dict[str, list[dict]]]) -> list[BBox]:
    """``pdfplumber.table.intersections_to_cells``: the same cells in the same order."""
    # each edge's box as a number (equal boxes, equal numbers): sets of numbers test faster
    # (an edge meets several others: its box's number kept by the edge's identity)
    ids: dict[BBox, int] = {}
    known: dict[int, int] = {}

    def number(e: dict) -> int:
        n = known.get(id(e))
        if n is None:
            n = known[id(e)] = ids.setdefault(_bbox(e), len(ids))
        return n

    # points are distinct: two on one vertical are joined by a vertical edge they share, two on
    # one horizontal by a horizontal one (pdfplumber's ``edge_connects``)
    vertical = {p: set(map(number, d["v"])) for p, d in intersections.items()}
    horizontal = {p: set(map(number, d["h"])) for p, d in intersections.items()}
    points = sorted(intersections)
    # the points after each one in the order of points, on its vertical and on its horizontal
    on_x: dict[float, list[Point]] = {}
    on_y: dict[float, list[Point]] = {}
    at: list[tuple[int, int]] = []
    for x, y in points:
        column, row = on_x.setdefault(x, []), on_y.setdefault(y, [])
        at.append((len(column), len(row)))
        column.append((x, y))
        row.append((x, y))
    cells: list[BBox] = []
    for pt, (k, m) in zip(points[:-1], at, strict=False):
        below = on_x[pt[0]][k + 1:]
        if not below:
            continue
        cell = _smallest_cell(pt, below, on_y[pt[1]][m + 1:], vertical, horizontal)
        if cell:
            cells.append(cell)
    return cells


def _smallest_cell(pt: Point, below: list[Point], right: list[Point], vertical: dict[Point, set[int]],
                   horizontal: dict[Point, set[int]]) -> BBox | None:
    """pdfplumber's ``find_smallest_cell``: the first point below joined to ``pt`` and the first
    point right of it joined to it whose corner below right is joined to both."""
    down, across = vertical[pt], horizontal[pt]
    for below_pt in below:
        if down.isdisjoint(vertical[below_pt]):
            continue
        for right_pt in right:
            if across.isdisjoint(horizontal[right_pt]):
                continue
            bottom_right = (right_pt[0], below_pt[1])
            if (bottom_right in vertical and not vertical[bottom_right].isdisjoint(vertical[right_pt])
                    and not horizontal[bottom_right].isdisjoint(horizontal[below_pt])):
                return (pt[0], pt[1], bottom_right[0], bottom_right[1])
    return None


def cells_to_tables(cells: list[BBox]) -> list[list[BBox]]:
    """``pdfplumber.table.cells_to_tables``: the same tables, cells in the same order. Cells are
    taken into the table being built, pass after pass over those left, when a corner of theirs
    is one of its corners; a pass taking none closes the table. (The cells of
    ``intersections_to_cells`` are distinct: each has its own top-left corner.)"""
    remaining = list(cells)
    corners: set[Point] = set()
    current: list[BBox] = []
    tables: list[list[BBox]] = []
    while remaining:
        before = len(current)
        left = []
        for cell in remaining:
            x0, top, x1, bottom = cell
            cell_corners = ((x0, top), (x0, bottom), (x1, top), (x1, bottom))
            if not current or not corners.isdisjoint(cell_corners):
                corners.update(cell_corners)
                current.append(cell)
            else:
                left.append(cell)
        remaining = left
        if len(current) == before:
            tables.append(current)
            corners, current = set(), []
    if current:
        tables.append(current)
    ordered = sorted(tables, key=lambda t: min((c[1], c[0]) for c in t))
    return [t for t in ordered if len(t) > 1]
