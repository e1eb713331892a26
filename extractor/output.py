"""Writing results: JSON Lines (one result per line), long-format CSV and Parquet.

The long format (``long_format.py``, docs/output.md) has one row per mention, field, part of a
summed field, table cell, check and error, plus one ``doc`` row per document (so a document with
nothing found is still recorded, and ``--resume`` can tell it was done).

Nothing written is lost or written twice, whatever stops a run (a kill, a full disk):

- **JSON Lines**: one line per document; ``--resume`` drops a line cut off by the interruption.
  Late cross-year checks (the later year was written first) are merged into their documents'
  lines at the end through a copy renamed into place (``OUT.tmp``): a finished output is never
  truncated in place.
- **CSV**: each document's rows are appended in one write, then the file's size is recorded in
  ``OUT.progress`` (one size per line). ``--resume`` cuts the CSV back to the last recorded size
  (a document cut off is done again); the progress file is removed when the run ends.
- **Parquet**: rows are written as the run goes, a few hundred documents at a time, into
  complete small Parquet files in ``OUT.partial/`` (each written whole, then renamed into
  place); at the end they and the rows already in ``OUT`` are copied row group by row group
  into ``OUT.tmp``, which replaces ``OUT``. ``--resume`` counts the documents of ``OUT`` and of
  ``OUT.partial/`` as done.

A lock on ``OUT.lock`` (``flock``) makes a second run on the same output refuse at once.
Memory stays flat: nothing of a result is kept after it is written.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from .batch_result import Result
from .checks import YearEnds
from .long_format import (
    CROSS_YEAR,
    KNOWN_CHECK_COLUMNS,
    KNOWN_COLUMNS,
    LONG_COLUMNS,
    arrow_table,
    check_row,
    columns_check_row,
    csv_bytes,
    known_csv_rows,
    known_long,
    known_row_mask,
    long_rows,
    normalise,
    parquet_schema,
    read_arrow,
)
from .models import Check, Report

FORMATS = {".jsonl": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet"}
# A Parquet part is written when one of these is reached (whole documents only): small enough
# that an interruption costs little work, large enough for row groups that read fast.
PART_DOCS = 500
PART_ROWS = 200_000
PART_SECONDS = 5.0


class OutputBusy(Exception):
    """Another run holds the output."""


def output_format(path: Path | None) -> str:
    if path is None:
        return "jsonl"
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"unknown output format {path.suffix!r}: use .jsonl, .csv or .parquet")
    return fmt


def report_json(report: Report) -> str:
    return json.dumps(report.model_dump(mode="json"), ensure_ascii=False)


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def progress_path(path: Path) -> Path:
    return path.with_name(path.name + ".progress")


def parts_path(path: Path) -> Path:
    return path.with_name(path.name + ".partial")


def journal_path(path: Path) -> Path:
    """The row journal of earlier versions (read on ``--resume``)."""
    return path.with_name(path.name + ".partial.jsonl")


def _tmp(path: Path) -> Path:
    return path.with_name(path.name + ".tmp")


class OutputLock:
    """An exclusive ``flock`` on ``OUT.lock`` for the whole run; ``OutputBusy`` when another run
    holds it. The lock file is removed when the run ends (a run that opened the old file sees
    it was replaced and tries again)."""

    def __init__(self, path: Path):
        import fcntl

        self.path = lock_path(path)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise OutputBusy(f"{path} is being written by another run (lock {self.path.name} is held)") from None
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self._fd = fd
                return
            os.close(fd)

    def release(self) -> None:
        if self._fd < 0:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
        os.close(self._fd)
        self._fd = -1


class ResultWriter:
    """Streams results to a file (or stdout for JSON Lines) as they come, so nothing done is lost.

    ``append`` (``--resume``) first repairs what an interrupted run left (a cut line, a cut
    document, Parquet parts); ``known()`` then reads back what the output holds, document by
    document, for the cross-year index.
    """

    def __init__(self, path: Path | None, *, append: bool = False, stdout: TextIO | None = None,
                 excel: bool = False):
        self.path = path
        self.format = output_format(path)
        if excel and self.format != "csv":
            raise ValueError("--excel applies to CSV output (-o OUT.csv)")
        self._stream: Any = None
        self._progress: Any = None
        self._late: dict[str, list[dict[str, Any]]] = {}  # JSON Lines: doc → checks to merge at the end
        self._late_rows: list[dict[str, Any]] = []  # long formats: check rows to write at the end
        self._closing = False
        if path is None:
            import sys

            self._stream = stdout or sys.stdout
        elif self.format == "jsonl":
            if append:
                truncate_partial_line(path)
            self._stream = path.open("a" if append else "w", encoding="utf-8")
        elif self.format == "csv":
            self._open_csv(path, append, excel)
        else:
            self._open_parquet(path, append)

    # --- opening
    def _open_csv(self, path: Path, append: bool, excel: bool) -> None:
        progress = progress_path(path)
        if append and path.exists():
            _repair_csv(path, progress)
        else:
            progress.unlink(missing_ok=True)
        new = not (append and path.exists() and path.stat().st_size > 0)
        if not new:
            _check_csv_header(path)
        self._stream = path.open("wb" if new else "ab")
        if new:  # Excel reads a CSV as UTF-8 only when it starts with a byte order mark
            header = io.StringIO()
            csv.DictWriter(header, fieldnames=LONG_COLUMNS).writeheader()
            self._stream.write((b"\xef\xbb\xbf" if excel else b"") + header.getvalue().encode("utf-8"))
            self._stream.flush()
        self._progress = progress.open("a", encoding="ascii")
        self._commit()

    def _open_parquet(self, path: Path, append: bool) -> None:
        parts = parts_path(path)
        if append:
            _finish_interrupted_merge(path)
            _adopt_journal(path)
        else:
            for leftover in (parts, _merged(path)):
                shutil.rmtree(leftover, ignore_errors=True)
            journal_path(path).unlink(missing_ok=True)
            path.unlink(missing_ok=True)
        parts.mkdir(exist_ok=True)
        self._parts = parts
        self._buffer: list[Any] = []  # each document's rows: a pyarrow table, or Arrow IPC bytes
        self._buffer_rows = 0
        self._last_part = time.monotonic()
        self._next_part = 1 + max((int(p.stem) for p in _part_files(parts)), default=0)

    # --- reading back (--resume)
    def known(self) -> Iterator[tuple[dict[str, Any], YearEnds | None, list[dict[str, Any]]]]:
        """Each document the output holds, in order: its columns, what the cross-year check
        needs of it, and the cross-year checks written for it."""
        if self.path is None or not self.path.exists() and self.format != "parquet":
            return iter(())
        return known_documents(self.path)

    # --- writing
    def write(self, result: Report | Result, json_line: str | None = None) -> None:
        """One result: a ``Result`` made for this format (its output ready to write), or a
        ``Report`` (``json_line``: its JSON, when made already)."""
        if isinstance(result, Result):
            if self.format == "jsonl":
                self._write_line(result.line)
            elif self.format == "csv":
                self._write_csv(result.rows)
            else:
                self._add_rows(result.rows, result.count)
        elif self.format == "jsonl":
            self._write_line(json_line or report_json(result))
        elif self.format == "csv":
            self._write_csv(csv_bytes(long_rows(result)))
        else:
            table = arrow_table(long_rows(result))
            self._add_rows(table, table.num_rows)

    def _write_line(self, line: str) -> None:
        self._stream.write(line + "\n")
        self._stream.flush()

    def _add_rows(self, rows: Any, count: int) -> None:
        self._buffer.append(rows)
        self._buffer_rows += count
        if (len(self._buffer) >= PART_DOCS or self._buffer_rows >= PART_ROWS
                or time.monotonic() - self._last_part >= PART_SECONDS):
            self._write_part()

    def _write_csv(self, data: bytes) -> None:
        """A document's rows in one write, then its end recorded in the progress file."""
        self._stream.write(data)
        self._stream.flush()
        self._commit()

    def _commit(self) -> None:
        self._progress.write(f"{self._stream.tell()}\n")
        self._progress.flush()

    def _write_part(self) -> None:
        if not self._buffer:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.concat_tables([read_arrow(rows) for rows in self._buffer]).combine_chunks()
        final = self._parts / f"{self._next_part:08d}.parquet"
        tmp = _tmp(final)
        pq.write_table(table, tmp)
        os.replace(tmp, final)
        self._next_part += 1
        self._buffer, self._buffer_rows, self._last_part = [], 0, time.monotonic()

    def add_late(self, columns: dict[str, Any], check: Check) -> None:
        """A check found after its document was written (cross-year: the later year came first).

        JSON Lines files get it in that document's line when the run ends; the long formats get
        a row after the documents; on stdout a written line cannot change: it goes to stderr.
        """
        if self.path is None:
            import sys

            print(f"{columns['doc']}: {check.name} {check.status}: {check.detail}", file=sys.stderr)
        elif self.format == "jsonl":
            self._late.setdefault(columns["doc"], []).append(check.model_dump(mode="json"))
        else:
            self._late_rows.append(columns_check_row(columns, check))

    def close(self) -> None:
        """Finish the output: late checks in, Parquet parts merged, progress file removed.

        Once only: a close that was itself interrupted leaves what ``--resume`` repairs."""
        if self._closing:
            return
        self._closing = True
        if self.path is None:
            self._stream.flush()
            self._stream = None
            return
        if self.format == "jsonl":
            self._stream.close()
            self._stream = None
            if self._late:
                _merge_late_checks(self.path, self._late)
        elif self.format == "csv":
            if self._late_rows:
                self._write_csv(csv_bytes(self._late_rows))
            self._stream.close()
            self._stream = None
            self._progress.close()
            progress_path(self.path).unlink(missing_ok=True)
        else:
            self._write_part()
            if self._late_rows:
                self._buffer.append(arrow_table(self._late_rows))
            self._write_part()
            _merge_parts(self.path)

    def abandon(self) -> None:
        """Close without finishing (after a write failed): what is on disk stays for ``--resume``."""
        self._closing = True
        for handle in (self._stream, self._progress):
            if handle is not None and self.path is not None:
                with contextlib.suppress(OSError):
                    handle.close()
        self._stream = self._progress = None


