"""xxgk-extractor: traceable statistics from 政府信息公开工作年度报告.

Public API::

    from extractor import extract, extract_file, extract_batch
    report = extract_file("reports/longting-2024.txt")
    report.fields["requests.received"].value
    report.tables.requests["new"].value_of("total")     # typed tables: rows of cells with a status
    for report in extract_batch(["reports/"], workers=2):  # with cross-year checks
        ...
"""

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
from .render import render_html
from .spacy_doc import to_spacy_doc

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
    "render_html",
    "run_checks",
    "to_spacy_doc",
]
