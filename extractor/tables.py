"""National-format tables 二、三、四: text or cell grids in, keyed tables out.

The reader is four modules, one job each: ``table_cells`` (a printed cell, a label), ``table_lines``
(regions of text or grids → lines → rows), ``table_fit`` (rows and cells onto the template) and
this one (reading the rows into keyed tables, the two entry points). Their names stay importable
from here.

Both entry points feed the same reader: the input is cut into the three table regions, each
region becomes a list of ``_Line`` (the cells of one printed line or grid row), the lines
become logical rows (a label and its cells), and the rows are mapped onto the template rows of
the schema (``schema/tables.toml``) by their labels.

Where a conversion has detached labels from their numbers, unlabelled rows are placed by the
template's order, but only where the numeric rows match the template rows one to one (the
whole table, or the gap between two labelled rows). The result then says so.

The result is a ``Tables`` (``table_model``): rows of typed cells, written in JSON as output.md
says. Besides the keys of output.md (allowed as optional keys) it says:

- ``read_by``: ``"labels"`` when every row was placed by its own label, ``"row_order"`` when
  some rows were placed by the template's order as above.
- ``unread``: dotted keys of rows (``requests.total``, ``review_litigation.review``) that the
  document does not show (a table cut off at the end of an excerpt) or whose cells could not be
  told apart (``| 规章 | 22 | 235 |`` for three columns); their cells are ``unread``
  (``TableCell.status``). Left out when every row was read. The checks read it
  (``TableRow.is_read``) to tell a missing row from a row printed blank.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .schema import TEMPLATE, RowSpec
from .table_cells import (  # noqa: F401  (names of the table reader, importable from here)
    CUT_OFF,
    TABLES,
    Cell,
    _is_value,
    normalize_label,
    parse_cell,
)
from .table_fit import _label_index, _label_index_cached, assign_rows, fit_cells, fit_row  # noqa: F401
from .table_lines import (  # noqa: F401
    GluedRun,
    _grid_regions,
    _Line,
    _Row,
    _rows_from_lines,
    _text_lines,
    _text_regions,
    unrun,
    unrun_lines,
)
from .table_model import ReadBy, Tables
from .table_prose import statements
from .table_runs import Identity, Run, RunResult, Statement, solve

# ---------------------------------------------------------------------------- reading the tables


@dataclass(slots=True)
class _Result:
    """The keyed tables being filled, with their notes."""

    fmt: str
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    unread: list[str] = field(default_factory=list)
    by_arithmetic: list[str] = field(default_factory=list)  # rows whose run of digits the identities split
    by_prose: dict[str, str] = field(default_factory=dict)  # cell → the prose figures that chose its split
    figures: dict[str, int | float] = field(default_factory=dict)  # narrative field → figure the prose states
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
        spaced = _spaced_run(row.cells, spec.width)
        if spaced is None and spec.columns[1:2] == (_CHANGE,):
            spaced = _signed_run(row.cells, spec.width)
        if spaced is not None:  # figures a space or a sign parts, one per cell: read as a spaced line is
            fitted_rows[t] = spaced
            continue
        fitted, why = fit_row(row.cells, spec.width, row.last, row.spans, row.header)
        run = None if fitted is not None else run_of(row.cells, spec.width, row.last)
        if run is not None:
            runs[t] = run
            continue
        if fitted is None:  # cells that cannot be told apart: noted, and the row counts as unread
            result.notes.update(dict.fromkeys(_cell_keys(table, spec), why or ""))
        if why:
            result.unread.append(prefix)
        if fitted is not None:
            fitted_rows[t] = fitted
    if runs:  # the prose's figures bear only on runs to split (a table read by labels needs none)
        fitted_rows.update(_split_runs(result, table, specs, runs, fitted_rows, statements(result.figures, table, specs)))
    if strays and table == "requests":
        _place_strays(result, table, specs, fitted_rows, strays)
    out: dict[str, Any] = {}
    for t, spec in enumerate(specs):
        cells = fitted_rows.get(t)
        if cells:
            values = [result.put(key, raw) for key, raw in zip(_cell_keys(table, spec), cells, strict=True)]
        else:  # a row not read: no cell to parse
            values = [None] * spec.width
        out[spec.key] = dict(zip(spec.columns, values, strict=True)) if spec.columns else values[0]
    return out


# A row's figures run together: digits with decimal points and stray spaces, nothing else.
_RUN_CELL = re.compile(r"\d[\d.\s]*")


# One printed figure: no leading zero (0 alone, or a decimal below 1, aside)
_FIGURE = re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?")


def _lone_glued_run(cells: Sequence[str]) -> GluedRun | None:
    """The row's one filled cell when it is a run of figures glued to its label, else None."""
    filled = [c for c in cells if c.strip()]
    return filled[0] if len(filled) == 1 and isinstance(filled[0], GluedRun) else None


