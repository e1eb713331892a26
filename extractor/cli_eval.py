"""The ``xxgk eval`` and ``xxgk label`` commands: parse options, call ``evaluate``/``label``, format."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from .cli_common import missing, no_such, plural, require_file, require_writable_parent
from .llm import LLMConfig, LLMConfigError

if TYPE_CHECKING:
    from rich.table import Table

    from . import evals as ev

# The eval harness, the labeller and rich's tables are imported by the commands that use them:
# registering ``eval`` and ``label`` must not slow down ``xxgk extract``'s start.
LLM_OFF = "off"  # evals.LLM_OFF, the --llm default

out = Console()
err = Console(stderr=True, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add ``eval`` and ``label`` to the ``xxgk`` app."""
    app.command("eval")(eval_cmd)
    app.command("label")(label_cmd)


# --- eval -------------------------------------------------------------------------------------
def eval_cmd(
    paths: Annotated[list[str] | None, typer.Argument(
        metavar="GOLD...", help="Gold files or directories of *.gold.json (with --compare: two --json results).")] = None,
    pred: Annotated[Path | None, typer.Option("--pred", metavar="RESULTS", help="Score these results (JSON Lines from xxgk extract) instead of running the extractor.")] = None,
    llm: Annotated[str, typer.Option("--llm", help="LLM fill while extracting: off (rules only), ambiguous or all, as in xxgk extract. A run in which every LLM request failed is scored and labelled rules only, and exits 1.")] = LLM_OFF,
    model: Annotated[str | None, typer.Option("--model", help="LLM model name (else $XXGK_LLM_MODEL).")] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="OpenAI-compatible endpoint (else $XXGK_LLM_BASE_URL, $OPENAI_BASE_URL); the key comes from $XXGK_LLM_API_KEY or $OPENAI_API_KEY.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object with every figure.")] = False,
    report: Annotated[Path | None, typer.Option("-o", "--out", metavar="REPORT.md", help="Write a Markdown report with every error and its context.")] = None,
    compare: Annotated[bool, typer.Option("--compare", help="Compare two --json results: xxgk eval --compare A.json B.json.")] = False,
    check: Annotated[bool, typer.Option("--check-gold", help="Only validate the gold files: xxgk eval --check-gold DIR.")] = False,
) -> None:
    """Score the extractor against hand-labelled gold files (docs/gold-format.md).

    Without --pred the extractor runs on each gold file's document.

    \b
    Examples:
      xxgk eval evals/dev --json > run.json
      xxgk eval evals/full -o errors.md
      xxgk eval evals/dev --pred results.jsonl
      xxgk eval evals/dev --llm ambiguous --model qwen2.5:7b --base-url http://localhost:11434/v1
      xxgk eval --compare before.json after.json
      xxgk eval --check-gold evals/
    """
    paths = paths or []
    if not paths:
        _fail("give gold files or directories (or two results with --compare)", 2)
    if missing(paths):
        _fail(no_such(missing(paths)), 2)
    if pred is not None:
        require_file(pred, "a JSON Lines file of results (xxgk extract -o results.jsonl)")
    if compare:
        _compare(paths, as_json)
    elif check:
        _check_gold(paths)
    else:
        _eval(paths, pred, _llm_config(llm, model, base_url, pred), as_json, report)


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def _llm_config(mode: str, model: str | None, base_url: str | None, pred: Path | None) -> LLMConfig | None:
    """The LLM set-up of an eval run (``None``: rules only); a bad one stops the run (exit 2)."""
    if mode == LLM_OFF:
        return None
    if pred is not None:
        err.print("note: --llm is ignored with --pred (the results are scored as given)")
        return None
    try:
        return LLMConfig.from_env(mode, model=model, base_url=base_url)
    except LLMConfigError as exc:
        _fail(f"--llm {mode}: {exc}", 2)
    raise AssertionError("unreachable")


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=1))


def _check_gold(paths: list[str]) -> None:
    from . import evals as ev

    files = ev.find_gold_files(paths)
    bad = 0
    for path in files:
        _, problems = ev.check_gold(path)
        bad += bool(problems)
        for msg in problems:
            err.print(f"{path}: {msg}", highlight=False, markup=False)
    err.print(f"{plural(len(files), 'gold file')}, {bad} with problems")
    if bad or not files:
        raise typer.Exit(1)


def _load_golds(paths: list[str]) -> list[ev.Gold]:
    from . import evals as ev

    try:
        golds = ev.load_gold_set(paths)
    except ev.GoldError as exc:
        for path, msg in exc.problems:
            err.print(f"[red]bad gold[/red] {path}: {msg}", highlight=False)
        raise typer.Exit(1) from None
    if not golds:
        _fail(f"no *.gold.json files in {' '.join(paths)}", 2)
    return golds


