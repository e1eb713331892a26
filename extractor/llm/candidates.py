"""What the rules left unsettled, as numbered candidates for the model.

A candidate is a stretch of prose with an id (``C1``, ``C2``…):

- ``unmapped``: a mention the rules gave no field, whose own stretch of its sentence (back to
  the previous figure, on to the end of its clause) holds a cue of a key the rules did not fill;
- ``subject``: a mention the rules gave no field and no key's cue names, whose subject (or own
  stretch) names a family of keys (``candidate_subjects.toml``: 申请, 复议, 信息, 新媒体, 网站, 发布会,
  解读, 咨询, 培训…): offered for that family's keys the rules did not fill;
- ``competing``: a mention the rules gave a field, which may also or rather fill a competing
  key (``competes``: 收到申请一件，已办理完毕 — received and completed; a website figure in a
  clause that does not name the website — the total) that the rules did not fill;
- ``conflict``: a mention the rules gave no field, cued in its own clause for a key the rules
  filled from another sentence with another value (the model's reading is recorded beside the
  rule's, never applied: the LLM does not override rules);
- ``none``: a clause that states none (未…, 没有…, 无…) of a key the rules did not fill.

A sub-item (其中…) is never a candidate for a key that is not a sum of parts. Only the sentences
of candidates are sent in ``ambiguous`` mode.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from importlib import resources

from .. import patterns as P
from ..models import Report
from ..sections import SectionMap, split_sections
from ..vocab import FIELD_RULES
from .definitions import FIELDS, FieldDef

SENTENCE_BREAK = re.compile(f"[{P.SENTENCE_END_MARKS}]|\n")  # the rules' marks, and a line break
CLAUSE_BREAK = P.CANDIDATE_CLAUSE_BREAK
# An explicit statement of none: the rules' word of none ([none_words].word in field_rules.toml)
NONE_WORD = re.compile(FIELD_RULES["none_words"]["word"])
SUB_ITEM = re.compile(P.SUB_ITEM_WORD)
SUB_ITEM_REACH = P.SUB_ITEM_REACH
# A channel figure competes with the total only when its own clause does not name the channel
# (以门户网站为主要公开途径，本年度主动公开信息319件)
CHANNELS = frozenset({"proactive.website", "proactive.new_media"})
MAX_NONE_CLAUSE = 60
NONE_REACH = 20  # the key's cue stands this close after the word of none (未收到…申请)
MAX_SENTENCE = 300  # a "sentence" longer than this (a run-on list) is cut around the candidate


@dataclass(frozen=True)
class Candidate:
    id: str
    reason: str  # unmapped | subject | competing | conflict | none
    start: int
    end: int
    text: str
    fields: tuple[str, ...]  # keys it may fill (for a conflict: the key the rules filled)
    sentence: tuple[int, int]  # the stretch of text sent for it
    value: int | float | None = None  # the rule parser's value (None for a statement of none)
    unit: str | None = None


def _load_families() -> list[tuple[re.Pattern[str], tuple[str, ...]]]:
    data = tomllib.loads((resources.files(__package__) / "candidate_subjects.toml").read_text(encoding="utf-8"))
    return [(re.compile(f["subject"]), tuple(f["keys"])) for f in data["family"]]


SUBJECT_FAMILIES = _load_families()


def find_candidates(text: str, report: Report, sections: SectionMap | None = None) -> list[Candidate]:
    sections = sections or split_sections(text)
    found = _mention_candidates(text, report) + _none_candidates(text, report, sections)
    found.sort(key=lambda c: (c.start, c.end))
    return [replace(c, id=f"C{n}") for n, c in enumerate(found, 1)]


def _mention_candidates(text: str, report: Report) -> list[Candidate]:
    filled = report.fields
    mentions = report.mentions
    found = []
    for i, m in enumerate(mentions):
        s0, s1 = sentence_bounds(text, m.start, m.end)
        sentence = text[s0:s1]
        prev_end = mentions[i - 1].end if i > 0 else 0
        next_start = mentions[i + 1].start if i + 1 < len(mentions) else len(text)
        near = text[max(s0, prev_end):m.start]
        clause_stop = CLAUSE_BREAK.search(text, m.end, s1)
        right_clause = text[m.end:min(clause_stop.start() if clause_stop else s1, next_start)]
        right_sentence = text[m.end:max(m.end, min(s1, next_start))]
        own = f"{near}§{right_clause}"
        sub_item = _is_sub_item(text, m.start)
        keys: list[str] = []
        if m.field is None:
            reason = "unmapped"
            keys = [k for k, f in FIELDS.items() if k not in filled and f.unit_fits(m.unit)
                    and f.cued(own, sentence) and (f.parts or not sub_item)]
            if not keys and not sub_item:
                reason = "subject"
                keys = _subject_keys(f"{m.subject or ''}§{own}", sentence, m.unit, filled)
            if not keys and not sub_item:
                reason = "conflict"
                clause = near[max((b.end() for b in CLAUSE_BREAK.finditer(near)), default=0):]
                keys = [k for k, f in FIELDS.items() if k in filled and filled[k].value != m.value
                        and f.unit_fits(m.unit) and f.cued(f"{clause}§{right_clause}", sentence)
                        and not any(s0 <= e.start < s1 for e in filled[k].evidence)]
        elif m.field in FIELDS:
            reason = "competing"
            own_field = FIELDS[m.field]
            keys = [k for k in own_field.competes if k not in filled and FIELDS[k].unit_fits(m.unit)
                    and FIELDS[k].cued(f"{near}§{right_sentence}", sentence)
                    and not (m.field in CHANNELS and own_field.cues.search(_clause_before(near)))]
        if keys:
            found.append(Candidate(id="", reason=reason, start=m.start, end=m.end, text=m.text, fields=tuple(keys),
                                   sentence=(s0, s1), value=m.value, unit=m.unit))
    return found


def _subject_keys(subject: str, sentence: str, unit: str | None, filled: dict) -> list[str]:
    """The unfilled keys of the families the subject names, that the figure's unit fits and whose
    cue stands somewhere in its sentence (what grounding asks of a figure offered for a key)."""
    keys = [k for pattern, family in SUBJECT_FAMILIES if pattern.search(subject) for k in family]
    return [k for k in dict.fromkeys(keys) if k in FIELDS and k not in filled and FIELDS[k].unit_fits(unit)
            and FIELDS[k].cued(sentence, sentence)]


def _clause_before(near: str) -> str:
    return near[max((b.end() for b in CLAUSE_BREAK.finditer(near)), default=0):]


def _none_candidates(text: str, report: Report, sections: SectionMap) -> list[Candidate]:
    rows = table_rows(text)
    starts = sorted(m.start for m in report.mentions)
    found = []
    for c0, c1 in _clauses(text):
        clause = text[c0:c1]
        none = NONE_WORD.search(clause)
        if len(clause) > MAX_NONE_CLAUSE or not none:
            continue
        if not in_prose(text, c0, sections, rows) or any(c0 <= s < c1 for s in starts):
            continue
        s0, s1 = sentence_bounds(text, c0, c1)
        keys = [k for k, f in FIELDS.items() if k not in report.fields and states_none(f, text, c0, c1)]
        if keys:
            found.append(Candidate(id="", reason="none", start=c0, end=c1, text=clause, fields=tuple(keys),
                                   sentence=(s0, s1)))
    return found


def states_none(definition: FieldDef, text: str, c0: int, c1: int) -> bool:
    """Whether the clause ``text[c0:c1]`` states none of ``definition``'s key: a word of none
    followed closely by the key's cue, in a sentence the key allows."""
    if not definition.none:
        return False
    clause = text[c0:c1]
    s0, s1 = sentence_bounds(text, c0, c1)
    return any(definition.cued(clause[m.start():m.end() + NONE_REACH], text[s0:s1])
               for m in NONE_WORD.finditer(clause))


