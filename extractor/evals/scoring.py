"""Scoring one document: mentions, fields and table cells against gold, then ``score_document``."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from typing import Any

from .counts import DocScore, ErrorItem, FieldCounts, context, values_equal
from .gold import TABLES, Gold, Json, is_number
from .metadata_scoring import score_metadata


def _overlaps(a: Json, b: Json) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def _same_mention(g: Json, p: Json) -> bool:
    return _overlaps(g, p) and values_equal(g["value"], p.get("value")) and g["qualifier"] == p.get("qualifier")


def _span_order(m: Json) -> tuple[int, int]:
    return (m["start"], m["end"])


def match_mentions(gold: list[Json], pred: list[Json]) -> list[tuple[Json, Json | None]]:
    """One-to-one: gold mentions in text order each take the first free overlapping equal prediction.

    Returns every gold mention with its match (or None); predictions not returned are unmatched.
    """
    preds = sorted((p for p in pred if is_number(p.get("start")) and is_number(p.get("end"))),
                   key=_span_order)
    taken = [False] * len(preds)
    pairs: list[tuple[Json, Json | None]] = []
    for g in sorted(gold, key=_span_order):
        found = None
        for j, p in enumerate(preds):
            if not taken[j] and _same_mention(g, p):
                taken[j], found = True, p
                break
        pairs.append((g, found))
    return pairs


def _mention_label(m: Json) -> str:
    unit = m.get("unit") or ""
    return f"{m.get('value')} {unit} ({m.get('qualifier')})".replace("  ", " ")


def score_mentions(gold: Gold, pred: list[Json], pred_text: str | None, score: DocScore) -> None:
    pairs = match_mentions(gold.mentions or [], pred)
    matched = {id(p) for _, p in pairs if p is not None}
    unmatched = [p for p in pred if id(p) not in matched]
    score.scores_mentions = True
    score.tp = len(matched)
    score.fn = len(pairs) - score.tp
    score.fp = len(unmatched)
    for g, p in pairs:
        if p is None:
            near = [q for q in unmatched if is_number(q.get("start")) and _overlaps(g, q)]
            note = "; ".join(f"overlapping prediction {q.get('text')!r} = {_mention_label(q)}" for q in near)
            score.errors.append(ErrorItem(
                score.name, "mention", "miss", g.get("field"), _mention_label(g), None,
                gold_context=(context(gold.text, g["start"], g["end"]),), note=note or "no overlapping prediction"))
    for p in unmatched:
        ok = is_number(p.get("start")) and is_number(p.get("end"))
        ctx = context(pred_text, p["start"], p["end"]) if ok else ""
        score.errors.append(ErrorItem(
            score.name, "mention", "false positive", p.get("field"), None, _mention_label(p),
            pred_context=(ctx,), note=f"source {p.get('source')}" if p.get("source") else ""))


def _gold_evidence(gold: Gold, key: str) -> tuple[str, ...]:
    return tuple(context(gold.text, m["start"], m["end"]) for m in gold.mentions or [] if m.get("field") == key)


def value_sightings(text: str | None, value: Any, limit: int = 2) -> tuple[str, ...]:
    """Where the text writes ``value`` as digits (for gold without evidence spans, e.g. PDF gold)."""
    if not text or not is_number(value):
        return ()
    written = str(int(value)) if float(value).is_integer() else str(value)
    found = re.finditer(rf"(?<![\d.]){re.escape(written)}(?![\d.])", text)
    return tuple(context(text, m.start(), m.end()) for m in itertools.islice(found, limit))


def _pred_evidence(pred_field: Json | None, pred_text: str | None) -> tuple[str, ...]:
    spans = (pred_field or {}).get("evidence") or []
    return tuple(context(pred_text, s["start"], s["end"]) for s in spans
                 if isinstance(s, dict) and is_number(s.get("start")) and is_number(s.get("end")))


def _gold_context(gold: Gold, key: str, g: Json | None, pred_text: str | None) -> tuple[str, ...]:
    if g is None:
        return ()
    if gold.mentions is not None:
        return _gold_evidence(gold, key)
    return tuple(f"(value seen) {c}" for c in value_sightings(gold.text or pred_text, g["value"]))


def _field_label(f: Json | None) -> str | None:
    if f is None:
        return None
    return f"{f.get('value')} ({f.get('qualifier')})" + (" optional" if f.get("optional") else "")


def _field_outcome(g: Json | None, p: Json | None) -> str | None:
    """hit / miss / wrong / false positive, or None when nothing is counted."""
    if g is None:
        return "false positive" if p is not None else None
    equal = p is not None and values_equal(g["value"], p.get("value")) and g["qualifier"] == p.get("qualifier")
    if g.get("optional"):
        return None if p is None or equal else "false positive"
    if p is None:
        return "miss"
    return "hit" if equal else "wrong"


_COUNTER = {"hit": "hits", "miss": "misses", "wrong": "wrong", "false positive": "false_positives"}


def score_fields(gold: Gold, pred: Mapping[str, Any], pred_text: str | None, score: DocScore) -> None:
    pred_fields = {k: v for k, v in pred.items() if isinstance(v, dict) and v.get("value") is not None}
    for key in sorted(set(gold.fields) | set(pred_fields)):
        g, p = gold.fields.get(key), pred_fields.get(key)
        outcome = _field_outcome(g, p)
        if outcome is None:
            continue
        counts = score.fields.setdefault(key, FieldCounts())
        setattr(counts, _COUNTER[outcome], getattr(counts, _COUNTER[outcome]) + 1)
        if outcome != "hit":
            note = f"source {p.get('source')}" if p and p.get("source") else ""
            score.errors.append(ErrorItem(
                score.name, "field", outcome, key, _field_label(g), _field_label(p),
                gold_context=_gold_context(gold, key, g, pred_text),
                pred_context=_pred_evidence(p, pred_text), note=note))


def _pred_cell(pred_tables: Any, table: str, gold_path: list[str]) -> Any:
    """The predicted cell at the gold cell's path (row keys may themselves hold a dot)."""
    node = pred_tables.get(table) if isinstance(pred_tables, dict) else None
    for part in gold_path:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _cell_paths(table: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(table, dict):
        for k, v in table.items():
            yield from _cell_paths(v, (*path, k))
    else:
        yield path, table


def score_tables(gold: Gold, pred_tables: Any, score: DocScore) -> None:
    if not isinstance(gold.tables, dict):
        return
    for table in TABLES:
        if table not in gold.tables:
            continue
        right = total = 0
        for path, g in _cell_paths(gold.tables[table]):
            key = ".".join((table, *path))
            if key in gold.uncertain_cells:
                continue
            p = _pred_cell(pred_tables, table, list(path))
            total += 1
            if values_equal(g, p):
                right += 1
            else:
                kind = "miss" if p is None else "wrong"
                score.errors.append(ErrorItem(score.name, "table", kind, key, g, p))
        score.cells[table] = (right, total)


def score_document(gold: Gold, pred: Json | None) -> DocScore:
    """Score one prediction (``Report.model_dump(mode="json")``; None if missing) against its gold."""
    score = DocScore(name=gold.name)
    pred = pred or {}
    pred_text = pred.get("text") or gold.text
    if gold.mentions is not None:
        score_mentions(gold, [m for m in pred.get("mentions") or [] if isinstance(m, dict)], pred_text, score)
    score_fields(gold, pred.get("fields") or {}, pred_text, score)
    score_tables(gold, pred.get("tables"), score)
    score_metadata(gold, pred, score)
    score.extract_errors = [f"{e.get('stage')}: {e.get('message')}" for e in pred.get("errors") or []
                            if isinstance(e, dict)]
    if not pred:
        score.extract_errors.append("no prediction for this document")
    return score
