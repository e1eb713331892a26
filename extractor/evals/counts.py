"""What scoring counts: value equality, per-document counts and errors, P/R/F1, text context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .gold import is_number

RELATIVE_TOLERANCE = 0.005  # a gold value with a fraction: at most 0.5 % off
CONTEXT_CHARS = 30

# --- value equality ----------------------------------------------------------------------------
def values_equal(gold: Any, pred: Any) -> bool:
    """gold-format.md: integer gold → exactly equal; gold with a fraction → within 0.5 % of it."""
    if not is_number(gold) or not is_number(pred):
        return gold is None and pred is None
    if float(gold).is_integer():
        return pred == gold
    return abs(pred - gold) <= RELATIVE_TOLERANCE * abs(gold) + 1e-12


# --- per-document scoring ------------------------------------------------------------------------
@dataclass
class FieldCounts:
    hits: int = 0
    misses: int = 0
    wrong: int = 0
    false_positives: int = 0

    def add(self, other: FieldCounts) -> None:
        self.hits += other.hits
        self.misses += other.misses
        self.wrong += other.wrong
        self.false_positives += other.false_positives

    def prf(self) -> tuple[float, float, float]:
        return prf(self.hits, self.hits + self.wrong + self.false_positives,
                   self.hits + self.misses + self.wrong)


@dataclass(frozen=True)
class ErrorItem:
    """One error, with what a person needs to see why: values and the text around them."""

    doc: str
    area: str  # mention | field | table
    kind: str  # miss | false positive | wrong
    key: str | None
    gold: Any
    pred: Any
    gold_context: tuple[str, ...] = ()
    pred_context: tuple[str, ...] = ()
    note: str = ""


@dataclass
class DocScore:
    name: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    scores_mentions: bool = False
    fields: dict[str, FieldCounts] = field(default_factory=dict)
    cells: dict[str, tuple[int, int]] = field(default_factory=dict)  # table → (right, total)
    # metadata key → (given, right, right when compared strictly), for the keys gold labels
    meta: dict[str, tuple[bool, bool, bool]] = field(default_factory=dict)
    errors: list[ErrorItem] = field(default_factory=list)
    extract_errors: list[str] = field(default_factory=list)


def prf(correct: int, predicted: int, relevant: int) -> tuple[float, float, float]:
    """Precision, recall and F1 (0.0 where a denominator is zero)."""
    p = correct / predicted if predicted else 0.0
    r = correct / relevant if relevant else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1


def context(text: str | None, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    """``…before【span】after…`` with ±``width`` characters, on one line."""
    if not text or start < 0 or end > len(text) or start > end:
        return ""
    left = text[max(0, start - width):start]
    right = text[end:end + width]
    snippet = f"{'…' if start > width else ''}{left}【{text[start:end]}】{right}{'…' if end + width < len(text) else ''}"
    return " ".join(snippet.split())
