"""The ``xxgk`` command line: a thin layer over the library (parse options, call, format)."""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape

from . import cli_eval, cli_show, cli_store
from .batch import DEFAULT_TIME_LIMIT, SUPPORTED_SUFFIXES, Batch, Inputs, doc_name, expand_inputs
from .cli_common import PROBLEMS, PlainHelpGroup, fail, no_such, plural, require_writable_parent
from .llm import MODES, LLMConfig, LLMConfigError
from .models import Check, Report
from .output import OutputBusy, OutputLock, ResultWriter, output_format
from .ray_batch import RayBatch, RayInputs, RayMissing, require_ray
from .store import DuckDBMissing, StoreBusy, check_store_writable, is_store, load_store, require_duckdb

if TYPE_CHECKING:
    from .llm.summary import EndpointNotice
    from .pretty import PrettyWriter

__all__ = ["app", "expand_inputs", "main"]
ENGINES = ("local", "ray")

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


@app.command("extract")
def extract_cmd(
    paths: list[str] = typer.Argument(..., metavar="PATH", help="Report files, directories or globs (.txt .md .html .pdf .docx)."),
    out: Path | None = typer.Option(None, "-o", "--out", metavar="OUT", help="Output file: .jsonl, .csv (long format), .parquet or .duckdb (tables and views). Default: JSON Lines on stdout."),
    workers: int | None = typer.Option(None, "--workers", "-w", min=0, metavar="N", help="Worker processes (0 = one per CPU; default 1). With --engine ray: actors (default: one per CPU of the cluster)."),
    resume: bool = typer.Option(False, "--resume", help="Skip documents already in OUT and append the rest."),
    with_text: bool = typer.Option(False, "--with-text", help="Include each document's plain text (offsets index it)."),
    pretty: bool = typer.Option(False, "--pretty", help="Print readable tables instead of JSON Lines (no -o)."),
    excel: bool = typer.Option(False, "--excel", help="CSV for Excel: UTF-8 with a byte order mark (with -o OUT.csv)."),
    time_limit: float = typer.Option(DEFAULT_TIME_LIMIT, "--time-limit", min=0, metavar="SECONDS", help="Time budget per document; a document over it gets an error and the batch goes on (0 = no limit)."),
    llm_mode: str = typer.Option("off", "--llm", help="LLM fill: off (no network), ambiguous (only what the rules left open) or all (whole document)."),
    model: str | None = typer.Option(None, "--model", help="LLM model name (else $XXGK_LLM_MODEL)."),
    base_url: str | None = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint (else $XXGK_LLM_BASE_URL, $OPENAI_BASE_URL). The key comes from $XXGK_LLM_API_KEY or $OPENAI_API_KEY."),
    engine: str = typer.Option("local", "--engine", help="local (worker processes on this machine) or ray (Ray Data actors on a Ray cluster; PATHs may be s3:// and other pyarrow URIs; needs pip install 'xxgk-extractor[ray]')."),
    address: str | None = typer.Option(None, "--address", metavar="ADDR", help="With --engine ray: the Ray cluster to join (auto, host:port, ray://host:10001). Default: start a local Ray for the run."),
) -> None:
    """Extract figures, tables and checks from reports.

    \b
    Examples:
      xxgk extract reports/ -o results.jsonl --workers 2
      xxgk extract reports/ -o results.csv --excel
      xxgk extract reports/ --llm ambiguous --model deepseek-chat --base-url https://api.deepseek.com
      xxgk extract s3://bucket/reports/ --engine ray --address auto -o results.parquet
    """
    llm = None
    if engine not in ENGINES:
        fail(f"--engine must be one of {', '.join(ENGINES)}")
    if address is not None and engine != "ray":
        fail("--address joins a Ray cluster: add --engine ray")
    if engine == "ray":
        try:
            require_ray()
        except RayMissing as exc:
            fail(escape(str(exc)))
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
    if is_store(out):  # the run writes long-format Parquet beside it, loaded into the store at the end
        _extract_to_store(out, paths, workers=workers, resume=resume, with_text=with_text, excel=excel,
                          time_limit=time_limit, llm_mode=llm_mode, model=model, base_url=base_url,
                          engine=engine, address=address)
        return
    try:
        fmt = output_format(out)
    except ValueError as exc:
        fail(str(exc))
    if excel and fmt != "csv":
        fail("--excel applies to CSV output: -o OUT.csv")
    if resume and out is None:
        fail("--resume needs -o OUT")
    require_writable_parent(out)
    if out is not None and out.is_dir():
        fail(f"cannot write {out}: it is a directory")
    found = RayInputs(paths) if engine == "ray" else Inputs(paths)
    if found.unmatched:
        fail(no_such(found.unmatched))
    if found.skipped_note:
        err.print(found.skipped_note, highlight=False)
    if found.loops:  # a link back to a folder already walked (self -> ., two folders linking each other)
        err.print(f"{plural(found.loops, 'linked folder')} already walked: not walked again", highlight=False)
    inputs = found.documents
    if not inputs:
        fail(f"no reports ({' '.join(sorted(SUPPORTED_SUFFIXES))}) in {', '.join(paths)}")
    lock = None
    try:
        if out is not None:
            lock = OutputLock(out)
        writer = _pretty_writer() if pretty else ResultWriter(out, append=resume, excel=excel)
    except OutputBusy as exc:
        fail(str(exc))
    except ValueError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(_cannot_write(out, exc))
    try:
        with _stop_on_signals():
            _run_batch(writer, inputs, out, resume=resume, workers=workers, with_text=with_text, llm=llm,
                       time_limit=time_limit or None, engine=engine, address=address)
    finally:
        if lock is not None:
            lock.release()


