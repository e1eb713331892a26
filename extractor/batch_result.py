"""A document's result as the parent process of a batch needs it: its output ready to write,
made where the document was extracted (a worker process), and the few columns the cross-year
pairing needs. The parent only writes and pairs; no result model is rebuilt there.

- ``line``: the JSON line (every output format has it: a library caller may parse it);
- ``rows``: for CSV output the document's lines of the CSV file (UTF-8 bytes), for Parquet its
  long-format rows as an Arrow IPC stream; ``tail`` says where its error and warning rows
  start (a cross-year check found for it goes before them, as in ``long_rows``);
- ``columns`` (``doc``, ``body``, ``year``, ``admin_level``, ``region``) and ``ends`` (its
  ``YearEnds``, or None when it has no body, year or tables): what ``CrossYear`` keeps;
- ``report``: the ``Report`` itself, only when the caller iterates reports.
"""

from __future__ import annotations

import json
from typing import Any

from .checks import YearEnds
from .long_format import (
    arrow_bytes,
    arrow_table,
    columns_check_row,
    csv_bytes,
    doc_columns,
    long_row_parts,
    read_arrow,
)
from .models import Check, Report

FORMS = ("jsonl", "csv", "parquet")  # what a result is made for: the output format


class Result:
    """One document's result for a writer (see the module); pickled as a plain tuple."""

    __slots__ = ("doc", "line", "form", "rows", "tail", "count", "columns", "ends", "errors", "report")

    def __init__(self, doc: str | None, line: str, form: str | None = None, rows: Any = None, tail: int = 0,
                 count: int = 0, columns: dict[str, Any] | None = None, ends: YearEnds | None = None,
                 errors: int = 0, report: Report | None = None):
        self.doc, self.line, self.form, self.rows, self.tail, self.count = doc, line, form, rows, tail, count
        self.columns = columns if columns is not None else {"doc": doc}
        self.ends, self.errors, self.report = ends, errors, report

    def __reduce__(self) -> tuple[Any, ...]:
        return Result, (self.doc, self.line, self.form, self.rows, self.tail, self.count, self.columns, self.ends,
                        self.errors, self.report)

    def add_check(self, check: Check) -> None:
        """A check found for this result before it is written (cross-year: the earlier year came
        first): in its JSON line after its checks, in its rows before its errors, and in its
        report when it has one."""
        data = json.loads(self.line)
        data["checks"] = [*data.get("checks", []), check.model_dump(mode="json")]
        self.line = json.dumps(data, ensure_ascii=False)
        row = columns_check_row(self.columns, check)
        if self.form == "csv":
            cut = len(self.rows) - self.tail
            self.rows = self.rows[:cut] + csv_bytes([row]) + self.rows[cut:]
        elif self.form == "parquet":  # Arrow: the rows before the errors, the check, the errors
            import pyarrow as pa

            table = read_arrow(self.rows)
            cut = table.num_rows - self.tail
            self.rows = pa.concat_tables([table.slice(0, cut), arrow_table([row]), table.slice(cut)])
            self.count += 1
        if self.report is not None:
            self.report.checks.append(check)


def serialised(report: Report) -> tuple[Report, str]:
    """The report and its JSON line, or, when it cannot be serialised as UTF-8 JSON, an error
    result for its document and that one's line.

    Lone surrogates are replaced at the text entry (``extract``); what else could fail — a
    number past Python's 4,300-digit int-to-text limit — fails here, where the document was
    extracted, rather than in the writer.
    """
    try:
        line = json.dumps(report.model_dump(mode="json"), ensure_ascii=False)
        line.encode("utf-8")
        return report, line
    except Exception as exc:  # noqa: BLE001 — any failure is this document's error
        return _failed(report, exc)


def _failed(report: Report, exc: BaseException) -> tuple[Report, str]:
    failed = Report(doc=report.doc)
    failed.add_error("serialise", message(exc))
    return failed, json.dumps(failed.model_dump(mode="json"), ensure_ascii=False)


def message(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def make_result(report: Report, line: str | None, form: str | None, keep_report: bool) -> Result:
    """``report`` (and its JSON line, when made already) as a ``Result`` for output ``form``
    (``FORMS``; None: the JSON line only). A result whose rows cannot be made is, like one that
    cannot be serialised, an error result for its document."""
    if line is None:
        report, line = serialised(report)
    try:
        return _result(report, line, form, keep_report)
    except Exception as exc:  # noqa: BLE001 — any failure is this document's error
        report, line = _failed(report, exc)
        return _result(report, line, form, keep_report)


def _result(report: Report, line: str, form: str | None, keep_report: bool) -> Result:
    rows: Any = None
    tail = count = 0
    if form in ("csv", "parquet"):
        head, end = long_row_parts(report)
        if form == "csv":
            last = csv_bytes(end)
            rows, tail = csv_bytes(head) + last, len(last)
        else:
            rows, tail, count = arrow_bytes(head + end), len(end), len(head) + len(end)
    ends = YearEnds.of(report.doc, report.year, report.tables) \
        if report.body and report.year is not None and report.tables else None
    return Result(report.doc, line, form, rows, tail, count, doc_columns(report), ends, len(report.errors),
                  report if keep_report else None)
