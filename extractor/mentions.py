"""Mentions: the number expressions that are narrative statistics, each with the subject
it counts and the heading it stands under.

Numbers inside the tables of 二、三、四, dates, document and article numbers, list markers,
names with numbers, phone numbers, addresses, time limits and discourse counts are left
out (gold-format.md "Not mentions").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from . import patterns as P
from .models import Mention
from .numbers import NumberExpression, after_count_noun, bare_count_at, find_number_expressions
from .numerals import is_digit_by_digit
from .sections import SectionMap
from .vocab import EXCLUSIONS, word_set

IDIOMS = re.compile("|".join(f"(?:{p})" for p in EXCLUSIONS["idioms"]))
BEFORE_CHINESE = re.compile("|".join(f"(?:{p})" for p in EXCLUSIONS["before_chinese"]))
BEFORE_ANY = re.compile("|".join(f"(?:{p})" for p in EXCLUSIONS["before_any"]))
SUBJECT_BREAK = re.compile(r"[，,。；;：:！？!?\n（(）)]")
_LAST_SUBJECT_BREAK = re.compile("(?s).*" + SUBJECT_BREAK.pattern)  # the text up to the last break
SUBJECT_AFTER_BREAK = re.compile(r"[，,。；;：:！？!?\n、（(）)]")
_YEARISH = re.compile(r"^(?:(?:19|20)\d{2}|\d+)$")
STATE_MARKERS = frozenset({"已", "已经", "被", "属于"})
# How far back the subject may reach: a clause is rarely longer than this
SUBJECT_WINDOW = 30


def find_mentions(text: str, sections: SectionMap) -> list[Mention]:
    # the figures of the prose spans only: none stands in the table of a table section
    statistics = [expr for expr in find_number_expressions(text, counts_only=True, spans=sections.prose_spans())
                  if _is_statistic(text, expr)]
    return [
        Mention(
            start=expr.start, end=expr.end, text=expr.text, value=expr.value, unit=expr.unit,
            qualifier=expr.qualifier, subject=subject,
            section=sections.heading_at(expr.start), source=_pattern_name(expr),
        )
        for expr, subject in zip(statistics, _subjects(text, statistics), strict=True)
    ]


def _subjects(text: str, statistics: list[NumberExpression]) -> list[str | None]:
    """What each figure counts: its clause before, trimmed, else its clause after (``subject_of``).

    The clauses are cut in two batches, each looked up in one go (``_prefetch``): the clauses
    before, then the clauses after of the figures whose clause before trims to nothing (a fifth of
    them: the others' clauses after are never cut, so their entries are not looked up)."""
    # a subject reaches back no further than the figure before it
    floors = [0, *(expr.end for expr in statistics)][:len(statistics)]
    befores = [_clause_before(text, expr.start, floor).strip() for expr, floor in zip(statistics, floors, strict=True)]
    afters = {k: _clause_after(text, statistics[k].end).strip() for k, before in enumerate(befores) if not before}
    _prefetch([*befores, *afters.values()])
    subjects = [_trim(before) for before in befores]
    afters |= {k: _clause_after(text, statistics[k].end).strip() for k, subject in enumerate(subjects)
               if not subject and k not in afters}
    _prefetch(afters.values())
    for k, after in afters.items():
        subjects[k] = _trim(after)
    return [subject or None for subject in subjects]


def _pattern_name(expr: NumberExpression) -> str:
    if expr.unit == "%":
        return "rule:percentage"
    if expr.qualifier != "exact":
        return "rule:count_with_qualifier"
    if expr.is_chinese:
        return "rule:chinese_numeral_count"
    return "rule:count"


# How far around a number an address, web address or date that contains it may reach
EXCLUSION_REACH = 40


def _in_excluded_stretch(text: str, start: int, end: int) -> bool:
    """Inside an address, web or mail address, phone number, document number or date?

    Checked around each candidate, not over the whole text: candidates are few, text is long.
    """
    lo = max(0, start - EXCLUSION_REACH)
    window = text[lo:end + EXCLUSION_REACH]
    if not P.NOT_STATISTIC_HINT.search(window):
        return False
    for m in P.ANY_NOT_STATISTIC.finditer(window):
        if m.start() + lo >= end:
            return False  # the stretches come in order: the rest start after the candidate too
        if start < m.end() + lo:
            return True
    return False


def _in_table_row(text: str, start: int) -> bool:
    """On a line whose cells are split by tabs or pipes: a table row, wherever it stands."""
    global _last_line
    last = _last_line
    if last is not None and last[0] is text and last[1] <= start < last[2]:
        return last[3]  # candidates come in order: one test per line, not per candidate
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    if line_end < 0:
        line_end = len(text)
    is_row = P.is_table_row_line(text[line_start:line_end])
    _last_line = (text, line_start, line_end, is_row)
    return is_row


# The line the last table-row test read: (text, start, end, is a row)
_last_line: tuple[str, int, int, bool] | None = None


def _after_count_noun(text: str, expr: NumberExpression) -> bool:
    """粉丝数 54373； — an Arabic number that a count noun names, standing alone in its clause."""
    if expr.is_chinese or expr.qualifier != "exact":
        return False
    return bool(P.CLAUSE_END_AFTER.match(text[expr.end:expr.end + 2])) and after_count_noun(text, expr.start)


def _bare_count(text: str, expr: NumberExpression) -> bool:
    """已办结18, 行政复议1(结果维持1), 留言2400余; — an integer that closes the clause of what it counts."""
    return not expr.is_chinese and expr.qualifier in ("exact", "over") and bare_count_at(text, expr.numeral_start) is not None


# How far a set phrase may start before the numeral it contains (千家万户: 万 is 2 in)
IDIOM_REACH = 6


def _in_idiom(text: str, expr: NumberExpression) -> bool:
    """Is the numeral part of a set phrase (一批, 千家万户, 三位一体) rather than a count?"""
    # What finditer over the window would find, tried only at the starts that can hold the
    # numeral: a search on through a long numeral would retry every idiom at each of its characters
    pos, end = max(0, expr.numeral_start - IDIOM_REACH), expr.end + IDIOM_REACH
    while pos <= expr.numeral_start:
        m = IDIOMS.match(text, pos, end)
        if m is None:
            pos += 1
        elif expr.numeral_start < m.end():
            return True
        else:
            pos = max(m.end(), pos + 1)
    return False


# How far a quotation may reach around a numeral it holds
QUOTE_REACH = 20


def _in_quoted_slogan(text: str, expr: NumberExpression) -> bool:
    """A Chinese numeral inside a short quotation is part of a slogan or name, wherever it stands in it:
    “两个千方百计、两个努力确保、两个持续提高”, “三个着力” (gold-format.md: names that contain numbers)."""
    left = text[max(0, expr.start - QUOTE_REACH):expr.start]
    opened = left.rfind("“")
    if opened < 0 or "”" in left[opened:] or any(ch in left[opened:] for ch in "。；;"):
        return False
    close = text.find("”", expr.end, expr.end + QUOTE_REACH)
    return close >= 0 and not any(ch in text[expr.end:close] for ch in "。；;")


def _is_statistic(text: str, expr: NumberExpression) -> bool:
    """Is this figure of the prose (outside the tables of the table sections) a statistic?"""
    if expr.unit is None and not expr.has_multiplier and not _after_count_noun(text, expr) and not _bare_count(text, expr):
        return False  # a bare number (list marker, year, code) counts nothing we can name
    if _in_table_row(text, expr.start):
        return False
    if _in_excluded_stretch(text, expr.start, expr.end):
        return False
    before = text[max(0, expr.numeral_start - 6):expr.numeral_start]
    if BEFORE_ANY.search(text, max(0, expr.start - 12), expr.start):
        return False
    if P.ORDINAL_BEFORE.search(before):
        return False
    if expr.unit is None and P.NOT_A_COUNT_AFTER.match(text[expr.end:expr.end + 4]):
        return False
    if expr.is_chinese:
        if _in_idiom(text, expr) or BEFORE_CHINESE.search(before) or _in_quoted_slogan(text, expr):
            return False
        if expr.numeral[0] in P.CN_UNITS + P.CN_BIG and P.VAGUE_BEFORE.search(before):  # 数十条, 数亿元
            return False
        if is_digit_by_digit(expr.numeral):
            return False  # 二〇二四, 两三次: a year or a code, or a range
    return True


# ---------------------------------------------------------------- subjects
@lru_cache(maxsize=1)
def _tokenizer():  # type: ignore[no-untyped-def]
    from .segmenter import shared_tokenizer  # jieba's dictionary cached in the user cache folder

    return shared_tokenizer()


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    return word_set("subject_stopwords.txt")


def subject_of(text: str, start: int, end: int, floor: int = 0) -> str | None:
    """The few words naming what a number counts, from its clause only (never the whole text)."""
    return _trim(_clause_before(text, start, floor)) or _trim(_clause_after(text, end)) or None


def _clause_before(text: str, start: int, floor: int) -> str:
    left = text[max(floor, start - SUBJECT_WINDOW):start]
    last = _LAST_SUBJECT_BREAK.match(left)  # greedy: up to the last break (each is one character)
    return left[last.end():] if last else left


def _clause_after(text: str, end: int) -> str:
    right = text[end:end + SUBJECT_WINDOW]
    stop = SUBJECT_AFTER_BREAK.search(right)
    return right[: stop.start() if stop else len(right)]


def _prefetch(clauses: Iterable[str]) -> None:
    """While the tokenizer still looks its entries up (the first clauses of a run), look up those
    of all ``clauses`` that need cutting in one go (a query per clause costs more)."""
    tokenizer = _tokenizer()
    if tokenizer.looks_up:
        tokenizer.prefetch(c for c in set(clauses) if c and not _nothing_to_trim(c))


@lru_cache(maxsize=1)
def _count_verbs() -> frozenset[str]:
    return word_set("count_verbs.txt")


@lru_cache(maxsize=16384)  # clauses recur across a corpus ("共收到政府信息公开申请")
def _trim(clause: str) -> str:
    clause = clause.strip()
    if not clause:
        return ""
    if _nothing_to_trim(clause):
        return clause  # what segmenting would give back unchanged: skip it (a hot path)
    tokens = [t for t in _tokenizer().lcut(clause, HMM=False) if t.strip()]
    verbs = _count_verbs()
    # 已主动公开范围, 被提起行政复议: a verb after 已/被/属于 names a state, which is the subject
    last_verb = max((i for i, t in enumerate(tokens) if t in verbs and (i == 0 or tokens[i - 1] not in STATE_MARKERS)),
                    default=-1)
    tokens = tokens[last_verb + 1:]
    stop = _stopwords()
    while tokens and (tokens[0] in stop or _YEARISH.match(tokens[0])):
        tokens.pop(0)
    while tokens and (tokens[-1] in stop or _YEARISH.match(tokens[-1])):
        tokens.pop()
    return "".join(tokens)


@lru_cache(maxsize=1)
def _edge_words() -> tuple[frozenset[str], tuple[int, ...], re.Pattern[str]]:
    """The stopwords, their lengths (an edge is looked up at each: cheaper than startswith with a
    tuple of all of them) and the verbs of counting as one pattern."""
    stop = _stopwords()
    return stop, tuple(sorted({len(w) for w in stop})), re.compile("|".join(sorted(_count_verbs(), key=len, reverse=True)))


@lru_cache(maxsize=16384)  # asked of each clause twice: before its entries are looked up, and when it is trimmed
def _nothing_to_trim(clause: str) -> bool:
    """No stopword at either edge, no digit there, no verb of counting and no space inside:
    every token jieba would find is kept, so the clause is its own subject."""
    stop, lengths, verbs = _edge_words()
    if clause[0].isdigit() or clause[-1].isdigit():
        return False
    for k in lengths:  # clause[:k] is the clause itself when it is shorter: a stopword it starts with too
        if clause[:k] in stop or clause[-k:] in stop:
            return False
    return not (verbs.search(clause) or clause.split() != [clause])  # a space inside: split() cuts at every one
