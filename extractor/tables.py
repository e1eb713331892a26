"""National-format tables 二、三、四: text or cell grids in, keyed tables out.

Both entry points feed the same reader: the input is cut into the three table regions, each
region becomes a list of ``_Line`` (the cells of one printed line or grid row), the lines
become logical rows (a label and its cells), and the rows are mapped onto the template rows of
the schema (``schema/tables.toml``) by their labels.

Where a conversion has detached labels from their numbers, unlabelled rows are placed by the
template's order, but only where the numeric rows match the template rows one to one (the
whole table, or the gap between two labelled rows). The result then says so.

Keys of the result besides those of output.md (allowed as optional keys):

- ``read_by``: ``"labels"`` when every row was placed by its own label, ``"row_order"`` when
  some rows were placed by the template's order as above.
- ``unread``: dotted keys of rows (``requests.total``, ``review_litigation.review``) that the
  document does not show (a table cut off at the end of an excerpt) or whose cells could not be
  told apart (``| 规章 | 22 | 235 |`` for three columns); their cells are null. Left out when
  every row was read. The checks use it to tell a missing row from a row
  printed blank.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Any

from .layout import SpanCopy
from .schema import TEMPLATE, RowSpec
from .table_runs import Identity, Run, RunResult, solve

Cell = int | float | None
TABLES = ("active", "requests", "review")
CUT_OFF = "cut off at the end of the text"

# A printed figure: 43, -35, 4068.208, 1,234; full-width digits are made ASCII first.
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
# A figure with a unit or a remark in brackets: 22（其中修订16件）, 3件.
_ANNOTATED = re.compile(r"(?P<num>[+-]?\d+(?:\.\d+)?)\s*(?:件|条|个|项|万元|元)?\s*(?P<note>[（(].*)?")
# A line of figures after an optional label, separated by spaces: 行政许可 97, 43 0 0 0 0 0 43.
_SPACED_VALUE = r"(?:[+-]?\d+(?:\.\d+)?|/|／|—+|-+|无)"
_SPACED_ROW = re.compile(rf"(?:(?P<label>.*?\S)\s+)?(?P<values>{_SPACED_VALUE}(?:\s+{_SPACED_VALUE})*)")
# A remark printed under a figure: （其中修订 16 件）; not a row label such as （二）部分公开（…）.
_REMARK = re.compile(r"[（(](?![一二三四五六七八九十]+[）)])[^（()）]*[）)]")
_MD_RULE = re.compile(r"^\|?\s*:?-{3,}")
_FULLWIDTH = str.maketrans("０１２３４５６７８９（）：，．／－", "0123456789():,./-")


# ---------------------------------------------------------------------------- cells


@lru_cache(maxsize=4096)  # cells repeat ("0", "/", "43") within and across reports
def parse_cell(raw: str) -> tuple[Cell, str | None]:
    """A printed cell → (value, note). The note keeps the raw text of a cell that is not a plain number.

    >>> parse_cell("43"), parse_cell("-35"), parse_cell(""), parse_cell("/")
    ((43, None), (-35, None), (None, None), (None, '/'))
    >>> parse_cell("22（其中修订16件）")
    (22, '22（其中修订16件）')
    """
    text = raw.strip()
    if not text:
        return None, None
    if text.isascii() and text.isdigit():  # the usual cell: a printed count
        return int(text), None
    plain = text.translate(_FULLWIDTH).replace(" ", "")
    if _NUMBER.fullmatch(plain):
        return _number(plain), None
    if text in TEMPLATE.null_marks or plain in TEMPLATE.null_marks:
        return None, text
    m = _ANNOTATED.fullmatch(plain)
    if m:
        return _number(m["num"]), text
    return None, text


def _number(text: str) -> int | float:
    text = text.replace(",", "")
    return float(text) if "." in text else int(text)


@lru_cache(maxsize=4096)
def _is_value(raw: str) -> bool:
    """True for a cell that holds a figure or a printed null mark (not a label)."""
    text = raw.strip()
    if not text:
        return False
    value, note = parse_cell(text)
    return value is not None or note in TEMPLATE.null_marks or text in TEMPLATE.null_marks


_NUMBERED = re.compile(r"(\d)[、.]")
# Full-width forms to ASCII, whitespace and quotes dropped: one pass over the string
_LABEL_TABLE = str.maketrans(
    {**{k: v for k, v in _FULLWIDTH.items()}, ord("．"): ".", **dict.fromkeys(map(ord, " \t\n\r\f\v\u3000\u00a0“”\""), None)}
)


@lru_cache(maxsize=8192)  # the same row labels recur in every report
def normalize_label(text: str) -> str:
    """Label text as the template patterns expect it: ``（三） 不予公开 1、属于…`` → ``(三)不予公开1.属于…``."""
    return _NUMBERED.sub(r"\1.", text.translate(_LABEL_TABLE)).lstrip("#*")


# ---------------------------------------------------------------------------- lines and rows


@dataclass
class _Line:
    """The cells of one printed line (or one grid row)."""

    cells: list[str]
    single: bool  # one cell on its own line (one-cell-per-line layouts, loose labels)
    spans: list[tuple[int, int]] | None = None  # grid rows: each cell's (first column, columns spanned)


@dataclass
class _Row:
    """A logical table row: its label, its data cells and the text seen above it."""

    label: str
    cells: list[str]
    context: str = ""
    last: bool = False  # the row the text ends in (a table cut off at the end of an excerpt)
    spans: list[tuple[int, int]] | None = None  # grid rows: the data cells' (first column, span)
    header: list[tuple[int, int]] | None = None  # grid rows: the value columns of the header above


@dataclass
class _Pending:
    label: list[str] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)


def _split_label(cells: Sequence[str]) -> tuple[str, list[str]]:
    """Leading label cells and the data cells after the last text cell."""
    last_text = -1
    for i, cell in enumerate(cells):
        if cell.strip() and not _is_value(cell):
            last_text = i
    label_cells: list[str] = []
    for cell in cells[: last_text + 1]:
        cell = cell.strip()
        if cell and (not label_cells or label_cells[-1] != cell):  # grids repeat spanned labels
            label_cells.append(cell)
    return "".join(label_cells), list(cells[last_text + 1 :])


def _rows_from_lines(lines: Iterable[_Line], ends_text: bool, specs: Sequence[RowSpec] = (),
                     strays: list[str] | None = None) -> list[_Row]:
    """Group lines into logical rows: one row per line of cells, or a label followed by loose cells.

    A line of text cells only is a header; a label followed by blank cells is a row printed blank
    when the label names a template row, else a loose label. Loose figures that no row takes
    (a figure printed out of its cell) are added to ``strays``.
    """
    rows: list[_Row] = []
    pending = _Pending()
    header: list[tuple[int, int]] | None = None  # (first column, span) of the last grid header's cells

    def flush() -> None:
        nonlocal pending
        if pending.cells and not any(c.strip() for c in pending.cells) and _label_index("".join(pending.label), specs) is None:
            pending.cells = []  # blank cells after header text: layout, not a row
            return
        if pending.cells:
            rows.append(_Row("".join(pending.label), pending.cells, "".join(pending.context)))
            pending = _Pending()
        else:
            pending = _Pending(context=pending.context)

    def loose_text(text: str) -> None:
        if pending.cells:
            flush()
        pending.label.append(text)
        pending.context.append(text)

    for line in lines:
        if line.single:
            cell = line.cells[0]
            if not cell.strip() or _is_value(cell):
                pending.cells.append(cell)
            elif pending.cells and _REMARK.fullmatch(cell.strip()):
                pending.cells[-1] += cell.strip()  # 22 / （其中修订16件） on two lines
            else:
                loose_text(cell.strip())
            continue
        label, data = _split_label(line.cells)
        if not data:  # a header row: text cells only
            flush()
            pending = _Pending(context=[*pending.context, label])
            header = [sp for c, sp in zip(line.cells, line.spans, strict=True) if c.strip()] if line.spans else None
            continue
        if not any(c.strip() for c in data) and _label_index(label, specs) is None:
            loose_text(label)
            continue
        spans = line.spans[len(line.cells) - len(data) :] if line.spans else None
        under = [h for h in header if h[0] >= spans[0][0]] if spans and header else None
        if label:
            flush()
            rows.append(_Row(label, data, "".join(pending.context) + label, spans=spans, header=under))
        else:
            # Cells of one printed line win over loose cells seen before them (a stray figure).
            rows.append(_Row("".join(pending.label), data, "".join(pending.context), spans=spans, header=under))
            if strays is not None:
                strays += [c.strip() for c in pending.cells if c.strip()]
        pending = _Pending()
    flush()
    if rows and ends_text:
        rows[-1].last = True
    return rows


# ---------------------------------------------------------------------------- text → lines


def _text_regions(text: str) -> dict[str, tuple[list[str], bool]]:
    """The lines of each table's region (after its heading), and whether the region runs to the end."""
    lines = text.splitlines()
    starts = _region_starts(lines)
    regions: dict[str, tuple[list[str], bool]] = {}
    ordered = sorted((pos, name) for name, pos in starts.items())
    for i, (pos, name) in enumerate(ordered):
        stop = ordered[i + 1][0] if i + 1 < len(ordered) else len(lines)
        body = lines[pos + 1 : stop]
        to_end = stop == len(lines)
        if name == "review" or to_end:
            for j, line in enumerate(body):
                if TEMPLATE.table_end.search(normalize_label(line)):
                    body, to_end = body[:j], False
                    break
        regions[name] = (body, to_end)
    return regions


