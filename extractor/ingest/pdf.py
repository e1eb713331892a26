"""PDF reports (pdfplumber): prose in reading order and tables from the PDF's own cell boxes.

* **Readers.** A page of upright text is read by PDFium (``extractor.ingest.pdfium_chars``:
  its characters shaped as pdfplumber's; ``pdfium_ruling``: its visible ruling as pdfplumber's
  edges, which pdfplumber's table finder, two of its steps indexed (``pdf_table_finder``),
  turns into cell boxes; words and lines as pdfplumber reads them, built directly: ``pdf_words``);
  a page turned, set in a vertical font, or holding a form XObject, by pdfplumber (which opens
  the file only then, or when PDFium cannot open it). Both feed the same table, line, column,
  furniture and paragraph logic below;
  ``XXGK_PDF_BACKEND=pdfplumber`` reads every page with pdfplumber (the reference: the two
  give the same text, grids and fields on every PDF we have, tests/test_pdf_backends.py).
* **Tables** are found by pdfplumber's table finder, lines strategy, on the page's *visible*
  ruling only: rectangles that are neither stroked nor filled with a visible colour (WPS
  puts a white box behind every line of prose) are ignored, or each page of prose would be
  read as a one-column table. A table's cells are the finder's cell boxes; a box spanning
  several rows/columns fills every grid slot it covers (text repeated in the grid, empty in
  the text, see ``extractor.ingest``). A table that is the last thing on a page and a table
  that is the first thing on the next page, with the same left and right edges, are one
  table: their cells are merged before the grid is built, so a table continued across pages
  is one grid. Tables are never rebuilt from flattened text. A "table" of one column (a
  boxed paragraph) is read as prose.
* **Prose** is the text outside tables, line by line (pdfplumber text lines, duplicated
  bold-effect characters removed). Lines are grouped into paragraphs by layout: a new
  paragraph starts at an indented line, after a line that stops short of the right margin
  (unless it ends in a figure whose measure word opens the next line: ``文件 6`` / ``条。``),
  after a large vertical gap or a change of font size, and around tables; the lines of a
  paragraph are joined by ``join_lines`` (no space between Chinese characters; a number and
  its measure word kept together as ``7 期``).
* **Page furniture** is dropped: page numbers (``- 4 -``, ``第 4 页``, ``4/12``, a bare
  number) standing first or last on a page near its edge, and running headers/footers (the
  same first or last line, digits aside, on at least half of the pages).
* **Pages in two columns** (a vertical gutter in the middle of the page that no more than a
  tenth of the rows cross, with text on both sides in at least ``COLUMN_ROWS`` rows) are read
  column by column: rows above the columns, the left column, the right column (its lines
  moved left to line up with the left one, so that margins and indents read the same), rows
  below. Every other page is read as one column, exactly as before.
* **Pages set a quarter turn** (a landscape table printed on a portrait page, its characters
  not upright) are turned upright before they are read: characters, rules and boxes mapped to
  the upright content's coordinates.
* **Tables in the text** are written where they stand as tab-separated rows, so that the text
  holds the whole report in reading order.

Errors (never raised): damaged or non-PDF data, encrypted with a password, no text layer
(scanned images: "PDF has no text layer; OCR is not supported").
"""

from __future__ import annotations

import bisect
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from ..layout import Document, Grid, GridBuilder, assemble, clean_inline, grid_rows_text, join_lines
from ..patterns import PAGE_NUMBER_AT_EDGE
from ..vocab import UNITS
from .pdf_cell_chars import ByMiddle, centred_in_box, centres
from .pdf_columns import _blocks, _Columns, _columns
from .pdf_plumbed import _Plumbed, _upright, _visible_ruling
from .pdf_words import plain_text, readable, text_lines
from .pdfium_chars import dedupe_chars, fast_backend, open_document, read_page

TABLE_SETTINGS = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
}
_PAGE_NUMBER = PAGE_NUMBER_AT_EDGE  # patterns.py: one page-number pattern for the PDF and the tables
EDGE = 0.12  # furniture lives in the top and bottom 12 % of a page


