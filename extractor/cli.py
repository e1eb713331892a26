"""The ``xxgk`` command line: a thin layer over the library (parse options, call, format)."""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from . import checks
from .cli_common import PlainHelpGroup, fail, no_such, plural, require_writable_parent
from .llm import MODES, LLMConfig, LLMConfigError
from .llm.summary import EndpointNotice
from .models import Check, Report
from .output import ResultWriter, docs_done, output_format, truncate_partial_line
from .pipeline import extract_file
from .pretty import PrettyWriter

app = typer.Typer(
    cls=PlainHelpGroup,
    rich_markup_mode=None,  # plain help: readable in any terminal, log or man page
    add_completion=False,
    no_args_is_help=True,
    help="Extract traceable statistics from 政府信息公开工作年度报告 (government information-disclosure annual reports).",
)
err = Console(stderr=True, soft_wrap=True)  # one line per message, whatever the width


@app.callback()
def _root() -> None:
    """xxgk: extract, evaluate and inspect figures of 政府信息公开工作年度报告."""

SUPPORTED_SUFFIXES = {".txt", ".md", ".text", ".html", ".htm", ".shtml", ".pdf", ".docx"}
GOLD_SUFFIX = ".gold.json"


class Inputs:
    """The documents named by the command line: files as given, directories walked (supported
    formats; other files counted as skipped), globs expanded; ``doc`` = the path as given."""

    def __init__(self, paths: list[str]):
        self.documents: list[str] = []
        self.skipped: dict[str, int] = {}  # suffix → files of a walked directory left out
        self.unmatched: list[str] = []  # missing paths and globs that match nothing
        seen: set[str] = set()
        for raw in paths:
            for p in self._expand(raw):
                if p not in seen:
                    seen.add(p)
                    self.documents.append(p)

    def _expand(self, raw: str) -> list[str]:
        path = Path(raw)
        if path.is_dir():
            found = []
            for p in sorted(path.rglob("*")):
                if not p.is_file() or p.name.startswith(".") or p.name.endswith(GOLD_SUFFIX):
                    continue  # hidden files and gold labels beside their reports are not documents
                if p.suffix.lower() in SUPPORTED_SUFFIXES:
                    found.append(str(p))
                else:
                    suffix = p.suffix.lower() or "(no suffix)"
                    self.skipped[suffix] = self.skipped.get(suffix, 0) + 1
            return found
        if any(ch in raw for ch in "*?[") and not path.exists():
            found = sorted(p for p in glob.glob(raw, recursive=True) if Path(p).is_file())
            if not found:
                self.unmatched.append(raw)
            return found
        if not path.exists():
            self.unmatched.append(raw)
        return [raw]

    @property
    def skipped_note(self) -> str | None:
        """``3 files skipped: .xlsx, .doc`` (most frequent first), or None."""
        if not self.skipped:
            return None
        suffixes = sorted(self.skipped, key=lambda s: (-self.skipped[s], s))
        return f"{plural(sum(self.skipped.values()), 'file')} skipped: {', '.join(suffixes)}"


def expand_inputs(paths: list[str]) -> list[str]:
    """The documents ``paths`` name (see ``Inputs``)."""
    return Inputs(paths).documents


def _extract_one(args: tuple[str, bool, LLMConfig | None]) -> Report:
    path, with_text, llm = args
    try:
        return extract_file(path, with_text=with_text, llm=llm)
    except Exception as exc:  # never let one document stop a batch
        report = Report(doc=path)
        report.add_error("extract", f"{type(exc).__name__}: {exc}")
        return report