# ------------------------------------------------------------------------------- JSON Lines


def truncate_partial_line(path: Path) -> None:
    """Drop a last line cut off by an interrupted run, so appended results start on a new line."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb+") as fh:
        size = fh.seek(0, os.SEEK_END)
        block = 1 << 16
        end = size
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return
        while end > 0:  # find the last newline, reading backwards
            start = max(0, end - block)
            fh.seek(start)
            cut = fh.read(end - start).rfind(b"\n")
            if cut >= 0:
                fh.truncate(start + cut + 1)
                return
            end = start
        fh.truncate(0)


def _merge_late_checks(path: Path, late: dict[str, list[dict[str, Any]]]) -> None:
    """Append late checks to their documents' lines through a copy renamed into place."""
    needles = {json.dumps(doc, ensure_ascii=False): doc for doc in late}
    tmp = _tmp(path)
    with path.open(encoding="utf-8") as src, tmp.open("w", encoding="utf-8") as dst:
        for line in src:
            if any(needle in line for needle in needles):
                try:
                    result = json.loads(line)
                except json.JSONDecodeError:
                    result = None
                if result is not None and result.get("doc") in late:
                    result["checks"] = result.get("checks", []) + late[result["doc"]]
                    line = json.dumps(result, ensure_ascii=False) + "\n"
            dst.write(line)
        dst.flush()
        os.fsync(dst.fileno())
    os.replace(tmp, path)