def _spaced_run(cells: Sequence[str], width: int) -> list[str] | None:
    """The figures of a run glued to its label (``GluedRun``) when a space parts each from the next
    and there are as many as the row has cells (一、本年新收…8 0 0 0 0 0 8): each is a cell, as in a
    line whose cells spaces set apart. Fewer parts (stray spaces, 200 000121) leave a run to split."""
    run = _lone_glued_run(cells)
    if width < 2 or run is None:
        return None
    parts = run.split()
    return parts if len(parts) == width and all(_FIGURE.fullmatch(p) for p in parts) else None


# A 2019 row whose change (本年增/减) is printed with its sign, run together: 0+11, 35-15, 396-5181
_CHANGE = "change"  # the column key of 本年增/减 (schema/tables.toml, [[active.2019]])
_SIGNED_RUN = re.compile(r"(\d+)([+\-])(\d+)")


def _signed_run(cells: Sequence[str], width: int) -> list[str] | None:
    """previous | ±change [| decisions] run together (``GluedRun``): the sign starts the change, so
    the figures before it are the previous count; read when the digits after it leave one split
    (0+11 = 0 | +1 | 1, 35-15 = 35 | -15), else None (396-5181: 396 | -5 | 181, -51 | 81 or -518 | 1)."""
    run = _lone_glued_run(cells)
    if width not in (2, 3) or run is None:
        return None
    m = _SIGNED_RUN.fullmatch(re.sub(r"\s+", "", run))
    if m is None or not _FIGURE.fullmatch(m[1]):
        return None
    before, sign, after = m.groups()
    if width == 2:
        return [before, sign + after] if _FIGURE.fullmatch(after) else None
    splits = [(after[:k], after[k:]) for k in range(1, len(after))
              if _FIGURE.fullmatch(after[:k]) and _FIGURE.fullmatch(after[k:])]
    return [before, sign + splits[0][0], splits[0][1]] if len(splits) == 1 else None


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
                fitted: dict[int, list[str | None]], stated: Sequence[Statement] = ()) -> dict[int, list[str | None]]:
    """Split the runs of a table by its identities (and the prose's figures); rows left open stay unread."""
    if not runs:
        return {}
    keys = {t: _cell_keys(table, spec) for t, spec in enumerate(specs)}
    fixed: dict[str, int | float] = {}
    for t, cells in fitted.items():
        for key, raw in zip(keys[t], cells, strict=True):
            value = parse_cell(raw)[0] if raw is not None else None
            fixed[key] = value if value is not None else 0  # a blank cell counts as 0, as in the checks
    run_list = [Run(digits, tuple(keys[t]), frozenset(k for k in keys[t] if _decimal_cell(k)))
                for t, digits in runs.items()]
    identities = _identities(table, specs) if table == "requests" else []
    outcomes = _printed_as_it_is(run_list, identities, fixed, stated, solve(run_list, identities, fixed, stated=stated))
    out: dict[int, list[str | None]] = {}
    for (t, digits), outcome in zip(runs.items(), outcomes, strict=True):
        prefix = f"{table}.{specs[t].key}"
        placed = _place_run(result, prefix, keys[t], digits, outcome)
        if placed is not None:
            out[t] = placed
    return out


