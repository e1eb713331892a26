"""The long format of results (CSV and Parquet): one typed row per fact, documented in docs/output.md.

Every row carries its document's columns (``doc``, ``body``, ``year``, ``admin_level``,
``region``), so a filter by year or region needs no join. Then one row per document
(``kind = doc``), mention, field, part of a summed field (``field_part``), table cell, check and
error. Numbers are split by what they are: ``value`` holds a whole number (every count) as an
integer, ``value_decimal`` a number with a fraction (98.5 %, 0.35 万元); one of the two is set.
"""

from __future__ import annotations

import ast
import csv
import functools
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .checks import YearEnds
from .models import CellStatus, Check, FieldValue, Mention, Report, Tables
from .schema import TABLE_NAMES

# name → type: "string", "int" (nullable 64-bit integer), "float", "bool" (nullable)
LONG_SCHEMA: dict[str, str] = {
    "doc": "string", "body": "string", "year": "int", "admin_level": "string", "region": "string",
    "kind": "string", "key": "string",
    "value": "int", "value_decimal": "float", "unit": "string", "qualifier": "string", "part": "int",
    "start": "int", "end": "int", "text": "string", "subject": "string", "section": "string", "source": "string",
    "table": "string", "row": "string", "column": "string",
    "table_format": "string", "read_by": "string", "cell_status": "string",
    "ok": "bool", "detail": "string",
}
LONG_COLUMNS = list(LONG_SCHEMA)
DOC_COLUMNS = ("doc", "body", "year", "admin_level", "region")
CROSS_YEAR = "cross_year.carry_over"  # the check between two years of one body
# ``region`` of a result (a mapping) is written as its names from the province down, in this order
REGION_LEVELS = ("province", "city", "county", "township")
KINDS = ("doc", "mention", "field", "field_part", "table", "check", "error", "warning")
TABLES = TABLE_NAMES
# pandas dtypes of the columns, e.g. ``pd.read_csv(path, dtype=PANDAS_DTYPES)``
PANDAS_DTYPES = {name: {"string": "string", "int": "Int64", "float": "float64", "bool": "boolean"}[t]
                 for name, t in LONG_SCHEMA.items()}


def doc_columns(report: Report) -> dict[str, Any]:
    """The document's own columns, repeated on each of its rows. ``admin_level`` and ``region``
    are read when the result model has them (null otherwise); ``region`` as ``region_text``."""
    columns = {name: getattr(report, name, None) for name in DOC_COLUMNS}
    columns["region"] = region_text(columns["region"])
    return columns


def old_region_mapping(text: str) -> Any | None:
    """The region mapping as earlier versions wrote it, JSON or Python text
    (``{'province': '江苏省', …}``), parsed; None when it is neither."""
    for parse in (json.loads, ast.literal_eval):
        try:
            return parse(text)
        except (ValueError, SyntaxError):
            continue
    return None


def region_text(region: Any) -> str | None:
    """``region`` as the long format writes it: the names from the province down, run together
    (``{"province": "江苏省", "city": "淮安市", "county": "洪泽区", "code": "320813"}`` →
    ``江苏省淮安市洪泽区``; the code follows from the names, ``divisions.by_full_name``).

    Also reads what earlier versions wrote, the mapping as JSON or Python text; any other text
    is kept as it is."""
    if isinstance(region, str):
        if not region.startswith("{"):
            return region or None
        parsed = old_region_mapping(region)
        if parsed is None:
            return region
        region = parsed
    if isinstance(region, Mapping):
        return "".join(str(region[k]) for k in REGION_LEVELS if region.get(k)) or None
    return None if region is None else str(region)


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def split_number(value: Any) -> dict[str, Any]:
    """A number as ``value`` (whole: an int) or ``value_decimal`` (with a fraction, or a whole
    number too large for a 64-bit integer column)."""
    if value is None or isinstance(value, bool):
        return {"value": None, "value_decimal": None}
    if isinstance(value, float):
        if value.is_integer():
            return {"value": int(value), "value_decimal": None}
        return {"value": None, "value_decimal": value}
    if not INT64_MIN <= value <= INT64_MAX:  # past a 64-bit column: approximate, the text has every digit
        return {"value": None, "value_decimal": float(value)}
    return {"value": int(value), "value_decimal": None}


