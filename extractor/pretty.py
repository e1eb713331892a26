"""Readable terminal output of results (``xxgk extract --pretty``): fields, mentions, checks."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .models import Check, Report

STATUS_MARKUP = {"passed": "[green]ok[/green]", "failed": "[red]FAILED[/red]", "not stated": "[yellow]not stated[/yellow]"}


def render(report: Report, console: Console) -> None:
    title = " · ".join(str(x) for x in (report.doc, report.body, report.year) if x)
    console.rule(title)
    fields = Table(title="fields", show_lines=False)
    for col in ("key", "value", "qualifier", "evidence", "source"):
        fields.add_column(col)
    for key, f in report.fields.items():
        fields.add_row(key, f"{f.value:g}" if isinstance(f.value, float) else str(f.value), f.qualifier,
                       " + ".join(e.text.replace("\n", "⏎") for e in f.evidence), f.source)
    console.print(fields)
    mentions = Table(title=f"mentions ({len(report.mentions)})")
    for col in ("span", "text", "value", "unit", "qualifier", "subject", "field"):
        mentions.add_column(col)
    for m in report.mentions:
        mentions.add_row(f"{m.start}–{m.end}", m.text.replace("\n", "⏎"), str(m.value), m.unit or "",
                         m.qualifier, m.subject or "", m.field or "")
    console.print(mentions)
    if report.tables:
        console.print(f"tables: format {report.tables.format}")
    for c in report.checks:
        console.print(f"{STATUS_MARKUP[c.status]}  {c.name}: {c.detail}")
    for e in report.errors:
        console.print(f"[red]error[/red] [{e.stage}] {e.message}")


class PrettyWriter:
    """Same interface as ``ResultWriter``, printing tables to stdout."""

    format = "pretty"

    def __init__(self) -> None:
        self.console = Console()

    def write(self, report: Report, json_line: str | None = None) -> None:
        render(report, self.console)

    def add_late(self, columns: dict, check: Check) -> None:
        self.console.print(f"{columns['doc']}: {STATUS_MARKUP[check.status]}  {check.name}: {check.detail}")

    def close(self) -> None:
        pass