def _predictions(golds: list[ev.Gold], pred: Path | None, llm: LLMConfig | None) -> dict[str, dict[str, Any] | None]:
    """Each gold's prediction: from --pred (joined by the file name of doc), or by running the extractor."""
    from . import evals as ev
    from .llm.summary import EndpointNotice

    if pred is None:
        endpoint_down = EndpointNotice()
        preds: dict[str, dict[str, Any] | None] = {}
        for g in golds:
            preds[str(g.path)] = result = ev.extract_for_eval(g.doc_path, llm or ev.LLM_OFF)
            if llm is not None and (notice := endpoint_down(result)):
                err.print(notice, markup=False, highlight=False)
        return preds
    dupes = ev.duplicate_names(golds)
    if dupes:
        _fail(f"gold documents share a file name, so results cannot be joined to them: {', '.join(dupes)}", 2)
    try:
        results = ev.read_predictions(pred)  # type: ignore[arg-type]
    except (OSError, ValueError) as exc:
        _fail(str(exc), 2)
    names = {g.name for g in golds}
    stray = sorted(set(results) - names)
    if stray:
        err.print(f"note: {plural(len(stray), 'result')} with no gold file, not scored (e.g. {stray[0]})")
    return {str(g.path): results.get(g.name) for g in golds}


def _eval(paths: list[str], pred: Path | None, llm: LLMConfig | None, as_json: bool, report: Path | None) -> None:
    from . import evals as ev
    from .llm.summary import every_request_failed, run_summary, run_totals

    golds = _load_golds(paths)
    preds = _predictions(golds, pred, llm)
    run = ev.evaluate(golds, lambda g: preds[str(g.path)])
    # with --pred the LLM mode is that of the run that made the results: only what they name is known
    mode = None if pred else llm.mode if llm else ev.LLM_OFF
    stamp = ev.run_stamp(llm=mode, preds=preds.values(), gold=paths, pred_path=str(pred) if pred else None)
    all_failed = False
    if llm is not None:
        totals = run_totals(r for r in preds.values() if r)
        stamp["llm"]["totals"] = totals
        all_failed = every_request_failed(totals)
        if all_failed:  # the figures are those of the rules: say so where they are recorded
            stamp["llm"].update(mode=ev.LLM_OFF, requested=llm.mode,
                                note="every LLM request failed: these are rules-only scores")
    summary = {**run.summary, "run": stamp}
    if report is not None:
        report.write_text(ev.render_markdown(run, stamp), encoding="utf-8")
        err.print(f"report → {report}")
    if as_json:
        _print_json(summary)
    else:
        _print_summary(summary)
    if llm is not None:
        err.print(run_summary((r for r in preds.values() if r), llm.mode, llm.model), markup=False, highlight=False)
    if all_failed:
        _fail(f"every LLM request failed ({_first_llm_error(preds.values())}): the scores are rules only "
              "and the run is labelled llm mode 'off'", 1)


def _first_llm_error(results: Iterable[dict[str, Any] | None]) -> str:
    for r in results:
        for e in (r or {}).get("errors") or []:
            if e.get("stage") == "llm":
                return str(e.get("message"))
    return "no answer"


def _f(x: Any) -> str:
    if x is None:
        return "—"
    return f"{x:.3f}" if isinstance(x, float) else str(x)


def _ci(x: Any) -> str:
    return f"{x[0]:.3f}–{x[1]:.3f}" if isinstance(x, list) else "—"


def _print_summary(s: dict[str, Any]) -> None:
    from rich.table import Table

    m, f, t = s["mentions"], s["fields"], s["tables"]
    head = Table(title=plural(s["docs"], "document"), title_justify="left")
    for col in ("", "P", "R", "F1", "95% CI", "counts"):
        head.add_column(col, justify="left" if col in ("", "counts") else "right")
    head.add_row("mentions", _f(m["p"]), _f(m["r"]), _f(m["f1"]), _ci(m.get("f1_ci")),
                 f"tp {m['tp']}  fp {m['fp']}  fn {m['fn']}")
    head.add_row("fields", _f(f["p"]), _f(f["r"]), _f(f["f1"]), _ci(f.get("f1_ci")),
                 f"hit {f['hits']}  miss {f['misses']}  wrong {f['wrong']}  fp {f['false_positives']}")
    cells = "  ".join(f"{k} {_f(v)}" for k, v in t["per_table"].items())
    head.add_row("table cells", "", "", _f(t["cell_accuracy"]), _ci(t.get("cell_accuracy_ci")), cells)
    out.print(head)
    meta = s.get("metadata") or {}
    if any(v.get("docs") for v in meta.values()):
        table = Table(title="document metadata (exact match)", title_justify="left")
        for col in ("key", "right where given", "coverage", "right over all", "strict", "counts"):
            table.add_column(col, justify="left" if col in ("key", "counts") else "right")
        for key, c in meta.items():
            if c.get("docs"):
                table.add_row(key, _f(c["rate"]), _f(c["coverage"]), _f(c["right_all"]), _f(c["rate_strict"]),
                              f"{c['right']} right of {c['given']} given, {c['docs']} labelled")
        out.print(table)
    keys = Table(title="fields per key", title_justify="left")
    for col in ("key", "P", "R", "F1", "hit", "miss", "wrong", "fp"):
        keys.add_column(col, justify="left" if col == "key" else "right")
    for key, c in f["per_key"].items():
        keys.add_row(key, _f(c["p"]), _f(c["r"]), _f(c["f1"]), str(c["hits"]), str(c["misses"]),
                     str(c["wrong"]), str(c["false_positives"]))
    out.print(keys)