@dataclass
class _Line:
    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    block: int = 0  # reading order on the page: 0 above the columns, 1 left, 2 right, 3 below


@dataclass
class _Table:
    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    block: int = 0
    cells: list[tuple[tuple[float, float, float, float], str]] = field(default_factory=list)
    end_page: int = -1  # where the table (with its continuations) ends
    end_bottom: float = 0.0
    offset: float = 0.0  # added to the y of the cells of its last part

    def __post_init__(self) -> None:
        if self.end_page < 0:
            self.end_page, self.end_bottom = self.page, self.bottom


def load_pdf(data: bytes, doc: Document) -> Document:
    fast_doc = open_document(data) if fast_backend() else None
    if fast_doc is not None and not len(fast_doc):
        fast_doc = None  # pdfplumber says what is wrong
    plumbed = _Plumbed(data)  # pdfplumber opens the file only for a page PDFium leaves to it
    if fast_doc is None and plumbed.open() is not None:
        return doc.error(plumbed.error or "")
    n_pages = len(fast_doc) if fast_doc is not None else len(plumbed.pages)
    with plumbed:
        if not n_pages:
            return doc.error("PDF has no pages")
        lines: list[_Line] = []
        tables: list[_Table] = []
        heights: list[float] = []
        n_chars = 0
        bad_pages: list[int] = []
        for i in range(n_pages):
            height = None
            try:
                fast = _read_fast(fast_doc, i) if fast_doc is not None else None
                if fast is not None:
                    page_lines, page_tables, chars, height = fast
                else:
                    page = plumbed.page(i)
                    if page is None:
                        return doc.error(plumbed.error or "")
                    height = float(page.height)
                    try:
                        page_lines, page_tables, chars = _read_page(page, i, direct=fast_doc is not None)
                    finally:
                        page.close()
            except Exception as exc:  # one broken page must not cost the others
                bad_pages.append(i + 1)
                doc.error(f"PDF page {i + 1} could not be read: {type(exc).__name__}: {exc}")
                page_lines, page_tables, chars = [], [], 0
                if height is None:
                    height = plumbed.height(i, fast_doc)
            lines += page_lines
            tables += page_tables
            heights.append(height)
            n_chars += chars
    if n_chars == 0:
        if bad_pages:
            return doc
        return doc.error("PDF has no text layer; OCR is not supported")
    lines = _drop_furniture(lines, heights)
    tables = _join_continued(tables, lines)
    blocks: list[tuple[str, str]] = []
    items = sorted([(ln.page, ln.block, ln.top, 0, ln) for ln in lines] + [(t.page, t.block, t.top, 1, t) for t in tables],
                   key=lambda x: (x[0], x[1], x[2], x[3]))
    paragraph: list[_Line] = []
    margins = _margins(lines)
    for _, _, _, is_table, item in items:
        if is_table:
            _flush(paragraph, blocks)
            paragraph = []
            grid, text_rows = _grid(item)
            if grid and len(grid[0]) >= 2:
                doc.grids.append(grid)
                blocks.append(("table", grid_rows_text(text_rows)))
            else:  # a boxed paragraph, not a table
                blocks += [("p", row[0]) for row in grid if row and row[0]]
            continue
        if paragraph and _starts_paragraph(paragraph[-1], item, margins):
            _flush(paragraph, blocks)
            paragraph = []
        paragraph.append(item)
    _flush(paragraph, blocks)
    doc.text = assemble(blocks)
    if not doc.text.strip():
        doc.error("PDF has no text layer; OCR is not supported")
    return doc


# --- one page -----------------------------------------------------------------------------

def _read_page(page, index: int, direct: bool = False) -> tuple[list[_Line], list[_Table], int]:
    """A page read by pdfplumber. ``direct`` (a page the default reader leaves to pdfplumber):
    its characters, once pdfminer has read them, deduplicated, its tables found and its words
    and lines built by this package's functions that give pdfplumber's results faster (as for
    a page PDFium reads); without it (``XXGK_PDF_BACKEND=pdfplumber``, the reference) all is
    pdfplumber's own."""
    from .pdf_table_finder import IndexedTableFinder

    page = _upright(page)
    if direct:
        chars = dedupe_chars(page.chars)
    else:
        page = page.dedupe_chars()
        chars = page.chars
    if not chars:
        return [], [], 0
    ruled = page.filter(_visible_ruling)
    settings = _settings_with_closing_edges(ruled.edges)
    found = IndexedTableFinder(ruled, settings).tables if direct else ruled.find_tables(settings)
    return _lay_out(chars, [(t.bbox, t.cells) for t in found], float(page.width), index, direct=direct)


