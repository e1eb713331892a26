"""Consistency checks: the tables' own arithmetic, the prose against the tables, and year to year.

Names and rules are those of ``docs/output.md``. Checks flag, they never repair: the
figures stay as printed. Each check is a set of equations (one per column, row or block); a
blank (null) cell of a row that is present may hold any count, so an equation holds when the
figures agree with the blanks read as 0 (the detail names the blanks), fails when no count in
the blanks could make it hold, and is *not stated* otherwise (many 2019-format reports print the
总计 column empty): the check then says ``ok: None`` and why, rather than a failure built on
zeros. A check whose rows are missing altogether is not run (and not listed).

A row is missing when the tables do not hold it or it could not be read (``TableRow.is_read``:
rows the document does not show, or whose cells could not be told apart); a null cell of a row
that was read was printed blank.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .models import Check, Report, Tables
from .schema import TEMPLATE
from .table_model import is_plain_json

Number = int | float
# The tables' rows and columns, and which rows each narrative field states, are the schema's.
APPLICANTS = TEMPLATE.applicants
REVIEW_PARTS = TEMPLATE.review_parts
REVIEW_BLOCKS = TEMPLATE.review_blocks
OUTCOME_GROUPS = TEMPLATE.outcome_rows
SUB_ROWS_2021 = TEMPLATE.rows_2021_only
NARRATIVE_REQUESTS = TEMPLATE.narrative_requests  # field → rows of table 三 whose 总计 it states (summed)
NARRATIVE_REVIEW = TEMPLATE.narrative_review  # field → blocks of table 四 whose 总计 it states (summed)


def _added(cells: Sequence[Number | None]) -> Number:
    """The printed cells added in order, from 0, as ``_Sum.add`` adds them (a float sum depends on
    the order); blank cells count nothing."""
    value: Number = 0
    for cell in cells:
        if cell is not None:
            value += cell
    return value


@dataclass(slots=True)
class _Sum:
    """A sum being written out: its terms as printed, and the blank cells read as 0."""

    cells: list[Number | None] = field(default_factory=list)
    value: Number = 0
    blanks: list[str] = field(default_factory=list)

    def add(self, cell: Number | None, where: str, column: str | None = None) -> _Sum:
        """Add a term; ``where`` (the row key) and ``column`` name a blank cell, joined by a dot only
        then (the one place the name is shown: most cells are printed)."""
        self.cells.append(cell)
        if cell is None:
            self.blanks.append(where if column is None else f"{where}.{column}")
        else:
            self.value += cell
        return self

    @classmethod
    def across(cls, where: str, columns: Sequence[str], cells: list[Number | None]) -> _Sum:
        """The cells of one row (``where``) in ``columns``, added at once: as ``add`` per cell, the
        blank cells named only when there are some (most rows have none)."""
        return cls._of(cells, lambda: [f"{where}.{c}" for c in columns])

    @classmethod
    def down(cls, keys: Sequence[str], column: str, cells: list[Number | None]) -> _Sum:
        """The cells of one column of the rows ``keys``, added at once (see ``across``)."""
        return cls._of(cells, lambda: [f"{k}.{column}" for k in keys])

    @classmethod
    def _of(cls, cells: list[Number | None], names: Callable[[], list[str]]) -> _Sum:
        blanks = [n for n, c in zip(names(), cells, strict=True) if c is None] if None in cells else []
        return cls(cells, _added(cells), blanks)

    @property
    def text(self) -> str:
        """The terms as printed (a blank as 0); formatted only when a detail needs them."""
        return " + ".join("0" if c is None else _fmt(c) for c in self.cells)


def _agree(left: _Sum, right: _Sum) -> bool | None:
    """Whether ``left = right`` holds: True (with blanks read as 0), False (whatever counts ≥ 0
    the blank cells hold), None (not stated: a count in a blank cell could make it hold)."""
    if left.value == right.value:
        return True
    if left.blanks and right.blanks:
        return None
    if left.blanks:
        return None if left.value < right.value else False
    if right.blanks:
        return None if right.value < left.value else False
    return False


def _cell(value: Number | None, where: str, column: str | None = None) -> _Sum:
    return _Sum().add(value, where, column)


def _stated(value: Number) -> _Sum:
    return _Sum().add(value, "")


@dataclass(slots=True)
class _Verdicts:
    """The equations of one check: failures, those the blanks leave open, the text shown when all hold."""

    failures: list[str] = field(default_factory=list)
    open: list[str] = field(default_factory=list)
    blanks: list[str] = field(default_factory=list)

    held: int = 0
    empty: list[str] = field(default_factory=list)

    def add(self, left: _Sum, right: _Sum, failure: Callable[[], str], unknown: Callable[[], str]) -> bool | None:
        """Judge ``left = right``. An equation whose every cell is blank states nothing: it is left
        out (None), neither held nor open. ``failure`` and ``unknown`` write the detail of a failed
        or open equation, only then (most equations hold, and a report has a few hundred); they
        are called before ``add`` returns, so lambdas made in a loop see that iteration's values
        (hence the ``noqa: B023`` where they are made)."""
        # each blank cell is named once in its sum's blanks: every cell is blank when all are named
        if len(left.blanks) == len(left.cells) and len(right.blanks) == len(right.cells):
            self.empty += left.blanks + right.blanks
            return None
        if left.blanks or right.blanks:
            self.blanks += left.blanks + right.blanks
        ok = _agree(left, right)
        if ok is False:
            self.failures.append(failure())
        elif ok is None:
            self.open.append(unknown())
        else:
            self.held += 1
        return ok

    def held_plainly(self, cells: Sequence[Number | None], total: Number | None) -> bool:
        """Count ``sum(cells) = total`` held when every cell is printed and the sums agree, as ``add``
        would, without the sums and details it makes (most equations of a report are so: a few
        hundred). False: not so plain, left to ``add``."""
        if total is None or None in cells or _added(cells) != total:
            return False
        self.held += 1
        return True

    def check(self, name: str, shown: str) -> Check:
        """Fails if any equation fails; not stated (None) if some are left open by blanks, or if
        every cell is blank; else ok."""
        if self.failures:
            return Check(name=name, ok=False, detail="; ".join(self.failures) + _blank_note(self.blanks))
        if not self.open and not self.held:
            return Check(name=name, ok=None, detail=f"not stated: every cell it needs is blank ({_blank_list(self.empty)})")
        if self.open:
            detail = f"not stated: {'; '.join(self.open)} (blank cells: {_blank_list(self.blanks)})"
            return Check(name=name, ok=None, detail=detail)
        return Check(name=name, ok=True, detail=shown + _blank_note(self.blanks))


def _blank_text(s: _Sum) -> str:
    """The terms as printed, a blank cell shown as ``blank``."""
    return " + ".join("blank" if c is None else _fmt(c) for c in s.cells)


def _fmt(value: Number) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _blank_list(blanks: Sequence[str]) -> str:
    blanks = list(dict.fromkeys(blanks))
    return ", ".join(blanks[:6]) + (f" and {len(blanks) - 6} more" if len(blanks) > 6 else "")


def _blank_note(blanks: Sequence[str]) -> str:
    return f" (blank cells counted as 0: {_blank_list(blanks)})" if blanks else ""


# ---------------------------------------------------------------------------- rows present


class _Grid:
    """The tables as the checks read them: per table, each row's values by column and whether the
    row was read, taken from the typed cells once per report. The checks read each cell several
    times, and an attribute of a pydantic model costs several times a look-up in a dict."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self.format = tables.format
        self._values: dict[str, dict[str, dict[str | None, Number | None]]] = {}
        self._read: dict[str, set[str]] = {}

    def values(self, table: str) -> dict[str, dict[str | None, Number | None]]:
        """Row key → column → value (``TableRow.value_of``; a one-value row's column is None)."""
        if table not in self._values:
            self._values[table] = {key: {c.column: c.value for c in row.cells}
                                   for key, row in self.tables.table(table).items()}
        return self._values[table]

    def present(self, table: str, key: str) -> bool:
        """The row is in the tables and was read (its null cells were printed blank)."""
        if table not in self._read:
            self._read[table] = {key for key, row in self.tables.table(table).items() if row.is_read}
        return key in self._read[table]


