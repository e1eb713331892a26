"""xxgk-extractor: traceable statistics from 政府信息公开工作年度报告.

Public API::

    from extractor import extract, extract_file, extract_batch
    report = extract_file("reports/longting-2024.txt")
    report.fields["requests.received"].value
    for report in extract_batch(["reports/"], workers=2):  # with cross-year checks
        ...
    write_store(extract_batch(["reports/"]), "results.duckdb")  # needs [duckdb]
    with open_store("results.duckdb") as con:
        con.sql("SELECT * FROM cross_year").df()
"""

from .batch import extract_batch
from .checks import run_checks
from .models import Check, ErrorEntry, FieldValue, Mention, Report, Span
from .pipeline import extract, extract_file
from .render import render_html
from .spacy_doc import to_spacy_doc
from .store import load_store, open_store, write_store

__version__ = "0.1.0"

__all__ = [
    "Check",
    "ErrorEntry",
    "FieldValue",
    "Mention",
    "Report",
    "Span",
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
