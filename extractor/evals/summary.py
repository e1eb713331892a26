"""Summing scores over documents: micro averages and bootstrap 95 % intervals over documents."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable

from .counts import DocScore, FieldCounts, prf
from .gold import TABLES, Json
from .metadata_scoring import META_KEYS

BOOTSTRAP_SAMPLES = 1000
BOOTSTRAP_SEED = 20240101


# --- summary over documents -------------------------------------------------------------------
def rounded(x: float) -> float:
    return round(x, 4)


def _field_block(c: FieldCounts) -> Json:
    p, r, f1 = c.prf()
    return {"p": rounded(p), "r": rounded(r), "f1": rounded(f1), "hits": c.hits, "misses": c.misses,
            "wrong": c.wrong, "false_positives": c.false_positives}


def mention_totals(scores: Iterable[DocScore]) -> tuple[int, int, int]:
    tp = fp = fn = 0
    for s in scores:
        tp, fp, fn = tp + s.tp, fp + s.fp, fn + s.fn
    return tp, fp, fn


def mention_f1(scores: list[DocScore]) -> float:
    tp, fp, fn = mention_totals(scores)
    return prf(tp, tp + fp, tp + fn)[2]


def field_totals(scores: Iterable[DocScore]) -> tuple[FieldCounts, dict[str, FieldCounts]]:
    total, per_key = FieldCounts(), {}
    for s in scores:
        for key, c in s.fields.items():
            total.add(c)
            per_key.setdefault(key, FieldCounts()).add(c)
    return total, per_key


def field_f1(scores: list[DocScore]) -> float:
    return field_totals(scores)[0].prf()[2]


def cell_totals(scores: Iterable[DocScore]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for s in scores:
        for table, (right, total) in s.cells.items():
            r0, t0 = out.get(table, (0, 0))
            out[table] = (r0 + right, t0 + total)
    return out


def cell_accuracy(scores: list[DocScore]) -> float | None:
    per = cell_totals(scores).values()
    total = sum(t for _, t in per)
    return sum(r for r, _ in per) / total if total else None


def bootstrap_ci(scores: list[DocScore], metric: Callable[[list[DocScore]], float | None],
                 samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED) -> list[float] | None:
    """95 % percentile interval of ``metric`` over documents resampled with replacement."""
    if not scores:
        return None
    rng = random.Random(seed)
    values = sorted(v for v in (metric(rng.choices(scores, k=len(scores))) for _ in range(samples))
                    if v is not None)
    if not values:
        return None
    lo = values[int(0.025 * (len(values) - 1))]
    hi = values[int(round(0.975 * (len(values) - 1)))]
    return [rounded(lo), rounded(hi)]


def metadata_totals(scores: Iterable[DocScore]) -> Json:
    """Per key: docs labelled, values given, right; rate where given, coverage, right over all."""
    out: Json = {}
    for key in META_KEYS:
        rows = [s.meta[key] for s in scores if key in s.meta]
        docs, given = len(rows), sum(r[0] for r in rows)
        right, strict = sum(r[1] and r[0] for r in rows), sum(r[2] and r[0] for r in rows)
        out[key] = {"docs": docs, "given": given, "right": right,
                    "rate": rounded(right / given) if given else None,
                    "coverage": rounded(given / docs) if docs else None,
                    "right_all": rounded(sum(r[1] for r in rows) / docs) if docs else None,
                    "rate_strict": rounded(strict / given) if given else None}
    return out


def summarize(scores: list[DocScore], *, ci: bool = True) -> Json:
    """The ``--json`` object (without the ``run`` stamp): micro averages over documents."""
    tp, fp, fn = mention_totals(scores)
    mp, mr, mf = prf(tp, tp + fp, tp + fn)
    total, per_key = field_totals(scores)
    cells = cell_totals(scores)
    acc = cell_accuracy(scores)
    out: Json = {
        "docs": len(scores),
        "mentions": {"p": rounded(mp), "r": rounded(mr), "f1": rounded(mf), "tp": tp, "fp": fp, "fn": fn},
        "fields": {**_field_block(total), "per_key": {k: _field_block(per_key[k]) for k in sorted(per_key)}},
        "tables": {
            "cell_accuracy": None if acc is None else rounded(acc),
            "per_table": {t: rounded(cells[t][0] / cells[t][1]) if cells.get(t, (0, 0))[1] else None for t in TABLES},
        },
        "metadata": metadata_totals(scores),
    }
    if ci:
        out["mentions"]["f1_ci"] = bootstrap_ci([s for s in scores if s.scores_mentions], mention_f1)
        out["fields"]["f1_ci"] = bootstrap_ci(scores, field_f1)
        out["tables"]["cell_accuracy_ci"] = bootstrap_ci([s for s in scores if s.cells], cell_accuracy)
    return out
