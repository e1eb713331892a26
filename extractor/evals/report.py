"""The Markdown report of a run: summary, per-key scores, every error with values and context."""

from __future__ import annotations

from typing import Any

from .counts import CONTEXT_CHARS, DocScore, ErrorItem
from .gold import Json
from .run import EvalRun
from .summary import cell_totals


# --- Markdown report ---------------------------------------------------------------------------------
def _fmt(x: Any) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.3f}"
    return str(x)


def _ci(x: Any) -> str:
    return f"[{x[0]:.3f}, {x[1]:.3f}]" if isinstance(x, list) and len(x) == 2 else "—"


def _cell(x: Any) -> str:
    return _fmt(x).replace("|", "\\|")


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`" if text else "(no text)"


def _summary_lines(run: EvalRun) -> list[str]:
    s = run.summary
    m, f, t = s["mentions"], s["fields"], s["tables"]
    n_mention_docs = sum(1 for sc in run.scores if sc.scores_mentions)
    n_table_docs = sum(1 for sc in run.scores if sc.cells)
    cells = ", ".join(f"{k} {r}/{n}" for k, (r, n) in cell_totals(run.scores).items())
    return [
        "| | P | R | F1 | 95 % CI of F1 | counts |",
        "|---|---|---|---|---|---|",
        f"| mentions ({n_mention_docs} docs) | {_fmt(m['p'])} | {_fmt(m['r'])} | {_fmt(m['f1'])} | "
        f"{_ci(m.get('f1_ci'))} | tp {m['tp']}, fp {m['fp']}, fn {m['fn']} |",
        f"| fields ({s['docs']} docs) | {_fmt(f['p'])} | {_fmt(f['r'])} | {_fmt(f['f1'])} | {_ci(f.get('f1_ci'))} | "
        f"hits {f['hits']}, misses {f['misses']}, wrong {f['wrong']}, false positives {f['false_positives']} |",
        f"| table cells ({n_table_docs} docs) | | | accuracy {_fmt(t['cell_accuracy'])} | "
        f"{_ci(t.get('cell_accuracy_ci'))} | {cells or 'no gold tables'} |",
    ]


def _metadata_lines(s: Json) -> list[str]:
    meta = {k: c for k, c in (s.get("metadata") or {}).items() if c.get("docs")}
    if not meta:
        return []
    lines = ["| metadata | right where given | coverage | right over all | strict | counts |",
             "|---|---|---|---|---|---|"]
    for key, c in meta.items():
        lines.append(f"| `{key}` | {_fmt(c['rate'])} | {_fmt(c['coverage'])} | {_fmt(c['right_all'])} | "
                     f"{_fmt(c['rate_strict'])} | {c['right']} right of {c['given']} given, {c['docs']} labelled |")
    return lines + [""]


def _per_key_lines(s: Json) -> list[str]:
    lines = ["| key | P | R | F1 | hits | misses | wrong | false positives |", "|---|---|---|---|---|---|---|---|"]
    for key, c in s["fields"]["per_key"].items():
        lines.append(f"| `{key}` | {_fmt(c['p'])} | {_fmt(c['r'])} | {_fmt(c['f1'])} | {c['hits']} | "
                     f"{c['misses']} | {c['wrong']} | {c['false_positives']} |")
    return lines


def _error_lines(e: ErrorItem) -> list[str]:
    head = f"- **{e.area} {e.kind}**" + (f" `{e.key}`" if e.key else "")
    head += f": gold {_fmt(e.gold)}, predicted {_fmt(e.pred)}"
    lines = [head]
    lines += [f"  - gold: {_code(c)}" for c in e.gold_context]
    lines += [f"  - predicted: {_code(c)}" for c in e.pred_context]
    if e.note:
        lines.append(f"  - {e.note}")
    return lines


_AREA_ORDER = {"metadata": 0, "field": 1, "mention": 2, "table": 3}


def _doc_error_lines(score: DocScore) -> list[str]:
    errors = sorted(score.errors, key=lambda e: _AREA_ORDER[e.area])
    counts = {a: sum(1 for e in errors if e.area == a) for a in _AREA_ORDER}
    lines = [f"### {score.name}", "",
             ", ".join(f"{n} {a} error{'s' if n != 1 else ''}" for a, n in counts.items() if n), ""]
    lines += [f"- extractor: {msg}" for msg in score.extract_errors]
    prose = [line for e in errors if e.area != "table" for line in _error_lines(e)]
    lines += prose
    cells = [e for e in errors if e.area == "table"]
    if cells:
        lines += [""] * bool(prose or score.extract_errors) + ["| table cell | gold | predicted |", "|---|---|---|"]
        lines += [f"| `{e.key}` | {_cell(e.gold)} | {_cell(e.pred)} |" for e in cells]
    return lines + [""]


def _run_line(run: Json | None) -> str:
    if not run:
        return ""
    llm = run.get("llm") or {}
    return (f"Run: xxgk {run.get('version')}, commit {run.get('commit') or 'unknown'}, "
            f"LLM {llm.get('mode') or 'as in the results'} (model {llm.get('model') or '—'}, prompts {llm.get('prompts') or '—'}), "
            f"{run.get('timestamp')}; gold {', '.join(run.get('gold') or [])}"
            + (f"; predictions {run['pred']}" if run.get("pred") else ""))


def render_markdown(run: EvalRun, stamp: Json | None = None) -> str:
    """The report: summary, per-key scores, then every error with values and context, per document."""
    s = run.summary
    n_errors = sum(len(sc.errors) for sc in run.scores)
    lines = ["# Extraction eval", "", _run_line(stamp), "", "## Summary", "", *_summary_lines(run), "",
             *_metadata_lines(s),
             "## Fields per key", "", *_per_key_lines(s), "",
             f"## Errors ({n_errors})", "",
             "Each error shows the gold and predicted values and the text around the evidence "
             f"(±{CONTEXT_CHARS} characters, the span in 【】). A field's gold evidence is the gold "
             "mentions labelled with that key; where gold has no mentions (PDF/HTML), the first places the "
             "text writes the gold value are shown as \"(value seen)\".", ""]
    for score in run.scores:
        if score.errors or score.extract_errors:
            lines += _doc_error_lines(score)
    return "\n".join(lines).rstrip() + "\n"
