"""The extractor must not score below the floors recorded in evals/floor.json on evals/dev."""

from __future__ import annotations

import json
from pathlib import Path

from extractor import evaluate as ev

EVALS = Path(__file__).resolve().parents[1] / "evals"
FLOOR = json.loads((EVALS / "floor.json").read_text(encoding="utf-8"))


def test_dev_scores_stay_above_the_floor():
    golds = ev.load_gold_set([EVALS / FLOOR["suite"]])
    run = ev.evaluate(golds, lambda g: ev.extract_for_eval(g.doc_path), ci=False)
    scores = {"mentions_f1": run.summary["mentions"]["f1"], "fields_f1": run.summary["fields"]["f1"]}
    below = {k: f"{v} < floor {FLOOR[k]}" for k, v in scores.items() if v < FLOOR[k]}
    assert not below, f"evals/{FLOOR['suite']} fell below the floor: {below} (xxgk eval evals/dev -o errors.md shows why)"
