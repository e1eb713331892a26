"""Totals of a run's LLM use, printed at the end of ``xxgk extract --llm …``."""

from __future__ import annotations

from collections.abc import Iterable

from ..models import Report


def run_totals(reports: Iterable[Report]) -> dict[str, int | bool]:
    totals: dict[str, int | bool] = {"documents": 0, "sent": 0, "cached": 0, "requests": 0, "failed": 0,
                                     "tokens_in": 0, "tokens_out": 0, "kept": 0, "dropped": 0, "estimated": False}
    for r in reports:
        llm = r.llm
        if not llm:
            continue
        totals["documents"] += 1
        totals["sent"] += bool(llm.get("candidates") or llm.get("mode") == "all") and not llm.get("cached")
        totals["cached"] += bool(llm.get("cached"))
        totals["requests"] += llm.get("requests", 0)
        totals["tokens_in"] += llm.get("tokens", {}).get("in", 0)
        totals["tokens_out"] += llm.get("tokens", {}).get("out", 0)
        totals["estimated"] = bool(totals["estimated"] or llm.get("tokens", {}).get("estimated"))
        totals["kept"] += llm.get("kept", 0)
        totals["dropped"] += llm.get("dropped", 0)
        totals["failed"] += any(e.stage == "llm" for e in r.errors)
    return totals


def run_summary(reports: Iterable[Report], mode: str, model: str | None) -> str:
    t = run_totals(reports)
    est = " (estimated)" if t["estimated"] else ""
    line = (f"LLM {mode} · {model}: {t['requests']} requests for {t['sent']} of {t['documents']} documents, "
            f"{t['cached']} from cache · tokens in {t['tokens_in']:,} / out {t['tokens_out']:,}{est} · "
            f"{t['kept']} values kept, {t['dropped']} dropped")
    if t["failed"]:
        line += f" · {t['failed']} documents kept rules only (LLM error)"
    return line
