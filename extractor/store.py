"""DuckDB as the results store: typed tables and an analyst's views built from the long format.

The long-format rows (extractor/long_format.py, docs/output.md) are the one source of truth: a
run's output (``xxgk extract -o results.duckdb``) or an existing CSV/Parquet file
(``xxgk load results.parquet results.duckdb``) is read with ``read_long`` and split by ``kind``
into tables (documents, mentions, fields, field_parts, table_cells, checks, errors, warnings);
the views ``body_year``, ``year_on_year`` and ``cross_year`` are SQL over those tables, so the
cross-year comparison runs as a query over the whole store, not in one process's memory.

Bodies are paired across years as ``cross_year.CrossYear`` pairs them (``cross_year.same_body``): the
same name once whitespace is removed (``body_key``, computed here in Python with the pipeline's
own rule), or one name ending with the other when the shorter has at least
``SAME_BODY_MIN_SUFFIX`` characters (淮安市洪泽区人民政府 and 洪泽区人民政府).

In the library: ``write_store(reports, path)`` (results of ``extract_batch``), ``load_store(files,
path)`` (long-format outputs) and ``open_store(path)`` (a DuckDB connection to query).

duckdb is an optional extra: ``pip install 'xxgk-extractor[duckdb]'``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import divisions as dv
from .cross_year import SAME_BODY_MIN_SUFFIX, body_key
from .long_format import REGION_LEVELS, old_region_mapping

if TYPE_CHECKING:
    from .models import Report

INSTALL_HINT = "DuckDB output needs duckdb: pip install 'xxgk-extractor[duckdb]'"
STORE_SUFFIX = ".duckdb"

# The fields an analyst starts from, as columns of ``body_year`` (name in the view → field key).
# All are counts, so the view holds their whole-number ``value`` (BIGINT).
BODY_YEAR_FIELDS: dict[str, str] = {
    "received": "requests.received",
    "completed": "requests.completed",
    "carried_over": "requests.carried_over",
    "carried_forward": "requests.carried_forward",
    "review": "review.total",
    "litigation": "litigation.total",
    "proactive": "proactive.total",
}
# Table totals beside them (name in the view → table, row, column of the cell).
BODY_YEAR_CELLS: dict[str, tuple[str, str, str]] = {
    "table_new_requests": ("requests", "new", "total"),
    "table_completed": ("requests", "total", "total"),
    "table_carried_over": ("requests", "carried_over", "total"),
    "table_carried_forward": ("requests", "carried_forward", "total"),
}
# Whose changes ``year_on_year`` shows (columns of ``body_year``).
YEAR_ON_YEAR_COLUMNS = ("received", "completed", "review", "litigation", "table_new_requests")


class DuckDBMissing(ImportError):
    """duckdb is not installed (the message says what to install)."""


class StoreBusy(Exception):
    """Another program holds the DuckDB file open for writing (DuckDB's own file lock)."""


def require_duckdb() -> Any:
    try:
        import duckdb
    except ImportError:
        raise DuckDBMissing(INSTALL_HINT) from None
    return duckdb


def is_store(path: Path | None) -> bool:
    return path is not None and path.suffix.lower() == STORE_SUFFIX


def region_parts(region: Any) -> dict[str, Any]:
    """``region`` of a long-format row as its province / city / county / township / code: the
    names from the province down (``江苏省淮安市洪泽区``, as ``long_format.region_text`` writes
    them) looked up in GB/T 2260, or the mapping an earlier version wrote as JSON or Python text.
    Text that names no division leaves every part null."""
    out: dict[str, Any] = {**dict.fromkeys(REGION_LEVELS), "code": None}
    value: Any = region
    if isinstance(region, str) and region.startswith("{"):
        value = old_region_mapping(region)
    elif isinstance(region, str):
        division = dv.by_full_name(region)
        if division is not None:
            value = {d.level: d.name for d in dv.chain(division.code)} | {"code": division.code}
    if isinstance(value, dict):
        out.update({k: (None if value.get(k) is None else str(value[k])) for k in out})
    return out


def load_store(sources: Iterable[str | Path], db_path: str | Path) -> dict[str, int]:
    """Write the long-format ``sources`` (CSV or Parquet) into the DuckDB file ``db_path``
    (replacing its tables) and create the views. Returns the row count of each table.
    A document found in several sources is taken from the last (a re-run of it)."""
    import pandas as pd

    from .long_format import read_long

    require_duckdb()
    frames = [read_long(s) for s in sources]
    for i, frame in enumerate(frames):  # a document in several sources: the last one holds it
        later = set().union(*(set(f["doc"].dropna()) for f in frames[i + 1:]))
        frames[i] = frame[~frame["doc"].isin(later)]
    long = pd.concat(frames, ignore_index=True) if frames else read_long_empty()
    return _write(long, db_path)


def write_store(reports: Iterable[Report], db_path: str | Path) -> dict[str, int]:
    """Write results (``Report`` objects, e.g. of ``extract_batch``) into the DuckDB file
    ``db_path`` (replacing its tables), as ``xxgk extract -o results.duckdb`` does; returns the
    row count of each table. The results are taken in full first, so the cross-year checks
    ``extract_batch`` appends to an earlier result are stored with it; the rows are held in
    memory (for a large corpus, ``xxgk extract -o`` streams them through a Parquet file)."""
    import pyarrow as pa

    from .long_format import long_rows, normalise, parquet_schema

    require_duckdb()
    held = list(reports)
    rows = [normalise(row) for report in held for row in long_rows(report)]
    long = pa.Table.from_pylist(rows, schema=parquet_schema()).to_pandas() if rows else read_long_empty()
    return _write(long, db_path)


def open_store(db_path: str | Path, *, read_only: bool = True) -> Any:
    """A DuckDB connection to a store written by ``write_store``, ``load_store`` or
    ``xxgk extract -o``: its tables and the views ``body_year``, ``year_on_year`` and
    ``cross_year``, e.g. ``open_store("results.duckdb").sql("SELECT * FROM cross_year").df()``.
    Read-only unless asked (several readers may then share the file); close it when done
    (``with open_store(path) as con: …``)."""
    duckdb = require_duckdb()
    path = Path(db_path)
    if not path.is_file():
        raise FileNotFoundError(f"no DuckDB store at {path}")
    return duckdb.connect(str(path), read_only=read_only)


def _write(long: Any, db_path: str | Path) -> dict[str, int]:
    """The long-format rows ``long`` (a pandas frame of the documented types) as the store's
    tables and views in ``db_path``."""
    import pandas as pd

    duckdb = require_duckdb()
    docs = long[long["kind"] == "doc"].copy()
    docs["body_key"] = [None if pd.isna(b) else body_key(str(b)) for b in docs["body"]]
    regions = pd.DataFrame([region_parts(r) for r in docs["region"]], index=docs.index, dtype="string")
    docs = pd.concat([docs, regions], axis=1)
    con = _connect_for_writing(duckdb, db_path)
    try:
        con.register("long_rows", long)
        con.register("doc_rows", docs)
        con.execute("BEGIN")
        for statement in _TABLES + _VIEWS:
            con.execute(statement.format(min_suffix=SAME_BODY_MIN_SUFFIX))
        con.execute("COMMIT")
        con.unregister("long_rows")
        con.unregister("doc_rows")
        return {name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in TABLE_NAMES}
    finally:
        con.close()


def check_store_writable(db_path: str | Path) -> None:
    """``StoreBusy`` when another program holds an existing store open (a run then fails at its
    start, not after extracting)."""
    if Path(db_path).is_file():
        _connect_for_writing(require_duckdb(), db_path).close()


def _connect_for_writing(duckdb: Any, db_path: str | Path) -> Any:
    try:
        return duckdb.connect(str(db_path))
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            raise
        # a notebook or another program with the file open: one line, nothing written
        raise StoreBusy(f"{db_path} is open in another program (DuckDB allows one writer at a time): "
                        "close it and run again") from None


def read_long_empty():  # type: ignore[no-untyped-def]
    import pandas as pd

    from .long_format import LONG_COLUMNS, PANDAS_DTYPES

    return pd.DataFrame({c: pd.Series(dtype=PANDAS_DTYPES[c]) for c in LONG_COLUMNS})


VIEW_NAMES = ("body_year", "year_on_year", "cross_year")
TABLE_NAMES = ("documents", "mentions", "fields", "field_parts", "table_cells", "checks", "errors", "warnings")

_DOC = "doc, body, CAST(year AS INTEGER) AS year, admin_level"
_TABLES = [
    "DROP VIEW IF EXISTS cross_year", "DROP VIEW IF EXISTS year_on_year", "DROP VIEW IF EXISTS body_year",
    *(f"DROP TABLE IF EXISTS {name}" for name in TABLE_NAMES),
    """CREATE TABLE documents AS
       SELECT d.doc, d.body, d.body_key, CAST(d.year AS INTEGER) AS year, d.admin_level,
              d.region, d.province, d.city, d.county, d.township, d.code AS region_code,
              d.table_format, d.read_by,
              (SELECT count(*) FROM long_rows e WHERE e.kind = 'error' AND e.doc = d.doc) AS errors
       FROM doc_rows d ORDER BY d.doc""",
    f"""CREATE TABLE mentions AS
       SELECT {_DOC}, key AS field, value, value_decimal, unit, qualifier, CAST(start AS INTEGER) AS start,
              CAST("end" AS INTEGER) AS "end", text, subject, section, source
       FROM long_rows WHERE kind = 'mention'""",
    f"""CREATE TABLE fields AS
       SELECT {_DOC}, key AS field, value, value_decimal, unit, qualifier, source,
              CAST(start AS INTEGER) AS start, CAST("end" AS INTEGER) AS "end", text AS evidence,
              (SELECT count(*) FROM long_rows p WHERE p.kind = 'field_part' AND p.doc = f.doc
                                                  AND p.key = f.key) AS parts
       FROM long_rows f WHERE kind = 'field'""",
    f"""CREATE TABLE field_parts AS
       SELECT {_DOC}, key AS field, CAST(part AS INTEGER) AS part, value, value_decimal, unit, qualifier,
              CAST(start AS INTEGER) AS start, CAST("end" AS INTEGER) AS "end", text AS evidence, source
       FROM long_rows WHERE kind = 'field_part'""",
    f"""CREATE TABLE table_cells AS
       SELECT {_DOC}, "table", "row", "column", value, value_decimal, text AS note, cell_status AS status,
              read_by, table_format
       FROM long_rows WHERE kind = 'table'""",
    f"""CREATE TABLE checks AS
       SELECT {_DOC}, key AS "check", ok, detail FROM long_rows WHERE kind = 'check'""",
    f"""CREATE TABLE errors AS
       SELECT {_DOC}, key AS stage, detail AS message FROM long_rows WHERE kind = 'error'""",
    f"""CREATE TABLE warnings AS
       SELECT {_DOC}, key AS stage, detail AS message FROM long_rows WHERE kind = 'warning'""",
]


def _body_year_sql() -> str:
    fields = ",\n".join(
        f"(SELECT f.value FROM fields f WHERE f.doc = d.doc AND f.field = '{key}') AS {name}"
        for name, key in BODY_YEAR_FIELDS.items())
    cells = ",\n".join(
        f"(SELECT c.value FROM table_cells c WHERE c.doc = d.doc AND c.\"table\" = '{t}' "
        f"AND c.\"row\" = '{r}' AND c.\"column\" = '{col}') AS {name}"
        for name, (t, r, col) in BODY_YEAR_CELLS.items())
    return f"""CREATE VIEW body_year AS
       SELECT d.doc, d.body, d.body_key, d.year, d.admin_level, d.province, d.city, d.county, d.errors,
              {fields},
              {cells}
       FROM documents d WHERE d.body IS NOT NULL AND d.year IS NOT NULL"""


# Two documents are of one body as cross_year.same_body says (see the module's docstring).
_SAME_BODY = """(a.body_key = b.body_key
    OR (length(b.body_key) >= {min_suffix} AND ends_with(a.body_key, b.body_key))
    OR (length(a.body_key) >= {min_suffix} AND ends_with(b.body_key, a.body_key)))"""


def _year_on_year_sql() -> str:
    changes = ",\n".join(f"a.{c} AS {c}_before, b.{c} AS {c}_after, b.{c} - a.{c} AS {c}_change"
                         for c in YEAR_ON_YEAR_COLUMNS)
    return f"""CREATE VIEW year_on_year AS
       SELECT b.body, a.year AS year_before, b.year AS year_after, a.doc AS doc_before, b.doc AS doc_after,
              b.admin_level, {changes}
       FROM body_year a JOIN body_year b ON b.year = a.year + 1 AND {_SAME_BODY}"""


def _cell_sql(alias: str, row: str) -> str:
    return (f"LEFT JOIN table_cells {alias} ON {alias}.doc = {{side}}.doc AND {alias}.\"table\" = 'requests' "
            f"AND {alias}.\"row\" = '{row}' AND {alias}.\"column\" = 'total'")


# cross_year: every pair of one body in consecutive years; ``ok`` as cross_year.carry_over says
# (null when either row is missing, or a cell is not a number: blank, a note, unread).
_CROSS_YEAR = f"""CREATE VIEW cross_year AS
   SELECT b.body, a.year AS year_before, b.year AS year_after, a.doc AS doc_before, b.doc AS doc_after,
          fwd.value AS carried_forward, fwd.status AS carried_forward_status,
          ovr.value AS carried_over, ovr.status AS carried_over_status,
          CASE WHEN fwd.status = 'number' AND ovr.status = 'number'
               THEN coalesce(CAST(fwd.value AS DOUBLE), fwd.value_decimal)
                    = coalesce(CAST(ovr.value AS DOUBLE), ovr.value_decimal) END AS ok
   FROM documents a JOIN documents b ON b.year = a.year + 1 AND {_SAME_BODY}
   {_cell_sql('fwd', 'carried_forward').format(side='a')}
   {_cell_sql('ovr', 'carried_over').format(side='b')}
   WHERE a.body IS NOT NULL AND b.body IS NOT NULL"""

_VIEWS = [_body_year_sql(), _year_on_year_sql(), _CROSS_YEAR]
