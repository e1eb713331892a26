"""Write the README's generated blocks: the current scores and the command help.

    python evals/readme_numbers.py          # rewrite the blocks in README.md
    python evals/readme_numbers.py --check  # exit 1 (and name the blocks) when README.md is stale

A block sits between ``<!-- generated: NAME -->`` and ``<!-- end: NAME -->``; everything between
the markers is this script's output, so figures are never typed by hand. ``BLOCKS`` maps a name
to the function that writes it; a new block (the benchmark's, say) is one more entry and one
pair of markers. ``tests/test_readme_numbers.py`` fails when a block differs from what this
script writes now.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BENCHMARK = ROOT / "benchmarks" / "latest.json"  # written by ``benchmarks/bench_extract.py --save``

# The suites of the scores block: label, gold folders (relative to the repository), what they are.
SUITES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("`evals/dev`", ("evals/dev",), "excerpts"),
    ("`evals/dev2`", ("evals/dev2",), "excerpts, 4 in traditional script"),
    ("`evals/full` + `evals/seed`", ("evals/full", "evals/seed"), "complete reports: PDF, HTML, Markdown, text"),
)
# The commands whose help the help block shows, in the order ``xxgk --help`` lists them.
COMMANDS: tuple[tuple[str, ...], ...] = ((), ("extract",), ("eval",), ("label",), ("show",), ("load",))
# The store block: questions asked in SQL of the DuckDB store of the complete reports.
STORE_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("Requests received, by level of government and year",
     "SELECT admin_level, year, count(*) AS reports, sum(received) AS received\n"
     "FROM body_year GROUP BY ALL ORDER BY admin_level NULLS LAST, year"),
    ("Bodies whose received requests changed most from one year to the next",
     "SELECT body, year_before, year_after, received_before, received_after, received_change\n"
     "FROM year_on_year ORDER BY abs(received_change) DESC NULLS LAST, body LIMIT 10"),
    ("Cross-year pairs, mismatches (ok = false) and undecidable pairs (ok null) first",
     "SELECT body, year_before, year_after, carried_forward, carried_over, ok\n"
     "FROM cross_year ORDER BY ok NULLS FIRST, body, year_before"),
)
# The same questions in the README's Chinese half (one title per question, in order).
STORE_QUESTIONS_ZH: tuple[str, ...] = (
    "按行政层级与年度统计收到的申请数",
    "相邻两年收到申请数变化最大的机关",
    "跨年结转核对：不一致（ok = false）与无法判断（ok 为空）的排在前面",
)
HELP_WIDTH = 100  # help is wrapped at a fixed width so the block does not depend on the terminal

_BLOCK = re.compile(r"(<!-- generated: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- end: (?P=name) -->)", re.DOTALL)


def _fmt(x: Any) -> str:
    return "—" if x is None else f"{x:.3f}"


def _meta(summary: dict[str, Any], key: str) -> str:
    m = (summary.get("metadata") or {}).get(key) or {}
    return "—" if not m.get("docs") else f"{_fmt(m.get('rate'))} / {_fmt(m.get('coverage'))}"


@functools.cache
def suite_run(folders: tuple[str, ...]) -> Any:
    """``xxgk eval FOLDERS`` (rules only, without the bootstrap intervals), in process: an ``EvalRun``."""
    from extractor import evals as ev

    golds = ev.load_gold_set([ROOT / f for f in folders])
    return ev.evaluate(golds, lambda g: ev.extract_for_eval(g.doc_path), ci=False)


def suite_summary(folders: tuple[str, ...]) -> dict[str, Any]:
    return suite_run(folders).summary


def scores_block() -> str:
    lines = ["| suite | docs | mentions F1 | fields F1 | table cells | body | year | admin_level |",
             "|---|---|---|---|---|---|---|---|"]
    for label, folders, what in SUITES:
        s = suite_summary(folders)
        lines.append(f"| {label} ({what}) | {s['docs']} | {_fmt(s['mentions']['f1'])} | {_fmt(s['fields']['f1'])} | "
                     f"{_fmt(s['tables']['cell_accuracy'])} | {_meta(s, 'body')} | {_meta(s, 'year')} | "
                     f"{_meta(s, 'admin_level')} |")
    return "\n".join(lines) + "\n"


def table_cells_block() -> str:
    """How the complete reports' table cells come out: right, read wrong, not read."""
    label, folders, _ = SUITES[-1]
    run = suite_run(folders)
    errors = [e for s in run.scores for e in s.errors if e.area == "table"]
    total = sum(n for s in run.scores for _, n in s.cells.values())
    wrong = sum(e.kind == "wrong" for e in errors)
    unread = sum(e.kind == "miss" for e in errors)
    docs = sum(1 for s in run.scores if s.cells)
    return (f"Table cells over the {docs} complete reports with gold tables ({label}): {total - len(errors)} of "
            f"{total} right, {wrong} read wrong, {unread} not read ({100 * unread / total:.1f} %).\n")


def command_help(args: tuple[str, ...]) -> str:
    """What ``xxgk ARGS --help`` prints, wrapped at ``HELP_WIDTH``."""
    import typer.main
    from click.testing import CliRunner

    from extractor.cli import app

    command = typer.main.get_command(app)
    result = CliRunner().invoke(command, [*args, "--help"], prog_name="xxgk",
                                terminal_width=HELP_WIDTH, catch_exceptions=False)
    return "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())


def help_block() -> str:
    parts = []
    for args in COMMANDS:
        name = " ".join(("xxgk", *args, "--help"))
        parts += [f"<details><summary><code>{name}</code></summary>", "", "```text", command_help(args), "```", "",
                  "</details>", ""]
    return "\n".join(parts)