def _without_subrows(grid: _Grid, keys: list[str]) -> list[str]:
    """Leave out （六） sub-rows 1. and 2. where the table has none (2019 format, or 2021 reports that
    print （六）其他处理 as one row): both rows read and empty."""
    values = grid.values("requests")
    absent = grid.format == "2019" or all(
        grid.present("requests", k) and all(v is None for v in values[k].values()) for k in SUB_ROWS_2021
    )
    return [k for k in keys if not (absent and k in SUB_ROWS_2021)]


def _outcome_rows(grid: _Grid) -> list[str]:
    """Rows (一)…(六) whose sum is 总计."""
    return _without_subrows(grid, [k for k in grid.values("requests") if k.startswith(OUTCOME_GROUPS)])


# ---------------------------------------------------------------------------- table arithmetic


def check_requests_balance(grid: _Grid) -> Check | None:
    """new + carried_over = total + carried_forward, column by column."""
    needed = ("new", "carried_over", "total", "carried_forward")
    if not all(grid.present("requests", k) for k in needed):
        return None
    rows = grid.values("requests")
    verdicts, shown = _Verdicts(), ""
    for col in (*APPLICANTS, "total"):
        left = _Sum().add(rows["new"].get(col), "new", col).add(rows["carried_over"].get(col), "carried_over", col)
        right = _Sum().add(rows["total"].get(col), "total", col)
        right.add(rows["carried_forward"].get(col), "carried_forward", col)
        ok = verdicts.add(left, right,
                          lambda: f"{col}: {left.text} = {_fmt(left.value)} ≠ {right.text} = {_fmt(right.value)}",  # noqa: B023
                          lambda: f"{col}: {_blank_text(left)} vs {_blank_text(right)}")  # noqa: B023
        if col == "total":
            shown = f"{left.text} = {right.text}" if ok else f"{verdicts.held} applicant columns balance (total column blank)"
    return verdicts.check("requests.balance", shown)