# ------------------------------------------------------------------------------- CSV


def _check_csv_header(path: Path) -> None:
    """Rows are appended only under the same columns (a file of an earlier layout is not mixed in)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), [])
    if header != LONG_COLUMNS:
        raise ValueError(f"{path} has other columns than this version writes (an earlier layout?): "
                         "resume into a new file")


def _last_committed(progress: Path) -> int | None:
    """The last complete size recorded in a progress file (a cut last line is ignored)."""
    if not progress.exists():
        return None
    with progress.open("rb") as fh:
        size = fh.seek(0, os.SEEK_END)
        fh.seek(max(0, size - 256))
        tail = fh.read()
    lines = tail.split(b"\n")
    for line in reversed(lines[:-1]):  # every element but the last ended with a newline
        if line.strip().isdigit():
            return int(line)
    return None


def _repair_csv(path: Path, progress: Path) -> None:
    """Cut the CSV back to its last complete document (an interrupted run's progress file says
    where); without a progress file the run had finished: only a cut last line is dropped."""
    committed = _last_committed(progress)
    if committed is not None and path.stat().st_size > committed:
        with path.open("rb+") as fh:
            fh.truncate(committed)
    elif committed is None:
        truncate_partial_line(path)
    progress.unlink(missing_ok=True)


# ------------------------------------------------------------------------------- Parquet


def _part_files(parts: Path) -> list[Path]:
    if not parts.is_dir():
        return []
    return sorted(p for p in parts.iterdir() if p.suffix == ".parquet" and p.stem.isdigit())


def _merged(path: Path) -> Path:
    return path.with_name(path.name + ".partial.merged")


def _merge_parts(path: Path) -> None:
    """``OUT`` and the parts, row group by row group, into ``OUT.tmp``, then into place.

    The parts folder is renamed to ``OUT.partial.merged`` before ``OUT.tmp`` replaces ``OUT``,
    so an interruption at any point leaves either the old ``OUT`` with its parts, or the new
    ``OUT`` whose parts are only to be deleted (``_finish_interrupted_merge``).
    """
    import pyarrow.parquet as pq

    schema = parquet_schema()
    tmp = _tmp(path)
    parts = parts_path(path)
    try:
        with pq.ParquetWriter(tmp, schema) as writer:
            if path.exists():
                for table in _read_in_batches(path):
                    writer.write_table(table)
            for part in _part_files(parts):
                writer.write_table(pq.read_table(part, schema=schema))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)  # the parts and OUT are as they were
        raise
    merged = _merged(path)
    shutil.rmtree(merged, ignore_errors=True)
    os.replace(parts, merged)
    os.replace(tmp, path)
    shutil.rmtree(merged, ignore_errors=True)


def _read_in_batches(path: Path, batch_rows: int = 65_536) -> Iterator[Any]:
    """A Parquet file's rows as tables of the current schema (an older layout is converted)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema()
    source = pq.ParquetFile(path)
    same = source.schema_arrow.remove_metadata().equals(schema.remove_metadata())
    for batch in source.iter_batches(batch_size=batch_rows):
        if same:
            yield pa.Table.from_batches([batch]).replace_schema_metadata(schema.metadata)
        else:
            yield pa.Table.from_pylist([normalise(r) for r in batch.to_pylist()], schema=schema)