BENCHMARK_KINDS = {"excerpts": "excerpts (`evals/dev`, `evals/dev2`)", "texts": "complete reports, text (.txt/.md)",
                   "html": "complete reports, HTML", "pdf": "complete reports, PDF"}


def benchmark_block() -> str:
    """The figures of the last saved benchmark run (timings are not re-run: the block shows the file)."""
    b = json.loads(BENCHMARK.read_text(encoding="utf-8"))
    stages = list(next(iter(b["kinds"].values()))["stage_shares"]) if b["kinds"] else []
    lines = ["| kind | docs | docs/s | MB/s | × `jieba.lcut` | " + " | ".join(stages) + " |",
             "|---|---|---|---|---|" + "---|" * len(stages)]
    for kind, r in b["kinds"].items():
        shares = " | ".join(f"{100 * r['stage_shares'][s]:.0f} %" for s in stages)
        lines.append(f"| {BENCHMARK_KINDS.get(kind, kind)} | {r['docs']} | {r['docs_per_s']:.1f} | "
                     f"{r['mb_per_s']:.2f} | {r['ratio_to_jieba_lcut']:.2f} | {shares} |")
    m = b["machine"]
    lines += ["", f"CPU time, {m['cpus']} CPUs, Python {m['python']}, median of {b['repeat']} passes per kind "
              f"(PDF: half as many); stage shares from one more pass with the stage functions timed."]
    if b.get("cold_start_s") is not None:
        lines.append(f"Cold start (`xxgk extract examples/longting-2024.txt`, fresh process, wall, median of 3): "
                     f"{b['cold_start_s']:.2f} s.")
    if b.get("seed_pdf_vs_text"):
        s = b["seed_pdf_vs_text"]
        lines.append(f"The seed report typeset as a PDF (in a font the PDF embeds) takes {s['ratio']:.1f}× the time of the same report as text "
                     f"({1000 * s['pdf_s']:.0f} ms against {1000 * s['text_s']:.0f} ms).")
    for suffix, peaks in (b.get("rss_mib") or {}).items():
        sizes = list(peaks)
        lines.append(f"Peak RSS of `xxgk extract` to `{suffix}`: "
                     + ", ".join(f"{int(n):,} excerpts {peaks[n]:.0f} MiB" for n in sizes)
                     + (f" ({peaks[sizes[-1]] / peaks[sizes[0]]:.2f}×)." if len(sizes) > 1 else "."))
    return "\n".join(lines) + "\n"


def _sql_value(v: Any) -> str:
    """A value as SQL prints it: NULL, true/false."""
    return "NULL" if v is None else str(v).lower() if isinstance(v, bool) else str(v)


@functools.cache
def store_answers() -> tuple[tuple[list[str], list[tuple[Any, ...]]], ...]:
    """``xxgk extract evals/full evals/seed -o results.duckdb``, then each question's column names and rows."""
    import tempfile

    import duckdb
    from typer.testing import CliRunner

    from extractor.cli import app

    label, folders, _ = SUITES[-1]
    answers = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "results.duckdb"
        result = CliRunner().invoke(app, ["extract", *(str(ROOT / f) for f in folders), "-o", str(db)])
        if result.exit_code != 0:
            raise RuntimeError(result.output)
        with duckdb.connect(str(db), read_only=True) as con:
            for _, sql in STORE_QUESTIONS:
                cursor = con.execute(sql)
                answers.append(([d[0] for d in cursor.description], cursor.fetchall()))
    return tuple(answers)


def _store_block(titles: tuple[str, ...]) -> str:
    parts = []
    for title, (_, sql), (names, rows) in zip(titles, STORE_QUESTIONS, store_answers(), strict=True):
        parts += [f"**{title}**", "", "```sql", sql + ";", "```", "",
                  "| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
        parts += ["| " + " | ".join(_sql_value(v) for v in row) + " |" for row in rows]
        parts.append("")
    return "\n".join(parts)


def store_block() -> str:
    """Each question of the store, its SQL and its answer on the complete reports."""
    return _store_block(tuple(question for question, _ in STORE_QUESTIONS))


def store_block_zh() -> str:
    """The same questions and answers for the README's Chinese half."""
    return _store_block(STORE_QUESTIONS_ZH)


BLOCKS: dict[str, Callable[[], str]] = {
    "scores": scores_block, "table-cells": table_cells_block, "command-help": help_block,
    "benchmark": benchmark_block,
    "store-queries": store_block,
    "store-queries-zh": store_block_zh,
}


def render(readme: str, names: set[str] | None = None) -> str:
    """``readme`` with every block (or those in ``names``) rewritten."""
    def repl(m: re.Match[str]) -> str:
        name = m.group("name")
        if name not in BLOCKS or (names is not None and name not in names):
            return m.group(0)
        return m.group(1) + BLOCKS[name]() + m.group(4)

    return _BLOCK.sub(repl, readme)


def block_bodies(readme: str) -> dict[str, str]:
    return {m.group("name"): m.group("body") for m in _BLOCK.finditer(readme)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale blocks (exit 1 if any)")
    parser.add_argument("--block", action="append", choices=sorted(BLOCKS), help="only this block (repeatable)")
    opts = parser.parse_args(argv)
    text = README.read_text(encoding="utf-8")
    new = render(text, set(opts.block) if opts.block else None)
    if opts.check:
        old, now = block_bodies(text), block_bodies(new)
        stale = sorted(n for n in now if old.get(n) != now[n])
        for name in stale:
            print(f"README.md: block {name!r} is stale; run python evals/readme_numbers.py", file=sys.stderr)
        return 1 if stale else 0
    if new != text:
        README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
