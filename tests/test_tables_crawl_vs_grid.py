"""A published page's table grid and the crawler's one-line text of the same page (issue #13).

The cross-check of issue #13 compared, report by report, the cells read from a crawler's text
with the cells of the published HTML tables. These tests keep its two findings on synthetic
figures: a cell the text reading places is the grid's cell (never another), and the padding
Word-made pages put inside a cell (``&nbsp;0``, ``0&nbsp;``) flattens to spaces that are not
cell boundaries.
"""

from __future__ import annotations

import json

import pytest

from .test_tables import (
    FIXTURES,
    cells,
    parse_tables_grids,
    parse_tables_text,
    rows_2021,
    run_together,
    spanned_grids,
)

TABLES = ("active", "requests", "review_litigation")


def padded(rows: dict[str, list[tuple[str, list[str]]]]) -> dict[str, list[tuple[str, list[str]]]]:
    """The figures of every data row as a Word export pads them: a space before one cell, after the next."""
    out: dict[str, list[tuple[str, list[str]]]] = {}
    for name, table in rows.items():
        out[name] = []
        for kind, row in table:
            if kind == "data":
                row = [c if not c.isdigit() else (" " + c if i % 3 == 1 else c + " " if i % 3 == 2 else c)
                       for i, c in enumerate(row)]
            out[name].append((kind, row))
    return out


@pytest.mark.parametrize("fixture", ["shuyang-2025.tables.json", "longting-2024.tables.json"])
@pytest.mark.parametrize("padding", [False, True])
def test_the_crawl_reading_never_differs_from_the_grid_reading(fixture: str, padding: bool) -> None:
    want = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    grid = parse_tables_grids(spanned_grids(want))
    rows = rows_2021(want)
    text = run_together(padded(rows) if padding else rows)
    crawl = parse_tables_text(text)
    assert grid is not None and crawl is not None
    from_grid = cells({k: grid[k] for k in TABLES})
    from_crawl = cells({k: crawl[k] for k in TABLES})
    assert from_grid == cells({k: want[k] for k in TABLES})
    assert from_crawl.keys() == from_grid.keys()
    wrong = {k: (v, from_grid[k]) for k, v in from_crawl.items() if v is not None and v != from_grid[k]}
    assert not wrong
    # tables 三 and 四 hold the identities that fix every split, padded or not
    assert crawl["requests"] == grid["requests"]
    assert crawl["review_litigation"] == grid["review_litigation"]
    # what is left open is table 二's, and listed with its reason
    unread = {k for k, v in from_crawl.items() if v is None and from_grid[k] is not None}
    assert all(k.startswith("active.") for k in unread)
    assert all(".".join(k.split(".")[:2]) in crawl.get("unread", []) for k in unread)


def test_padding_inside_cells_is_no_cell_boundary() -> None:
    # 20 | 0 | 0 | 0 | 0 | 1 | 21 with its cells padded as a Word-made page pads them crawls as
    # "20 0 00  0 121": five parts for seven cells; the row's sum splits it as the grid prints it
    want = json.loads((FIXTURES / "shuyang-2025.tables.json").read_text(encoding="utf-8"))
    want["requests"]["carried_over"] = dict(zip(want["requests"]["carried_over"], (20, 0, 0, 0, 0, 1, 21), strict=True))
    rows = rows_2021(want)
    text = run_together(rows)
    assert text.count("200000121") == 1
    tables = parse_tables_text(text.replace("200000121", "20 0 00  0 121", 1))
    assert tables is not None
    assert tables["requests"]["carried_over"] == want["requests"]["carried_over"]