def _finish_interrupted_merge(path: Path) -> None:
    merged = _merged(path)
    if not merged.exists():
        _tmp(path).unlink(missing_ok=True)
        return
    tmp = _tmp(path)
    if tmp.exists():  # stopped between the two renames: the copy is complete
        os.replace(tmp, path)
    shutil.rmtree(merged, ignore_errors=True)


def _adopt_journal(path: Path) -> None:
    """An earlier version's row journal (``OUT.partial.jsonl``) becomes a part: its complete
    lines, less the last document's rows (they may have been cut)."""
    journal = journal_path(path)
    if not journal.exists():
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = []
    with journal.open(encoding="utf-8") as fh:
        for line in fh:
            if line.endswith("\n"):
                with contextlib.suppress(json.JSONDecodeError):
                    rows.append(json.loads(line))
    docs = [i for i, r in enumerate(rows) if r.get("kind") == "doc"]
    if docs:
        rows = rows[: docs[-1]]
    parts = parts_path(path)
    parts.mkdir(exist_ok=True)
    if rows:
        final = parts / f"{0:08d}.parquet"
        pq.write_table(pa.Table.from_pylist([normalise(r) for r in rows], schema=parquet_schema()), _tmp(final))
        os.replace(_tmp(final), final)
    journal.unlink()


