"""Number expressions: every numeral with its multiplier, unit and qualifier, as a span.

This stage knows the grammar of quantities ("1300 余条", "约3.5万件/次", "百分之九十五")
but not what they count; ``mentions`` decides which of them are statistics.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from . import patterns as P
from .numerals import MULTIPLIERS, NumeralError, parse_numeral, to_number
from .vocab import EXCLUSIONS, QUALIFIER_OF, UNITS

PERCENT_UNITS = {"%", "％"}
PERCENT_WORD = "百分之"  # the word every percentage in words (patterns.PERCENT_WORDS) is written with
_ARABIC_START = frozenset("0123456789０１２３４５６７８９")
_CHINESE_NUMERAL = re.compile(f"^[{P.CN_DIGITS}{P.CN_UNITS}{P.CN_BIG}]+$")
# A magnitude word alone (万, 亿, 百万, 千万) is a number only with a qualifier that makes it an
# amount (近万条, 上万人次, 万余条, 破亿): "本年收费金额（单位：万元）" names a unit, not 10000 元
_MAGNITUDE_ONLY = frozenset("百千万亿")
BEFORE_BARE = re.compile("|".join(f"(?:{p})" for p in EXCLUSIONS["before_bare"]))
# A list item "通知公告307、" is a count only in a list of figures: another numeral follows soon
# (a list marker "情况1、加强…" is followed by words)
LIST_REACH = 20
_DIGIT_AHEAD = re.compile(r"\d")
_COUNT_NOUN_HINT = re.compile(f"[{P.COUNT_NOUN_NEEDS}]")


@dataclass(slots=True)  # built for every candidate numeral: a plain slotted record is cheapest
class NumberExpression:
    start: int
    end: int
    text: str
    value: int | float
    unit: str | None
    qualifier: str
    numeral: str  # the numeral as written ("1300", "百", "3.5")
    numeral_start: int
    is_chinese: bool
    has_multiplier: bool


def find_number_expressions(
    text: str, *, counts_only: bool = False, spans: Sequence[tuple[int, int]] | None = None
) -> Iterator[NumberExpression]:
    """All well-formed number expressions of ``text``, left to right, not overlapping.

    ``counts_only`` skips bare numerals (no unit, no 万/亿), which can never be statistics;
    most numerals of a report are such (一是, 2024年, 第二十条), so this saves most of the work.
    ``spans`` limits the search to these stretches of the text (the prose, not the tables).
    """
    found: list[NumberExpression] = []
    for start, end in spans if spans is not None else [(0, len(text))]:
        found.extend(_expressions_in(text, start, end, counts_only))
    yield from found


def _expressions_in(text: str, start: int, end: int, counts_only: bool) -> list[NumberExpression]:
    found: list[NumberExpression] = []
    percent_spans = []
    # every match of PERCENT_WORDS holds 百分之: a substring test saves the scan of most prose
    matches = P.PERCENT_WORDS.finditer(text, start, end) if text.find(PERCENT_WORD, start, end) >= 0 else ()
    for m in matches:
        expr = _percent_words(text, m)
        if expr:
            found.append(expr)
            percent_spans.append((expr.start, expr.end))
    taken_until = 0
    for m in P.NUMBER_EXPRESSION.finditer(text, start, end):
        at = m.start()
        if at < taken_until or (percent_spans and _inside(percent_spans, at)):
            continue
        if counts_only:
            unit, mult, num = m.group("unit", "mult", "num")
            if not (unit or mult or "万" in num or "亿" in num
                    or (num[0] in _ARABIC_START and (after_count_noun(text, at) or bare_count_at(text, at)))):
                continue
        expr = _expression(text, m)
        if expr is not None:
            taken_until = expr.end
            found.append(expr)
    found.sort(key=lambda e: e.start)
    return found


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    """Is ``pos`` in one of ``spans`` (in order, not overlapping)? A bisection: a text of
    many percentages would otherwise test every span at every number."""
    i = bisect_right(spans, (pos, math.inf)) - 1
    return i >= 0 and pos < spans[i][1]


def after_count_noun(text: str, pos: int) -> bool:
    """Does a count noun stand right before ``pos`` (粉丝数 54373, 访问量为 12000)?"""
    lo = max(0, pos - 8)
    # every count noun holds 数 or 量 (patterns.COUNT_NOUN_NEEDS): most numbers have neither before them
    if _COUNT_NOUN_HINT.search(text, lo, pos) is None:
        return False
    return bool(P.COUNT_NOUN_BEFORE.search(text, lo, pos))


def bare_count_at(text: str, pos: int) -> re.Match[str] | None:
    """A bare integer at ``pos`` that counts what the word before it names ("已办结18,",
    "行政复议1(", "留言2400余;", "通知公告307、工作动态120"): patterns.BARE_COUNT, not a year,
    not part of a name or reference, and, before 、, in a list of figures."""
    m = P.BARE_COUNT.match(text, pos)
    if m is None:
        return None
    digits = text[pos:m.end() - len(m.group("mid") or "")].strip()
    if P.YEAR_LIKE.match(digits) or (len(digits) > 1 and digits[0] in "0０"):
        return None  # a year, or cells run together ("0000000")
    if BEFORE_BARE.search(text, max(0, pos - 6), pos):
        return None
    if _in_flattened_table(text, pos):
        return None
    after = text[m.end():m.end() + 1 + LIST_REACH].lstrip()
    if after.startswith("、") and not _DIGIT_AHEAD.search(after, 1):
        return None
    return m


# How far back a table's header words mark the text as a table flattened into one line (no sentence
# ends inside a table: the reach is the length of a whole run-together table)
TABLE_REACH = 3000


def _in_flattened_table(text: str, pos: int) -> bool:
    """A table whose cells were run together ("（一）予以公开7000007（二）部分公开…"): its header words
    stand earlier in the same sentence, and its bare figures are cells, not counts."""
    sentence_ends, header_words = _table_marks(text)
    lo = max(0, pos - TABLE_REACH)
    i = bisect_left(sentence_ends, pos) - 1
    start = max(lo, sentence_ends[i] + 1) if i >= 0 else lo  # the sentence back to its start, within reach
    # a header word wholly inside text[start:pos] (the words overlap no other: one at most per start)
    for j in range(bisect_left(header_words, (start,)), len(header_words)):
        word_start, word_end = header_words[j]
        if word_start >= pos:
            break
        if word_end <= pos:
            return True
    return False


_SENTENCE_END = re.compile("[。！？!?]")
# The last text's marks: (text, sentence ends, header words as (start, end)); one document's bare
# counts are tested in turn, and reading the marks once replaces a scan of TABLE_REACH characters each
_last_marks: tuple[str, list[int], list[tuple[int, int]]] | None = None


def _table_marks(text: str) -> tuple[list[int], list[tuple[int, int]]]:
    global _last_marks
    last = _last_marks
    if last is not None and last[0] is text:
        return last[1], last[2]
    ends = [m.start() for m in _SENTENCE_END.finditer(text)]
    words = []  # at every start, overlapping or not: each search goes on one character after the last
    m = P.TABLE_HEADER_WORDS.search(text)
    while m:
        words.append((m.start(), m.end()))
        m = P.TABLE_HEADER_WORDS.search(text, m.start() + 1)
    _last_marks = (text, ends, words)
    return ends, words


def _percent_words(text: str, m: re.Match[str]) -> NumberExpression | None:
    try:
        value = parse_numeral(m.group("num"))
    except NumeralError:
        return None
    pre = m.group("pre") if m.group("pre") != "上" else None  # 上 qualifies only 上百/上千/上万
    start = m.start("pre") if pre else m.start("num") - len("百分之")
    return NumberExpression(
        start=start, end=m.end(), text=text[start:m.end()], value=to_number(value), unit="%",
        qualifier=_qualifier(pre, None, None, m.group("post")), numeral=m.group("num"),
        numeral_start=m.start("num"), is_chinese=not any(ch.isdigit() for ch in m.group("num")),
        has_multiplier=False,
    )


# A numeral longer than this is no figure of a report (Python cannot even print an integer of
# more than 4,300 digits, so the result could not be written): it is not read as a number.
MAX_NUMERAL_CHARS = 4000


def _expression(text: str, m: re.Match[str]) -> NumberExpression | None:
    numeral = m.group("num")
    if len(numeral) > MAX_NUMERAL_CHARS:
        return None
    is_chinese = bool(_CHINESE_NUMERAL.match(numeral))
    pre, mid, mid2, post = m.group("pre"), m.group("mid"), m.group("mid2"), m.group("post")
    unit, mult = m.group("unit"), m.group("mult")
    end = m.end()
    # A unit is only a unit when the next characters do not make it part of another word
    # (个 + 工作日, 处 + 理): then the expression ends before it.
    if unit and _blocked(text, m.end("unit") if not m.group("alt") else m.end("alt"), unit):
        unit, post = None, None
        end = max(g for g in (m.end("num"), m.end("mid") if mid else -1, m.end("mult") if mult else -1,
                              m.end("mid2") if mid2 else -1))
    # "多" or "余" with nothing after it is an ordinary word ("3多" does not occur; "十多" needs a unit),
    # except after a bare count that closes its clause ("留言2400余;")
    if not unit and not mult and (mid or mid2) and not post and not (mid and bare_count_at(text, m.start("num"))):
        end = m.end("num")
        mid = mid2 = None
    if pre == "上" and not (is_chinese and numeral[0] in "百千万"):
        return None  # 上 is "about" only in 上百/上千/上万
    if is_chinese and set(numeral) <= _MAGNITUDE_ONLY and not (pre or mid or mid2 or post):
        return None
    start = m.start("pre") if pre else m.start("num")
    # the span ends on the last character of the expression, not on whitespace after it
    while end > start and text[end - 1].isspace():
        end -= 1
    try:
        value = parse_numeral(numeral)
    except NumeralError:
        return None
    if mult:
        value *= Decimal(MULTIPLIERS[mult])
    qualifier = _qualifier(pre, mid, mid2, post)
    if unit in PERCENT_UNITS:
        unit = "%"
    return NumberExpression(
        start=start, end=end, text=text[start:end], value=to_number(value), unit=unit,
        qualifier=qualifier, numeral=numeral, numeral_start=m.start("num"), is_chinese=is_chinese,
        # "突破200万", "破亿": a magnitude with no measure word still counts; a Chinese one
        # only after a qualifier (亿万群众, 万众 are words, not amounts)
        has_multiplier=bool(mult) or (any(ch in numeral for ch in P.CN_BIG) and (not is_chinese or bool(pre))),
    )


def _blocked(text: str, unit_end: int, unit: str) -> bool:
    """Do the (at most four) characters after the unit start one of the words it is blocked by?"""
    return text.startswith(UNITS.get(unit, ()), unit_end, unit_end + 4)


def _qualifier(pre: str | None, mid: str | None, mid2: str | None, post: str | None) -> str:
    for word, position in ((pre, "pre"), (mid, "mid"), (mid2, "mid"), (post, "post")):
        if word:
            return QUALIFIER_OF[(word, position)]
    return "exact"