def _lay_out(chars: list[dict], found: list[tuple[tuple, list]], width: float, index: int,
             direct: bool = False) -> tuple[list[_Line], list[_Table], int]:
    """A page's tables (the table finder's boxes and cells, filled with their characters) and
    the lines of its prose (the characters outside them), from pdfplumber's reading or PDFium's.
    ``direct``: words and lines built by ``pdf_words`` (the same as pdfplumber's text maps give,
    faster); the pdfplumber reader, the reference, keeps pdfplumber's own."""
    tables: list[_Table] = []
    boxes: list[tuple[float, float, float, float]] = []
    centred = centres(chars) if found else []
    # the page's characters checked once for pdf_words (not once a cell: its cells' are theirs)
    checked = bool(found) and direct and readable(chars)
    for bbox, cells in found:
        x0, top, x1, bottom = bbox
        table = _Table(page=index, x0=x0, x1=x1, top=top, bottom=bottom)
        in_table = ByMiddle(centred_in_box(centred, bbox))
        for cell in cells:
            table.cells.append((cell, _cell_text(in_table.within(cell), direct, checked)))
        if not any(text for _, text in table.cells):
            continue
        tables.append(table)
        boxes.append(bbox)

    # the characters whose middle is in no table (middles worked out once, with the tables')
    prose = chars
    if boxes:
        prose = []
        for cx, cy, c in centred:
            for b in boxes:
                if b[0] <= cx <= b[2] and b[1] <= cy <= b[3]:
                    break
            else:
                prose.append(c)
    lines, columns = _prose_lines(prose, width, index, direct)
    if columns:
        for table in tables:
            table.block = columns.block_of(table.x0, table.x1, table.top, table.bottom)
    return lines, tables, len(chars)


def _prose_lines(chars: list[dict], width: float, index: int,
                 direct: bool = False) -> tuple[list[_Line], _Columns | None]:
    """The printed lines of a page's prose characters (pdfplumber's or PDFium's), in reading order."""
    from pdfplumber.utils import chars_to_textmap

    columns = _columns(chars, width)
    lines = []
    for block, part, shift in _blocks(chars, columns):
        if not part:  # pdfplumber's text map wants at least one character
            continue
        lines_of_part = text_lines(part) if direct else None  # pdfplumber's lines, without its text map
        if lines_of_part is None:
            lines_of_part = chars_to_textmap(part, layout=False).extract_text_lines(strip=True, return_chars=True)
        for tl in lines_of_part:
            text = tl["text"]
            if not text.strip():
                continue
            sizes = [c.get("size", 0) for c in tl["chars"] if c["text"].strip()]
            lines.append(_Line(page=index, text=text, x0=tl["x0"] - shift, x1=tl["x1"] - shift, top=tl["top"],
                               bottom=tl["bottom"], size=statistics.median(sizes) if sizes else 0.0, block=block))
    return lines, columns

def _read_fast(document, index: int) -> tuple[list[_Line], list[_Table], int, float] | None:
    """A page read by PDFium: its lines, its tables found by pdfplumber's table finder in the
    ruling PDFium read, its number of characters and its height (its media box's, as
    pdfplumber gives it); None when the page needs pdfplumber (see pdfium_chars)."""
    from .pdf_table_finder import IndexedTableFinder

    fast = read_page(document, index)
    if fast is None or not fast.chars:
        return None
    chars = dedupe_chars(fast.chars)
    found = []
    if fast.ruling:  # the finder reads nothing of the page but its edges (and its box)
        ruled = _Ruling(edges=fast.ruling, bbox=(0, 0, fast.width, fast.height))
        finder = IndexedTableFinder(ruled, _settings_with_closing_edges(fast.ruling))
        found = [(t.bbox, t.cells) for t in finder.tables]
    return (*_lay_out(chars, found, fast.width, index, direct=True), fast.media_height)