def _printed_as_it_is(runs: list[Run], identities: list[Identity], fixed: dict[str, int | float],
                      stated: Sequence[Statement], outcomes: list[RunResult]) -> list[RunResult]:
    """Runs no split of which the identities allow: the table as printed breaks one of its sums.

    Each such run is split by its own row's sum alone (总计 = the six applicant columns), which
    the printed row keeps or breaks on its own; a run still left so is read when the number
    grammar leaves it one split (fifteen digits for table 四's fifteen cells). The checks then
    report the sums the printed table breaks; a run with several splits stays unread.
    """
    for fallback in ([i for i in identities if _row_identity(i)], []):
        if not any(_contradicted(o) for o in outcomes):
            break
        alone = solve(runs, fallback, fixed, stated=stated)
        outcomes = [a if _contradicted(o) and (fallback or a.values is not None) else o
                    for o, a in zip(outcomes, alone, strict=True)]
    return outcomes


def _contradicted(outcome: RunResult) -> bool:
    """A run no split of which the identities allow (the search ran to its end)."""
    return outcome.values is None and outcome.checked and not outcome.capped and outcome.splits == 0


def _row_identity(identity: Identity) -> bool:
    """An identity within one row: its 总计 cell = the row's applicant cells."""
    row = identity.left[0].rpartition(".")[0]
    return len(identity.left) == 1 and all(k.rpartition(".")[0] == row for k in identity.right)


def _place_run(result: _Result, prefix: str, keys: Sequence[str], digits: str, outcome: RunResult,
               cells: Sequence[int | float | None] | None = None) -> list[str | None] | None:
    """A solved run's cells (``cells``: those of one row of it) as printed text, or None (the row
    unread, with the reason in its notes).

    A run whose splits agree on some cells only is read in part: those cells are filled, the
    others null with the reason, and the row stays listed unread (not read in full).
    """
    if cells is None:
        cells = outcome.cells or (None,) * len(keys)
    chosen = "; ".join(f"{s.source} = {s.value}" for s in outcome.narrowed_by)
    if chosen:
        result.by_prose.update({k: chosen for k, v in zip(keys, cells, strict=True) if v is not None})
    if None in cells:
        result.unread.append(prefix)
        result.notes.update({k: f"run {digits}: {outcome.why}" for k, v in zip(keys, cells, strict=True) if v is None})
        if all(v is None for v in cells):
            return None
    result.by_arithmetic.append(prefix)
    return [None if v is None else _shown(v) for v in cells]


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
    keys = {t: _cell_keys(table, spec) for t, spec in enumerate(specs)}
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
    identities = _identities(table, specs) if blanks else []  # made once, not once per blank cell
    for key in blanks:
        values = {_solved_for(key, i, known) for i in identities if key in i.key_set}
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
    if not key.startswith("active."):  # money columns are table 二's
        return False
    return any(key == f"active.{c}" or key.startswith(f"active.{c}.") for c in TEMPLATE.decimal_cells)


def _identities(table: str, specs: Sequence[RowSpec]) -> list[Identity]:
    """The sums table 三 holds, over the cell keys of its rows (schema/tables.toml, [requests])."""
    return list(_identities_of(table, tuple(specs)))


@lru_cache(maxsize=8)  # the same few row sets in every report
def _identities_of(table: str, specs: tuple[RowSpec, ...]) -> tuple[Identity, ...]:
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
    return tuple(out)


def _drop_blank_duplicates(rows: list[_Row], specs: Sequence[RowSpec]) -> list[_Row]:
    """A blank row whose label another row with figures also carries (a header cell 总计) is dropped."""
    blank = [not any(c.strip() for c in r.cells) for r in rows]
    if not any(blank):  # the usual table: nothing to drop, no label to look up
        return rows
    filled = {_label_index(r.label, specs) for r, b in zip(rows, blank, strict=True) if not b}
    return [r for r, b in zip(rows, blank, strict=True) if not b or _label_index(r.label, specs) not in filled]


