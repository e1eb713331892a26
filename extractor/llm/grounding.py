"""Grounding: the model's values are claims, kept only when the source text bears them out.

A value is kept only if, inside the spans the model cites (candidate ids, or exact quotes found
in the text the model was shown), it equals

- the value of one number expression found there by the rule parser (``find_number_expressions``),
- or, for a key that may be spelled out by its parts (``parts`` in field_definitions.toml), the
  sum of several of them (本机关不掌握26项 + 没有现成信息9项 → 35) — totals are never summed,
- or 0, where a cited clause states none (未…, 没有…, 无…) and names the key;

and the figure stands in prose (never a table cell), with a measure word the key accepts, in a
sentence that holds a cue word of the key (``cues`` in field_definitions.toml) — so a figure the
text writes about something else cannot be carried to this key.
Everything else is dropped with a reason. The qualifier is the parser's, not the model's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from ..models import Qualifier, Span
from ..numbers import NumberExpression, find_number_expressions
from ..sections import SectionMap
from .candidates import Candidate, clauses_in, in_prose, sentence_bounds, states_none, table_rows
from .definitions import FIELDS, FieldDef
from .schema import Assignment

MAX_PARTS = 6  # a sum of more parts than this is not looked for
MAX_TERMS = 16  # nor among more figures than this
MIN_QUOTE = 2


@dataclass(frozen=True)
class Grounded:
    field: str
    value: int | float
    qualifier: Qualifier
    evidence: tuple[Span, ...]


class Grounder:
    """Grounds the assignments of one document's answer."""

    def __init__(self, text: str, sections: SectionMap, candidates: list[Candidate],
                 shown: list[tuple[int, int]]):
        self.text = text
        self.candidates = {c.id: c for c in candidates}
        self.shown = shown
        rows = table_rows(text)
        self.expressions = [e for e in find_number_expressions(text, counts_only=True)
                            if in_prose(text, e.start, sections, rows)]
        self.sections, self.rows = sections, rows
        self._index = {(e.start, e.end): i for i, e in enumerate(self.expressions)}

    def ground(self, a: Assignment) -> Grounded | str:
        """The grounded field, or the reason it is dropped."""
        definition = FIELDS.get(a.field)
        if definition is None:
            return "unknown key"
        cited = [c for cid in a.candidates if (c := self.candidates.get(cid.strip()))]
        if any(a.field not in c.fields for c in cited):
            return "key not offered for the candidate"
        spans = self._cited_spans(a)
        if not spans:
            return "cites nothing in the text shown"
        exprs = [e for e in self.expressions if any(s <= e.start and e.end <= t for s, t in spans)]
        # a cited candidate was offered for this key (its cue or its subject fit it): the key's cue may
        # then stand anywhere in its sentence (办理98件(含上年度转结申请8件)), not only in its own stretch
        offered = {(c.start, c.end) for c in cited}
        fitting = [e for e in exprs if definition.unit_fits(e.unit)
                   and (self._cued(definition, e) or ((e.start, e.end) in offered and self._cued_in_sentence(definition, e)))]
        target = _decimal(a.value)
        if target is None:
            return "not a number"
        for size in range(1, (MAX_PARTS if definition.parts else 1) + 1):
            for combo in combinations(fitting[:MAX_TERMS], size):
                if sum((_decimal(e.value) or Decimal(0) for e in combo), Decimal(0)) == target:
                    return _from_expressions(a.field, combo)
        if target == 0:
            none = self._statement_of_none(a.field, spans)
            if none:
                return Grounded(a.field, 0, "exact", (none,))
        if exprs and not fitting:
            return "figure does not fit the key (measure word or sentence)"
        return "value not in the cited text"

    def _cued(self, definition: FieldDef, e: NumberExpression) -> bool:
        """The key fits the figure's own stretch of its sentence: back to the figure before it,
        on to the figure after it (收到申请11件，均按照规范流程办结)."""
        s0, s1 = sentence_bounds(self.text, e.start, e.end)
        i = self._index[(e.start, e.end)]
        lo = max(s0, self.expressions[i - 1].end) if i > 0 else s0
        hi = min(s1, self.expressions[i + 1].start) if i + 1 < len(self.expressions) else s1
        own = self.text[lo:e.start] + "§" + self.text[e.end:max(e.end, hi)]
        return definition.cued(own, self.text[s0:s1])

    def _cued_in_sentence(self, definition: FieldDef, e: NumberExpression) -> bool:
        s0, s1 = sentence_bounds(self.text, e.start, e.end)
        sentence = self.text[s0:s1]
        return definition.cued(sentence, sentence)

    def _cited_spans(self, a: Assignment) -> list[tuple[int, int]]:
        spans = [(c.start, c.end) for cid in a.candidates if (c := self.candidates.get(cid.strip()))]
        for quote in a.quotes:
            spans += self._find_quote(quote.strip())
        return [s for s in spans if in_prose(self.text, s[0], self.sections, self.rows)
                and in_prose(self.text, max(s[0], s[1] - 1), self.sections, self.rows)]

    def _find_quote(self, quote: str) -> list[tuple[int, int]]:
        if len(quote) < MIN_QUOTE:
            return []
        found, pos = [], self.text.find(quote)
        while pos >= 0:
            if any(a <= pos and pos + len(quote) <= b for a, b in self.shown):
                found.append((pos, pos + len(quote)))
            pos = self.text.find(quote, pos + 1)
        return found

    def _statement_of_none(self, key: str, spans: list[tuple[int, int]]) -> Span | None:
        for s, t in spans:
            for c0, c1 in clauses_in(self.text, s, t):
                if states_none(FIELDS[key], self.text, c0, c1):
                    return Span(start=c0, end=c1, text=self.text[c0:c1])
        return None


def _from_expressions(key: str, combo: tuple[NumberExpression, ...]) -> Grounded:
    value = sum((_decimal(e.value) or Decimal(0) for e in combo), Decimal(0))
    qualifier = next((e.qualifier for e in combo if e.qualifier != "exact"), "exact")
    number: int | float = int(value) if value == value.to_integral_value() else float(value)
    return Grounded(key, number, qualifier,  # type: ignore[arg-type]
                    tuple(Span(start=e.start, end=e.end, text=e.text) for e in combo))


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        d = Decimal(str(value))
    except ArithmeticError:
        return None
    return d.normalize() if d.is_finite() else None