@dataclass
class _Ruling:
    """What pdfplumber's ``TableFinder`` reads of a page."""

    edges: list[dict]
    bbox: tuple[float, float, float, float]


def _settings_with_closing_edges(edges: list[dict]) -> dict:
    """Table settings with the rulings a table cut by a page break leaves out.

    A table that runs off the bottom of a page often has no closing line under its last row
    (and its continuation none over its first): the verticals simply stop. Where two or more
    vertical rulings end at the same height a horizontal one is added between them, and the
    only the verticals ending highest on the page (continuation) and lowest (cut-off) count."""
    verticals = [e for e in edges if e["orientation"] == "v"]
    if len(verticals) < 2:
        return TABLE_SETTINGS
    extra_h: list[dict] = []
    for key, pick in (("top", min), ("bottom", max)):
        y = pick(e[key] for e in verticals)
        group = [e for e in verticals if abs(e[key] - y) <= 2.0]
        if len({round(e["x0"]) for e in group}) >= 2:
            extra_h.append(_edge("h", min(e["x0"] for e in group), max(e["x0"] for e in group), y))
    settings = dict(TABLE_SETTINGS)
    settings["explicit_horizontal_lines"] = extra_h
    return settings


def _edge(orientation: str, start: float, end: float, at: float) -> dict:
    if orientation == "h":
        return {"object_type": "line", "orientation": "h", "x0": start, "x1": end, "top": at, "bottom": at,
                "width": end - start, "height": 0.0}
    return {"object_type": "line", "orientation": "v", "x0": at, "x1": at, "top": start, "bottom": end,
            "width": 0.0, "height": end - start}


def _cell_text(chars: list[dict], direct: bool = False, checked: bool = False) -> str:
    if not chars:
        return ""
    text = plain_text(chars, checked=checked) if direct else None  # what pdfplumber's extract_text gives, without its map
    if text is not None:
        return join_lines(text.split("\n")) if "\n" in text else clean_inline(text)  # one line: what join_lines gives it
    from pdfplumber.utils import extract_text

    return join_lines(extract_text(chars, x_tolerance=3, y_tolerance=3).split("\n"))


# --- page furniture -----------------------------------------------------------------------

def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _drop_furniture(lines: list[_Line], heights: list[float]) -> list[_Line]:
    by_page: dict[int, list[_Line]] = {}
    for ln in lines:
        by_page.setdefault(ln.page, []).append(ln)
    edge_lines: list[_Line] = []
    for page, plines in by_page.items():
        plines.sort(key=lambda ln: ln.top)
        h = heights[page]
        for ln in (plines[:2] + plines[-2:]):
            if ln.bottom <= h * EDGE or ln.top >= h * (1 - EDGE):
                edge_lines.append(ln)
    counts: Counter = Counter()
    for key in {(ln.page, _furniture_key(ln.text), ln.top < heights[ln.page] / 2) for ln in edge_lines}:
        counts[key[1:]] += 1
    n_pages = len(heights)
    drop: set[int] = set()
    for ln in edge_lines:
        key = _furniture_key(ln.text)
        compact = re.sub(r"\s+", "", ln.text)
        repeated = n_pages >= 2 and counts[(key, ln.top < heights[ln.page] / 2)] >= max(2, n_pages / 2)
        if _PAGE_NUMBER.match(compact) or _PAGE_NUMBER.match(ln.text.strip()) or repeated:
            drop.add(id(ln))
    return [ln for ln in lines if id(ln) not in drop]


# --- tables across pages ------------------------------------------------------------------