HEADING_MAX_LEN = 40  # normalised characters of a table heading or marker line


# Words every heading or marker line holds: other lines need no normalising (a hot path)
_HEADING_WORDS = ("主动公开", "收到和处理", "行政复议", "第二十条", "信息内容", "申请人情况", "新收")


_HEADING_WORDS_RE = re.compile("|".join(_HEADING_WORDS))


def _may_be_heading(line: str) -> bool:
    if len(line) > 3 * HEADING_MAX_LEN:
        return False
    if " " in line or "\u3000" in line:
        line = line.replace(" ", "").replace("\u3000", "")
    return _HEADING_WORDS_RE.search(line) is not None


def _region_starts(lines: Sequence[str]) -> dict[str, int]:
    """Line index of each table's heading (or, failing that, of its first marker), in table order."""
    # headings and markers are short lines: long prose lines need no normalising (a hot path)
    norm = [normalize_label(line.strip().strip("|")) if _may_be_heading(line) else "" for line in lines]
    starts: dict[str, int] = {}
    after = -1
    for name in TABLES:
        pos = _first(norm, TEMPLATE.headings[name], after, max_len=HEADING_MAX_LEN)
        if pos is None:
            pos = _first(norm, TEMPLATE.markers[name], after, max_len=HEADING_MAX_LEN)
            pos = None if pos is None else pos - 1  # the marker line belongs to the table
        if pos is not None:
            starts[name] = pos
            after = pos
    return starts


