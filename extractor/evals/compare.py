"""Comparing two ``--json`` runs: per-metric, per-key and per-table deltas."""

from __future__ import annotations

from typing import Any

from .gold import Json, is_number
from .summary import rounded

# --- comparison of two runs ------------------------------------------------------------------------
HEADLINE = (("mentions", "p"), ("mentions", "r"), ("mentions", "f1"),
            ("fields", "p"), ("fields", "r"), ("fields", "f1"), ("tables", "cell_accuracy"))
META_HEADLINE = tuple((key, metric) for key in ("body", "year", "admin_level") for metric in ("rate", "coverage"))


def _delta(a: Any, b: Any) -> float | None:
    return rounded(b - a) if is_number(a) and is_number(b) else None


def compare_runs(a: Json, b: Json) -> Json:
    """Per-metric, per-key and per-table deltas ``b − a`` between two ``--json`` results."""
    metrics = {}
    for block, metric in HEADLINE:
        va, vb = (a.get(block) or {}).get(metric), (b.get(block) or {}).get(metric)
        metrics[f"{block}.{metric}"] = {"a": va, "b": vb, "delta": _delta(va, vb)}
    for key, metric in META_HEADLINE:
        va = ((a.get("metadata") or {}).get(key) or {}).get(metric)
        vb = ((b.get("metadata") or {}).get(key) or {}).get(metric)
        if va is not None or vb is not None:
            metrics[f"{key}.{metric}"] = {"a": va, "b": vb, "delta": _delta(va, vb)}
    keys_a = (a.get("fields") or {}).get("per_key") or {}
    keys_b = (b.get("fields") or {}).get("per_key") or {}
    per_key = {}
    for key in sorted(set(keys_a) | set(keys_b)):
        fa, fb = (keys_a.get(key) or {}).get("f1"), (keys_b.get(key) or {}).get("f1")
        per_key[key] = {"a": fa, "b": fb, "delta": _delta(fa, fb)}
    tables_a = (a.get("tables") or {}).get("per_table") or {}
    tables_b = (b.get("tables") or {}).get("per_table") or {}
    per_table = {t: {"a": tables_a.get(t), "b": tables_b.get(t), "delta": _delta(tables_a.get(t), tables_b.get(t))}
                 for t in sorted(set(tables_a) | set(tables_b))}
    return {"a": a.get("run"), "b": b.get("run"), "docs": {"a": a.get("docs"), "b": b.get("docs")},
            "metrics": metrics, "per_key": per_key, "per_table": per_table}
