"""Named regular expressions, built from named pieces and compiled once at import.

Each piece names a real example it must match. Word lists (measure words, qualifiers,
field cues) live as data files in ``extractor/data``; this module only holds the grammar.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from re import _constants, _parser  # the parsed form of a pattern (needed_chars)
from typing import Any

from .numerals import CN_BIG, CN_DIGIT_VALUES, CN_UNITS
from .vocab import QUALIFIERS, UNITS

# ---------------------------------------------------------------- numerals
ASCII_DIGITS = "0-9"
FULLWIDTH_DIGITS = "０-９"
DIGIT = f"[{ASCII_DIGITS}{FULLWIDTH_DIGITS}]"
# "1300", "1,300", "82.4", "１２", "377.8929" — a comma only as a thousands separator
ARABIC = rf"{DIGIT}+(?:[,，]{DIGIT}{{3}}(?!{DIGIT}))*(?:[.．]{DIGIT}+)?"
CN_DIGITS = "".join(CN_DIGIT_VALUES)  # 零〇一二两三四五六七八九 (numerals.py: the one table)
# "十", "两", "一千三百", "三万", "百" (as in 百余条)
CHINESE = f"[{CN_DIGITS}{CN_UNITS}{CN_BIG}]+(?:点[{CN_DIGITS}]+[{CN_BIG}]?)?"  # 十五点五万: a decimal point 点
# "3万4千", "1.3万", "62.73万": Arabic digits with Chinese multipliers inside the numeral
ARABIC_MIXED = rf"{ARABIC}(?:[{CN_BIG}]{ARABIC}[{CN_UNITS}]|[千百])?"
NUMERAL = rf"(?:{ARABIC_MIXED}|{CHINESE})"

# Whitespace a span may cross: spaces, and at most one line break (PDF text wraps lines:
# "公开政府常务会议 7\n期"), never a paragraph break.
WS = r"[ \t\u3000\u00a0]*(?:\r?\n[ \t\u3000\u00a0]*)?"


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


PRE_QUALIFIER = _alternation([w for w, pos, _ in QUALIFIERS if pos == "pre"])
MID_QUALIFIER = _alternation([w for w, pos, _ in QUALIFIERS if pos == "mid"])
POST_QUALIFIER = _alternation([w for w, pos, _ in QUALIFIERS if pos == "post"])
MULTIPLIER = "千万|百万|万|亿"
UNIT = _alternation(list(UNITS))
# "1853篇(条)": an alternative unit in brackets is part of the span
UNIT_ALT = rf"[（(](?:{UNIT})[)）]"

# "1300 余条", "13 万次", "约3.5万件/次", "10余万条", "60万余次", "80%以上", "百余条", "突破200万"
# The characters an expression can start with, tested first at each position: without it the
# engine tries every qualifier word at every character of the text (a third of the scan time)
_EXPRESSION_START = "".join(sorted({w[0] for w, pos, _ in QUALIFIERS if pos == "pre"}))
NUMBER_EXPRESSION = re.compile(
    rf"(?=[{_EXPRESSION_START}{ASCII_DIGITS}{FULLWIDTH_DIGITS}{CN_DIGITS}{CN_UNITS}{CN_BIG}])"
    rf"(?:(?P<pre>{PRE_QUALIFIER}){WS})?"
    rf"(?P<num>{NUMERAL})"
    rf"(?:{WS}(?P<mid>{MID_QUALIFIER}))?"
    rf"(?:{WS}(?P<mult>{MULTIPLIER}))?"
    rf"(?:{WS}(?P<mid2>{MID_QUALIFIER}))?"
    rf"(?:{WS}(?P<unit>{UNIT})(?P<alt>{UNIT_ALT})?)?"
    rf"(?:{WS}(?P<post>{POST_QUALIFIER}))?"
)
# "百分之九十五" → 95 %, "约百分之九十", "百分之八十以上"
PERCENT_WORDS = re.compile(
    rf"(?:(?P<pre>{PRE_QUALIFIER}){WS})?百分之(?P<num>{NUMERAL})(?:{WS}(?P<post>{POST_QUALIFIER}))?"
)

# ---------------------------------------------------------------- not statistics
# Stretches of text whose numbers are never mentions.
# A mail address starts where its run of name characters starts (tried inside the run, the
# name part would rescan the run at every character: quadratic on a long digit run)
URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9./?=&%#:~+_-]+|(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+", re.I)
PHONE = re.compile(r"(?<!\d)(?:0\d{2,3}[-－—]\d{7,8}|1[3-9]\d{9}|\d{3,4}[-－—]\d{3,4}[-－—]\d{3,4})(?!\d)")
DOC_NUMBER = re.compile(r"[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*\d+\s*号|第\s*\d+\s*号")
POSTCODE = re.compile(r"(?:邮编|邮政编码)[:：\s]*\d{6}")
# "2024-01-16", "2026-01-16 18:22:45", "2024年12月31日"
DATE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}|(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?"
    r"|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}:\d{2}(?::\d{2})?"
)
# "地址:涵江区涵东街道四元街206弄"
ADDRESS = re.compile(r"(?:地址|住址|地点|办公地点|邮寄地址)\s*[:：为是]?[^，,。；;\n]{0,40}")
NOT_STATISTICS = (URL, PHONE, DOC_NUMBER, POSTCODE, DATE, ADDRESS)
# What each of them needs to hold: where none of this is near a number, none of them can match.
# Both patterns below open with a look-ahead at the characters their matches can start with: the
# engine then steps over every other position at once instead of trying each alternative there
# (three times faster on the window around a number). The same matches: each alternative starts
# with one of these characters.
NOT_STATISTIC_HINT = re.compile(
    r"(?=[-－—/:：@〔\[［【w地住邮号月\d])(?:[-－—/:：@〔\[［【]|www|地址|住址|地点|邮编|邮政|号|月|\d{11}|(?:19|20)\d{2}\s*\.)"
)
# URL's letters case-insensitively (as URL reads them), digits (PHONE, DATE), the brackets and 第 of
# DOC_NUMBER, 邮 of POSTCODE, 地/住/办/邮 of ADDRESS
_NOT_STATISTIC_STARTS = r"(?i:[A-Za-z0-9._%+-])|[\d〔\[［【(（第邮地住办]"
# All of them in one pass (a hot path: tried around every candidate mention)
ANY_NOT_STATISTIC = re.compile(f"(?={_NOT_STATISTIC_STARTS})(?:" + "|".join(
    f"(?{'i' if p.flags & re.I else ''}:{p.pattern})" if p.flags & re.I else f"(?:{p.pattern})" for p in NOT_STATISTICS
) + ")")

# A numeral directly after these is an ordinal, a list marker, part of a name/date or vague:
# 第二十条, 国务院令第711号, 十七届五次全会, 星期一, G20, No.3, 几百个 — but a new-media account named
# "…号" is counted after its name: 微信公众号335条, 抖音号628条, 头条号181条, 视频号584条
ORDINAL_BEFORE = re.compile(r"(?:第|届|星期|周|礼拜|[A-Za-z]|No\.?|编号|序号|(?<!公众|抖音|视频|头条|頭條|百家|企鹅|服务|订阅)号|几|若干)\s*$")
# 数十条, 数百个: "several tens" has no value (but 见报数1751篇 is a count)
VAGUE_BEFORE = re.compile(r"数\s*$")
# A bare number right after a count noun is a statistic without a measure word:
# "粉丝数 54373；", "点赞量为12万" (a number needs no unit when the noun already says what it counts)
COUNT_NOUN_BEFORE = re.compile(r"(?:数|量|总数|总量|数量|人数|次数|件数)\s*(?:为|达|达到|是|共|共计|累计)?\s*[:：]?\s*$")
# the characters one of which every count noun holds (numbers.after_count_noun looks for them first)
COUNT_NOUN_NEEDS = "数量"
CLAUSE_END_AFTER = re.compile(r"^\s*(?:[，,。；;、）)！？!?]|$)")
# A bare integer written straight after the word it counts and closing its clause is a count with
# no measure word (gold-format.md allows unit null): "已办结18,结转下年度继续办理5。" "行政复议1(结果维持1)"
# "留言2400余;" — an optional 余/多 (over), then clause punctuation. Not at the very end of an
# excerpt (a figure cut in half), not a year, and not after the words of names and references
# (附件1, 热线12345: data/exclusions.toml before_bare).
BARE_COUNT = re.compile(rf"(?<=[\u4e00-\u9fff]){DIGIT}+(?P<mid>余|多)?(?=\s*[，,。；;、）)（(])")
YEAR_LIKE = re.compile(r"^(?:19|20)\d{2}$")
# A numeral directly before these belongs to a bigger name or a time/limit, not a count:
# 5G, 12345热线, 20个工作日内, 3个月, "三个着力"
NOT_A_COUNT_AFTER = re.compile(r"^\s*(?:[A-Za-z]|热线|号|版|级|届|周年|年|月|日|天|小时|分钟|工作日|个?工作日|个月)")

# ---------------------------------------------------------------- sections
TOP_HEADING = re.compile(r"(?m)^[ \t\u3000•·]*(?P<num>[一二三四五六七八九十]{1,2})\s*[、.．]\s*(?P<title>[^\n。]{2,40})")
SUB_HEADING = re.compile(r"(?m)^[ \t\u3000•·]*(?P<num>[（(][一二三四五六七八九十]{1,2}[)）])\s*(?P<title>[^\n。：:]{2,30})")
HEADING_WORDS = re.compile(
    r"总体情况|概述|概况|主动公开|依申请公开|收到和处理|行政复议|行政诉讼|存在的主要问题|问题|改进|"
    r"其他需要报告|收费|减免|支出|基本情况"
)
TABLE_SECTION_TITLE = re.compile(r"主动公开政府信息情况|收到和处理政府信息公开申请|政府信息公开行政复议|行政复议、行政诉讼")
TABLE_MARKERS = re.compile(r"第二十条第|信息内容|本年制发件数|本年新制作数量|申请人情况|本年新收政府信息公开申请|结果\s*维持|尚未\s*审结")
# Header words only a table holds (prose says 结果维持 too): a table flattened into one line of text
# ("…申请人情况自然人…（一）予以公开7000007（二）…") holds these before its cells
TABLE_HEADER_WORDS = re.compile(r"第二十条第|信息内容|本年制发件数|本年新制作数量|申请人情况|本年新收政府信息公开申请|本年度办理结果")

# (title, body and year: extractor/metadata.py, beside the data they read)

# ---------------------------------------------------------------- page furniture
# A page number as printed in a page's margin, the whole line: "- 4 -", "— 5 —", "~ 6 ~", "第 4 页",
# "第4页 共9页", "4/12", "Page 4 of 9", "页码 4". The PDF reader drops such a line at a page's edge;
# the table reader drops it between a table's rows (a PDF flattened into text keeps it there).
# At most three digits: no report runs to a thousand pages, and "2024" alone is a year.
PAGE_NUMBER = re.compile(
    r"^(?:[-—–－~〜]+\s*\d{1,3}\s*[-—–－~〜]+|第\s*\d{1,3}\s*页(?:\s*[，,/]?\s*共\s*\d{1,3}\s*页)?"
    r"|\d{1,3}\s*/\s*\d{1,3}|(?:page|页码)\s*\d{1,3}(?:\s*(?:of|/)\s*\d{1,3})?)$",
    re.IGNORECASE)
# At a page's edge a bare number ("4") is a page number too (inside a table it is a cell)
PAGE_NUMBER_AT_EDGE = re.compile(rf"{PAGE_NUMBER.pattern}|^\d{{1,3}}$", re.IGNORECASE)

# ---------------------------------------------------------------- clauses
# A clause ends at punctuation or a blank line; a single line break is a wrap, not a break
CLAUSE_BREAK = re.compile(r"[，,、：:（）()。；;！？!?“”\"]|\n\s*\n")
# Narrower clause pieces, each for one reading (unifying them changes which words a rule sees):
# where the clause a figure stands in begins, reading back from it (after the last of these:
# "共受理申请21件,结转上年度2件" → the clause of 2 is "结转上年度"; a 、 list or brackets stay inside);
CLAUSE_START_MARKS = re.compile(r"[，,；;：:]")
# where a statement of none ends, reading on from it (a line break ends it; a colon does not);
CLAUSE_STOP = re.compile(r"[，,。；;\n]")
# and the LLM layer's clause of a candidate: clause or sentence punctuation, or a line break.
CANDIDATE_CLAUSE_BREAK = re.compile(r"[，,。！？!?；;：:\n]")


# ---------------------------------------------------------------- pieces the rules and the LLM layer share
# One home for what fields.py, mentions.py and llm/candidates.py (grounding) all read.
# A sentence ends at one of these marks: "收到申请5件。办结5件" is two sentences. The rules read a
# sentence up to these marks (and a blank line); the LLM layer's candidates and grounding also end a
# sentence at a single line break (a list item or a table row is its own sentence there).
SENTENCE_END_MARKS = "。；;！？!?"
# 其中 opens the list of the parts of the figure before it ("收到申请43件，其中予以公开40件"); the list
# belongs to a figure at most this many characters before it.
SUB_ITEM_WORD = "其中"
SUB_ITEM_REACH = 150
# A line split into cells by two or more tabs or pipes is a table row wherever it stands:
# "| 予以公开 | 40 |", "予以公开\t40\t2" (a table the converter wrote out inside the prose).
TABLE_CELL_SEPARATORS = ("\t", "|")


def is_table_row_line(line: str) -> bool:
    """Whether ``line`` is a table row: its cells split by two or more tabs or pipes."""
    return any(line.count(sep) >= 2 for sep in TABLE_CELL_SEPARATORS)


# ---------------------------------------------------------------- characters a match needs
def needed_chars(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Characters one of which every match of ``pattern`` holds (None when no such set is found): a
    text holding none of them cannot match, and a set test is cheaper than a search that has no
    literal to start from (the engine then tries the whole pattern at every position).

    Read from the parsed pattern: a literal, a class of literals, an alternation (the union of its
    branches' sets), a group, a repeat of at least once; of a sequence, the smallest set of its parts.
    """
    parsed = _parser.parse(pattern.pattern, pattern.flags)
    if parsed.state.flags & re.IGNORECASE:
        return None
    return _needed_in(list(parsed))