def _first(norm: Sequence[str], pattern: re.Pattern[str], after: int, max_len: int) -> int | None:
    for i in range(after + 1, len(norm)):
        if len(norm[i]) <= max_len and pattern.search(norm[i]):
            return i
    return None


def _text_lines(raw_lines: Sequence[str]) -> list[_Line]:
    """Printed lines → cells. A lone ``|`` is a blank cell, unless ``|`` lines only separate cells."""
    separators_only = _bare_pipes_separate(raw_lines)
    out: list[_Line] = []
    for raw in raw_lines:
        line = raw.strip()
        if not line or _MD_RULE.match(line) or _is_furniture(line):
            continue
        if set(line) == {"|"}:
            if line == "|" and not separators_only:
                out.append(_Line([""], single=True))
            continue
        rows = _run_together_rows(line)
        out += [_split_line(row) for row in rows] if rows else [_split_line(line)]
    return out


def _run_together_rows(line: str) -> list[str] | None:
    """A whole table on one line with its cells run together (its header names it: 第二十条,
    申请人情况, 尚未审结): one line per row, as ``unrun`` cuts a whole report; else None."""
    if "|" in line or "\t" in line or not line[-1:].isdigit() or not _TABLE_LINE.search(line):
        return None
    rows = _row_lines(_WHITESPACE.sub("", line.translate(_FULLWIDTH)))
    return rows if sum(1 for row in rows if row[-1:].isdigit()) >= 2 else None


def _split_line(line: str) -> _Line:
    if "|" in line:
        inner = line[1:] if line.startswith("|") else line
        inner = inner[:-1] if inner.endswith("|") else inner
        cells = inner.split("|")
    elif "\t" in line:
        cells = line.split("\t")
    elif line[-1].isdigit() and (glued := _GLUED_ROW.fullmatch(line)) and _LABEL_TEXT.search(glued["label"]):
        cells = [glued["label"], GluedRun(glued["run"])]  # 行政规范性文件6233440: cells run together
    else:
        m = _SPACED_ROW.fullmatch(line)
        cells = ([m["label"]] if m["label"] else []) + m["values"].split() if m else [line]
    if len(cells) == 1:
        return _Line(cells, single=True)
    return _Line(cells, single=False)


class GluedRun(str):
    """The figures of a text row printed right after its label with no separator (``规章000``).

    Only such a run is split by arithmetic: a figure set apart from its label by a space, a tab
    or a pipe is a cell of its own, and a row short of cells has lost a figure, not run it on.
    """

    __slots__ = ()


# A label (ending in a character that is not a figure) with figures glued to it, stray spaces allowed;
# the label must hold a Chinese character or a bracket (_LABEL_TEXT), tested apart (one pass each).
_GLUED_ROW = re.compile(r"(?P<label>.*[^\d\s.,+\-/|])(?P<run>\d[\d.\s]*)")
_LABEL_TEXT = re.compile(r"[\u4e00-\u9fff）)]")


def _bare_pipes_separate(raw_lines: Sequence[str]) -> bool:
    """True when lone ``|`` lines sit between cells written without pipes (a separator, not a cell)."""
    lines = [line.strip() for line in raw_lines if line.strip()]
    bare = sum(1 for line in lines if line == "|")
    if not bare:
        return False
    piped = sum(1 for line in lines if line != "|" and line.endswith("|"))
    plain = sum(1 for line in lines if "|" not in line)
    return plain > piped


def _is_furniture(line: str) -> bool:
    return _FURNITURE.search(line) is not None


# all page-furniture patterns in one pass (tried on every table line)
_FURNITURE = re.compile("|".join(f"(?:{p.pattern})" for p in TEMPLATE.furniture))


# ---------------------------------------------------------------------------- run-together text → lines