def clauses_in(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The clauses (between ，。；…) that ``text[start:end]`` touches."""
    lo = start
    while lo > 0 and not CLAUSE_BREAK.match(text[lo - 1]) and start - lo < MAX_SENTENCE:
        lo -= 1
    stop = CLAUSE_BREAK.search(text, end)
    hi = stop.start() if stop and stop.start() - end < MAX_SENTENCE else min(len(text), end + MAX_SENTENCE)
    return [(lo + a, lo + b) for a, b in _clauses(text[lo:max(hi, end)])]


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``text[start:end]`` (between 。；！？ or line breaks), at most
    ``MAX_SENTENCE`` characters, trimmed of white space."""
    lo = max(0, start - MAX_SENTENCE // 2)
    s0 = lo
    for m in SENTENCE_BREAK.finditer(text, lo, start):
        s0 = m.end()
    m = SENTENCE_BREAK.search(text, end, min(len(text), end + MAX_SENTENCE // 2))
    s1 = m.end() if m and m.group() != "\n" else (m.start() if m else min(len(text), end + MAX_SENTENCE // 2))
    while s0 < start and text[s0].isspace():
        s0 += 1
    while s1 > end and text[s1 - 1].isspace():
        s1 -= 1
    return s0, s1


def _is_sub_item(text: str, pos: int) -> bool:
    lo = max(0, pos - SUB_ITEM_REACH)
    ends = [m.end() for m in SUB_ITEM.finditer(text, lo, pos)]
    return bool(ends) and "\n\n" not in text[ends[-1]:pos]


def _clauses(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for m in CLAUSE_BREAK.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def table_rows(text: str) -> list[tuple[int, int]]:
    """Lines split into cells by tabs or pipes: table rows wherever they stand."""
    rows, pos = [], 0
    for line in text.split("\n"):
        if P.is_table_row_line(line):
            rows.append((pos, pos + len(line)))
        pos += len(line) + 1
    return rows


def in_prose(text: str, pos: int, sections: SectionMap, rows: list[tuple[int, int]] | None = None) -> bool:
    """Whether ``pos`` stands in prose (not in a table section, not in a table row)."""
    rows = table_rows(text) if rows is None else rows
    return not sections.in_table(pos) and not any(a <= pos <= b for a, b in rows)
