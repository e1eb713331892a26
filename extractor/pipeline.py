"""The one entry point: text in, ``Report`` out (ingest → sections → numbers → mentions →
fields → tables → checks)."""

from __future__ import annotations

import decimal
import re
from pathlib import Path
from typing import TYPE_CHECKING

from . import checks, ingest, tables
from .fields import resolve_fields
from .mentions import find_mentions
from .metadata import read_metadata
from .models import Report, Tables
from .script import restore_grid_notes, restore_original, simplify_grids, to_reading_text
from .sections import split_sections
from .table_prose import prose_figures

if TYPE_CHECKING:
    from .layout import Grid
    from .llm import LLMConfig

LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # no encoding can write one: read as U+FFFD, same offsets
# Numerals are computed in Decimal; the default 28 digits would round a longer one silently. This
# keeps every numeral exact up to Python's int-to-text limit (a longer one is the document's error).
NUMERAL_DIGITS = 4300


def extract(text: str, *, source: str | None = None, llm: LLMConfig | None = None) -> Report:
    """Extract mentions, fields, tables and checks from one report's plain text.

    Offsets of the result index ``text`` exactly as given. ``llm`` (off by default) lets a model
    settle what the rules left open, grounded in the text (``extractor.llm``).
    """
    report = Report(doc=source)
    if not text.strip():
        report.add_error("ingest", "document has no text")
        return report
    return _extract_exactly(report, text, llm)


def _extract_exactly(report: Report, text: str, llm: LLMConfig | None, grids: list[Grid] | None = None) -> Report:
    """``_extract`` of ``text`` with no lone surrogate, its numerals computed without rounding."""
    text = LONE_SURROGATE.sub("\ufffd", text)
    with decimal.localcontext() as context:
        context.prec = NUMERAL_DIGITS
        return _extract(report, text, llm, grids)


def _extract(report: Report, text: str, llm: LLMConfig | None, grids: list[Grid] | None = None) -> Report:
    # every rule reads simplified script with line-feed line ends, at the same offsets
    original, text = text, to_reading_text(text)
    sections = split_sections(text)
    meta = read_metadata(text)
    report.body, report.year, report.admin_level, report.region = meta.body, meta.year, meta.admin_level, meta.region
    report.mentions = find_mentions(text, sections)
    report.fields = resolve_fields(text, report.mentions, sections, year=report.year)
    with_llm = llm is not None and llm.enabled
    # A document's own cell grids (PDF, HTML, DOCX) are read first when no model adds figures
    # later: grids that read every row leave the text's reading nothing to win (see
    # _take_grid_tables), so the text's tables are then not read at all (a third of a PDF's
    # extraction). With the LLM the grids are read after it, with its figures.
    read_grids = grids if grids and not with_llm else None
    grid_tables, grid_error = _grid_tables(read_grids, report) if read_grids else (None, None)
    if grid_tables is None or grid_tables.unread:
        try:
            report.tables = tables.parse_tables_text(text, prose_figures(report.fields))
        except Exception as exc:  # a table we cannot read must not cost the prose results
            report.add_error("tables", f"{type(exc).__name__}: {exc}")
    if with_llm:
        from .llm.fill import fill_report

        fill_report(report, text, llm, sections=sections)
    restore_original(report, original, text)  # results show the report's own characters
    if grids and not read_grids:
        grid_tables, grid_error = _grid_tables(grids, report)
    if grids:
        _take_grid_tables(report, grid_tables, grid_error)
    report.checks = checks.run_checks(report)
    return report


def _grid_tables(grids: list[Grid], report: Report) -> tuple[Tables | None, str | None]:
    """The tables of the document's cell grids, or the error that stopped their reading."""
    try:
        simple_grids = simplify_grids(grids)
        grid_tables = tables.parse_tables_grids(simple_grids, prose_figures(report.fields))
        restore_grid_notes(grid_tables, grids, simple_grids)
    except Exception as exc:
        return None, f"{type(exc).__name__}: {exc}"
    return grid_tables, None


def _take_grid_tables(report: Report, grid_tables: Tables | None, error: str | None) -> None:
    if error is not None:
        report.add_error("tables", error)
    if grid_tables and _unread_rows(grid_tables) <= _unread_rows(report.tables):
        report.tables = grid_tables


def extract_file(path: str | Path, *, with_text: bool = False, llm: LLMConfig | None = None) -> Report:
    """Read a report file (any supported format) and extract from its plain text.

    ``doc`` is the path as given. Problems with the file are recorded in ``errors``.
    """
    doc = ingest.load_document(Path(path))
    if doc.text.strip():
        report = _extract_exactly(Report(doc=str(path)), doc.text, llm, doc.grids)
    else:
        report = Report(doc=str(path))
        if not doc.errors:
            report.add_error("ingest", "document has no text")
        if doc.grids:
            _take_grid_tables(report, *_grid_tables(doc.grids, report))
            report.checks = checks.run_checks(report)
    report.errors = list(doc.errors) + report.errors
    if doc.warnings:
        report.warnings = list(doc.warnings)
    if with_text:
        report.text = doc.text
    return report


def _unread_rows(tables: Tables | None) -> float:
    """How much of the tables could not be read: the grids win unless the text read more."""
    if tables is None:
        return float("inf")
    return len(tables.unread)
