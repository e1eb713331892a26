"""An eval run: predictions joined to gold, every document scored and summed; the extractor run for it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .counts import DocScore
from .gold import Gold, Json
from .scoring import score_document
from .summary import summarize

if TYPE_CHECKING:
    from ..llm import LLMConfig


# --- joining predictions to gold ----------------------------------------------------------------
def join_key(doc: str | None) -> str:
    """Predictions join gold by the file name of ``doc`` (``reports/r001.txt`` → ``r001.txt``)."""
    return Path(doc or "").name


def read_predictions(path: str | Path) -> dict[str, Json]:
    """A JSON Lines file of results, keyed by the file name of each result's ``doc``."""
    preds: dict[str, Json] = {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                result = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not valid JSON: {exc}") from None
            if not isinstance(result, dict) or not isinstance(result.get("doc"), str):
                raise ValueError(f"{path}:{n}: a result must be an object with a 'doc'")
            preds[join_key(result["doc"])] = result
    return preds


def duplicate_names(golds: list[Gold]) -> list[str]:
    seen: dict[str, int] = {}
    for g in golds:
        seen[g.name] = seen.get(g.name, 0) + 1
    return sorted(n for n, c in seen.items() if c > 1)


@dataclass
class EvalRun:
    """What an eval produced: the per-document scores and the summary."""

    scores: list[DocScore]
    summary: Json


def evaluate(golds: list[Gold], predict: Callable[[Gold], Json | None], *, ci: bool = True) -> EvalRun:
    """Score ``predict(gold)`` for every gold file."""
    scores = [score_document(g, predict(g)) for g in golds]
    return EvalRun(scores=scores, summary=summarize(scores, ci=ci))


# --- running the extractor and stamping the run -------------------------------------------------------
LLM_OFF = "off"


class LLMUnavailable(ValueError):
    """An LLM mode was asked for but cannot be set up (no model, the ``[llm]`` extra missing…)."""


def extract_for_eval(path: Path, llm: str | LLMConfig = LLM_OFF) -> Json:
    """Run the extractor on one gold document; the one place the LLM is wired in (``llm``: a
    mode, configured from the environment, or a whole ``LLMConfig``)."""
    from ..llm import LLMConfig, LLMConfigError
    from ..pipeline import extract_file

    try:
        config = llm if isinstance(llm, LLMConfig) else None if llm == LLM_OFF else LLMConfig.from_env(llm)
    except LLMConfigError as exc:
        raise LLMUnavailable(f"--llm {llm}: {exc}") from None
    try:
        return extract_file(path, with_text=True, llm=config).model_dump(mode="json")
    except Exception as exc:  # one document must not stop the eval; it scores as empty
        return {"doc": str(path), "errors": [{"stage": "extract", "message": f"{type(exc).__name__}: {exc}"}]}
