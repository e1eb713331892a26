"""Figures the prose states for cells of the tables: 本年度制发行政规范性文件62件 is table 二's
本年制发件数 of 行政规范性文件, 收到申请218件 is table 三's 一、本年新收 总计.

Which narrative field states which cells is the schema's (``schema/tables.toml`` ``[narrative]``,
the same map the checks ``narrative.*`` compare by). Only a field read ``exact`` states a figure.
The table reader uses these statements to choose among the splits of a run of digits
(``table_runs``); the prose never supplies a figure the table does not print.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .schema import TEMPLATE, RowSpec
from .table_runs import Number, Statement


def prose_figures(fields: Mapping[str, Any]) -> dict[str, Number]:
    """Narrative field → its figure, for the fields that state table cells and are read ``exact``."""
    names = {*TEMPLATE.narrative_documents, *TEMPLATE.narrative_requests, *TEMPLATE.narrative_review}
    out: dict[str, Number] = {}
    for name in sorted(names):
        f = fields.get(name)
        if f is None:
            continue
        value, qualifier = (f.get("value"), f.get("qualifier")) if isinstance(f, Mapping) else (f.value, f.qualifier)
        if qualifier == "exact" and isinstance(value, int | float) and not isinstance(value, bool):
            out[name] = value
    return out


def statements(figures: Mapping[str, Number], table: str, specs: Sequence[RowSpec]) -> list[Statement]:
    """The figures as sums over the cell keys of ``table`` (rows as ``specs`` give them)."""
    keys = {spec.key: spec for spec in specs}
    out: list[Statement] = []
    for name, value in figures.items():
        cells: list[str] = []
        if table == "active" and name in TEMPLATE.narrative_documents:
            row, column = TEMPLATE.narrative_documents_row, TEMPLATE.narrative_documents[name]
            if row in keys and column in keys[row].columns:  # 2019's 新制作/新公开/总数 are other counts
                cells = [f"active.{row}.{column}"]
        elif table == "requests" and name in TEMPLATE.narrative_requests:
            total = TEMPLATE.request_total_column
            cells = [f"requests.{k}.{total}" for k in keys
                     if any(k == p or (p.endswith(".") and k.startswith(p)) for p in TEMPLATE.narrative_requests[name])]
        elif table == "review_litigation" and name in TEMPLATE.narrative_review:
            total = TEMPLATE.review_total_column
            cells = [f"review_litigation.{b}.{total}" for b in TEMPLATE.narrative_review[name]]
        if cells:
            out.append(Statement(tuple(cells), value, name))
    return out