def _pretty_writer() -> PrettyWriter:
    from .pretty import PrettyWriter  # only for --pretty

    return PrettyWriter()


def _extract_to_store(out: Path, paths: list[str], *, resume: bool, excel: bool, **options: Any) -> None:
    """``-o results.duckdb``: extract to a temporary long-format Parquet file, then load it.
    Messages name the store, never the temporary file; an interrupted run stores what it wrote."""
    try:
        require_duckdb()
    except DuckDBMissing as exc:
        fail(escape(str(exc)))
    if resume:
        fail("--resume is not supported with .duckdb output: extract to .parquet with --resume, "
             "then xxgk load OUT.parquet OUT.duckdb")
    if excel:
        fail("--excel applies to CSV output: -o OUT.csv")
    require_writable_parent(out)
    try:
        lock = OutputLock(out)
    except OutputBusy as exc:
        fail(str(exc))
    try:
        _extract_through_parquet(out, paths, options)
    except StoreBusy as exc:
        fail(escape(str(exc)))
    finally:
        lock.release()


def _extract_through_parquet(out: Path, paths: list[str], options: dict[str, Any]) -> None:
    check_store_writable(out)  # before the run: a store another program holds open fails now, not after it
    with tempfile.TemporaryDirectory(prefix=".xxgk-", dir=out.resolve().parent) as tmp:
        parquet = Path(tmp) / (out.stem + ".parquet")
        token = _STORE.set(out)
        try:
            extract_cmd(paths=paths, out=parquet, resume=False, excel=False, pretty=False, **options)
        except typer.Exit as stop:
            if stop.exit_code in (130, 143) and parquet.exists():  # stopped: what was written is stored
                err.print(cli_store.stored_message(out, _load_or_keep(parquet, out)), highlight=False)
            raise
        finally:
            _STORE.reset(token)
        counts = _load_or_keep(parquet, out)
    err.print(cli_store.stored_message(out, counts), highlight=False)


def _load_or_keep(parquet: Path, out: Path) -> dict[str, int]:
    """Load the run's Parquet file into the store; if another program took the store meanwhile,
    keep the Parquet file beside it (nothing extracted is lost) and say how to load it."""
    try:
        return load_store([parquet], out)
    except StoreBusy as exc:
        kept = out.with_name(out.stem + ".unloaded.parquet")
        n = 1
        while kept.exists():  # an earlier run's kept results stay as they are
            n += 1
            kept = out.with_name(f"{out.stem}.unloaded-{n}.parquet")
        shutil.move(parquet, kept)
        raise StoreBusy(f"{exc}; the results are kept in {kept}: xxgk load {kept} {out}") from None


# The DuckDB file a run writes through a temporary Parquet file: its messages name the store.
_STORE: contextvars.ContextVar[Path | None] = contextvars.ContextVar("xxgk_store", default=None)


def _shown(out: Path | None) -> Path | None:
    """The output as the user named it (the store, not its temporary Parquet file)."""
    return _STORE.get() or out