def long_rows(report: Report) -> Iterator[dict[str, Any]]:
    """The result of one document as long-format rows (every column present, in order)."""
    head, tail = long_row_parts(report)
    return iter(head + tail)


def long_row_parts(report: Report) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``long_rows`` in two parts: up to the last check row, then the error and warning rows
    (a check added to the result later goes between them)."""
    base = {**dict.fromkeys(LONG_COLUMNS), **doc_columns(report)}
    return list(_head_rows(report, base)), [
        *({**base, "kind": "error", "key": e.stage, "detail": e.message} for e in report.errors),
        *({**base, "kind": "warning", "key": w.stage, "detail": w.message} for w in report.warnings or ())]


def _head_rows(report: Report, base: dict[str, Any]) -> Iterator[dict[str, Any]]:
    tables = report.tables
    yield {**base, "kind": "doc", "table_format": tables.format if tables else None,
           "read_by": tables.read_by.value if tables else None}
    for m in report.mentions:
        yield {**base, **_mention(m)}
    by_span = {(m.start, m.end): m for m in report.mentions}
    for key, f in report.fields.items():
        yield from _field(base, key, f, by_span)
    if tables is not None:
        yield from _table_rows(base, tables)
    for c in report.checks:
        yield check_row(report, c)


def _mention(m: Mention) -> dict[str, Any]:
    return {"kind": "mention", "key": m.field, **split_number(m.value), "unit": m.unit, "qualifier": m.qualifier,
            "start": m.start, "end": m.end, "text": m.text, "subject": m.subject, "section": m.section,
            "source": m.source}


def _field(base: dict[str, Any], key: str, f: FieldValue,
           by_span: dict[tuple[int, int], Mention]) -> Iterator[dict[str, Any]]:
    """The field, then one ``field_part`` row per part when it is a sum spelled by its parts.

    Its unit is the unit its evidence is written in (null for a statement of none such as 未收取,
    or when the parts are written in different units: each part row keeps its own).
    """
    spans = f.evidence
    mentions = [by_span.get((s.start, s.end)) for s in spans]
    units = {m.unit for m in mentions if m is not None}
    unit = units.pop() if len(units) == 1 and all(m is not None for m in mentions) else None
    row = {**base, "kind": "field", "key": key, **split_number(f.value), "unit": unit, "qualifier": f.qualifier,
           "source": f.source}
    if len(spans) == 1:
        row.update(start=spans[0].start, end=spans[0].end, text=spans[0].text)
    elif spans:  # the stretch from the first part to the last; the parts follow
        row.update(start=spans[0].start, end=spans[-1].end)
    yield row
    if len(spans) < 2:
        return
    for i, (span, m) in enumerate(zip(spans, mentions, strict=True), start=1):
        yield {**base, "kind": "field_part", "key": key, "part": i,
               **split_number(m.value if m is not None else None), "unit": m.unit if m is not None else None,
               "qualifier": m.qualifier if m is not None else None, "start": span.start, "end": span.end,
               "text": span.text, "source": f.source}


def _table_rows(base: dict[str, Any], tables: Tables) -> Iterator[dict[str, Any]]:
    """One row per cell of tables 二、三、四, with what the cell was: a number, blank, a note, unread."""
    meta = {"table_format": tables.format, "read_by": tables.read_by.value}
    for row in tables.rows():
        for cell in row.cells:
            yield {**base, **meta, "kind": "table", "key": cell.key, **split_number(cell.value), "text": cell.text,
                   "table": row.table, "row": row.key, "column": cell.column, "cell_status": cell.status.value}
    for entry in sorted(tables.missing_rows):  # rows named unread that the tables do not hold at all
        table, _, row_key = entry.partition(".")
        yield {**base, **meta, "kind": "table", "key": entry, "table": table, "row": row_key,
               "cell_status": CellStatus.UNREAD.value}


def check_row(report: Report, check: Check) -> dict[str, Any]:
    return columns_check_row(doc_columns(report), check)


def columns_check_row(columns: dict[str, Any], check: Check) -> dict[str, Any]:
    """A check row from the document's columns alone (a late check of a result already written)."""
    columns = {**columns, "region": region_text(columns.get("region"))}
    return {**dict.fromkeys(LONG_COLUMNS), **columns, "kind": "check", "key": check.name,
            "ok": check.ok, "detail": check.detail}


