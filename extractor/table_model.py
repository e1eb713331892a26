"""The tables 二、三、四 of a result as typed objects: tables → rows → cells, each cell knowing what it is.

In memory a result's ``tables`` is a ``Tables``: per table a ``TableRow`` per row key, each with
its ``TableCell``s (value, status, printed text). A cell's ``status`` says what was printed:
``number``, ``blank``, ``note`` (something other than a plain number: ``/``, ``无``,
``22（其中修订16件）``) or ``unread`` (its row could not be read, whatever was printed). The
checks, the long format and the review page read these, never the shape of the JSON.

In JSON (``docs/output.md``) the same data keeps the contract's shape: rows as
``{column: value}`` (a one-value row of table 二 as its value), and beside the tables
``read_by``, ``read_by_arithmetic``, ``cell_notes`` and ``unread``. ``Tables`` reads that shape
(``Tables.model_validate``: results written earlier, hand-built tables) and writes it back
(``model_dump``), so a result's JSON is the one the contract describes, key for key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from enum import StrEnum
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_serializer, model_validator

from .schema import TABLE_NAMES  # 二、三、四: the keys of ``tables``

Number = int | float
TableFormat = Literal["2021", "2019"]


class CellStatus(StrEnum):
    """What a cell was in the document (the long format's ``cell_status``)."""

    NUMBER = "number"  # a printed number
    BLANK = "blank"  # printed empty
    NOTE = "note"  # printed as something else; ``text`` holds it, ``value`` the number read from it if any
    UNREAD = "unread"  # its row could not be read (not shown, or cells not told apart); ``text`` says why


class ReadBy(StrEnum):
    """The weakest evidence any row was placed by (``tables.read_by``)."""

    LABELS = "labels"  # every row by its own label
    ROW_ORDER = "row_order"  # some unlabelled rows by the template's order
    ARITHMETIC = "arithmetic"  # some rows' run of digits split by the tables' identities


class TableCell(BaseModel):
    """One cell: its dotted key (``requests.new.total``; ``active.licensing`` for a one-value row)."""

    model_config = ConfigDict(frozen=True)

    key: str
    column: str | None = None  # None for a one-value row of table 二 (licensing, fees…)
    value: Number | None = None
    status: CellStatus
    text: str | None = None  # a note's printed text, or why an unread cell could not be read
    chosen_by: str | None = None  # the prose figure that chose this cell's split (``tables.read_by_prose``)

    @property
    def is_read(self) -> bool:
        return self.status is not CellStatus.UNREAD

    @property
    def is_blank(self) -> bool:
        """Read, and printed empty."""
        return self.status is CellStatus.BLANK


class TableRow(BaseModel):
    """One row of a table (``requests.new``, ``active.licensing``, ``review_litigation.review``)."""

    table: str
    key: str
    cells: list[TableCell]
    by_arithmetic: bool = False  # its figures were one run of digits, split by the tables' identities
    # Listed in ``tables.unread``: not wholly read. Cells of such a row that one reading of its
    # digits determines keep their figure (status ``number``); the others are ``unread``.
    unread: bool = False

    @property
    def name(self) -> str:
        """The dotted row key of ``tables.unread``: ``requests.new``."""
        return f"{self.table}.{self.key}"

    @property
    def is_read(self) -> bool:
        """Read: not listed in ``tables.unread``; a null cell of a read row was printed blank."""
        return not self.unread

    @property
    def is_empty(self) -> bool:
        """Every cell null (printed blank, or a row the format does not have)."""
        return all(c.value is None for c in self.cells)

    @property
    def one_value(self) -> bool:
        """A row of one value with no columns (table 二's licensing, fees… of the 2021 format)."""
        return len(self.cells) == 1 and self.cells[0].column is None

    @property
    def columns(self) -> list[str]:
        return [c.column for c in self.cells if c.column is not None]

    def cell(self, column: str | None = None) -> TableCell | None:
        """The cell of ``column`` (None: the value of a one-value row); None when the row has no such column."""
        for c in self.cells:  # a plain loop: the checks ask a few hundred times per report
            if c.column == column:
                return c
        return None

    def value_of(self, column: str | None = None) -> Number | None:
        for c in self.cells:
            if c.column == column:
                return c.value
        return None

    def as_json(self) -> dict[str, Number | None] | Number | None:
        """The row as ``docs/output.md`` writes it: ``{column: value}``, or the value of a one-value row."""
        if self.one_value:
            return self.cells[0].value
        return {c.column: c.value for c in self.cells if c.column is not None}


class Tables(BaseModel):
    """The tables 二、三、四 of one document (``Report.tables``)."""

    format: TableFormat
    active: dict[str, TableRow] = Field(default_factory=dict)
    requests: dict[str, TableRow] = Field(default_factory=dict)
    review_litigation: dict[str, TableRow] = Field(default_factory=dict)
    read_by: ReadBy = ReadBy.LABELS
    # Rows listed unread that the tables do not hold at all (only in tables written elsewhere).
    missing_rows: list[str] = Field(default_factory=list)

    # ------------------------------------------------------------------ reading the tables
    def table(self, name: str) -> dict[str, TableRow]:
        if name not in TABLE_NAMES:  # the tables only, not the other fields (a KeyError, as a dict of them gave)
            raise KeyError(name)
        return getattr(self, name)  # not a dict of the three built per call: the checks ask thousands of times

    def row(self, table: str, key: str) -> TableRow | None:
        return self.table(table).get(key)

    def rows(self) -> Iterator[TableRow]:
        for name in TABLE_NAMES:
            yield from self.table(name).values()

    def cells(self) -> Iterator[TableCell]:
        for row in self.rows():
            yield from row.cells

    @property
    def unread(self) -> list[str]:
        """Dotted keys of the rows that could not be read (``tables.unread``)."""
        return [row.name for row in self.rows() if not row.is_read] + self.missing_rows

    @property
    def cell_notes(self) -> dict[str, str]:
        """Dotted cell key → printed text, for cells that were not a plain number (``tables.cell_notes``)."""
        return {c.key: c.text for c in self.cells() if c.text is not None}

    @property
    def read_by_arithmetic(self) -> list[str]:
        return [row.name for row in self.rows() if row.by_arithmetic]

    @property
    def read_by_prose(self) -> dict[str, str]:
        """Dotted cell key → the prose figure that chose the split of its run (``tables.read_by_prose``)."""
        return {c.key: c.chosen_by for c in self.cells() if c.chosen_by is not None}

    def map_texts(self, change: Callable[[str], str]) -> None:
        """Rewrite every cell's printed text (back to the document's own characters)."""
        for row in self.rows():
            row.cells = [c.model_copy(update={"text": change(c.text)}) if c.text is not None else c for c in row.cells]

    # ------------------------------------------------------------------ the JSON shape of output.md
    @classmethod
    def assemble(cls, fmt: str, tables: Mapping[str, Mapping[str, Any]], *, read_by: str = ReadBy.LABELS,
                 notes: Mapping[str, str] | None = None, unread: list[str] | tuple[str, ...] = (),
                 by_arithmetic: list[str] | tuple[str, ...] = (),
                 by_prose: Mapping[str, str] | None = None) -> Tables:
        """Typed tables from rows keyed as in output.md (``{row: {column: value}}`` or ``{row: value}``),
        the cell notes, the unread rows and the rows split by arithmetic."""
        notes = notes or {}
        unread_rows, split = set(unread), set(by_arithmetic)
        # rows and cells as plain data, validated in one call: a validation per cell cost more than
        # the rest of the assembling (a report has a few hundred cells)
        typed: dict[str, dict[str, dict[str, Any]]] = {}
        for name in TABLE_NAMES:
            rows = tables.get(name)
            if not isinstance(rows, Mapping):
                continue
            typed[name] = {key: _row(name, key, value, notes, unread_rows, split, by_prose or {})
                           for key, value in rows.items()}
        held = {f"{name}.{key}" for name, rows in typed.items() for key in rows}
        missing = [r for r in dict.fromkeys(unread) if r not in held]
        return cls(format=fmt, read_by=read_by, missing_rows=missing, **typed)  # type: ignore[arg-type]

    @classmethod
    def from_json(cls, data: Any) -> Tables | None:
        """A written result's tables (the JSON of output.md), or None when there are none it can read."""
        if not isinstance(data, Mapping) or not data:
            return None
        try:
            return cls.model_validate(data)
        except ValidationError:
            return None

    @model_validator(mode="before")
    @classmethod
    def _from_json(cls, data: Any) -> Any:
        """Read the JSON shape of output.md (rows of numbers, ``cell_notes``, ``unread``…)."""
        if not isinstance(data, Mapping) or _is_typed(data):
            return data
        built = cls.assemble(
            str(data.get("format")), {name: data[name] for name in TABLE_NAMES if isinstance(data.get(name), Mapping)},
            read_by=data.get("read_by") or ReadBy.LABELS, notes=data.get("cell_notes") or {},
            unread=data.get("unread") or (), by_arithmetic=data.get("read_by_arithmetic") or (),
            by_prose=data.get("read_by_prose") or {})
        return dict(built)

    @model_serializer(mode="plain")
    def _to_json(self) -> dict[str, Any]:
        """The JSON shape of output.md: the three tables, ``read_by``, then the optional keys when set."""
        out: dict[str, Any] = {"format": self.format}
        # one walk over the rows for what the properties read_by_arithmetic, read_by_prose,
        # cell_notes and unread each walk them for (same keys, same order)
        by_arithmetic: list[str] = []
        by_prose: dict[str, str] = {}
        notes: dict[str, str] = {}
        unread: list[str] = []
        for name in TABLE_NAMES:
            rows = out[name] = {}
            for key, row in self.table(name).items():
                rows[key] = row.as_json()
                if row.by_arithmetic:
                    by_arithmetic.append(row.name)
                if row.unread:
                    unread.append(row.name)
                for c in row.cells:
                    if c.chosen_by is not None:
                        by_prose[c.key] = c.chosen_by
                    if c.text is not None:
                        notes[c.key] = c.text
        out["read_by"] = self.read_by.value
        for key, value in (("read_by_arithmetic", by_arithmetic), ("read_by_prose", by_prose), ("cell_notes", notes),
                           ("unread", unread + self.missing_rows)):
            if value:
                out[key] = value
        return out


_READ_BY = frozenset(r.value for r in ReadBy)
_FORMATS = frozenset(get_args(TableFormat))
_PLAIN_NUMBERS = frozenset({int, float, type(None)})  # as JSON gives them (not bool, not a string)


def is_plain_json(data: Any) -> bool:
    """``data`` is tables in the JSON shape of output.md with nothing ``Tables.from_json`` would
    refuse or convert (a known format and ``read_by``, rows of JSON numbers or nulls, lists and
    notes of strings), so a reader that needs a few cells can take them from ``data`` as they
    stand: building every cell (``from_json``) costs 0.5 ms a result, and ``--resume`` reads every
    result of an output for two cells each."""
    if not isinstance(data, Mapping) or not data or "missing_rows" in data:
        return False
    read_by = data.get("read_by")
    if data.get("format") not in _FORMATS or (read_by and not (isinstance(read_by, str) and read_by in _READ_BY)):
        return False
    for name in TABLE_NAMES:
        rows = data.get(name)
        if isinstance(rows, Mapping):
            kinds = set(map(type, rows.values()))  # rows: a number, or a dict of cells
            if dict in kinds:
                kinds.discard(dict)
                kinds.update(type(v) for row in rows.values() if type(row) is dict for v in row.values())
            if not kinds <= _PLAIN_NUMBERS:
                return False
    for key in ("unread", "read_by_arithmetic"):
        items = data.get(key)
        if items and not (isinstance(items, list) and all(isinstance(i, str) for i in items)):
            return False
    for key in ("cell_notes", "read_by_prose"):
        texts = data.get(key)
        if texts and not (isinstance(texts, Mapping) and all(isinstance(t, str) for t in texts.values())):
            return False
    return True


def _row(table: str, key: str, value: Any, notes: Mapping[str, str], unread: set[str], split: set[str],
         by_prose: Mapping[str, str]) -> dict[str, Any]:
    """A ``TableRow``'s fields, its cells as the fields of each ``TableCell``."""
    name = f"{table}.{key}"
    items = value.items() if isinstance(value, Mapping) else [(None, value)]
    row_unread = name in unread
    cells = []
    for column, number in items:
        cell_key = name if column is None else f"{name}.{column}"
        text = notes.get(cell_key) if notes else None
        # fields left at their default (None) are left out: validating them was a third of the cost
        if number is not None and text is None and column is not None:  # the usual cell: a printed number
            cell: dict[str, Any] = {"key": cell_key, "status": CellStatus.NUMBER, "column": column, "value": number}
        else:
            status = (CellStatus.UNREAD if row_unread and number is None else CellStatus.NOTE if text is not None
                      else CellStatus.BLANK if number is None else CellStatus.NUMBER)
            cell = {"key": cell_key, "status": status}
            if column is not None:
                cell["column"] = column
            if number is not None:
                cell["value"] = number
            if text is not None:
                cell["text"] = text
        if by_prose and cell_key in by_prose:
            cell["chosen_by"] = by_prose[cell_key]
        cells.append(cell)
    return {"table": table, "key": key, "cells": cells, "by_arithmetic": name in split, "unread": row_unread}


def _is_typed(data: Mapping[str, Any]) -> bool:
    """Already the typed fields (rows as ``TableRow``, as ``assemble`` gives them), not the JSON shape."""
    return "missing_rows" in data or any(isinstance(row, TableRow) for name in TABLE_NAMES
                                         if isinstance(data.get(name), Mapping) for row in data[name].values())
