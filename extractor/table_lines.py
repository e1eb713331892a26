"""From a table region to logical rows: printed text lines (spaced, piped, run together) or
cell grids become ``_Line`` objects, and lines become rows (a label and its cells)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from . import patterns as P
from .layout import SpanCopy
from .schema import TEMPLATE, RowSpec
from .table_cells import (
    _MD_RULE,
    _REMARK,
    _SPACED_ROW,
    TABLES,
    _is_value,
    fullwidth_to_ascii,
    normalize_label,
)
from .table_fit import _alternatives, _label_index

# ---------------------------------------------------------------------------- lines and rows


@dataclass(slots=True)
class _Line:
    """The cells of one printed line (or one grid row)."""

    cells: list[str]
    single: bool  # one cell on its own line (one-cell-per-line layouts, loose labels)
    spans: list[tuple[int, int]] | None = None  # grid rows: each cell's (first column, columns spanned)


@dataclass(slots=True)
class _Row:
    """A logical table row: its label, its data cells and the text seen above it."""

    label: str
    cells: list[str]
    context: str = ""
    last: bool = False  # the row the text ends in (a table cut off at the end of an excerpt)
    spans: list[tuple[int, int]] | None = None  # grid rows: the data cells' (first column, span)
    header: list[tuple[int, int]] | None = None  # grid rows: the value columns of the header above


@dataclass(slots=True)
class _Pending:
    label: list[str] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)


def _split_label(cells: Sequence[str]) -> tuple[str, list[str]]:
    """Leading label cells and the data cells after the last text cell."""
    last_text = len(cells) - 1  # the last text cell: looked for from the end (the figures come last)
    while last_text >= 0 and (_is_count(cells[last_text]) or not cells[last_text].strip()
                              or isinstance(cells[last_text], GluedRun) or _is_value(cells[last_text])):
        last_text -= 1
    label_cells: list[str] = []
    for cell in cells[: last_text + 1]:
        cell = cell.strip()
        if cell and (not label_cells or label_cells[-1] != cell):  # grids repeat spanned labels
            label_cells.append(cell)
    return "".join(label_cells), list(cells[last_text + 1 :])


def _is_count(cell: str) -> bool:
    """A cell of ASCII digits only (``_is_value``'s usual case, told without a cached call)."""
    return cell.isascii() and cell.isdigit()


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
            if _is_count(cell) or not cell.strip() or _is_value(cell):
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


def _text_regions(text: str | list[str]) -> dict[str, tuple[list[str], bool]]:
    """The lines of each table's region (after its heading), and whether the region runs to the end.
    ``text``: the text, or its lines (``str.splitlines``)."""
    lines = text.splitlines() if isinstance(text, str) else text
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


# A heading word in a line with its spaces (half- and full-width) dropped: the word's characters
# with spaces between them, so a line needs no copy without its spaces
_HEADING_WORDS_RE = re.compile("|".join("[ \u3000]*".join(map(re.escape, word)) for word in _HEADING_WORDS))


def _region_starts(lines: Sequence[str]) -> dict[str, int]:
    """Line index of each table's heading (or, failing that, of its first marker), in table order."""
    # headings and markers are short lines holding a heading word: other lines need no normalising
    longest, search = 3 * HEADING_MAX_LEN, _HEADING_WORDS_RE.search
    norm = [normalize_label(line.strip().strip("|")) if len(line) <= longest and search(line) else "" for line in lines]
    # the lines a heading or marker can be on, found once for the six look-ups below
    short = [(i, x) for i, x in enumerate(norm) if x and len(x) <= HEADING_MAX_LEN]
    starts: dict[str, int] = {}
    after = -1
    for name in TABLES:
        pos = _first(norm, short, TEMPLATE.headings[name], after, max_len=HEADING_MAX_LEN)
        if pos is None:
            pos = _first(norm, short, TEMPLATE.markers[name], after, max_len=HEADING_MAX_LEN)
            pos = None if pos is None else pos - 1  # the marker line belongs to the table
        if pos is not None:
            starts[name] = pos
            after = pos
    return starts


def _first(norm: Sequence[str], short: Sequence[tuple[int, str]], pattern: re.Pattern[str], after: int,
           max_len: int) -> int | None:
    """The first line after ``after`` the pattern finds; ``short``: the lines (index, text) neither
    blank nor longer than ``max_len``, the only ones tried unless the pattern matches a blank line."""
    if pattern.search("") is not None:  # a blank line matches too: every line is tried
        for i in range(after + 1, len(norm)):
            if len(norm[i]) <= max_len and pattern.search(norm[i]):
                return i
        return None
    return next((i for i, x in short if i > after and pattern.search(x)), None)


def _text_lines(raw_lines: Sequence[str]) -> list[_Line]:
    """Printed lines → cells. A lone ``|`` is a blank cell, unless ``|`` lines only separate cells."""
    separators_only = _bare_pipes_separate(raw_lines)
    out: list[_Line] = []
    for raw in raw_lines:
        line = raw.strip()
        if not line or _is_rule_or_furniture(line):
            continue
        if not line.strip("|"):  # pipes only
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
    rows = _row_lines(_squeeze(fullwidth_to_ascii(line)))
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


# A label (ending in a character that is not a figure) with figures glued to it, stray spaces allowed
# (and one sign: a 2019 row's change, 行政许可0+11);
# the label must hold a Chinese character or a bracket (_LABEL_TEXT), tested apart (one pass each).
_GLUED_ROW = re.compile(r"(?P<label>.*[^\d\s.,+\-/|])(?P<run>\d[\d.\s]*(?:[+\-]\d[\d.\s]*)?)")
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


def _is_rule_or_furniture(line: str) -> bool:
    """A Markdown rule, a page number or a running header: not a line of the table."""
    return _AT_START.search(line) is not None or _RUNNING_HEADER.search(line) is not None


# Page furniture (tried on every table line): page numbers, and running headers, in two searches.
# Joined in one, the page number's anchor keeps ``re`` from skipping ahead to a header's literal
# text: a search then costs ten times as much.
_PAGE_NUMBER = re.compile(P.PAGE_NUMBER.pattern, re.IGNORECASE)
_RUNNING_HEADER = re.compile(_alternatives(p.pattern for p in TEMPLATE.furniture) or "(?!)", re.IGNORECASE)
# a Markdown rule (``_MD_RULE.match``) or a page number: the patterns anchored at the start, in one search
_AT_START = re.compile(f"(?:{_MD_RULE.pattern})|(?:{_PAGE_NUMBER.pattern})", re.IGNORECASE)


# ---------------------------------------------------------------------------- run-together text → lines

RUN_TOGETHER_MIN = 200  # characters of a line that may hold a whole report run together
# A run of figures in run-together text (whitespace dropped but one space between two figures,
# ``_squeeze``): 21710000218, 8 0 0 0 0 0 8, 18651.06; a sign
# inside (396-5181: 上一年 396, 增减 -5, 决定 181) keeps the row's figures together, and such a
# row is no run for the arithmetic (``tables._signed_run`` reads it where one split is left).
_RUN = re.compile(r"\d(?:[\d.+\-− ]*\d)?")
# What follows a label's own number glued to the figures before it: 40000042.其他法律…
_LABEL_NUMBER_END = re.compile(r"[.、．](?=\D)")
_WHITESPACE = re.compile(r"\s+")
_BETWEEN_FIGURES = re.compile(r"(?<=\d)\s+(?=\d)")


def _squeeze(text: str) -> str:
    """The text without whitespace, but for one space where whitespace parts two figures: such a
    space is a cell boundary (``GluedRun``), whatever else a crawler's spaces split is not."""
    return _WHITESPACE.sub("", _BETWEEN_FIGURES.sub("\x00", text)).replace("\x00", " ")


def unrun(text: str) -> str:
    """Cut tables run together on one long line (crawled text) into heading lines and one line per row.

    A crawler's text may hold a whole report on one line with every cell run together
    (``…二、主动公开政府信息情况第二十条…规章000行政规范性文件6233440…``). The tables' part of such
    a line becomes one line per heading and one line per row, a label with its run of digits
    glued on (whitespace inside a run dropped: crawlers put stray spaces there), read as a
    ``GluedRun`` and split by the arithmetic of ``table_runs``. Other lines, and long lines without a table heading,
    are kept as they are.
    """
    cut = _unrun_lines(text.splitlines())
    return text if cut is None else "\n".join(cut)


def unrun_lines(lines: list[str]) -> list[str]:
    """The lines of ``unrun``'s text, from the text's lines (``str.splitlines``): ``lines`` itself
    when no line is long enough to hold a report run together."""
    cut = _unrun_lines(lines)
    return lines if cut is None else "\n".join(cut).splitlines()


def _unrun_lines(lines: list[str]) -> list[str] | None:
    if max(map(len, lines), default=0) < RUN_TOGETHER_MIN:  # the usual text: nothing to cut
        return None
    out: list[str] = []
    for line in lines:
        if len(line) < RUN_TOGETHER_MIN or not TEMPLATE.inline_headings.search(line):
            out.append(line)
            continue
        out += _unrun_line(line)
    return out


# A line that holds a table's header (table 二, 三 or 四): the condition for cutting it into rows.
_TABLE_LINE = re.compile(_alternatives(p.pattern for p in TEMPLATE.inline_markers.values()))


def _unrun_line(line: str) -> list[str]:
    """The line cut at each inline heading whose text is its table; other text stays as it is."""
    headings = list(TEMPLATE.inline_headings.finditer(line))
    end = TEMPLATE.inline_end.search(line, headings[0].start())
    stop = end.start() if end else len(line)
    if not any(TEMPLATE.headings["review"].search(normalize_label(h.group())) for h in headings):
        # no heading names table 四: its printed header starts it, after the other tables' headings
        header = TEMPLATE.inline_review_header.search(line, headings[-1].end(), stop)
        headings += [header] if header else []
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
        out += _row_lines(_squeeze(fullwidth_to_ascii(body)))
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
            digits, end = digits[:-1].rstrip(". "), end - 1
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
