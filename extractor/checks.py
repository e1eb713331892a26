"""Consistency checks (placeholder until the tables issue lands)."""

from __future__ import annotations

from .models import Check, Report


def run_checks(report: Report) -> list[Check]:
    """Checks of one result: table arithmetic and prose against tables."""
    return []


def run_batch_checks(reports: list[Report]) -> None:
    """Checks across documents of one batch (cross_year.carry_over); appends to the later year."""
    return None