RUN_TOGETHER_MIN = 200  # characters of a line that may hold a whole report run together
# A run of figures in run-together text (whitespace already dropped): 21710000218, 18651.06; a sign
# inside (396-5181: 上一年 396, 增减 -5, 决定 181) keeps the row's figures together, and such a
# row is no run to split (only runs of digits are split).
_RUN = re.compile(r"\d(?:[\d.+\-−]*\d)?")
# What follows a label's own number glued to the figures before it: 40000042.其他法律…
_LABEL_NUMBER_END = re.compile(r"[.、．](?=\D)")
_WHITESPACE = re.compile(r"\s+")


def unrun(text: str) -> str:
    """Cut tables run together on one long line (crawled text) into heading lines and one line per row.

    A crawler's text may hold a whole report on one line with every cell run together
    (``…二、主动公开政府信息情况第二十条…规章000行政规范性文件6233440…``). The tables' part of such
    a line becomes one line per heading and one line per row, a label with its run of digits
    glued on (whitespace inside a run dropped: crawlers put stray spaces there), read as a
    ``GluedRun`` and split by the arithmetic of ``table_runs``. Other lines, and long lines without a table heading,
    are kept as they are.
    """
    lines = text.splitlines()
    if all(len(line) < RUN_TOGETHER_MIN for line in lines):
        return text
    out: list[str] = []
    for line in lines:
        if len(line) < RUN_TOGETHER_MIN or not TEMPLATE.inline_headings.search(line):
            out.append(line)
            continue
        out += _unrun_line(line)
    return "\n".join(out)


# A line that holds a table's header (table 二, 三 or 四): the condition for cutting it into rows.
_TABLE_LINE = re.compile("|".join(f"(?:{p.pattern})" for p in TEMPLATE.inline_markers.values()))


def _unrun_line(line: str) -> list[str]:
    """The line cut at each inline heading whose text is its table; other text stays as it is."""
    headings = list(TEMPLATE.inline_headings.finditer(line))
    end = TEMPLATE.inline_end.search(line, headings[0].start())
    stop = end.start() if end else len(line)
    out: list[str] = []
    text_from = 0  # start of the text not yet written out
    for i, heading in enumerate(headings):
        if heading.start() >= stop:
            break
        body_end = min(headings[i + 1].start(), stop) if i + 1 < len(headings) else stop
        body = line[heading.end() : body_end]
        name = next((n for n in TABLES if TEMPLATE.headings[n].search(normalize_label(heading.group()))), None)
        if name is None or not TEMPLATE.inline_markers[name].search(normalize_label(body)):
            continue  # prose naming a part of the report (an introduction's list of parts)
        out += [line[text_from : heading.start()], heading.group()]
        out += _row_lines(_WHITESPACE.sub("", body.translate(_FULLWIDTH)))
        text_from = body_end
    if text_from == 0:
        return [line]
    out.append(line[text_from:])
    return [x for x in out if x.strip()]


def _row_lines(body: str) -> list[str]:
    """``规章000行政规范性文件6233440`` → ``规章000``, ``行政规范性文件6233440``; text between rows on its own lines."""
    out: list[str] = []
    text_start = 0
    for m in _RUN.finditer(body):
        digits, end = m.group(), m.end()
        if _LABEL_NUMBER_END.match(body, end):  # the last digit numbers the next label
            digits, end = digits[:-1].rstrip("."), end - 1
        if not digits:
            continue
        *loose, label = _label_pieces(body[text_start : m.start()]) or [""]
        out += loose
        out.append(f"{label}{digits}")
        text_start = end
    out += _label_pieces(body[text_start:])
    return out


def _label_pieces(text: str) -> list[str]:
    """Text between two runs, cut before each row's numbering (一、 （一） 1.)."""
    cuts = [0, *(m.start() for m in TEMPLATE.row_starts.finditer(text) if m.start() > 0), len(text)]
    return [text[a:b] for a, b in pairwise(cuts) if text[a:b]]


# ---------------------------------------------------------------------------- grids → lines


def _grid_regions(grids: Sequence[Sequence[Sequence[str]]]) -> dict[str, list[_Line]]:
    """Grid rows → the three regions, switching forward at each table's first marker."""
    regions: dict[str, list[_Line]] = {}
    current = -1
    for grid in grids:
        for row in grid:
            cells, spans = _own_cells(row)
            text = normalize_label("".join(c for c in cells if not _is_value(c)))
            for k in range(len(TABLES) - 1, current, -1):
                if TEMPLATE.markers[TABLES[k]].search(text) and not (k == 2 and any(map(_is_value, cells))):
                    current = k
                    break
            if current < 0:
                continue
            filled = [c for c in cells if c.strip()]
            if filled and len(set(filled)) == 1 and not _is_value(filled[0]):
                line = _Line([filled[0]], single=True)  # a title row spanning the table
            else:
                line = _Line(cells, single=False, spans=spans)
            regions.setdefault(TABLES[current], []).append(line)
    return regions