def check_requests_total(grid: _Grid) -> Check | None:
    """总计 = the sum of the rows (一) 予以公开 … (六) 3. 其他, column by column."""
    outcomes = _outcome_rows(grid)
    if not grid.present("requests", "total") or not all(grid.present("requests", k) for k in outcomes):
        return None
    rows = grid.values("requests")
    verdicts, shown = _Verdicts(), ""
    for col in (*APPLICANTS, "total"):
        cells, total_value = [rows[key].get(col) for key in outcomes], rows["total"].get(col)
        ok = verdicts.held_plainly(cells, total_value) or _judge_total(verdicts, outcomes, col, cells, total_value)
        if col == "total":
            nonzero = [_fmt(c) for c in cells if c] or ["0"]
            shown = (f"{' + '.join(nonzero)} = {_fmt(_cell(total_value, 'total').value)} (total column, {len(outcomes)} rows, zeros left out)"
                     if ok else f"{verdicts.held} applicant columns add up (total column blank)")
    return verdicts.check("requests.total", shown)


def _judge_total(verdicts: _Verdicts, outcomes: Sequence[str], col: str, cells: list[Number | None],
                 total_value: Number | None) -> bool | None:
    """``check_requests_total``'s equation for ``col`` where it is not plain (a blank cell, or a failure)."""
    parts = _Sum.down(outcomes, col, cells)
    total = _cell(total_value, "total", col)
    with_blank = f" with {len(parts.blanks)} blank" if parts.blanks else ""
    return verdicts.add(parts, total,
                        lambda: f"{col}: sum of {len(outcomes)} rows = {_fmt(parts.value)} ≠ total {_fmt(total.value)}",
                        lambda: f"{col}: sum of {len(outcomes)} rows = {_fmt(parts.value)}{with_blank} vs total {_blank_text(total)}")


def check_requests_columns(grid: _Grid) -> Check | None:
    """For every row present: 总计 = the sum of the six applicant columns."""
    rows = grid.values("requests")
    present = [k for k in rows if grid.present("requests", k)]
    present = _without_subrows(grid, present)
    if not present:
        return None
    verdicts = _Verdicts()
    for key in present:
        values = rows[key]
        cells = [values.get(col) for col in APPLICANTS]
        if verdicts.held_plainly(cells, values.get("total")):
            continue
        parts = _Sum.across(key, APPLICANTS, cells)
        total = _cell(values.get("total"), key, "total")
        verdicts.add(parts, total,
                     lambda: f"{key}: {parts.text} = {_fmt(parts.value)} ≠ total {_fmt(total.value)}",  # noqa: B023
                     lambda: f"{key}: {_blank_text(parts)} vs total {_blank_text(total)}")  # noqa: B023
    return verdicts.check("requests.columns", f"{len(present)} rows: total = sum of the six applicant columns")