@lru_cache(maxsize=256)  # the template's rows: the same few dozen in every report
def _cell_keys(table: str, spec: RowSpec) -> tuple[str, ...]:
    """The dotted keys of a row's cells, in column order (the row's key for a one-value row)."""
    prefix = f"{table}.{spec.key}"
    return tuple(f"{prefix}.{column}" for column in spec.columns) if spec.columns else (prefix,)


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
            if f"review_litigation.{block}" not in result.unread:  # a run's block not read is listed already
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
    stated = statements(result.figures, "review_litigation", ())
    run = [Run(runs[0], tuple(keys))]
    outcome = _printed_as_it_is(run, identities, {}, stated, solve(run, identities, {}, stated=stated))[0]
    cells = outcome.cells or (None,) * len(keys)
    found: dict[str, list[str | None]] = {}
    for i, b in enumerate(blocks):  # a block every split agrees on is read, whatever the others
        part = slice(i * width, (i + 1) * width)
        placed = _place_run(result, f"review_litigation.{b}", keys[part], runs[0], outcome, cells[part])
        if placed is not None:
            found[b] = placed
    return found


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


def _read(regions: dict[str, tuple[list[_Line], bool]],
          figures: dict[str, int | float] | None = None) -> Tables | None:
    if not regions:
        return None
    region_text = ["".join(c for line in lines for c in line.cells) for lines, _ in regions.values()]
    result = _Result(fmt=_detect_format(region_text), figures=dict(figures or {}))
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
    # the weakest evidence a row was read by: placed by order, split by arithmetic, or its own label
    read_by = ReadBy.ROW_ORDER if result.by_order else ReadBy.ARITHMETIC if result.by_arithmetic else ReadBy.LABELS
    return Tables.assemble(result.fmt, {"active": active, "requests": requests, "review_litigation": review},
                           read_by=read_by, notes=result.notes, unread=result.unread, by_arithmetic=result.by_arithmetic,
                           by_prose=result.by_prose)


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
    labels = {normalize_label(c) for line in lines for c in line.cells if not c.strip().isdigit()}  # each once
    if any(_SINGLE_OTHER_ROW.matches(x) for x in labels) and not any(s.matches(x) for s in _SUB_ROWS for x in labels):
        return "2019"
    return fmt


# （六）'s sub-rows 1. and 2. of the 2021 format, and its one row of the 2019 format
_SUB_ROWS = tuple(s for s in TEMPLATE.requests["2021"] if s.key in TEMPLATE.rows_2021_only)
_SINGLE_OTHER_ROW = next(s for s in TEMPLATE.requests["2019"] if s.key == "other.other")


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


def parse_tables_text(text: str, figures: dict[str, int | float] | None = None) -> Tables | None:
    """Parse the tables of sections 二、三、四 from a report's plain text.

    Finds each table by its heading (二、主动公开政府信息情况 …) or, failing that, by its first
    marker (第二十条, 申请人情况, 行政复议), reads tab-separated, pipe, space-separated and
    one-cell-per-line layouts, and returns the typed ``Tables`` (``table_model``; in JSON the
    ``tables`` of output.md), or None when no table cell could be read.
    ``figures``: what the prose states (``table_prose.prose_figures``), to choose among the
    splits of cells run together.
    """
    ends_with_cut = bool(text) and not text[-1].isspace() and text[-1] != "|"
    regions: dict[str, tuple[list[_Line], bool]] = {}
    for name, (raw_lines, to_end) in _text_regions(unrun_lines(text.splitlines())).items():
        lines = _text_lines(raw_lines)
        if to_end and ends_with_cut and lines:
            lines[-1].cells = lines[-1].cells[:-1] or [""]  # a figure cut in half is left out
        regions[name] = (lines, to_end)
    return _read(regions, figures)


def parse_tables_grids(grids: list[list[list[str]]],
                       figures: dict[str, int | float] | None = None) -> Tables | None:
    """Parse the tables from cell grids (HTML ``<table>``, PDF or DOCX tables).

    Each grid is a list of rows of cell strings with row- and column-spans already expanded.
    Rows are given to the same reader as text lines.
    """
    regions = {name: (lines, False) for name, lines in _grid_regions(grids).items()}
    return _read(regions, figures)
