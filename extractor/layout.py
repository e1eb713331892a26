"""What the converters (``ingest.html``, ``ingest.pdf``, ``ingest.docx``) share: the ``Document``
they fill, grids, inline text cleaning, line joining, and tables and blocks written as text.

Its own module so that the converters import it and ``ingest`` (the dispatcher) imports the
converters, with no import running back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .models import ErrorEntry

# A table as cells: rows of cell texts (rowspan/colspan expanded by repeating the text).
Grid = list[list[str]]


class SpanCopy(str):
    """The text of a grid slot a cell covers by its colspan, right of the cell's own slot.

    It is still the cell's text (a plain ``str`` to every reader), so a grid stays a grid of
    strings; the table reader uses the type to tell one spanned cell from equal cells side by
    side (``0`` spanning two columns is one cell, not ``0 | 0``).
    """

    __slots__ = ()


@dataclass
class Document:
    text: str = ""
    kind: str = "text"
    grids: list[Grid] = field(default_factory=list)
    errors: list[ErrorEntry] = field(default_factory=list)
    warnings: list[ErrorEntry] = field(default_factory=list)

    def error(self, message: str) -> Document:
        self.errors.append(ErrorEntry(stage="ingest", message=message))
        return self

    def warn(self, message: str) -> Document:
        """Something was repaired on the way in (the document is still read in full)."""
        self.warnings.append(ErrorEntry(stage="ingest", message=message))
        return self


# --- shared by the converters: inline text, line joining, tables as text --------------------

# Chinese characters and full-width punctuation: no space belongs between two of them.
_CJK = r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_FULLWIDTH_PUNCT = r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018-\u201f\u2026\u2014\u00b7"
_WS = r"[ \t\u00a0\u3000\u2002-\u200b\ufeff]"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]){_WS}+(?=[{_CJK}])")
_SPACE_AT_PUNCT = re.compile(rf"{_WS}+(?=[{_FULLWIDTH_PUNCT}])|(?<=[{_FULLWIDTH_PUNCT}]){_WS}+")
_WS_RUN = re.compile(rf"{_WS}+")
_WIDE_CHAR = re.compile(rf"[{_CJK}{_FULLWIDTH_PUNCT}]")
_PUNCT_CHAR = re.compile(rf"[{_FULLWIDTH_PUNCT}]")


def clean_inline(s: str) -> str:
    """One line of text: whitespace runs → one space; none between Chinese characters or
    next to full-width punctuation (``邮 编 ： 223100 ，`` → ``邮编：223100，``)."""
    s = s.replace("\r", " ").replace("\n", " ")
    s = _SPACE_AT_PUNCT.sub("", s)
    s = _SPACE_BETWEEN_CJK.sub("", s)
    return _WS_RUN.sub(" ", s).strip()


def join_lines(lines: list[str]) -> str:
    """Join the hard-wrapped lines of one paragraph (or one table cell).

    Between two Chinese characters (or next to full-width punctuation) nothing is inserted;
    between a number and a Chinese measure word one space, as such text is set inline in
    these reports (``常务会议 7`` + ``期`` → ``常务会议 7 期``, like ``1136 条``); between two
    ASCII words one space, except inside a number or an address split by the wrap
    (``0517-`` + ``87222589``, ``hzzwgk@`` + ``126.com``).
    """
    out = ""
    for raw in lines:
        line = clean_inline(raw)
        if not line:
            continue
        if out:
            out += _wrap_separator(out[-1], line[0]) + line
        else:
            out = line
    return out


def _wrap_separator(a: str, b: str) -> str:
    """What stands between the last character of a line and the first of the next."""
    wide_a, wide_b = bool(_WIDE_CHAR.match(a)), bool(_WIDE_CHAR.match(b))
    if wide_a and wide_b or _PUNCT_CHAR.match(a) or _PUNCT_CHAR.match(b):
        return ""
    if wide_a or wide_b:  # Chinese next to a number or a Latin word
        return " " if (a.isascii() and a.isalnum() or b.isascii() and b.isalnum() or a == "%") else ""
    if a.isdigit() and b.isdigit() or a in "-/@._:（(" or b in "-/@._:%)）,.;":
        return ""
    return " "


class GridBuilder:
    """Cells with their row and column spans laid into slots, then read out as a grid and as text rows.

    The one grid builder of the converters: HTML places each cell at the first free slot of its
    row (``free_column``, the HTML table model), DOCX at the column its row's ``gridBefore`` and
    the ``gridSpan`` before it give (a ``vMerge`` continuation placed as a cell that is not its
    own, with the text above it), PDF at the rows and columns its box covers.

    A cell fills every slot it covers; slots right of its own column hold a ``SpanCopy``. A slot
    keeps the first text put in it (an empty slot takes a later cell's text), so cells that
    overlap (a rowspan counted too long, a box a point too wide) never wipe out a filled slot.
    """

    def __init__(self) -> None:
        self._slots: dict[tuple[int, int], tuple[str, bool]] = {}  # (row, col) -> (text, is the cell's own slot)

    def free_column(self, row: int, col: int = 0) -> int:
        """The first column from ``col`` on that no cell placed so far covers in ``row``."""
        while (row, col) in self._slots:
            col += 1
        return col

    def text_at(self, row: int, col: int) -> str | None:
        slot = self._slots.get((row, col))
        return None if slot is None else slot[0]

    def place(self, row: int, col: int, text: str, *, rowspan: int = 1, colspan: int = 1, own: bool = True) -> None:
        """A cell at (row, col) covering ``rowspan`` × ``colspan`` slots; ``own=False`` for a cell
        that continues the one above it (its text is not written again in the text rows)."""
        for dr in range(rowspan):
            for dc in range(colspan):
                slot = (row + dr, col + dc)
                if self._slots.get(slot, ("", True))[0]:
                    continue
                self._slots[slot] = (SpanCopy(text) if dc else text, own and dr == 0 and dc == 0)

    def build(self) -> tuple[Grid, list[list[str]]]:
        """(grid, text rows): the grid repeats a spanned cell's text in every slot it covers; the
        text rows keep it only in its own slot, as a printed table shows it. Rows with no text
        are dropped; every row is as wide as the widest."""
        if not self._slots:
            return [], []
        n_rows = max(r for r, _ in self._slots) + 1
        width = max(c for _, c in self._slots) + 1
        grid: Grid = []
        text_rows: list[list[str]] = []
        for r in range(n_rows):
            cells = [self._slots.get((r, c), ("", True)) for c in range(width)]
            if not any(t for t, _ in cells):
                continue
            grid.append([t for t, _ in cells])
            text_rows.append([t if own else "" for t, own in cells])
        return grid, text_rows


# A cell this long is a passage of prose: a table holding one is a layout box around the text.
MAX_DATA_CELL_CHARS = 400


def is_data_table(grid: Grid) -> bool:
    """A table of figures and labels, not a page-layout box: two columns or more and no cell
    holding a whole passage of prose (one-cell or one-column wrappers around the report are
    common on old sites and in Word files). A layout box is read as paragraphs."""
    return bool(grid) and len(grid[0]) >= 2 and all(len(c) <= MAX_DATA_CELL_CHARS for row in grid for c in row)


def grid_rows_text(rows: list[list[str]]) -> str:
    """A table as text: one line per row, cells separated by a tab (cells are one line)."""
    return "\n".join("\t".join(c.replace("\t", " ").replace("\n", " ") for c in row) for row in rows)


def assemble(blocks: list[tuple[str, str]]) -> str:
    """Blocks (``("p", paragraph)`` or ``("table", rows text)``) → the document text."""
    parts = [text for _, text in blocks if text.strip()]
    return "\n\n".join(parts).strip("\n") + ("\n" if parts else "")