def check_review_totals(grid: _Grid) -> Check | None:
    """Each block of table 四: 总计 = 维持 + 纠正 + 其他 + 尚未审结."""
    blocks = [b for b in REVIEW_BLOCKS if grid.present("review_litigation", b)]
    if not blocks:
        return None
    rows = grid.values("review_litigation")
    verdicts, shown = _Verdicts(), []
    for block in blocks:
        parts = _Sum.across(block, REVIEW_PARTS, [rows[block].get(part) for part in REVIEW_PARTS])
        total = _cell(rows[block].get("total"), block, "total")
        line = f"{block}: {parts.text} = {_fmt(parts.value)}"
        verdicts.add(parts, total, lambda: f"{line} ≠ total {_fmt(total.value)}",  # noqa: B023
                     lambda: f"{block}: {_blank_text(parts)} vs total {_blank_text(total)}")  # noqa: B023
        shown.append(f"{line} = {_fmt(total.value)}")
    return verdicts.check("review_litigation.totals", "; ".join(shown))


# ---------------------------------------------------------------------------- prose against tables


def _exact_fields(report: Report, names: Sequence[str]) -> dict[str, Number]:
    return {n: f.value for n in names if (f := report.fields.get(n)) is not None and f.qualifier == "exact"}


def _compare(
    name: str,
    stated: dict[str, Number],
    table_value: Callable[[str], tuple[_Sum, str] | None],
) -> Check | None:
    """One check over the narrative fields that the table can answer."""
    verdicts, shown = _Verdicts(), []
    for field_name, value in stated.items():
        got = table_value(field_name)
        if got is None:
            continue
        total, where = got
        line = f"{field_name} {_fmt(value)} vs {where} {_fmt(total.value)}"
        if len(total.cells) > 1:
            line += f" ({total.text})"
        ok = verdicts.add(_stated(value), total, lambda: line.replace(" vs ", " ≠ "),  # noqa: B023
                          lambda: f"{field_name} {_fmt(value)} vs {where} {_blank_text(total)}")  # noqa: B023
        if ok:
            shown.append(line.replace(" vs ", " = "))
    if not (verdicts.failures or verdicts.open or shown):
        return None
    if verdicts.failures:  # the agreeing fields after the failing ones, as before
        verdicts.failures += shown
    elif verdicts.open:
        verdicts.open += shown
    return verdicts.check(name, "; ".join(shown))


@lru_cache(maxsize=64)  # the same few row sets and fields in every report
def _narrative_rows(keys: tuple[str, ...], field_name: str) -> tuple[str, ...]:
    """The rows of table 三 (of ``keys``) whose 总计 the narrative field states (prefixes end in ".")."""
    prefixes = NARRATIVE_REQUESTS[field_name]
    return tuple(k for k in keys if any(k == p or (p.endswith(".") and k.startswith(p)) for p in prefixes))


def check_narrative_requests(report: Report, grid: _Grid) -> Check | None:
    rows = grid.values("requests")

    def table_value(field_name: str) -> tuple[_Sum, str] | None:
        prefixes = NARRATIVE_REQUESTS[field_name]
        keys = _without_subrows(grid, list(_narrative_rows(tuple(rows), field_name)))
        if not keys or not all(grid.present("requests", k) for k in keys):
            return None
        total = _Sum()
        for key in keys:
            total.add(rows[key].get("total"), key, "total")
        label = prefixes[0].rstrip(".") + (".*" if prefixes[0].endswith(".") else "")
        return total, f"table {label} 总计"

    return _compare("narrative.requests", _exact_fields(report, list(NARRATIVE_REQUESTS)), table_value)


def check_narrative_review(report: Report, grid: _Grid) -> Check | None:
    rows = grid.values("review_litigation")

    def table_value(field_name: str) -> tuple[_Sum, str] | None:
        blocks = NARRATIVE_REVIEW[field_name]
        if not all(grid.present("review_litigation", b) for b in blocks):
            return None
        total = _Sum()
        for block in blocks:
            total.add(rows[block].get("total"), block, "total")
        return total, "table " + " + ".join(f"{b}.total" for b in blocks)

    return _compare("narrative.review_litigation", _exact_fields(report, list(NARRATIVE_REVIEW)), table_value)


