"""The oracle headroom of ``--llm ambiguous``: what a perfect model could add to the rules.

A scripted "model" (a real local chat-completions server, ``extractor.llm.testing``) answers
each document's request with gold: for every candidate the rules left open, the gold value of a
key it may fill. The answer goes through the same grounding as any model's, so the score is the
upper bound of the LLM layer as it stands (candidates, grounding, fill-only-what-the-rules-left).

    python evals/llm_oracle.py evals/dev2              # rules-only vs rules + oracle, fields P/R/F1
    python evals/llm_oracle.py evals/dev evals/dev2 --json

Nothing leaves the machine: the server listens on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from extractor import evals as ev
from extractor import extract, ingest
from extractor.llm import LLMConfig
from extractor.llm.candidates import Candidate, find_candidates
from extractor.llm.testing import FakeOpenAIServer, Reply
from extractor.models import Report

Json = dict[str, Any]


def _overlaps(c: Candidate, m: Json) -> bool:
    return c.start < m["end"] and m["start"] < c.end


def oracle_answer(gold: ev.Gold, report: Report, candidates: list[Candidate]) -> Json:
    """The assignments a perfect model would make: gold values of the keys the rules left empty,
    cited by the candidates that state them (one candidate whose value is gold's, the parts of a
    sum that gold labels with the key, or a statement of none for a gold 0)."""
    assignments = []
    gold_mentions = gold.mentions or []
    for key, g in gold.fields.items():
        if key in report.fields or g.get("value") is None:
            continue
        offered = [c for c in candidates if key in c.fields and c.reason != "conflict"]
        value = g["value"]
        cited: list[str] = []
        if value == 0:
            cited = [c.id for c in offered if c.reason == "none"][:1]
        if not cited:
            cited = [c.id for c in offered if c.value is not None and ev.values_equal(value, c.value)][:1]
        if not cited:
            parts = [c for c in offered if c.value is not None
                     and any(_overlaps(c, m) and m.get("field") == key for m in gold_mentions)]
            if parts and ev.values_equal(value, sum(c.value for c in parts)):
                cited = [c.id for c in parts]
        if cited:
            assignments.append({"field": key, "value": value, "qualifier": g.get("qualifier", "exact"),
                                "candidates": cited})
    return {"assignments": assignments}


def run(paths: list[str]) -> Json:
    golds = ev.load_gold_set(paths)
    answer: list[Json] = [{"assignments": []}]
    with FakeOpenAIServer(responder=lambda request: Reply.answer(answer[0])) as server:
        config = LLMConfig(mode="ambiguous", model="oracle", base_url=server.base_url, api_key="oracle",
                           cache=False, http_retries=0, reasks=0, timeout=10.0)
        rules_scores, oracle_scores = [], []
        offered = answered = 0
        for gold in golds:
            text = ingest.load_document(gold.doc_path).text
            rules = extract(text, source=str(gold.doc_path))
            candidates = find_candidates(text, rules)
            answer[0] = oracle_answer(gold, rules, candidates)
            offered += len(candidates)
            answered += len(answer[0]["assignments"])
            with_oracle = extract(text, source=str(gold.doc_path), llm=config)
            for report, scores in ((rules, rules_scores), (with_oracle, oracle_scores)):
                pred = report.model_dump(mode="json") | {"text": text}
                scores.append(ev.score_document(gold, pred))
    return {
        "suites": paths, "docs": len(golds), "candidates": offered, "oracle_assignments": answered,
        "rules_only": ev.summarize(rules_scores, ci=False)["fields"],
        "rules_plus_oracle": ev.summarize(oracle_scores, ci=False)["fields"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="gold folders or files (evals/dev2 …)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    result = run(args.paths)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(f"{' '.join(args.paths)}: {result['docs']} documents, {result['candidates']} candidates, "
          f"{result['oracle_assignments']} oracle assignments")
    for name in ("rules_only", "rules_plus_oracle"):
        f = result[name]
        print(f"  {name:18} fields P {f['p']:.3f}  R {f['r']:.3f}  F1 {f['f1']:.4f}  "
              f"(hits {f['hits']}, misses {f['misses']}, wrong {f['wrong']}, false positives {f['false_positives']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