def _own_cells(row: Sequence[str | None]) -> tuple[list[str], list[tuple[int, int]]]:
    """A grid row's cells, each once with its (first column, span): slots a colspan covers are not cells."""
    cells: list[str] = []
    spans: list[tuple[int, int]] = []
    for column, cell in enumerate(row):
        if isinstance(cell, SpanCopy) and cells:
            start, width = spans[-1]
            spans[-1] = (start, width + 1)
            continue
        cells.append(str(cell or ""))
        spans.append((column, 1))
    return cells, spans


# ---------------------------------------------------------------------------- rows → template


def _label_index(label: str, specs: Sequence[RowSpec]) -> int | None:
    """The one template row whose patterns the label matches (None when none or several)."""
    return _label_index_cached(normalize_label(label), tuple(specs))


@lru_cache(maxsize=8192)
def _label_index_cached(norm: str, specs: tuple[RowSpec, ...]) -> int | None:
    hits = [i for i, spec in enumerate(specs) if spec.matches(norm)]
    return hits[0] if len(hits) == 1 else None


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


# ---------------------------------------------------------------------------- reading the tables


@dataclass
class _Result:
    """The keyed tables being filled, with their notes."""

    fmt: str
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    unread: list[str] = field(default_factory=list)
    by_arithmetic: list[str] = field(default_factory=list)  # rows whose run of digits the identities split
    by_order: bool = False
    read_any: bool = False

    def put(self, key: str, raw: str | None) -> Cell:
        if raw is None:
            return None
        value, note = parse_cell(raw)
        if note is not None:
            self.notes[key] = note
        if value is not None or note is not None:
            self.read_any = True
        return value


def _read_rows(result: _Result, table: str, rows: list[_Row], specs: Sequence[RowSpec],
               strays: Sequence[str] = ()) -> dict[str, Any]:
    rows = _drop_blank_duplicates(rows, specs)
    mapping, by_order = assign_rows([r.label for r in rows], specs)
    result.by_order |= by_order
    placed = {t: rows[r] for r, t in mapping.items()}
    fitted_rows: dict[int, list[str | None]] = {}
    runs: dict[int, str] = {}
    for t, spec in enumerate(specs):
        row = placed.get(t)
        prefix = f"{table}.{spec.key}"
        if row is None:
            result.unread.append(prefix)
            continue
        fitted, why = fit_row(row.cells, spec.width, row.last, row.spans, row.header)
        run = None if fitted is not None else run_of(row.cells, spec.width, row.last)
        if run is not None:
            runs[t] = run
            continue
        if fitted is None:  # cells that cannot be told apart: noted, and the row counts as unread
            result.notes.update({_cell_key(prefix, spec, c): why or "" for c in range(spec.width)})
        if why:
            result.unread.append(prefix)
        if fitted is not None:
            fitted_rows[t] = fitted
    fitted_rows.update(_split_runs(result, table, specs, runs, fitted_rows))
    if strays and table == "requests":
        _place_strays(result, table, specs, fitted_rows, strays)
    out: dict[str, Any] = {}
    for t, spec in enumerate(specs):
        prefix = f"{table}.{spec.key}"
        cells = fitted_rows.get(t) or [None] * spec.width
        values = [result.put(_cell_key(prefix, spec, c), raw) for c, raw in enumerate(cells)]
        out[spec.key] = dict(zip(spec.columns, values, strict=True)) if spec.columns else values[0]
    return out


# A row's figures run together: digits with decimal points and stray spaces, nothing else.
_RUN_CELL = re.compile(r"\d[\d.\s]*")


def run_of(cells: Sequence[str], width: int, last: bool = False) -> str | None:
    """The row's figures as one run of digits (spaces dropped), when one cell stands for several columns.

    Only figures glued to their label qualify (``GluedRun``), or digits standing alone that no
    table prints as one figure (``0000000``): where a grid or a line shows separate cells, the
    cells are the separators (a dropped cell is a missing figure, not a run to split).
    """
    filled = [c for c in cells if c.strip()]
    if width < 2 or last or len(filled) != 1 or not _RUN_CELL.fullmatch(filled[0]):
        return None
    digits = re.sub(r"\s+", "", filled[0])
    if not isinstance(filled[0], GluedRun) and not _no_single_figure(digits):
        return None
    return digits if len(digits.replace(".", "")) >= width else None


# Digits no table prints as one figure: 15 or more digits (table 四's fifteen cells run together).
RUN_MIN_DIGITS = 15


def _no_single_figure(digits: str) -> bool:
    """A run of digits standing alone that cannot be one printed count: ``0000000``, 15 digits or more."""
    return digits.isdigit() and (len(digits) >= RUN_MIN_DIGITS or (digits[0] == "0" and len(digits) > 1))