_LARGEST_NEEDED = 64  # a set larger than this saves little over the search


def _needed_in(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    found = [s for op, av in items if (s := _needed_by(op, av)) is not None]
    # of equal sizes the last: the head of a word is the more common character (公开专栏, 信息公开平台)
    return min(reversed(found), key=len) if found else None


def _needed_by(op: Any, av: Any) -> frozenset[str] | None:  # noqa: PLR0911 — one case per kind of node
    c = _constants
    if op is c.LITERAL:
        return frozenset(chr(av))
    if op is c.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is c.LITERAL:
                chars.add(chr(value))
            elif kind is c.RANGE and value[1] - value[0] < _LARGEST_NEEDED:
                chars.update(map(chr, range(value[0], value[1] + 1)))
            else:
                return None  # a negated class, a category, a wide range
        return frozenset(chars)
    if op is c.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            branch_needs = _needed_in(list(branch))
            if branch_needs is None:
                return None
            union |= branch_needs
        return frozenset(union) if len(union) <= _LARGEST_NEEDED else None
    if op is c.SUBPATTERN:
        _, add_flags, _, inner = av
        return None if add_flags & re.IGNORECASE else _needed_in(list(inner))
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, _, inner = av
        return _needed_in(list(inner)) if low >= 1 else None
    if op is c.ATOMIC_GROUP:
        return _needed_in(list(av))
    return None  # an assertion, any character, a back reference: nothing needed


# ---------------------------------------------------------------- characters a match starts with
def start_finder(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A pattern that finds the characters a match of ``pattern`` can start with, or None when
    they are not known (a match may be empty, or start with any of many characters)."""
    parsed = _parser.parse(pattern.pattern, pattern.flags)
    if parsed.state.flags & re.IGNORECASE:
        return None
    first = _first_of(list(parsed))
    if first is None or first[1] or len(first[0]) > _LARGEST_NEEDED:
        return None
    return re.compile("[" + "".join(re.escape(ch) for ch in sorted(first[0])) + "]")


def finditer_from(pattern: re.Pattern[str], starts: re.Pattern[str] | None, text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, tried only where ``starts`` (``start_finder``) finds a character
    a match can start with: a pattern with no literal to start from is otherwise tried at every
    position of the text, which costs more than a loop over the few places it can match."""
    if starts is None:
        yield from pattern.finditer(text)
        return
    pos = 0
    while (candidate := starts.search(text, pos)) is not None:
        at = candidate.start()
        m = pattern.match(text, at)  # what a search from ``pos`` finds, if it finds it here
        if m is None:
            pos = at + 1
            continue
        yield m
        pos = m.end()  # never empty (start_finder gives None for a pattern that can match empty)


def _first_of(items: list[tuple[Any, Any]]) -> tuple[frozenset[str], bool] | None:
    """The characters a match of the sequence ``items`` can start with, and whether it can be empty."""
    chars: set[str] = set()
    for op, av in items:
        first = _first_by(op, av)
        if first is None:
            return None
        chars |= first[0]
        if not first[1]:
            return frozenset(chars), False
    return frozenset(chars), True


def _first_by(op: Any, av: Any) -> tuple[frozenset[str], bool] | None:  # noqa: PLR0911 — one case per kind of node
    c = _constants
    if op in (c.LITERAL, c.IN):
        chars = _needed_by(op, av)  # one character, of this class
        return None if chars is None else (chars, False)
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return frozenset(), True  # consumes nothing: the next item starts the match
    if op is c.BRANCH:
        chars: set[str] = set()
        empty = False
        for branch in av[1]:
            first = _first_of(list(branch))
            if first is None:
                return None
            chars |= first[0]
            empty = empty or first[1]
        return frozenset(chars), empty
    if op is c.SUBPATTERN:
        _, add_flags, _, inner = av
        return None if add_flags & re.IGNORECASE else _first_of(list(inner))
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, _, inner = av
        first = _first_of(list(inner))
        return None if first is None else (first[0], first[1] or low == 0)
    if op is c.ATOMIC_GROUP:
        return _first_of(list(av))
    return None  # any character, a negated class, a back reference: not known
