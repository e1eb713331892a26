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
    text = LONE_SURROGATE.sub("\ufffd", text)
    with decimal.localcontext() as context:
        context.prec = NUMERAL_DIGITS
        return _extract(report, text, llm)


def _extract(report: Report, text: str, llm: LLMConfig | None) -> Report:
    # every rule reads simplified script with line-feed line ends, at the same offsets
    original, text = text, to_reading_text(text)
    sections = split_sections(text)
    meta = read_metadata(text)
    report.body, report.year, report.admin_level, report.region = meta.body, meta.year, meta.admin_level, meta.region
    report.mentions = find_mentions(text, sections)
    report.fields = resolve_fields(text, report.mentions, sections, year=report.year)
    try:
        report.tables = tables.parse_tables_text(text, prose_figures(report.fields))
    except Exception as exc:  # a table we cannot read must not cost the prose results
        report.add_error("tables", f"{type(exc).__name__}: {exc}")
    if llm is not None and llm.enabled:
        from .llm.fill import fill_report

        fill_report(report, text, llm, sections=sections)
    restore_original(report, original, text)  # results show the report's own characters
    report.checks = checks.run_checks(report)
    return report


def extract_file(path: str | Path, *, with_text: bool = False, llm: LLMConfig | None = None) -> Report:
    """Read a report file (any supported format) and extract from its plain text.

    ``doc`` is the path as given. Problems with the file are recorded in ``errors``.
    """
    doc = ingest.load_document(Path(path))
    if doc.text.strip():
        report = extract(doc.text, source=str(path), llm=llm)
    else:
        report = Report(doc=str(path))
        if not doc.errors:
            report.add_error("ingest", "document has no text")
    if doc.grids:
        try:
            simple_grids = simplify_grids(doc.grids)
            grid_tables = tables.parse_tables_grids(simple_grids, prose_figures(report.fields))
            restore_grid_notes(grid_tables, doc.grids, simple_grids)
        except Exception as exc:
            grid_tables = None
            report.add_error("tables", f"{type(exc).__name__}: {exc}")
        if grid_tables and _unread_rows(grid_tables) <= _unread_rows(report.tables):
            report.tables = grid_tables
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