def _split_runs(result: _Result, table: str, specs: Sequence[RowSpec], runs: dict[int, str],
                fitted: dict[int, list[str | None]]) -> dict[int, list[str | None]]:
    """Split the runs of a table by its identities; rows the identities leave open stay unread."""
    if not runs:
        return {}
    keys = {t: [_cell_key(f"{table}.{spec.key}", spec, c) for c in range(spec.width)] for t, spec in enumerate(specs)}
    fixed: dict[str, int | float] = {}
    for t, cells in fitted.items():
        for key, raw in zip(keys[t], cells, strict=True):
            value = parse_cell(raw)[0] if raw is not None else None
            fixed[key] = value if value is not None else 0  # a blank cell counts as 0, as in the checks
    run_list = [Run(digits, tuple(keys[t]), frozenset(k for k in keys[t] if _decimal_cell(k)))
                for t, digits in runs.items()]
    identities = _identities(table, specs) if table == "requests" else []
    outcomes = solve(run_list, identities, fixed)
    out: dict[int, list[str | None]] = {}
    for (t, digits), outcome in zip(runs.items(), outcomes, strict=True):
        prefix = f"{table}.{specs[t].key}"
        placed = _place_run(result, prefix, keys[t], digits, outcome)
        if placed is not None:
            out[t] = placed
    return out


def _place_run(result: _Result, prefix: str, keys: Sequence[str], digits: str,
               outcome: RunResult) -> list[str | None] | None:
    """A solved run's cells as printed text, or None (the row unread, with the reason in its notes)."""
    if outcome.values is None:
        result.unread.append(prefix)
        result.notes.update(dict.fromkeys(keys, f"run {digits}: {outcome.why}"))
        return None
    result.by_arithmetic.append(prefix)
    return [_shown(v) for v in outcome.values]


def _shown(value: int | float) -> str:
    return str(value)


def _place_strays(result: _Result, table: str, specs: Sequence[RowSpec], fitted: dict[int, list[str | None]],
                  strays: Sequence[str]) -> None:
    """A figure printed out of its cell goes to the one blank cell whose value the identities fix to it.

    Only the one blank cell of a row whose other cells are printed is a candidate. It is fixed
    when an identity holds it and every other cell of that identity is printed; every such
    identity must give the same value. The figure is placed only when exactly
    one blank cell of the table is fixed to its value (kewei-2024: 四、结转下年度继续办理 prints an
    empty 总计 cell and its 1 on a line of its own).
    """
    keys = {t: [_cell_key(f"{table}.{spec.key}", spec, c) for c in range(spec.width)] for t, spec in enumerate(specs)}
    known: dict[str, int | float] = {}
    blanks: dict[str, tuple[int, int]] = {}
    for t, cells in fitted.items():
        for c, (key, raw) in enumerate(zip(keys[t], cells, strict=True)):
            value, note = parse_cell(raw) if raw is not None else (None, None)
            if value is not None:
                known[key] = value
            elif note is None and key not in result.notes and sum(1 for x in cells if x is None or not x.strip()) == 1:
                blanks[key] = (t, c)  # the one blank cell of a row printed otherwise: a figure gone astray
    fixed_to: dict[str, int | float] = {}
    for key in blanks:
        values = {_solved_for(key, i, known) for i in _identities(table, specs) if key in i.keys}
        values.discard(None)
        if len(values) == 1:
            fixed_to[key] = values.pop()
    for raw in strays:
        value = parse_cell(raw)[0]
        targets = [k for k, v in fixed_to.items() if value is not None and v == value]
        if len(targets) == 1 and strays.count(raw) == 1:
            t, c = blanks[targets[0]]
            fitted[t][c] = raw
            result.by_arithmetic.append(f"{table}.{specs[t].key}")


def _solved_for(key: str, identity: Identity, known: dict[str, int | float]) -> int | float | None:
    """The value ``identity`` gives ``key`` when every other cell of it is known."""
    others = [k for k in identity.keys if k != key]
    if identity.keys.count(key) != 1 or not all(k in known for k in others):
        return None
    left = sum(known[k] for k in identity.left if k != key)
    right = sum(known[k] for k in identity.right if k != key)
    return right - left if key in identity.left else left - right


def _decimal_cell(key: str) -> bool:
    return any(key == f"active.{c}" or key.startswith(f"active.{c}.") for c in TEMPLATE.decimal_cells)


def _identities(table: str, specs: Sequence[RowSpec]) -> list[Identity]:
    """The sums table 三 holds, over the cell keys of its rows (schema/tables.toml, [requests])."""
    prefix = f"{table}."
    columns = TEMPLATE.request_columns
    total_column, total_row = TEMPLATE.request_total_column, TEMPLATE.request_total_row
    parts = [c for c in columns if c != total_column]
    keys = [spec.key for spec in specs]
    out = [Identity((f"{prefix}{k}.{total_column}",), tuple(f"{prefix}{k}.{c}" for c in parts)) for k in keys]
    left, right = TEMPLATE.request_balance
    outcomes = [k for k in keys if k.startswith(TEMPLATE.outcome_rows)]
    for c in columns:
        if all(k in keys for k in (*left, *right)):
            out.append(Identity(tuple(f"{prefix}{k}.{c}" for k in left), tuple(f"{prefix}{k}.{c}" for k in right)))
        if total_row in keys and outcomes:
            out.append(Identity((f"{prefix}{total_row}.{c}",), tuple(f"{prefix}{k}.{c}" for k in outcomes)))
    return out


