"""Self-contained HTML review of one result: the text with every mention highlighted, the fields
with their evidence, tables 二、三、四 and the checks (``xxgk show``, notebook 01).

One function, ``render_html``; no external assets (inline CSS, no JavaScript). Mentions are
``<mark class="mention">`` elements whose text is exactly ``text[start:end]`` (line breaks kept
by ``white-space: pre-wrap``); value, unit, qualifier, field and source are in the ``title``
(hover) and in the numbered mentions table below the text.

spaCy's displaCy span renderer was tried and not used: it joins tokens with spaces (which
breaks Chinese text), drops line breaks and cuts each mention into one element per token.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .models import Mention, Report, TableRow, Tables
from .schema import TEMPLATE

PARTS = ("checks", "fields", "text", "tables")  # the page order: what failed, what was found, where

# --- labels as data ---------------------------------------------------------------------------
# Colours by field family (the part of the key before the dot); mentions without a field are grey.
FAMILY_COLOURS: dict[str, str] = {
    "proactive": "#ffe08a",
    "documents": "#c9b6f2",
    "platform": "#a8e6cf",
    "requests": "#9fd3f7",
    "review": "#f7b7a3",
    "litigation": "#f4a3c0",
    "training": "#d4e79e",
    "consultations": "#b8d8d0",
    "fees": "#f2c894",
}
NO_FIELD_COLOUR = "#e3e3e3"
OTHER_COLOUR = "#d0d0f0"

# The tables' headings and printed labels are the schema's (shown beside the keys).
TABLE_TITLES: dict[str, str] = TEMPLATE.titles
SCALAR_COLUMN = "value"
CHECK_CLASS = {"passed": "ok", "failed": "failed", "not stated": "open"}
CHECK_BADGE = {"passed": "✓ passed", "failed": "✗ FAILED", "not stated": "? not stated"}

CSS = """
.xxgk-review{font-family:"Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei","PingFang SC",
 "Microsoft YaHei",system-ui,sans-serif;color:#222;line-height:1.6;max-width:1200px;margin:0 auto;padding:0 16px}
.xxgk-review h1{font-size:1.45em;margin:.6em 0 .2em}
.xxgk-review h2{font-size:1.2em;border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
.xxgk-review h3{font-size:1.02em;margin:1.1em 0 .4em}
.xxgk-review .meta{color:#555;font-size:.92em}
.xxgk-review nav a{margin-right:1em}
.xxgk-review .summary span{display:inline-block;margin:.2em .6em .2em 0;padding:.1em .6em;border-radius:10px;
 background:#eef;font-size:.9em}
.xxgk-review .summary .bad{background:#fdd;color:#900;font-weight:bold}
.xxgk-review .summary .good{background:#dfd;color:#060}
.xxgk-review .doc-text{white-space:pre-wrap;overflow-wrap:anywhere;tab-size:4;background:#fcfcfa;border:1px solid #e4e4de;
 padding:12px 16px;line-height:2;font-size:15px;max-height:none}
.xxgk-review mark.mention{-webkit-box-decoration-break:clone;box-decoration-break:clone;padding:1px 2px;border-radius:3px;border-bottom:2px solid rgba(0,0,0,.35);color:inherit}
.xxgk-review mark.mention::after{content:attr(data-n);font-size:.62em;vertical-align:super;color:#555;
 margin-left:1px;font-weight:bold}
.xxgk-review mark.mention.has-field{border-bottom-color:#333}
.xxgk-review mark.mention.misaligned{outline:2px dashed #c00}
.xxgk-review mark.mention:target,.xxgk-review .evidence:target{outline:3px solid #e67e00}
.xxgk-review .evidence{border-bottom:2px dotted #b35c00;background:#fff2e0}
.xxgk-review .legend span.swatch{display:inline-block;margin:0 .8em .3em 0;padding:0 .4em;border-radius:3px;
 font-size:.88em}
.xxgk-review table{border-collapse:collapse;margin:.3em 0 .8em;font-size:.88em}
.xxgk-review th,.xxgk-review td{border:1px solid #d8d8d8;padding:2px 7px;vertical-align:top}
.xxgk-review th{background:#f3f3f3;font-weight:600;text-align:left}
.xxgk-review td.num{text-align:right;font-variant-numeric:tabular-nums}
.xxgk-review td.null{color:#aaa;text-align:center;background:#fafafa}
.xxgk-review td.noted{background:#fff7d6}
.xxgk-review th.row{white-space:nowrap;font-weight:normal}
.xxgk-review th small,.xxgk-review td small{color:#777;font-weight:normal}
.xxgk-review .mentions-table td:first-child a{font-weight:bold}
.xxgk-review td.nw{white-space:nowrap}
.xxgk-review ul.checks{list-style:none;padding:0}
.xxgk-review ul.checks li{margin:.3em 0;padding:.35em .6em;border-radius:4px;border-left:5px solid}
.xxgk-review li.check.ok{background:#effaef;border-color:#3a3}
.xxgk-review li.check.failed{background:#ffe9e9;border-color:#d00}
.xxgk-review li.check.open{background:#f4f4f4;border-color:#999}
.xxgk-review li.check .badge{display:inline-block;min-width:5.5em;font-weight:bold}
.xxgk-review li.check.ok .badge{color:#270}
.xxgk-review li.check.failed .badge{color:#c00}
.xxgk-review li.check.open .badge{color:#555}
.xxgk-review li.check .detail{display:block;color:#444;font-size:.9em;word-break:break-all}
.xxgk-review .errors li{color:#900}
.xxgk-review .none{color:#888;font-style:italic}
"""


# --- public API -------------------------------------------------------------------------------
def render_html(
    report: Report,
    text: str | None = None,
    *,
    parts: Sequence[str] = PARTS,
    page: bool = True,
    title: str | None = None,
) -> str:
    """The review of one result as HTML.

    ``text`` is the document text the offsets index (default ``report.text``, which
    ``extract_file(path, with_text=True)`` fills). ``parts`` picks sections among
    ``"text"`` (highlighted text and mentions table), ``"fields"``, ``"tables"`` and
    ``"checks"`` (with errors). ``page=False`` gives a fragment for a notebook
    (``IPython.display.HTML``), ``page=True`` a complete, self-contained HTML document.
    """
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise ValueError(f"unknown parts {sorted(unknown)}; choose from {PARTS}")
    text = report.text if text is None else text
    layout = _Layout(report)
    body: list[str] = []
    if page:
        body.append(_header(report, parts))
    for part in parts:
        if part == "text":
            body.append(_text_section(report, text, layout))
        elif part == "fields":
            body.append(_fields_section(report, layout))
        elif part == "tables":
            body.append(_tables_section(report.tables))
        elif part == "checks":
            body.append(_checks_section(report))
    fragment = f'<div class="xxgk-review">\n<style>{CSS}</style>\n' + "\n".join(body) + "\n</div>"
    if not page:
        return fragment
    title = title or " · ".join(str(x) for x in (report.body, report.year, report.doc) if x) or "report"
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{_e(title)}</title>\n</head>\n<body>\n{fragment}\n</body>\n</html>\n"
    )


# --- helpers ----------------------------------------------------------------------------------
def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def _num(x: Any) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return f"{x:g}" if isinstance(x, float) else str(x)


def colour_of(field_key: str | None) -> str:
    if not field_key:
        return NO_FIELD_COLOUR
    return FAMILY_COLOURS.get(field_key.split(".", 1)[0], OTHER_COLOUR)


@dataclass
class _Node:
    """A span to wrap in the text: its open tag, and the spans nested inside it."""

    start: int
    end: int
    open: str
    close: str
    children: list[_Node] = field(default_factory=list)


class _Layout:
    """Ids of mentions and of evidence spans that are not mentions, shared by all sections."""

    def __init__(self, report: Report):
        by_span = {(m.start, m.end): f"m{i}" for i, m in enumerate(report.mentions, 1)}
        # evidence spans: the mention with the same span, else an id of their own (e1, e2, …)
        self.evidence_id: dict[tuple[int, int], str] = {}
        self.evidence_fields: dict[tuple[int, int], list[str]] = {}
        for key, fv in report.fields.items():
            for span in fv.evidence:
                k = (span.start, span.end)
                self.evidence_fields.setdefault(k, []).append(key)
                if k not in self.evidence_id:
                    self.evidence_id[k] = by_span.get(k) or f"e{sum(v.startswith('e') for v in self.evidence_id.values()) + 1}"


def _mention_title(n: int, m: Mention, aligned: bool) -> str:
    lines = [
        f"#{n} {m.text}",
        f"value {_num(m.value)} · unit {m.unit or '—'} · qualifier {m.qualifier}",
        f"field {m.field or '— (none)'}",
        f"subject {m.subject or '—'}",
        f"section {m.section or '—'}",
        f"source {m.source}",
        f"chars {m.start}–{m.end}",
    ]
    if not aligned:
        lines.append("WARNING: the text at these offsets is not the mention text")
    return "\n".join(lines)


def _nest(nodes: Iterable[_Node]) -> list[_Node]:
    """Spans as a forest: a span inside another becomes its child; a span crossing the end of
    an open one is cut to start where that one ends (it cannot be drawn as one element)."""
    roots: list[_Node] = []
    stack: list[_Node] = []
    for node in sorted(nodes, key=lambda n: (n.start, -n.end)):
        while stack and stack[-1].end <= node.start:
            stack.pop()
        while stack and node.end > stack[-1].end:
            node.start = stack.pop().end
            node.open = node.open.replace("<mark ", '<mark data-cut="1" ', 1)
        if node.start >= node.end:
            continue
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return roots


def _emit(text: str, nodes: list[_Node], lo: int, hi: int) -> str:
    out, pos = [], lo
    for n in nodes:
        out += [_e(text[pos:n.start]), n.open, _emit(text, n.children, n.start, n.end), n.close]
        pos = n.end
    out.append(_e(text[pos:hi]))
    return "".join(out)


def highlight(text: str, report: Report, layout: _Layout | None = None) -> str:
    """The text as HTML with every mention (and every evidence span that is not a mention) wrapped."""
    layout = layout or _Layout(report)
    nodes: list[_Node] = []
    for n, m in enumerate(report.mentions, 1):
        start, end = max(0, min(m.start, len(text))), max(0, min(m.end, len(text)))
        aligned = text[m.start:m.end] == m.text
        classes = ["mention"] + (["has-field"] if m.field else []) + ([] if aligned else ["misaligned"])
        attrs = (
            f'id="m{n}" class="{" ".join(classes)}" data-n="{n}" data-start="{m.start}" data-end="{m.end}" '
            f'data-value="{_e(_num(m.value))}" data-unit="{_e(m.unit or "")}" data-qualifier="{_e(m.qualifier)}" '
            f'data-field="{_e(m.field or "")}" data-source="{_e(m.source)}" '
            f'style="background:{colour_of(m.field)}" title="{_e(_mention_title(n, m, aligned))}"'
        )
        nodes.append(_Node(start, end, f"<mark {attrs}>", "</mark>"))
    for (start, end), ident in layout.evidence_id.items():
        if ident.startswith("e") and 0 <= start < end <= len(text):
            keys = ", ".join(layout.evidence_fields[(start, end)])
            tip = f"evidence of {keys} (not a numeral mention)\nchars {start}–{end}"
            nodes.append(_Node(start, end, f'<span id="{ident}" class="evidence" title="{_e(tip)}">', "</span>"))
    return _emit(text, _nest(nodes), 0, len(text))


# --- sections ---------------------------------------------------------------------------------
def _header(report: Report, parts: Sequence[str]) -> str:
    failed = [c for c in report.checks if c.ok is False]
    fmt = report.tables.format if report.tables is not None else None
    badges = [
        f"<span>{len(report.mentions)} mentions</span>",
        f"<span>{len(report.fields)} fields</span>",
        f"<span>tables: {_e(fmt) if fmt else 'none'}</span>",
        f'<span class="{"bad" if failed else "good" if report.checks else ""}">'
        f"{len(report.checks)} checks, {len(failed)} failed</span>",
    ]
    if report.errors:
        badges.append(f'<span class="bad">{len(report.errors)} errors</span>')
    nav = " ".join(f'<a href="#{p}">{p}</a>' for p in parts)
    return (
        f"<header><h1>{_e(report.body or 'unknown body')} · {_e(report.year or 'year unknown')}</h1>\n"
        f'<div class="meta">document <code>{_e(report.doc)}</code></div>\n'
        f'<div class="summary">{"".join(badges)}</div>\n<nav>{nav}</nav></header>'
    )


def _legend(report: Report, layout: _Layout) -> str:
    families: dict[str, int] = {}
    for m in report.mentions:
        fam = m.field.split(".", 1)[0] if m.field else ""
        families[fam] = families.get(fam, 0) + 1
    swatches = [
        f'<span class="swatch" style="background:{colour_of(fam + ".x" if fam else None)}">'
        f"{_e(fam or 'no field')} ({count})</span>"
        for fam, count in sorted(families.items(), key=lambda kv: (kv[0] == "", kv[0]))
    ]
    if any(ident.startswith("e") for ident in layout.evidence_id.values()):
        swatches.append('<span class="swatch evidence">evidence of a field that is not a numeral (e.g. 未收取)</span>')
    return f'<div class="legend">{"".join(swatches)}</div>'


def _text_section(report: Report, text: str | None, layout: _Layout) -> str:
    out = ['<section id="text"><h2>Text with mentions highlighted</h2>']
    if text is None:
        out.append('<p class="none">No document text: use extract_file(path, with_text=True) '
                   "or pass the text the offsets index.</p>")
    else:
        out.append('<p class="meta">Hover a highlighted figure for its value, unit, qualifier, field and '
                   "source; the small number refers to the mentions table below.</p>")
        out.append(_legend(report, layout))
        out.append(f'<div class="doc-text">{highlight(text, report, layout)}</div>')
    out.append(_mentions_table(report))
    out.append("</section>")
    return "\n".join(out)


def _mentions_table(report: Report) -> str:
    if not report.mentions:
        return '<h3>Mentions</h3><p class="none">No mentions.</p>'
    head = "".join(f"<th>{h}</th>" for h in
                   ("#", "text", "value", "unit", "qualifier", "field", "subject", "section", "source", "chars"))
    rows = []
    for n, m in enumerate(report.mentions, 1):
        rows.append(
            f'<tr><td><a href="#m{n}">{n}</a></td><td class="nw" style="background:{colour_of(m.field)}">'
            f'{_e(m.text)}</td><td class="num">{_e(_num(m.value))}</td><td>{_e(m.unit or "")}</td>'
            f"<td>{_e(m.qualifier)}</td><td>{_e(m.field or '')}</td><td>{_e(m.subject or '')}</td>"
            f"<td>{_e(m.section or '')}</td><td class=\"nw\"><code>{_e(m.source)}</code></td>"
            f'<td class="nw">{m.start}–{m.end}</td></tr>'
        )
    return (f'<h3>Mentions ({len(report.mentions)})</h3>\n<table class="mentions-table">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _fields_section(report: Report, layout: _Layout) -> str:
    out = ['<section id="fields"><h2>Fields</h2>']
    if not report.fields:
        out.append('<p class="none">No field was filled.</p></section>')
        return "\n".join(out)
    rows = []
    for key, fv in sorted(report.fields.items()):
        ev = " + ".join(
            f'<a href="#{layout.evidence_id.get((s.start, s.end), "")}">{_e(s.text)}</a> '
            f"<small>{s.start}–{s.end}</small>"
            for s in fv.evidence
        ) or '<span class="none">none</span>'
        rows.append(
            f'<tr><td style="background:{colour_of(key)}"><code>{_e(key)}</code></td>'
            f'<td class="num">{_e(_num(fv.value))}</td><td>{_e(fv.qualifier)}</td><td>{ev}</td>'
            f"<td><code>{_e(fv.source)}</code></td></tr>"
        )
    out.append('<table class="fields-table"><thead><tr><th>field</th><th>value</th><th>qualifier</th>'
               f"<th>evidence</th><th>source</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")
    out.append("</section>")
    return "\n".join(out)


def _cell(value: Any, note: str | None) -> str:
    tip = f' title="{_e("printed as: " + note)}"' if note else ""
    noted = " noted" if note else ""
    if value is None:
        shown = "—" if not note else _e(note)
        return f'<td class="null{noted}"{tip}>{shown}</td>'
    return f'<td class="num{noted}"{tip}>{_e(_num(value))}</td>'


def _row_label(table: str, key: str) -> str:
    label = TEMPLATE.printed_label(table, key)
    return f'<th class="row">{_e(label)} <small><code>{_e(key)}</code></small></th>'


def table_groups(rows: dict[str, TableRow]) -> list[tuple[list[str], list[TableRow]]]:
    """Consecutive rows with the same columns form one HTML table; a one-value row has one column."""
    groups: list[tuple[list[str], list[TableRow]]] = []
    for row in rows.values():
        cols = row.columns or [SCALAR_COLUMN]
        if groups and groups[-1][0] == cols:
            groups[-1][1].append(row)
        else:
            groups.append((cols, [row]))
    return groups


def _one_table(name: str, rows: dict[str, TableRow]) -> str:
    title = f"<h3>{_e(TABLE_TITLES.get(name, name))} <small><code>tables.{_e(name)}</code></small></h3>"
    if not rows:
        return title + '<p class="none">Not found in this document.</p>'
    html_tables = []
    for cols, group in table_groups(rows):
        head = "<th></th>" + "".join(
            f"<th>{_e(TEMPLATE.printed.get(c, '') if c != SCALAR_COLUMN else '数量')}<br><small><code>{_e(c)}</code></small></th>"
            for c in cols)
        body = []
        for row in group:
            cells = [row.cell(None if c == SCALAR_COLUMN else c) for c in cols]
            tds = "".join(_cell(None, None) if cell is None else _cell(cell.value, cell.text) for cell in cells)
            body.append(f"<tr>{_row_label(name, row.key)}{tds}</tr>")
        html_tables.append(f'<table class="report-table" data-table="{_e(name)}">'
                           f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
    return title + "\n".join(html_tables)


def _tables_section(tables: Tables | None) -> str:
    out = ['<section id="tables"><h2>Tables</h2>']
    if tables is None:
        out.append('<p class="none">No national-format tables found in this document.</p></section>')
        return "\n".join(out)
    meta: list[tuple[str, Any]] = [("format", tables.format), ("read_by", tables.read_by.value)]
    meta += [(k, v) for k, v in (("read_by_arithmetic", tables.read_by_arithmetic), ("unread", tables.unread)) if v]
    out.append('<p class="meta">' + " · ".join(f"{_e(k)}: <code>{_e(v)}</code>" for k, v in meta)
               + " · blank cells (—) were not read; cells printed as something other than a number are"
               " shaded, their printed text on hover</p>")
    for name in TABLE_TITLES:
        out.append(_one_table(name, tables.table(name)))
    out.append("</section>")
    return "\n".join(out)


def _checks_section(report: Report) -> str:
    failed = sum(c.ok is False for c in report.checks)
    open_ = sum(c.ok is None for c in report.checks)
    counts = f"{len(report.checks)} run, {failed} failed" + (f", {open_} not stated" if open_ else "")
    out = [f'<section id="checks"><h2>Checks <small>({counts})</small></h2>']
    if not report.checks:
        out.append('<p class="none">No check could be run (no tables, or the figures they need are missing).</p>')
    else:
        items = [
            f'<li class="check {CHECK_CLASS[c.status]}" data-check="{_e(c.name)}" data-ok="{json.dumps(c.ok)}">'
            f'<span class="badge">{CHECK_BADGE[c.status]}</span> <code>{_e(c.name)}</code>'
            f'<span class="detail">{_e(c.detail)}</span></li>'
            # failures first, then those not stated, order kept otherwise
            for c in sorted(report.checks, key=lambda c: (c.ok is not False, c.ok is not None))
        ]
        out.append(f'<ul class="checks">{"".join(items)}</ul>')
    if report.errors:
        errs = "".join(f"<li>[{_e(e.stage)}] {_e(e.message)}</li>" for e in report.errors)
        out.append(f'<h3>Errors</h3><ul class="errors">{errs}</ul>')
    out.append("</section>")
    return "\n".join(out)