def check_narrative_documents(report: Report, grid: _Grid) -> Check | None:
    key = TEMPLATE.narrative_documents_row
    row = grid.tables.row("active", key)
    if row is None or row.one_value or not row.is_read:
        return None

    def table_value(field_name: str) -> tuple[_Sum, str] | None:
        cell = row.cell(TEMPLATE.narrative_documents[field_name])
        if cell is None:  # the 2019 format counts 新制作/新公开/总数, not 制发/废止/现行有效
            return None
        return _Sum().add(cell.value, key, cell.column), f"table {key}.{cell.column}"

    stated = _exact_fields(report, list(TEMPLATE.narrative_documents))
    return _compare("narrative.documents", stated, table_value)


# ---------------------------------------------------------------------------- entry points

TABLE_CHECKS = (check_requests_balance, check_requests_total, check_requests_columns, check_review_totals)
REPORT_CHECKS = (check_narrative_requests, check_narrative_review, check_narrative_documents)


def run_checks(report: Report) -> list[Check]:
    """Checks of one result: table arithmetic and prose against tables (only those whose inputs exist)."""
    if not report.tables:
        return []
    grid = _Grid(report.tables)  # the values read once, for every check
    results = [check(grid) for check in TABLE_CHECKS]
    results += [check(report, grid) for check in REPORT_CHECKS]
    return [c for c in results if c is not None]


@dataclass(frozen=True)
class YearEnds:
    """What ``cross_year.carry_over`` needs of one result: its 上年结转 and 结转下年度 总计 cells
    (whether the row is present, and its total). Small, so a batch can keep one per document."""

    doc: str | None
    year: int
    forward: tuple[bool, Number | None]  # requests.carried_forward: present, total
    over: tuple[bool, Number | None]  # requests.carried_over: present, total

    @classmethod
    def of(cls, doc: str | None, year: int, tables: Tables | None) -> YearEnds:
        def ends(key: str) -> tuple[bool, Number | None]:
            row = tables.row("requests", key) if tables is not None else None
            if row is None or not row.is_read:
                return False, None
            return True, row.value_of("total")

        return cls(doc, year, ends("carried_forward"), ends("carried_over"))

    @classmethod
    def of_json(cls, doc: str | None, year: int, tables: Any) -> YearEnds | None:
        """``of`` for a written result's ``tables`` (the JSON of output.md); None where
        ``Tables.from_json`` reads no tables. JSON as this package writes it is read where it
        stands (``is_plain_json``), anything else built into ``Tables`` first."""
        if not is_plain_json(tables):
            built = Tables.from_json(tables)
            return None if built is None else cls.of(doc, year, built)
        requests = tables.get("requests")
        unread = tables.get("unread") or ()

        def ends(key: str) -> tuple[bool, Number | None]:
            if not isinstance(requests, Mapping) or key not in requests or f"requests.{key}" in unread:
                return False, None
            row = requests[key]
            return True, row.get("total") if isinstance(row, Mapping) else None

        return cls(doc, year, ends("carried_forward"), ends("carried_over"))


def check_carry_over(earlier: Report, later: Report) -> Check | None:
    if earlier.year is None or later.year is None:
        return None
    return carry_over(YearEnds.of(earlier.doc, earlier.year, earlier.tables),
                      YearEnds.of(later.doc, later.year, later.tables))


def carry_over(earlier: YearEnds, later: YearEnds) -> Check | None:
    """Last year's 结转下年度 总计 = this year's 上年结转 总计 (None when a row is missing)."""
    if not earlier.forward[0] or not later.over[0]:
        return None
    forward = _cell(earlier.forward[1], f"{earlier.year} carried_forward.total")
    over = _cell(later.over[1], f"{later.year} carried_over.total")
    verdicts = _Verdicts()
    left, right = f"{earlier.year} carried_forward.total", f"{later.year} carried_over.total"
    verdicts.add(forward, over, lambda: f"{left} {_fmt(forward.value)} ≠ {right} {_fmt(over.value)}",
                 lambda: f"{left} {_blank_text(forward)} vs {right} {_blank_text(over)}")
    check = verdicts.check("cross_year.carry_over", f"{left} {_fmt(forward.value)} = {right} {_fmt(over.value)}")
    if earlier.doc:
        check.detail += f" ({earlier.year}: {earlier.doc})"
    return check