def normalise(row: dict[str, Any]) -> dict[str, Any]:
    """A row with exactly the long columns, each of its type (rows of the journal or of an older file)."""
    if "value_decimal" not in row and row.get("value") is not None:  # an older file: one float column
        row = {**row, **split_number(float(row["value"]))}
    if isinstance(row.get("region"), str) and row["region"].startswith("{"):  # an older file: a mapping
        row = {**row, "region": region_text(row["region"])}
    out: dict[str, Any] = {}
    for name, kind in LONG_SCHEMA.items():
        value = row.get(name)
        if value is None:
            out[name] = None
        elif kind == "int":
            out[name] = value if isinstance(value, int) else int(float(value))
        elif kind == "float":
            out[name] = float(value)
        elif kind == "bool":
            out[name] = bool(value)
        else:
            out[name] = str(value)
    return out


def read_long(path: str | Path):  # type: ignore[no-untyped-def]
    """A long-format CSV or Parquet file as a pandas DataFrame with the documented column types
    (pandas is needed: ``pip install pandas``). Only an empty CSV cell is missing: a text such as
    ``NA`` or ``无`` stays text. A ``region`` written by an earlier version (a mapping) is read as
    this version writes it (``region_text``)."""
    import pandas as pd

    path = Path(path)
    if path.suffix.lower() == ".parquet":
        frame = pd.read_parquet(path)
    else:
        frame = pd.read_csv(path, dtype=PANDAS_DTYPES, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
    frame = frame.astype({name: PANDAS_DTYPES[name] for name in frame.columns if name in PANDAS_DTYPES})
    if "region" in frame.columns:
        old = {r for r in frame["region"].dropna().unique() if r.startswith("{")}
        if old:
            frame["region"] = frame["region"].replace({r: region_text(r) for r in old}).astype("string")
    return frame


def csv_bytes(rows: Iterable[dict[str, Any]]) -> bytes:
    """Rows as the lines of the CSV output (UTF-8; a missing value is an empty cell)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerows(["" if (v := row.get(k)) is None else v for k in LONG_COLUMNS] for row in rows)
    return buf.getvalue().encode("utf-8")


def arrow_table(rows: Iterable[dict[str, Any]]):  # type: ignore[no-untyped-def]
    """Rows as a pyarrow table of ``parquet_schema``. Rows of this version (each value of its
    column's type) go straight into columns; any other is first ``normalise``d (same values)."""
    import pyarrow as pa

    rows = list(rows)
    try:
        return pa.Table.from_pydict({name: [row[name] for row in rows] for name in LONG_COLUMNS},
                                    schema=parquet_schema())
    except (KeyError, TypeError, ValueError, OverflowError, pa.ArrowException):
        return pa.Table.from_pylist([normalise(r) for r in rows], schema=parquet_schema())


def arrow_bytes(rows: Iterable[dict[str, Any]]) -> bytes:
    """Rows as an Arrow IPC stream (what a worker process sends for Parquet output: the parent
    reads it back without converting a value)."""
    import pyarrow as pa

    table = arrow_table(rows)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as stream:
        stream.write_table(table)
    return sink.getvalue().to_pybytes()


def read_arrow(data: Any):  # type: ignore[no-untyped-def]
    """A table of ``arrow_bytes`` (a table is returned as it is)."""
    import pyarrow as pa

    return pa.ipc.open_stream(data).read_all() if isinstance(data, bytes) else data


@functools.cache
def parquet_schema():  # type: ignore[no-untyped-def]
    """The explicit pyarrow schema; the pandas metadata makes ``pd.read_parquet`` give nullable
    ``Int64``/``boolean`` columns rather than floats and objects."""
    import pyarrow as pa

    types = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
    schema = pa.schema([pa.field(name, types[t], nullable=True) for name, t in LONG_SCHEMA.items()])
    pandas_types = {"int": ("int64", "Int64"), "bool": ("bool", "boolean")}
    columns = [{"name": n, "field_name": n, "pandas_type": pandas_types[t][0], "numpy_type": pandas_types[t][1],
                "metadata": None} for n, t in LONG_SCHEMA.items() if t in pandas_types]
    meta = {"index_columns": [], "column_indexes": [], "columns": columns}
    return schema.with_metadata({b"pandas": json.dumps(meta).encode()})


def _number(value: Any) -> Any:
    if value is None or isinstance(value, int | float):
        return value
    number = float(value)
    return int(number) if number.is_integer() and "." not in str(value) else number


_YEAR_END_ROWS = ("carried_forward", "carried_over")  # the rows of table 三 that pair the years


def known_long(rows: Iterable[dict[str, Any]], checks: Iterable[dict[str, Any]] | None = None,
               ) -> Iterator[tuple[dict[str, Any], YearEnds | None, list[dict[str, Any]]]]:
    """Documents of long-format rows: the ``doc`` row opens one; its ``requests`` table rows give
    the year ends; its cross-year checks are the check rows of ``checks``, or of ``rows`` when
    ``checks`` is None. Late checks come after every document, so with ``checks`` given (a pass of
    their own over the output, ``--resume``) a document is yielded as its rows end and nothing of
    it is kept (a million reports kept until the end took 1.6 KiB each); without, ``rows`` are
    read to the end first."""
    if checks is None:
        rows = list(rows)
        checks = rows
    written: dict[str, list[dict[str, Any]]] = {}
    for row in checks:
        if row.get("kind") == "check" and row.get("key") == CROSS_YEAR and row.get("doc"):
            ok = row.get("ok")
            if isinstance(ok, str):
                ok = {"True": True, "False": False}.get(ok)
            written.setdefault(row["doc"], []).append({"name": CROSS_YEAR, "ok": ok, "detail": row.get("detail") or ""})
    columns: dict[str, Any] | None = None
    seen: dict[str, Any] = {}
    for row in rows:
        kind = row.get("kind")
        if kind == "doc" and row.get("doc"):
            if columns is not None:
                yield _known_document(columns, seen, written)
            seen = {"rows": {}, "tables": False}
            columns = {k: row.get(k) for k in DOC_COLUMNS}
            if columns["year"] is not None:
                columns["year"] = int(columns["year"])
        elif kind == "table" and columns is not None and row.get("doc") == columns["doc"]:
            seen["tables"] = True
            if row.get("table") == "requests" and row.get("row") in _YEAR_END_ROWS:
                cells = seen["rows"].setdefault(row["row"], {"unread": False, "total": None})
                if row.get("cell_status") == "unread":
                    cells["unread"] = True
                if row.get("column") == "total":
                    value = row.get("value")
                    cells["total"] = _number(value if value is not None else row.get("value_decimal"))
    if columns is not None:
        yield _known_document(columns, seen, written)


def _known_document(columns: dict[str, Any], seen: dict[str, Any], written: dict[str, list[dict[str, Any]]],
                    ) -> tuple[dict[str, Any], YearEnds | None, list[dict[str, Any]]]:
    ends = None
    if seen["tables"] and columns["year"] is not None:
        ends = YearEnds(columns["doc"], columns["year"], _row_end(seen, "carried_forward"),
                        _row_end(seen, "carried_over"))
    return columns, ends, written.pop(columns["doc"], [])


def _row_end(seen: dict[str, Any], name: str) -> tuple[bool, Any]:
    cells = seen["rows"].get(name)
    return (False, None) if cells is None or cells["unread"] else (True, cells["total"])


# What ``known_long`` reads of a long-format output: of its reports' rows, and of its checks
KNOWN_COLUMNS = (*DOC_COLUMNS, "kind", "table", "row", "column", "cell_status", "value", "value_decimal")
KNOWN_CHECK_COLUMNS = ("doc", "kind", "key", "ok", "detail")


def known_row_mask(batch: Any, checks: bool = False) -> Any:
    """Which rows of an Arrow batch ``known_long`` needs: a report's own row, its first table
    row (it has tables) and its two rows of table 三 that pair the years; with ``checks``, the
    cross-year checks instead (read in a pass of their own)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def column(name: str) -> Any:  # as text (a file written elsewhere may type a column otherwise)
        index = batch.schema.get_field_index(name)
        if index < 0 or pa.types.is_null(batch.column(index).type):
            return pa.nulls(batch.num_rows, pa.string())
        values = batch.column(index)
        return values if pa.types.is_string(values.type) else pc.cast(values, pa.string())

    def equal(name: str, value: str) -> Any:
        return pc.fill_null(pc.equal(column(name), value), False)

    def after(values: Any, first: Any) -> Any:  # each row's value of the row before it
        return pa.concat_arrays([pa.array([first], values.type), values.slice(0, len(values) - 1)])

    if checks:
        return pc.and_(equal("kind", "check"), equal("key", CROSS_YEAR))
    doc, table = column("doc"), equal("kind", "table")
    if batch.num_rows == 0:  # (an empty batch has no row before its first)
        return table
    same_doc = pc.fill_null(pc.equal(doc, after(doc, None)), False)
    first_table = pc.and_(table, pc.invert(pc.and_(after(table, False), same_doc)))
    year_end = pc.and_(pc.and_(table, equal("table", "requests")),
                       pc.fill_null(pc.is_in(column("row"), pa.array(_YEAR_END_ROWS)), False))
    return pc.or_(equal("kind", "doc"), pc.or_(first_table, year_end))


def _holds(path: Path, text: str, block: int = 1 << 20) -> bool:
    """Whether the file's bytes hold ``text`` (UTF-8), read a block at a time: a scan at disk
    speed, where reading it as CSV costs seconds (2 s for 6,000 complete reports); a run of one
    year has no cross-year check to read back."""
    needle = text.encode()
    keep = len(needle) - 1  # bytes of a block kept for a match across its end
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(block):
            window = tail + chunk
            if needle in window:
                return True
            tail = window[-keep:] if keep else b""
    return False


def known_csv_rows(path: Path, checks: bool = False) -> Iterator[dict[str, Any]]:
    """The rows of a CSV output that ``known_long`` needs (``known_row_mask`` picks the same in
    Arrow), each made a dict only once picked: a report's 230 rows as dicts cost 1.4 ms.
    ``checks``: its cross-year check rows instead."""
    if not path.exists() or (checks and not _holds(path, CROSS_YEAR)):
        return
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = csv.reader(fh)
        header = next(rows, None)
        if header is None:
            return
        where = {name: header.index(name) if name in header else None for name in ("kind", "doc", "table", "row", "key")}

        def cell(row: list[str], name: str) -> str:
            k = where[name]
            return row[k] if k is not None and k < len(row) else ""

        previous: tuple[str, str] = ("", "")  # the row before: kind, doc
        for row in rows:
            kind, doc = cell(row, "kind"), cell(row, "doc")
            if checks:
                keep = kind == "check" and cell(row, "key") == CROSS_YEAR
            elif kind != "table":
                keep = kind == "doc"
            else:
                first = not (previous[0] == "table" and doc and previous[1] == doc)
                keep = first or (cell(row, "table") == "requests" and cell(row, "row") in _YEAR_END_ROWS)
            previous = (kind, doc)
            if keep:  # a short row's missing cells are absent, which known_long reads as None, as csv.DictReader gives
                yield {k: (v if v != "" else None) for k, v in zip(header, row, strict=False)}
