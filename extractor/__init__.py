"""xxgk-extractor: traceable statistics from 政府信息公开工作年度报告.

Public API::

    from extractor import extract, extract_file, extract_batch
    report = extract_file("reports/longting-2024.txt")
    report.fields["requests.received"].value
    report.tables.requests["new"].value_of("total")     # typed tables: rows of cells with a status
    for report in extract_batch(["reports/"], workers=2):  # with cross-year checks
        ...
    write_store(extract_batch(["reports/"]), "results.duckdb")  # needs [duckdb]
    with open_store("results.duckdb") as con:
        con.sql("SELECT * FROM cross_year").df()
"""

from typing import TYPE_CHECKING

from .batch import extract_batch
from .checks import run_checks
from .models import (
    CellStatus,
    Check,
    ErrorEntry,
    FieldValue,
    LLMRun,
    Mention,
    Report,
    Span,
    TableCell,
    TableRow,
    Tables,
)
from .pipeline import extract, extract_file

if TYPE_CHECKING:
    from .render import render_html
    from .spacy_doc import to_spacy_doc
    from .store import load_store, open_store, write_store

__version__ = "0.1.0"

__all__ = [
    "CellStatus",
    "Check",
    "ErrorEntry",
    "FieldValue",
    "LLMRun",
    "Mention",
    "Report",
    "Span",
    "TableCell",
    "TableRow",
    "Tables",
    "__version__",
    "extract",
    "extract_batch",
    "extract_file",
    "load_store",
    "open_store",
    "render_html",
    "run_checks",
    "to_spacy_doc",
    "write_store",
]


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    """The review page and the spaCy bridge are imported when first asked for: extracting
    needs neither, and a fresh ``xxgk extract`` should not pay for them."""
    if name == "render_html":
        from .render import render_html

        return render_html
    if name == "to_spacy_doc":
        from .spacy_doc import to_spacy_doc

        return to_spacy_doc
    if name in ("load_store", "open_store", "write_store"):  # the results store: DuckDB, an extra
        from . import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