def _cannot_write(out: Path | None, exc: OSError) -> str:
    """``cannot write OUT: no space left on device``: the system's reason, however it was raised
    (pyarrow puts it after ``Detail:`` with no errno)."""
    reason = os.strerror(exc.errno) if exc.errno else ""
    if not reason:
        text = str(exc)
        reason = re.sub(r"^\[errno \d+\]\s*", "", text.split("Detail:")[-1].strip(), flags=re.I) or type(exc).__name__
    return f"cannot write {out}: {reason[0].lower() + reason[1:]}"


def _run_batch(writer: ResultWriter | PrettyWriter, inputs: list[str], out: Path | None, *, resume: bool,
               workers: int | None, with_text: bool, llm: LLMConfig | None, time_limit: float | None,
               engine: str = "local", address: str | None = None) -> None:
    """Extract ``inputs`` through ``extract_batch`` (or ``extract_ray``) and write each result as
    it comes; the cross-year index is first given what ``OUT`` holds (``--resume``)."""
    options: dict[str, Any] = {"llm": llm, "with_text": with_text, "time_limit": time_limit, "on_late": writer.add_late}
    batch = RayBatch(documents=[], workers=workers or 0, address=address, **options) if engine == "ray" \
        else Batch(documents=[], workers=1 if workers is None else workers, **options)
    done: set[str] = set()
    n = failed = 0
    llm_runs: list[Report] = []  # what the LLM summary needs: a few numbers per document
    try:
        if resume and isinstance(writer, ResultWriter):
            for columns, ends, written in writer.known():
                done.add(columns["doc"])
                batch.add_known(columns, ends, [Check(**c) for c in written])
        batch.documents = [p for p in inputs if doc_name(p) not in done]
        if done:
            err.print(f"resuming: {len(inputs) - len(batch.documents)} of {plural(len(inputs), 'document')} "
                      f"already in {out}", highlight=False)
        show_progress = sys.stderr.isatty() and len(batch.documents) > 1
        endpoint_down = _endpoint_notice() if llm is not None else None
        with _progress(show_progress, len(batch.documents)) as advance:
            # ready-to-write results made in the workers; reports where the run looks into them
            compact = isinstance(writer, ResultWriter) and llm is None
            for report in batch.results(writer.format) if compact else batch:
                writer.write(report, None if compact else batch.json_line(report))
                n += 1
                failed += bool(report.errors)
                if llm is not None and isinstance(report, Report):
                    llm_runs.append(Report(doc=report.doc, llm=report.llm, errors=report.errors))
                    if endpoint_down is not None and (notice := endpoint_down(report)):
                        err.print(notice, markup=False, soft_wrap=True)
                advance()
        writer.close()
    except RayMissing as exc:  # Ray Data, imported as the run starts Ray, is not installed
        if isinstance(writer, ResultWriter):
            writer.abandon()
        fail(escape(str(exc)))
    except OSError as exc:
        if isinstance(writer, ResultWriter):
            writer.abandon()
        if _STORE.get() is not None:
            fail(_cannot_write(_shown(out), exc) + " (nothing stored)", PROBLEMS)
        fail(_cannot_write(out, exc) + f" ({plural(n, 'document')} written; --resume continues)", PROBLEMS)
    except _Stopped as stop:  # Ctrl-C or SIGTERM: what was written becomes a finished, valid output
        with contextlib.suppress(OSError):
            writer.close()
        where = "" if out is None else f" to {_shown(out)}" + ("" if _STORE.get() else "; --resume continues")
        err.print(f"interrupted: {plural(n, 'document')} written{where}", highlight=False)
        raise typer.Exit(stop.code) from None
    err.print(f"{plural(n, 'document')} extracted" + (f", {failed} with errors" if failed else "")
              + (f" → {_shown(out)}" if out else ""), highlight=False)
    if llm is not None:
        from .llm.summary import run_summary

        err.print(run_summary(llm_runs, llm.mode, llm.model), markup=False, soft_wrap=True)


def _endpoint_notice() -> EndpointNotice:
    from .llm.summary import EndpointNotice  # only for --llm

    return EndpointNotice()


class _Stopped(BaseException):  # not an Exception: a document's error handler must not catch it
    """The run was asked to stop (exit 130 for Ctrl-C, 143 for SIGTERM, as shells report them)."""

    def __init__(self, code: int):
        self.code = code


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """SIGTERM and Ctrl-C stop the run between two writes (the output is finished, not cut);
    the handlers before are restored after."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise _Stopped(128 + signum)

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


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


# The eval, label and show commands live in their own modules; they are listed after extract.
cli_eval.register(app)
cli_show.register(app)
cli_store.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
