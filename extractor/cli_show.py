"""The ``xxgk show`` command: one report as a self-contained HTML review page (``render_html``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .cli_common import plural, require_file, require_writable_parent
from .pipeline import extract_file

err = Console(stderr=True, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add ``show`` to the ``xxgk`` app."""
    app.command("show")(show_cmd)


def show_cmd(
    report: Annotated[Path, typer.Argument(metavar="REPORT", help="One report file (.txt .md .html .pdf .docx).")],
    out: Annotated[Path | None, typer.Option("-o", "--out", metavar="PAGE.html", help="Write the page here (default: stdout).")] = None,
) -> None:
    """Review one report in a browser: the text with every mention highlighted (details on hover),
    the fields with their evidence, tables 二、三、四 and the checks, failures first.

    The page is one HTML file with no external assets and no JavaScript.

    Example: xxgk show examples/longting-2024.txt -o longting.html
    """
    from .render import render_html  # here: ``xxgk extract`` starts without it

    require_file(report)
    require_writable_parent(out)
    result = extract_file(report, with_text=True)
    page = render_html(result)
    if out is None:
        sys.stdout.write(page)
        return
    out.write_text(page, encoding="utf-8")
    failed = sum(c.ok is False for c in result.checks)
    open_ = sum(c.ok is None for c in result.checks)
    err.print(f"{report}: {plural(len(result.mentions), 'mention')}, {plural(len(result.fields), 'field')}, "
              f"{plural(len(result.checks), 'check')} ({failed} failed" + (f", {open_} not stated" if open_ else "") + ")"
              + (f", {plural(len(result.errors), 'error')}" if result.errors else "") + f" → {out}", highlight=False)
