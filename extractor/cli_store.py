"""``xxgk load``: a long-format output (CSV or Parquet, e.g. of another machine's run) into DuckDB."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from .cli_common import fail, no_such, require_writable_parent
from .output import OutputBusy, OutputLock
from .store import VIEW_NAMES, DuckDBMissing, StoreBusy, is_store, load_store, require_duckdb

err = Console(stderr=True, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add ``load`` to the ``xxgk`` app."""
    app.command("load")(load_cmd)


def load_cmd(
    sources: Annotated[list[Path], typer.Argument(metavar="RESULTS", help="Long-format outputs (.csv or .parquet) of xxgk extract.")],
    store: Annotated[Path, typer.Argument(metavar="STORE.duckdb", help="DuckDB file to write (its tables are replaced).")],
) -> None:
    """Load long-format results into a DuckDB store: typed tables and the views body_year,
    year_on_year and cross_year.

    \b
    Example:
      xxgk load results.parquet results.duckdb
    """
    try:
        require_duckdb()
    except DuckDBMissing as exc:
        fail(escape(str(exc)))
    if not is_store(store):
        fail(f"the store must be a .duckdb file, not {store}")
    missing = [str(s) for s in sources if not s.exists()]
    if missing:
        fail(no_such(missing))
    wrong = [str(s) for s in sources if s.suffix.lower() not in (".csv", ".parquet")]
    if wrong:
        fail(f"not a long-format output (.csv or .parquet): {', '.join(wrong)}")
    require_writable_parent(store)
    try:  # the lock `xxgk extract -o STORE.duckdb` takes: two writers never replace each other's tables
        lock = OutputLock(store)
    except OutputBusy as exc:
        fail(escape(str(exc)))
    try:
        counts = load_store(sources, store)
    except StoreBusy as exc:
        fail(escape(str(exc)))
    finally:
        lock.release()
    err.print(stored_message(store, counts), highlight=False)


def stored_message(store: Path, counts: dict[str, int]) -> str:
    """What a store holds: ``results.duckdb: tables documents (2), mentions (120), …; views body_year, …``."""
    tables = ", ".join(f"{name} ({n})" for name, n in counts.items())
    return f"{store}: tables {tables}; views {', '.join(VIEW_NAMES)}"