def _join_continued(tables: list[_Table], lines: list[_Line]) -> list[_Table]:
    """Merge a table ending its page with a table starting the next page (same edges)."""
    if len(tables) < 2:
        return tables
    tables = sorted(tables, key=lambda t: (t.page, t.top))
    first_line: dict[int, float] = {}
    last_line: dict[int, float] = {}
    for ln in lines:
        first_line[ln.page] = min(first_line.get(ln.page, ln.top), ln.top)
        last_line[ln.page] = max(last_line.get(ln.page, ln.bottom), ln.bottom)
    firsts = {}
    lasts = {}
    for t in tables:
        firsts.setdefault(t.page, t)
        lasts[t.page] = t
    out = [tables[0]]
    for t in tables[1:]:
        prev = out[-1]
        joins = (
            t.page == prev.end_page + 1
            and lasts.get(prev.end_page) is not None and lasts[prev.end_page].bottom <= prev.end_bottom + 1
            and firsts[t.page] is t
            and last_line.get(prev.end_page, 0) <= prev.end_bottom + 1
            and first_line.get(t.page, 1e9) >= t.top - 1
            and abs(t.x0 - prev.x0) <= 6 and abs(t.x1 - prev.x1) <= 6
        )
        if joins:
            _append_part(prev, t)
        else:
            out.append(t)
    return out


_LABEL_START = re.compile(r"^(?:[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|[一二三四五六七八九十]+、)")
_FIGURE = re.compile(r"^[-+]?\d[\d,，.]*%?$")


def _append_part(prev: _Table, part: _Table) -> None:
    """Stack the continuation ``part`` under ``prev``; a cell cut by the page break is one cell.

    The continuation's column edges are snapped to the previous part's (they differ by a
    point or two between pages). A cell at the foot of the page and the cell under it at the
    head of the next page, in the same column, are rejoined when one of them spans several
    rows and the lower one is empty or reads on (does not start a new label such as
    ``（四）``/``2.``); figures are never joined."""
    offset = prev.offset + prev.end_bottom - part.top + 0.01
    xs = _cluster([b[0] for b, _ in prev.cells] + [b[2] for b, _ in prev.cells])

    def snap(x: float) -> float:
        if not xs:
            return x
        # the nearest of the sorted xs (the lower of two as near), as min(xs, key=distance) gives
        i = bisect.bisect_left(xs, x)
        near = xs[i - 1] if i == len(xs) or i > 0 and abs(xs[i - 1] - x) <= abs(xs[i] - x) else xs[i]
        return near if abs(near - x) <= 6 else x

    cut = prev.end_bottom + prev.offset
    upper_ys = _cluster([b[1] for b, _ in prev.cells] + [b[3] for b, _ in prev.cells])
    lower_ys = _cluster([b[1] for b, _ in part.cells] + [b[3] for b, _ in part.cells])

    def bands(ys: list[float], top: float, bottom: float) -> int:
        return sum(1 for y in ys if top + 2 < y < bottom - 2) + 1

    upper_at_cut = {i: c for i, c in enumerate(prev.cells) if abs(c[0][3] - cut) <= 2}
    for box, text in part.cells:
        new_box = (snap(box[0]), box[1] + offset, snap(box[2]), box[3] + offset)
        merged = False
        if abs(box[1] - part.top) <= 2 and not _FIGURE.match(text):
            for i, (ubox, utext) in upper_at_cut.items():
                if abs(ubox[0] - new_box[0]) > 3 or abs(ubox[2] - new_box[2]) > 3 or _FIGURE.match(utext):
                    continue
                several = bands(upper_ys, ubox[1], ubox[3]) > 1 or bands(lower_ys, box[1], box[3]) > 1
                reads_on = not text or not _LABEL_START.match(text)
                if several and reads_on:
                    prev.cells[i] = ((ubox[0], ubox[1], ubox[2], new_box[3]), join_lines([utext, text]))
                    merged = True
                break
        if not merged:
            prev.cells.append((new_box, text))
    prev.end_page, prev.end_bottom, prev.offset = part.page, part.bottom, offset