@app.command("extract")
def extract_cmd(
    paths: list[str] = typer.Argument(..., metavar="PATH", help="Report files, directories or globs (.txt .md .html .pdf .docx)."),
    out: Path | None = typer.Option(None, "-o", "--out", metavar="OUT", help="Output file: .jsonl, .csv (long format) or .parquet. Default: JSON Lines on stdout."),
    workers: int = typer.Option(1, "--workers", "-w", min=0, metavar="N", help="Worker processes (0 = one per CPU)."),
    resume: bool = typer.Option(False, "--resume", help="Skip documents already in OUT and append the rest."),
    with_text: bool = typer.Option(False, "--with-text", help="Include each document's plain text (offsets index it)."),
    pretty: bool = typer.Option(False, "--pretty", help="Print readable tables instead of JSON Lines (no -o)."),
    excel: bool = typer.Option(False, "--excel", help="CSV for Excel: UTF-8 with a byte order mark (with -o OUT.csv)."),
    llm_mode: str = typer.Option("off", "--llm", help="LLM fill: off (no network), ambiguous (only what the rules left open) or all (whole document)."),
    model: str | None = typer.Option(None, "--model", help="LLM model name (else $XXGK_LLM_MODEL)."),
    base_url: str | None = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint (else $XXGK_LLM_BASE_URL, $OPENAI_BASE_URL). The key comes from $XXGK_LLM_API_KEY or $OPENAI_API_KEY."),
) -> None:
    """Extract figures, tables and checks from reports.

    \b
    Examples:
      xxgk extract reports/ -o results.jsonl --workers 2
      xxgk extract reports/ -o results.csv --excel
      xxgk extract reports/ --llm ambiguous --model deepseek-chat --base-url https://api.deepseek.com
    """
    llm = None
    if llm_mode not in MODES:
        err.print(f"[red]error:[/red] --llm must be one of {', '.join(MODES)}")
        raise typer.Exit(2)
    if llm_mode != "off":
        try:
            llm = LLMConfig.from_env(llm_mode, model=model, base_url=base_url)
        except LLMConfigError as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
            raise typer.Exit(2) from None
    if pretty and out is not None:
        fail("--pretty prints to the terminal; leave out -o")
    try:
        fmt = output_format(out)
    except ValueError as exc:
        fail(str(exc))
    if excel and fmt != "csv":
        fail("--excel applies to CSV output: -o OUT.csv")
    if resume and out is None:
        fail("--resume needs -o OUT")
    require_writable_parent(out)
    found = Inputs(paths)
    if found.unmatched:
        fail(no_such(found.unmatched))
    if found.skipped_note:
        err.print(found.skipped_note, highlight=False)
    inputs = found.documents
    if not inputs:
        fail(f"no reports ({' '.join(sorted(SUPPORTED_SUFFIXES))}) in {', '.join(paths)}")
    done: set[str] = set()
    if resume and out is not None:
        done = docs_done(out)
        if output_format(out) == "jsonl":
            truncate_partial_line(out)
    todo = [p for p in inputs if p not in done]
    if done:
        err.print(f"resuming: {len(inputs) - len(todo)} of {plural(len(inputs), 'document')} already in {out}",
                  highlight=False)
    try:
        writer = PrettyWriter() if pretty else ResultWriter(out, append=resume, excel=excel)
    except ValueError as exc:
        fail(str(exc))
    results: list[Report] = []
    cross_year = checks.CrossYear()
    late: list[tuple[Report, Check]] = []  # cross-year checks of results already written
    n_workers = workers or os.cpu_count() or 1
    show_progress = sys.stderr.isatty() and len(todo) > 1
    endpoint_down = EndpointNotice()
    try:
        with _progress(show_progress, len(todo)) as advance:
            for report in _run(todo, n_workers, with_text, llm):
                light = _light(report)  # shares report.checks, so a check added here reaches both
                for later, check in cross_year.add(light):
                    if later is light:
                        report.checks.append(check)  # the later year arrives now: before it is written
                    else:
                        late.append((later, check))
                writer.write(report)
                results.append(light)
                if llm is not None and (notice := endpoint_down(report)):
                    err.print(notice, markup=False, soft_wrap=True)
                advance()
        if late:
            writer.add_checks(late)
    finally:
        writer.close()
    failed = sum(1 for r in results if r.errors)
    err.print(f"{plural(len(results), 'document')} extracted" + (f", {failed} with errors" if failed else "")
              + (f" → {out}" if out else ""), highlight=False)
    if llm is not None:
        from .llm.summary import run_summary

        err.print(run_summary(results, llm.mode, llm.model), markup=False, soft_wrap=True)


def _light(report: Report) -> Report:
    """Keep what batch checks need, not the mentions and text of thousands of documents."""
    return report.model_copy(update={"mentions": [], "text": None})


def _run(paths: list[str], workers: int, with_text: bool, llm: LLMConfig | None = None) -> Iterator[Report]:
    jobs = [(p, with_text, llm) for p in paths]
    if llm is not None and workers <= 1 and len(jobs) > 1:  # waiting on the endpoint: a few documents at once
        with ThreadPoolExecutor(max_workers=max(1, llm.concurrency)) as threads:
            yield from threads.map(_extract_one, jobs)
        return
    if workers <= 1 or len(jobs) <= 1:
        yield from map(_extract_one, jobs)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_extract_one, jobs, chunksize=4)


class _progress:
    """A rich progress bar on a terminal; nothing when output is piped or logged."""

    def __init__(self, enabled: bool, total: int):
        self.enabled, self.total = enabled, total

    def __enter__(self):  # type: ignore[no-untyped-def]
        if not self.enabled:
            return lambda: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        self._p = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                           TimeRemainingColumn(), console=err)
        self._p.__enter__()
        task = self._p.add_task("extracting", total=self.total)
        return lambda: self._p.advance(task)

    def __exit__(self, *exc):  # type: ignore[no-untyped-def]
        if self.enabled:
            self._p.__exit__(*exc)


def _register_optional_commands() -> None:
    """Commands that live in their own modules (eval, label, show…) register themselves here."""
    import importlib

    for name in ("cli_eval", "cli_show"):
        try:
            module = importlib.import_module(f"{__package__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.{name}":
                raise
            continue
        module.register(app)


_register_optional_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
