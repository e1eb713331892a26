"""Writing results: JSON Lines (one result per line), long-format CSV and Parquet.

The long format (``long_format.py``, docs/output.md) has one row per mention, field, part of a
summed field, table cell, check and error, plus one ``doc`` row per document (so a document with
nothing found is still recorded, and ``--resume`` can tell it was done).

Parquet cannot be appended to: rows are journaled as JSON Lines in ``OUT.partial.jsonl`` while the
run goes, and written to ``OUT`` (with the rows already there) when it ends; ``--resume`` reads
both, so an interrupted run loses nothing it wrote.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from .long_format import LONG_COLUMNS, check_row, long_rows, normalise, parquet_schema
from .models import Check, Report

FORMATS = {".jsonl": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet"}


def output_format(path: Path | None) -> str:
    if path is None:
        return "jsonl"
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"unknown output format {path.suffix!r}: use .jsonl, .csv or .parquet")
    return fmt


def report_json(report: Report) -> str:
    return json.dumps(report.model_dump(mode="json"), ensure_ascii=False)


def _csv_value(value: Any) -> Any:
    return "" if value is None else value


class ResultWriter:
    """Streams results to a file (or stdout for JSON Lines) as they come, so nothing done is lost."""

    def __init__(self, path: Path | None, *, append: bool = False, stdout: TextIO | None = None,
                 excel: bool = False):
        self.path = path
        self.format = output_format(path)
        if excel and self.format != "csv":
            raise ValueError("--excel applies to CSV output (-o OUT.csv)")
        self._stream: TextIO | None = None
        if path is None:
            import sys

            self._stream = stdout or sys.stdout
        elif self.format == "jsonl":
            self._stream = path.open("a" if append else "w", encoding="utf-8")
        elif self.format == "csv":
            new = not (append and path.exists() and path.stat().st_size > 0)
            if not new:
                _check_csv_header(path)
            # Excel reads a CSV as UTF-8 only when it starts with a byte order mark
            encoding = "utf-8-sig" if excel and new else "utf-8"
            self._stream = path.open("a" if not new else "w", encoding=encoding, newline="")
            if new:
                csv.DictWriter(self._stream, fieldnames=LONG_COLUMNS).writeheader()
        else:  # parquet cannot be appended to: journal rows as JSON Lines, convert on close
            self._journal_path = journal_path(path)
            self._stream = self._journal_path.open("a" if append else "w", encoding="utf-8")
            if not append and path.exists():
                path.unlink()

    def write(self, report: Report) -> None:
        assert self._stream is not None
        if self.format == "jsonl":
            self._stream.write(report_json(report) + "\n")
            self._stream.flush()
        else:
            self._write_rows(long_rows(report))

    def _write_rows(self, rows: Iterable[dict[str, Any]]) -> None:
        """Long-format rows in one write (an interrupted run leaves whole documents behind):
        CSV, or JSON Lines in the Parquet journal."""
        assert self._stream is not None
        if self.format == "csv":
            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=LONG_COLUMNS)
            for row in rows:
                writer.writerow({k: _csv_value(v) for k, v in row.items()})
            self._stream.write(buf.getvalue())
        else:
            self._stream.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
        self._stream.flush()

    def add_checks(self, late: list[tuple[Report, Check]]) -> None:
        """Checks found after their document was written (cross-year: the later year came first).

        JSON Lines files get the check added to that document's line; the long formats get a row.
        On stdout a written line cannot change: the checks go to stderr.
        """
        assert self._stream is not None
        if self.path is None:
            import sys

            for report, check in late:
                print(f"{report.doc}: {check.name} {check.status}: {check.detail}", file=sys.stderr)
            return
        if self.format == "jsonl":
            self._stream.close()
            by_doc: dict[str | None, list[Check]] = {}
            for report, check in late:
                by_doc.setdefault(report.doc, []).append(check)
            lines = self.path.read_text(encoding="utf-8").splitlines()
            with self.path.open("w", encoding="utf-8") as fh:
                for line in lines:
                    result = json.loads(line) if line.strip() else None
                    if result is not None and result.get("doc") in by_doc:
                        result["checks"] += [c.model_dump(mode="json") for c in by_doc[result["doc"]]]
                        line = json.dumps(result, ensure_ascii=False)
                    fh.write(line + "\n")
            self._stream = self.path.open("a", encoding="utf-8")
            return
        self._write_rows(check_row(report, c) for report, c in late)

    def close(self) -> None:
        if self._stream is None:
            return
        if self.path is None:
            self._stream.flush()
            return
        self._stream.close()
        if self.format == "parquet":
            _journal_to_parquet(self.path, self._journal_path)
        self._stream = None


def _check_csv_header(path: Path) -> None:
    """Rows are appended only under the same columns (a file of an earlier layout is not mixed in)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), [])
    if header != LONG_COLUMNS:
        raise ValueError(f"{path} has other columns than this version writes (an earlier layout?): "
                         "resume into a new file")


def journal_path(path: Path) -> Path:
    return path.with_name(path.name + ".partial.jsonl")


def _journal_to_parquet(path: Path, journal: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows: list[dict[str, Any]] = []
    if path.exists():
        rows.extend(pq.read_table(path).to_pylist())
    with journal.open(encoding="utf-8") as fh:
        rows.extend(json.loads(line) for line in fh if line.strip())
    table = pa.Table.from_pylist([normalise(row) for row in rows], schema=parquet_schema())
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)
    journal.unlink()


def docs_done(path: Path) -> set[str]:
    """The documents already present in an output file (for ``--resume``)."""
    fmt = output_format(path)
    done: set[str] = set()
    if fmt == "parquet":
        if path.exists():
            import pyarrow.parquet as pq

            done.update(d for d in pq.read_table(path, columns=["doc"]).column("doc").to_pylist() if d)
        journal = journal_path(path)
        if journal.exists():
            done.update(_docs_in_jsonl(journal.read_text(encoding="utf-8")))
        return done
    if not path.exists():
        return done
    text = path.read_text(encoding="utf-8-sig")  # a CSV written with --excel starts with a BOM
    if fmt == "jsonl":
        return set(_docs_in_jsonl(text))
    for row in csv.DictReader(io.StringIO(text)):
        if row.get("kind") == "doc" and row.get("doc"):
            done.add(row["doc"])
    return done


def _docs_in_jsonl(text: str) -> Iterable[str]:
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            doc = json.loads(line).get("doc")
        except json.JSONDecodeError:
            continue  # a line cut by an interrupted run: that document is done again
        if doc:
            yield doc


def truncate_partial_line(path: Path) -> None:
    """Drop a last line cut off by an interrupted run, so appended results start on a new line."""
    if not path.exists() or path.stat().st_size == 0:
        return
    data = path.read_bytes()
    if data.endswith(b"\n"):
        return
    cut = data.rfind(b"\n")
    path.write_bytes(data[: cut + 1] if cut >= 0 else b"")
