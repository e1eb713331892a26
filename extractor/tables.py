"""National-format tables 二、三、四 (placeholder until the tables issue lands)."""

from __future__ import annotations

from typing import Any


def parse_tables_text(text: str) -> dict[str, Any] | None:
    """Parse the tables of sections 二、三、四 from a report's plain text."""
    return None


def parse_tables_grids(grids: list[list[list[str]]]) -> dict[str, Any] | None:
    """Parse the tables from cell grids (HTML ``<table>``, PDF or DOCX tables)."""
    return None