def _load_result(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        _fail(f"{path}: not a readable --json result: {exc}", 2)
    if not isinstance(data, dict) or "fields" not in data:
        _fail(f"{path}: not an xxgk eval --json result", 2)
    return data


def _compare(paths: list[str], as_json: bool) -> None:
    from . import evals as ev

    if len(paths) != 2:
        _fail("--compare takes two --json results: xxgk eval --compare A.json B.json", 2)
    diff = ev.compare_runs(_load_result(paths[0]), _load_result(paths[1]))
    if as_json:
        _print_json(diff)
        return
    for side, path in (("a", paths[0]), ("b", paths[1])):
        run = diff[side] or {}
        llm = run.get("llm") or {}
        out.print(f"{side.upper()}: {path} — xxgk {run.get('version')}, commit {run.get('commit')}, "
                  f"LLM {llm.get('mode') or 'as in the results'} {llm.get('model') or ''} {llm.get('prompts') or ''}, {run.get('timestamp')}",
                  highlight=False)
    for title, rows in (("metrics", diff["metrics"]), ("per key (F1)", diff["per_key"]),
                        ("per table (cell accuracy)", diff["per_table"])):
        out.print(_delta_table(title, rows))


def _delta_table(title: str, rows: dict[str, dict[str, Any]]) -> Table:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for col in ("", "A", "B", "Δ"):
        table.add_column(col, justify="left" if not col else "right")
    for name, r in rows.items():
        d = r["delta"]
        style = "green" if d and d > 0 else "red" if d and d < 0 else ""
        table.add_row(name, _f(r["a"]), _f(r["b"]), f"[{style}]{d:+.3f}[/{style}]" if style else _f(d))
    return table


# --- label ------------------------------------------------------------------------------------
def label_cmd(
    report: Annotated[Path, typer.Argument(help="A report file (.txt .md .html .pdf .docx).")],
    gold_out: Annotated[Path | None, typer.Option("-o", "--out", metavar="GOLD", help="Gold file to write (default: NAME.gold.json beside the report).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing gold file.")] = False,
    llm: Annotated[str, typer.Option("--llm", help="LLM fill while extracting: off, ambiguous or all, as in xxgk extract.")] = LLM_OFF,
    model: Annotated[str | None, typer.Option("--model", help="LLM model name (else $XXGK_LLM_MODEL).")] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="OpenAI-compatible endpoint (else $XXGK_LLM_BASE_URL, $OPENAI_BASE_URL).")] = None,
) -> None:
    """Pre-annotate a report in the gold format for a person to correct.

    Example: xxgk label reports/r001.txt -o reports/r001.gold.json
    """
    from . import evals as ev
    from .label import gold_path_for, pre_annotate

    require_file(report)
    require_writable_parent(gold_out)
    target = gold_out or gold_path_for(report)
    if target.exists() and not force:
        _fail(f"{target} exists (it may hold corrections): use --force to overwrite", 1)
    gold, notes = pre_annotate(report, llm=_llm_config(llm, model, base_url, None) or ev.LLM_OFF)
    target.write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for note in notes:
        err.print(f"note: {note}", highlight=False)
    mentions = plural(len(gold["mentions"]), "mention") if gold["mentions"] is not None else "no mentions"
    err.print(f"{target}: {mentions}, {plural(len(gold['fields']), 'field')}, tables {'yes' if gold['tables'] else 'no'}",
              highlight=False)
    if target.resolve().parent != report.resolve().parent:
        err.print(f"note: put {report.name} beside {target.name} (gold files name their text by file name)")
        return
    _, problems = ev.check_gold(target)
    for msg in problems:
        err.print(f"[yellow]warning[/yellow] {target}: {msg}", highlight=False)