def _grid(table: _Table) -> tuple[Grid, list[list[str]]]:
    """Cells (boxes with text) → (grid with spans repeated, text rows with spans empty).

    A box covers the rows and columns (between the table's clustered rulings) whose middle it
    spans; a box a point or two wider than its rulings covers no more."""
    xs = _cluster([b[0] for b, _ in table.cells] + [b[2] for b, _ in table.cells])
    ys = _cluster([b[1] for b, _ in table.cells] + [b[3] for b, _ in table.cells])
    if len(xs) < 2 or len(ys) < 2:
        return [], []
    builder = GridBuilder()
    # the middles of the columns and rows, in increasing order: a box's are found by bisection
    mid_x = [(xs[j] + xs[j + 1]) / 2 for j in range(len(xs) - 1)]
    mid_y = [(ys[i] + ys[i + 1]) / 2 for i in range(len(ys) - 1)]
    for box, text in table.cells:
        cols = range(bisect.bisect_left(mid_x, box[0] - 2), bisect.bisect_right(mid_x, box[2] + 2))
        rows = range(bisect.bisect_left(mid_y, box[1] - 2), bisect.bisect_right(mid_y, box[3] + 2))
        if rows and cols:
            builder.place(rows[0], cols[0], text, rowspan=len(rows), colspan=len(cols))
    grid, text_rows = builder.build()
    # drop columns empty in every row (slivers between nearly equal rulings)
    keep = [j for j in range(len(grid[0]) if grid else 0) if any(row[j] for row in grid)]
    return [[row[j] for j in keep] for row in grid], [[row[j] for j in keep] for row in text_rows]


def _cluster(values: list[float], tol: float = 2.5) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tol:
            continue
        out.append(v)
    return out


# --- paragraphs ---------------------------------------------------------------------------

@dataclass
class _Margins:
    left: float
    right: float
    char: float
    gap: float


def _margins(lines: list[_Line]) -> _Margins:
    if not lines:
        return _Margins(0, 0, 10, 10)
    left = Counter(round(ln.x0) for ln in lines).most_common(1)[0][0]
    right = Counter(round(ln.x1) for ln in lines).most_common(1)[0][0]
    char = statistics.median([ln.size for ln in lines if ln.size] or [10.0])
    gaps = [b.top - a.bottom for a, b in zip(lines, lines[1:], strict=False) if a.page == b.page and 0 < b.top - a.bottom < 5 * char]
    gap = statistics.median(gaps) if gaps else char
    return _Margins(left=left, right=right, char=char, gap=gap)


def _starts_paragraph(prev: _Line, line: _Line, m: _Margins) -> bool:
    if _wrapped_title(prev, line, m):
        return False
    if line.x0 > m.left + 0.8 * m.char:  # indented first line, heading or centred title
        return True
    if prev.x1 < m.right - 1.5 * m.char and not _number_then_unit(prev, line):  # the previous line stopped short
        return True
    if prev.size and line.size and abs(prev.size - line.size) > 1.0:
        return True
    if line.page == prev.page and line.top - prev.bottom > max(2 * m.gap, m.gap + 0.8 * m.char):
        return True
    return False


def _number_then_unit(prev: _Line, line: _Line) -> bool:
    """A line ending in a figure and the next, at the margin, opening with its measure word.

    A browser breaks a line at the space in ``文件 6 条。`` and, the text not being justified, the
    line with the 6 stops short; the figure and its unit are one expression, not a paragraph end.
    """
    head = line.text.lstrip()
    return prev.text.rstrip()[-1:].isdigit() and any(head.startswith(u) for u in _UNITS_LONGEST_FIRST)


_UNITS_LONGEST_FIRST = sorted(UNITS, key=len, reverse=True)


def _wrapped_title(prev: _Line, line: _Line, m: _Margins) -> bool:
    """A centred title in a larger type that fills its first line and wraps onto a second."""
    size = line.size or m.char
    return (
        line.page == prev.page
        and abs(prev.size - line.size) <= 0.5 and line.size > m.char + 1.0
        and prev.x1 >= m.right - 1.5 * size and prev.x0 <= m.left + 1.5 * size
        and abs((line.x0 - m.left) - (m.right - line.x1)) <= 1.5 * size
        and line.top - prev.bottom <= 1.5 * size
    )


def _flush(paragraph: list[_Line], blocks: list[tuple[str, str]]) -> None:
    if paragraph:
        text = join_lines([ln.text for ln in paragraph])
        if text:
            blocks.append(("p", text))