# ------------------------------------------------------------------------------- reading back


def known_documents(path: Path) -> Iterator[tuple[dict[str, Any], YearEnds | None, list[dict[str, Any]]]]:
    """What an output holds, document by document in file order (see ``ResultWriter.known``)."""
    fmt = output_format(path)
    if fmt == "jsonl":
        yield from _known_jsonl(path)
        return
    if fmt == "csv":  # the cross-year checks first, in a pass of their own (see known_long)
        yield from known_long(known_csv_rows(path), known_csv_rows(path, checks=True))
    else:
        yield from known_long(_parquet_rows(path), _parquet_rows(path, checks=True))


def _known_jsonl(path: Path) -> Iterator[tuple[dict[str, Any], YearEnds | None, list[dict[str, Any]]]]:
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.endswith("\n"):
                continue  # cut off by an interruption: that document is done again
            try:
                result = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(result, dict) or not result.get("doc"):
                continue
            columns = {k: result.get(k) for k in ("doc", "body", "year", "admin_level", "region")}
            year = result.get("year")
            ends = YearEnds.of_json(result["doc"], year, result.get("tables")) if year is not None else None
            written = [c for c in result.get("checks") or [] if c.get("name") == CROSS_YEAR]
            yield columns, ends, written


def _parquet_rows(path: Path, checks: bool = False) -> Iterator[dict[str, Any]]:
    """The rows ``known_long`` needs, with the columns it reads: a document's own row, its first
    table row (it has tables) and its two rows of table 三 that pair the years; a few rows of a
    report's 230, chosen in Arrow before any becomes a Python dict (``--resume`` of a Parquet
    output read every row: 1.2 ms a report). ``checks``: the cross-year checks instead."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = ([path] if path.exists() else []) + _part_files(parts_path(path))
    for file in files:
        source = pq.ParquetFile(file)
        wanted = KNOWN_CHECK_COLUMNS if checks else KNOWN_COLUMNS
        names = [c for c in wanted if c in source.schema_arrow.names]
        for batch in source.iter_batches(batch_size=65_536, columns=names):
            try:
                picked = batch.filter(known_row_mask(batch, checks))
            except (pa.ArrowException, ValueError):  # columns no cast reads as text: every row, as before
                picked = batch
            yield from picked.to_pylist()


def docs_done(path: Path) -> set[str]:
    """The documents already present in an output file (for ``--resume``): complete ones only."""
    if output_format(path) == "csv" and path.exists():
        committed = _last_committed(progress_path(path))
        if committed is not None:  # an interrupted run: only what it recorded as complete
            with path.open("rb") as fh:
                text = fh.read(committed).decode("utf-8-sig")
            return {r["doc"] for r in csv.DictReader(io.StringIO(text)) if r.get("kind") == "doc" and r.get("doc")}
    return {columns["doc"] for columns, _, _ in known_documents(path)}


__all__ = ["OutputBusy", "OutputLock", "ResultWriter", "check_row", "docs_done", "known_documents",
           "output_format", "report_json", "truncate_partial_line"]