def _drop_blank_duplicates(rows: list[_Row], specs: Sequence[RowSpec]) -> list[_Row]:
    """A blank row whose label another row with figures also carries (a header cell 总计) is dropped."""
    filled = {_label_index(r.label, specs) for r in rows if any(c.strip() for c in r.cells)}
    return [r for r in rows if any(c.strip() for c in r.cells) or _label_index(r.label, specs) not in filled]


def _cell_key(prefix: str, spec: RowSpec, column: int) -> str:
    return f"{prefix}.{spec.columns[column]}" if spec.columns else prefix


def _read_review(result: _Result, rows: list[_Row]) -> dict[str, Any]:
    blocks, columns = TEMPLATE.review_blocks, TEMPLATE.review_columns
    width = len(columns)
    found: dict[str, list[str | None]] = {}
    for row in rows:
        fitted, why = fit_cells(row.cells, width * len(blocks), row.last)
        if fitted is not None and any(c is not None and c.strip() for c in fitted):
            found = {b: fitted[i * width : (i + 1) * width] for i, b in enumerate(blocks)}
            if why == CUT_OFF:  # blocks the text does not reach in full are unread
                result.unread += [f"review_litigation.{b}" for b, cells in found.items() if None in cells]
            break
    if not found:
        found = _review_blocks_by_row(result, rows, width)
    if not found:
        found = _review_by_arithmetic(result, rows, width, blocks, columns)
    out: dict[str, Any] = {}
    for block in blocks:
        cells = found.get(block)
        if cells is None:
            result.unread.append(f"review_litigation.{block}")
            cells = [None] * width
        prefix = f"review_litigation.{block}"
        out[block] = {col: result.put(f"{prefix}.{col}", raw) for col, raw in zip(columns, cells, strict=True)}
    return out


def _review_blocks_by_row(result: _Result, rows: list[_Row], width: int) -> dict[str, list[str | None]]:
    """Table 四 printed as one 5-cell row per block: place each by the text above it, else by order."""
    five = [(row, fit_cells(row.cells, width, row.last)[0]) for row in rows if len(row.cells) <= width + 2]
    five = [(row, cells) for row, cells in five if cells is not None]
    named = [_block_of(row.context + row.label) for row, _ in five]
    if named and None not in named and len(set(named)) == len(named):
        return {b: cells for b, (_, cells) in zip(named, five, strict=True) if b}
    if len(five) == len(TEMPLATE.review_blocks):
        result.by_order = True
        return {b: cells for b, (_, cells) in zip(TEMPLATE.review_blocks, five, strict=True)}
    return {}


def _review_by_arithmetic(result: _Result, rows: list[_Row], width: int, blocks: Sequence[str],
                          columns: Sequence[str]) -> dict[str, list[str | None]]:
    """Table 四 as one run of digits (15 cells run together): split so that every block's 总计 holds."""
    runs = [run for row in rows if (run := run_of(row.cells, width * len(blocks), row.last)) is not None]
    if len(runs) != 1:
        return {}
    keys = [f"review_litigation.{b}.{c}" for b in blocks for c in columns]
    total = TEMPLATE.review_total_column
    identities = [Identity((f"review_litigation.{b}.{total}",),
                           tuple(f"review_litigation.{b}.{c}" for c in columns if c != total)) for b in blocks]
    outcome = solve([Run(runs[0], tuple(keys))], identities, {})[0]
    if outcome.values is None:
        result.notes.update(dict.fromkeys(keys, f"run {runs[0]}: {outcome.why}"))
        return {}
    result.by_arithmetic += [f"review_litigation.{b}" for b in blocks]
    cells = [_shown(v) for v in outcome.values]
    return {b: cells[i * width : (i + 1) * width] for i, b in enumerate(blocks)}


def _block_of(context: str) -> str | None:
    text = normalize_label(context)
    # the heading nearest to the row decides: look at the text after the last block heading
    best: tuple[int, str] | None = None
    for block, pattern in TEMPLATE.block_labels:
        for m in pattern.finditer(text):
            if best is None or m.start() > best[0]:
                best = (m.start(), block)
    return best[1] if best else None


def _detect_format(texts: Iterable[str]) -> str:
    joined = normalize_label("".join(texts))
    return "2019" if TEMPLATE.markers_2019.search(joined) else "2021"


