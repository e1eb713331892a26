"""Totals of a run's LLM use: printed at the end of ``xxgk extract --llm …`` and in the summary
(and ``--json``) of ``xxgk eval --llm …``. Works on results as ``Report`` objects or as the
JSON they are written as."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from ..models import LLMRun, Report
from .client import BREAKER_COOLDOWN, BREAKER_THRESHOLD

Result = Report | dict[str, Any]


def _llm(result: Result) -> LLMRun | None:
    """The result's LLM record (read from its JSON when the result is JSON)."""
    if isinstance(result, Report):
        return result.llm
    try:
        return LLMRun.model_validate(result["llm"]) if isinstance(result.get("llm"), dict) else None
    except ValidationError:  # not a record this version wrote: counted as no LLM use
        return None


def _llm_failed(result: Result) -> bool:
    if isinstance(result, Report):
        return any(e.stage == "llm" for e in result.errors)
    return any(isinstance(e, dict) and e.get("stage") == "llm" for e in result.get("errors") or [])


def run_totals(results: Iterable[Result]) -> dict[str, int | bool]:
    """``documents`` with an LLM record; ``needed`` of them had something to ask (the rest were
    settled by the rules), ``sent`` asked the endpoint, ``cached`` were answered from the cache,
    ``failed`` kept their rule results because the LLM failed (``unreachable`` of them given up
    because the endpoint was down); ``requests`` and ``failed_requests`` are HTTP requests."""
    totals: dict[str, int | bool] = {"documents": 0, "needed": 0, "sent": 0, "cached": 0, "requests": 0,
                                     "failed_requests": 0, "failed": 0, "unreachable": 0, "tokens_in": 0,
                                     "tokens_out": 0, "kept": 0, "dropped": 0, "estimated": False}
    for r in results:
        llm = _llm(r)
        if llm is None:
            continue
        totals["documents"] += 1
        totals["needed"] += llm.needed
        totals["sent"] += llm.needed and not llm.cached and bool(llm.requests)
        totals["cached"] += llm.cached
        totals["requests"] += llm.requests
        totals["failed_requests"] += llm.failed_requests or 0
        totals["tokens_in"] += llm.tokens.input
        totals["tokens_out"] += llm.tokens.output
        totals["estimated"] = bool(totals["estimated"] or llm.tokens.estimated)
        totals["kept"] += llm.kept
        totals["dropped"] += llm.dropped
        totals["failed"] += _llm_failed(r)
        totals["unreachable"] += bool(llm.unreachable)
    return totals


def every_request_failed(totals: dict[str, int | bool]) -> bool:
    """Documents needed the LLM and not one got an answer: the run is rules only in fact."""
    return bool(totals["needed"]) and totals["failed"] >= totals["needed"]


def run_summary(results: Iterable[Result], mode: str, model: str | None) -> str:
    t = run_totals(results)
    est = " (estimated)" if t["estimated"] else ""
    line = (f"LLM {mode} · {model}: {t['requests']} requests for {t['sent']} of {t['documents']} documents, "
            f"{t['cached']} from cache · tokens in {t['tokens_in']:,} / out {t['tokens_out']:,}{est} · "
            f"{t['kept']} values kept, {t['dropped']} dropped")
    if t["failed_requests"]:
        line += f" · {t['failed_requests']} requests failed"
    if t["failed"]:
        line += f" · {t['failed']} documents kept rules only (LLM error"
        line += f"; {t['unreachable']} given up, the endpoint unreachable)" if t["unreachable"] else ")"
    return line


class EndpointNotice:
    """The one line a run prints on stderr when the endpoint is found down (first time only)."""

    def __init__(self) -> None:
        self.said = False

    def __call__(self, result: Result) -> str | None:
        llm = _llm(result)
        if self.said or llm is None or not llm.unreachable:
            return None
        self.said = True
        return (f"LLM endpoint unreachable ({BREAKER_THRESHOLD} connection failures in a row): not called again "
                f"(one probe every {BREAKER_COOLDOWN:.0f} s); documents keep their rules results")
