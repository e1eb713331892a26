"""The extractor must not score below the floors recorded in evals/floor.json, suite by suite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor import evals as ev

EVALS = Path(__file__).resolve().parents[1] / "evals"
FLOORS = json.loads((EVALS / "floor.json").read_text(encoding="utf-8"))["suites"]


@pytest.mark.parametrize("suite", sorted(FLOORS))
def test_scores_stay_above_the_floor(suite: str) -> None:
    floor = FLOORS[suite]
    golds = ev.load_gold_set([EVALS / suite])
    run = ev.evaluate(golds, lambda g: ev.extract_for_eval(g.doc_path), ci=False)
    scores = {"mentions_f1": run.summary["mentions"]["f1"], "fields_f1": run.summary["fields"]["f1"]}
    below = {k: f"{v} < floor {floor[k]}" for k, v in scores.items() if v < floor[k]}
    assert not below, f"evals/{suite} fell below the floor: {below} (xxgk eval evals/{suite} -o errors.md shows why)"