def _read(regions: dict[str, tuple[list[_Line], bool]]) -> dict[str, Any] | None:
    if not regions:
        return None
    region_text = ["".join(c for line in lines for c in line.cells) for lines, _ in regions.values()]
    result = _Result(fmt=_detect_format(region_text))
    request_rows = _request_row_set(result.fmt, regions.get("requests", ([], False))[0])
    specs = {"active": TEMPLATE.active[result.fmt], "requests": TEMPLATE.requests[request_rows], "review": ()}
    strays: dict[str, list[str]] = {name: [] for name in regions}
    rows = {name: _rows_from_lines(lines, ends, specs[name], strays[name]) for name, (lines, ends) in regions.items()}
    active = _read_rows(result, "active", rows.get("active", []), specs["active"])
    requests = _read_rows(result, "requests", rows.get("requests", []), specs["requests"], strays.get("requests", []))
    if request_rows == "2019":
        requests = _with_2019_other_rows(requests, TEMPLATE.request_columns)
    review = _read_review(result, rows.get("review", []))
    if not result.read_any and _labelled_rows(regions, specs) < MIN_LABELS_WITHOUT_FIGURES:
        return None
    tables: dict[str, Any] = {
        "format": result.fmt,
        "active": active,
        "requests": requests,
        "review_litigation": review,
        # the weakest evidence a row was read by: placed by order, split by arithmetic, or its own label
        "read_by": "row_order" if result.by_order else "arithmetic" if result.by_arithmetic else "labels",
    }
    if result.by_arithmetic:
        tables["read_by_arithmetic"] = result.by_arithmetic
    if result.notes:
        tables["cell_notes"] = result.notes
    if result.unread:
        tables["unread"] = result.unread
    return tables


# Rows of tables 二 and 三 named by their labels that make a table printed without figures a table
# (dev/r124: the 2019 trial format's labels, every cell blank): its cells are null and unread.
MIN_LABELS_WITHOUT_FIGURES = 5


LABEL_MAX_LEN = 50  # characters of a row label cell (the longest, of （六）2., has 38): prose is longer


def _labelled_rows(regions: dict[str, tuple[list[_Line], bool]], specs: dict[str, Sequence[RowSpec]]) -> int:
    """How many template rows of tables 二 and 三 the regions name by a label, in regions that
    hold their table's header (第二十条, 申请人情况): prose naming a row now and then is no table."""
    found: set[tuple[str, int]] = set()
    for name in ("active", "requests"):
        lines = regions.get(name, ([], False))[0]
        if not any(TEMPLATE.inline_markers[name].search(normalize_label(c)) for line in lines for c in line.cells):
            continue
        for line in lines:
            for cell in line.cells:
                if not cell.strip() or len(cell.strip()) > LABEL_MAX_LEN or _is_value(cell):
                    continue
                t = _label_index(cell, specs[name])
                if t is not None:
                    found.add((name, t))
    return len(found)


def _request_row_set(fmt: str, lines: Sequence[_Line]) -> str:
    """Rows of table 三: some 2021-format reports still print （六）其他处理 as one row, as in 2019."""
    if fmt == "2019":
        return fmt
    labels = [normalize_label(c) for line in lines for c in line.cells if not c.strip().isdigit()]
    sub_rows = [s for s in TEMPLATE.requests["2021"] if s.key in TEMPLATE.rows_2021_only]
    single = next(s for s in TEMPLATE.requests["2019"] if s.key == "other.other")
    if any(single.matches(x) for x in labels) and not any(s.matches(x) for s in sub_rows for x in labels):
        return "2019"
    return fmt


def _with_2019_other_rows(requests: dict[str, Any], columns: Sequence[str]) -> dict[str, Any]:
    """The 2019 rows have no （六） sub-rows 1. and 2.: those keys are null (not unread), in the 2021 order."""
    out: dict[str, Any] = {}
    for key, value in requests.items():
        if key == "other.other":
            out["other.no_correction"] = dict.fromkeys(columns)
            out["other.no_fee"] = dict.fromkeys(columns)
        out[key] = value
    return out


# ---------------------------------------------------------------------------- public API


def parse_tables_text(text: str) -> dict[str, Any] | None:
    """Parse the tables of sections 二、三、四 from a report's plain text.

    Finds each table by its heading (二、主动公开政府信息情况 …) or, failing that, by its first
    marker (第二十条, 申请人情况, 行政复议), reads tab-separated, pipe, space-separated and
    one-cell-per-line layouts, and returns the ``tables`` dict of output.md (plus ``read_by``
    and, for tables not wholly shown, ``unread``), or None when no table cell could be read.
    """
    ends_with_cut = bool(text) and not text[-1].isspace() and text[-1] != "|"
    text = unrun(text)
    regions: dict[str, tuple[list[_Line], bool]] = {}
    for name, (raw_lines, to_end) in _text_regions(text).items():
        lines = _text_lines(raw_lines)
        if to_end and ends_with_cut and lines:
            lines[-1].cells = lines[-1].cells[:-1] or [""]  # a figure cut in half is left out
        regions[name] = (lines, to_end)
    return _read(regions)


def parse_tables_grids(grids: list[list[list[str]]]) -> dict[str, Any] | None:
    """Parse the tables from cell grids (HTML ``<table>``, PDF or DOCX tables).

    Each grid is a list of rows of cell strings with row- and column-spans already expanded.
    Rows are given to the same reader as text lines.
    """
    regions = {name: (lines, False) for name, lines in _grid_regions(grids).items()}
    return _read(regions)
