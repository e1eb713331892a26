"""Fields: map mentions to the canonical keys of fields.md with the cue rules of
``data/field_rules.toml``, add explicit statements of none, and settle each key's value.

Every field carries the spans it rests on (``evidence``) and the rule that produced it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from string import Template
from typing import Any, Generic, TypeVar

from . import patterns as P
from .models import FieldValue, Mention, Span
from .numerals import to_number
from .sections import SectionMap
from .vocab import FIELD_RULES

MARK = "§"  # stands for the mention inside a rule's window
# 政府网: "在中国林业网(国家林业和草原局政府网)发布" (dev2 n206), "兴宁市人民政府网" (dev2 n108), "贵州省人民政府网(www…)"
WEBSITE = re.compile(r"网站|门户|官网|网页|公开专栏|政务公开栏目|信息公开平台|政务网|政府网(?!上|格|络)|[\u4e00-\u9fff]网(?=和|及|、)")
# Channels other than the web: a figure over these and the web together is a total; over one of them
# alone it is that channel's ("共发行《兰州政报》12期,发布政府信息662条", dev2 n227; "通过主流媒体…发布相关信息2333条",
# dev2 n128), not the total
OTHER_CHANNELS = re.compile(r"公报|政报|报刊|报纸|电视|广播|查阅场所|查阅点|公告栏|公开栏|宣传栏|电子屏|显示屏|新闻媒体|主流媒体|档案馆|图书馆|服务大厅")
NEW_MEDIA = re.compile(r"微信|微博|公众号|新媒体|抖音|视频号|头条号|客户端|快手|小程序|APP|App")
MANY_CHANNELS = re.compile(r"等[^§，,。；]{0,6}(?:渠道|方式|载体|平台|媒介|形式|媒体)|多种|多渠道|各类渠道|各种渠道|线上线下")
SUB_ITEMS = P.SUB_ITEM_WORD  # a list of the parts of the figure before it
SUB_ITEM_REACH = P.SUB_ITEM_REACH  # it belongs to the figure just before it, within this many characters
PROACTIVE_FAMILY = {"proactive.total", "proactive.website", "proactive.new_media"}
AFTER_REACH = 40  # what a rule's `after` may look at: the start of the next clause or sentence
# How far right of a figure the rules read when no clause break comes sooner (a clause in the
# evals reaches at most 67 characters): a text without breaks stays linear in time
RIGHT_REACH = 300


@dataclass(frozen=True)
class Rule:
    index: int
    name: str
    fields: tuple[str, ...]
    pattern: re.Pattern[str]
    sentence: re.Pattern[str] | None
    not_window: re.Pattern[str] | None
    not_sentence: re.Pattern[str] | None
    units: frozenset[str | None] | None
    channel: str | None
    anchors: re.Pattern[str] | None  # one of these words must be in the sentence
    anchor_words: frozenset[str]  # the words of ``anchors`` (found for all rules at once: Context.anchored)
    heading: re.Pattern[str] | None  # `sentence` may be met by the heading the figure stands under instead
    rank: int  # rules of one rank compete by position (the first figure wins), not by their order
    head: frozenset[str] | None  # only for a sub-item (其中…) of a figure that filled one of these keys
    after: re.Pattern[str] | None  # must match the text right after the figure (AFTER_REACH characters)
    not_around: re.Pattern[str] | None  # must not match the sentence up to the figure, § and what follows it


@dataclass(frozen=True)
class NoneRule:
    name: str
    fields: tuple[str, ...]
    pattern: re.Pattern[str]
    not_clause: re.Pattern[str] | None
    closes: bool  # also keeps its key from the figure of a later clause of the sentence
    starts: re.Pattern[str] | None  # the characters a match of ``pattern`` starts with (patterns.start_finder)


def _compile(pattern: str | None) -> re.Pattern[str] | None:
    return re.compile(pattern) if pattern else None


def none_word_patterns(data: dict[str, Any]) -> dict[str, str]:
    """``[none_words]`` of the rules' data as ``{"word_none": …, "cases_none": …}`` (a list may
    name ``$word_none``), for the statements of none and the LLM layer."""
    words = data.get("none_words", {})
    word = {"word_none": words["word"]} if "word" in words else {}
    return word | {f"{name}_none": Template(w).safe_substitute(word) for name, w in words.items()}


def _load_rules(data: dict[str, Any]) -> tuple[list[Rule], list[NoneRule], dict[str, str]]:
    unit_groups = {name: frozenset(u or None for u in units) for name, units in data["units"].items()}
    rules = []
    rank_of: dict[str, int] = {}
    for i, r in enumerate(data["rule"]):
        fields = (r["field"],) if isinstance(r["field"], str) else tuple(r["field"])
        rules.append(Rule(
            index=i, name=r["name"], fields=fields, pattern=re.compile(r["pattern"]),
            sentence=_compile(r.get("sentence")), not_window=_compile(r.get("not")),
            not_sentence=_compile(r.get("not_sentence")),
            units=unit_groups[r["units"]] if "units" in r else None, channel=r.get("channel"),
            anchors=re.compile("|".join(map(re.escape, r["anchors"]))) if r.get("anchors") else None,
            anchor_words=frozenset(r.get("anchors") or ()),
            heading=_compile(r.get("heading")), rank=rank_of.setdefault(r.get("rank", r["name"]), i),
            head=frozenset(r["head"]) if r.get("head") else None, after=_compile(r.get("after")),
            not_around=_compile(r.get("not_around")),
        ))
    none_words = none_word_patterns(data)
    none_rules = [
        NoneRule(name=n["name"], fields=tuple(n["fields"]),
                 pattern=re.compile(Template(n["pattern"]).safe_substitute(none_words)),
                 not_clause=_compile(n.get("not")), closes=bool(n.get("closes")), starts=None)
        for n in data.get("none", [])
    ]
    # searched over the whole text, from the few places where a statement of none can start
    none_rules = [replace(n, starts=P.start_finder(n.pattern)) for n in none_rules]
    return rules, none_rules, dict(data.get("policy", {}))


RULES, NONE_RULES, POLICIES = _load_rules(FIELD_RULES)
# Sets of rules as bits of an int (bit i: RULES[i]), so that the rules a figure may meet are found
# for all rules at once, not by a test per rule and figure (a hot path), and then tried in order.
# The anchor words of every rule in one pass over a sentence: at each position where one begins,
# the longest there, which stands for every anchor word that begins it (words may overlap)
_ANCHOR_WORDS = sorted({w for rule in RULES for w in rule.anchor_words}, key=len, reverse=True)
ANY_ANCHOR = re.compile("|".join(map(re.escape, _ANCHOR_WORDS)))
# the rules anchored by the words that begin each anchor word; the rules without anchors
ANCHORED_BY = {w: sum(1 << r.index for r in RULES if any(w.startswith(v) for v in r.anchor_words))
               for w in _ANCHOR_WORDS}
UNANCHORED = sum(1 << r.index for r in RULES if not r.anchors)
DIFFERENCE = re.compile(FIELD_RULES["difference"]["before"])
# Per field, its statements of none in one pattern (a rule's cue behind one of them is not the field's)
NONE_OF_FIELD = {field: [n for n in NONE_RULES if n.closes and field in n.fields] for n0 in NONE_RULES for field in n0.fields}
# Words that widen a figure's scope beyond the body's own year (全县…, 各部门…, 截至…累计)
SCOPE_WORDS = re.compile("|".join(map(re.escape, FIELD_RULES["scope"]["wider"])))
# A figure counted since a start before the year (…以来,累计…) is no year's figure: it fills no key
CUMULATIVE = re.compile(FIELD_RULES["scope"]["cumulative"])
# A figure up to a date (截至…累计) may be the year's or the years' since a start: the other wins
UP_TO_A_DATE = re.compile(FIELD_RULES["scope"]["up_to_a_date"])


T = TypeVar("T")


class computed_once(Generic[T]):  # noqa: N801 — used as a decorator, like functools.cached_property
    """``functools.cached_property`` without its lock (Python 3.11 takes one at the first read of
    each instance: a cost on every figure). Computed at the first read, then read from the
    instance like any attribute; two threads may both compute it, to the same value."""

    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __get__(self, instance: Any, owner: type | None = None) -> T:
        if instance is None:
            return self  # type: ignore[return-value]
        value = instance.__dict__[self.name] = self.func(instance)
        return value


@dataclass
class Context:
    """The text around one mention, as the rules see it."""

    window: str  # near § right
    sentence: str  # sentence-left § right
    near: str  # the text back to the previous mention or the sentence start
    narrow_sentence: str  # the text back to the start of the sentence (up to a semicolon)
    sentence_start: int
    heading: str  # the heading the figure stands under ("(二)依申请公开")
    period_start: int  # where the sentence up to a full stop starts (semicolons inside)
    after: str  # the text right after the figure, across clauses (AFTER_REACH characters, squeezed)
    around: str  # the sentence (up to a full stop) before the figure, § and ``after``

    @computed_once
    def anchored(self) -> int:
        """The rules (as bits) whose ``anchors`` find a word in ``sentence``, or that have none."""
        rules = UNANCHORED
        search, sentence = ANY_ANCHOR.search, self.sentence
        m = search(sentence)
        while m:
            rules |= ANCHORED_BY[m.group()]
            m = search(sentence, m.start() + 1)  # words may overlap: on from the next character
        return rules

    @computed_once
    def clause_channel(self) -> str | None:
        """The channel the figure's own clause names, if any."""
        return _channel(self.near[max((m.end() for m in P.CLAUSE_START_MARKS.finditer(self.near)), default=0):])

    @computed_once
    def channel(self) -> str:
        """"website", "new_media" or "all": the channel named nearest the figure (computed only when asked)."""
        return self.clause_channel or _channel(self.near) or _channel(self.narrow_sentence) or "all"

    def fits(self, channel: str) -> bool:
        """Whether a rule's ``channel`` holds here; "website_as_means": the website is named in an
        earlier clause of the sentence (以…网站为主要公开途径，…), the figure's own clause names none."""
        if channel == "website_as_means":
            return self.clause_channel is None and self.channel == "website"
        return channel == self.channel




def resolve_fields(
    text: str, mentions: list[Mention], sections: SectionMap, year: int | None = None
) -> dict[str, FieldValue]:
    """``year``, the reporting year, lets the rules read 2022年/2024年 in a 2023 report as 上年度/下年度."""
    candidates: dict[str, list[tuple[Rule, int, Context]]] = {}
    assigned: list[tuple[str, ...]] = []
    relative_years = _relative_years(year)
    for i, mention in enumerate(mentions):
        context = _context(text, mentions, i, relative_years)
        if CUMULATIVE.search(context.window):
            assigned.append(())
            continue
        head = _head_fields(text, mentions, i, assigned)
        blocked = _blocked_by_head(head)
        rule = _first_rule(mention, context, blocked, head)
        assigned.append(tuple(f for f in rule.fields if f not in blocked) if rule else ())
        if rule:
            for field in assigned[-1]:
                candidates.setdefault(field, []).append((rule, i, context))
    for mention in mentions:
        mention.field = None
    fields: dict[str, FieldValue] = {}
    for field, found in candidates.items():
        chosen = _settle(field, _the_years_first(found), mentions)
        value = sum((Decimal(str(mentions[i].value)) for _, i, _ in chosen), Decimal(0))
        qualifier = next((mentions[i].qualifier for _, i, _ in chosen if mentions[i].qualifier != "exact"), "exact")
        fields[field] = FieldValue(
            value=to_number(value), qualifier=qualifier,  # type: ignore[arg-type]
            source=f"rule:{chosen[0][0].name}", evidence=[mentions[i].span for _, i, _ in chosen],
        )
        for _, i, _ in chosen:
            mentions[i].field = mentions[i].field or field
    _drop_total_below_a_channel(text, fields, mentions)
    _add_statements_of_none(text, sections, fields)
    return dict(sorted(fields.items()))


def _drop_total_below_a_channel(text: str, fields: dict[str, FieldValue], mentions: list[Mention]) -> None:
    """All channels together cannot be fewer than one of them: such a "total" is a part
    (信息报道, a campaign's items), so the body-wide figure stays unknown rather than wrong —
    unless the channel's figure is of wider scope than the total (全县48个政务新媒体…1.3万余条 beside
    主动公开各类政府信息5268条): then that channel figure is not the body's own and goes instead."""
    total = fields.get("proactive.total")
    if total is None:
        return
    for key in ("proactive.website", "proactive.new_media"):
        channel = fields.get(key)
        if channel is None or channel.value <= total.value:
            continue
        drop = key if _scope(text, channel) - _scope(text, total) else "proactive.total"
        del fields[drop]
        for m in mentions:
            if m.field == drop:
                m.field = None
        if drop == "proactive.total":
            return


def _scope(text: str, field: FieldValue) -> set[str]:
    """The scope words of the sentences (up to the figure) a field's evidence stands in."""
    return {w for e in field.evidence
            for w in SCOPE_WORDS.findall(_squeeze(text[_sentence_start(text, e.start, PERIOD_ENDERS):e.start]))}


def _relative_years(year: int | None) -> list[tuple[re.Pattern[str], str, str]]:
    """Years next to the reporting year, as the words the rules know ("2022年结转…申请7件,结转至2024年9件"
    in a 2023 report: carried over from 上年度, carried forward to 下年度), each with the year as
    written (a text without it has nothing to replace)."""
    if year is None:
        return []
    return [(re.compile(rf"{y}\s*年度?"), word, str(y)) for y, word in ((year - 1, "上年度"), (year + 1, "下年度"))]


def _context(
    text: str, mentions: list[Mention], i: int, relative_years: Sequence[tuple[re.Pattern[str], str, str]] = ()
) -> Context:
    m = mentions[i]
    sentence_start, period_start = _sentence_starts(text, m.start)
    near_start = max(sentence_start, mentions[i - 1].end if i > 0 else 0)
    near = text[near_start:m.start]
    stop = P.CLAUSE_BREAK.search(text, m.end, m.end + RIGHT_REACH)
    right = text[m.end: stop.start() if stop else m.end + RIGHT_REACH]
    sentence_left = text[period_start:m.start]
    after = text[m.end:m.end + AFTER_REACH]
    # Rules read words, not layout: PDF and HTML text breaks words across lines ("行\n政规范性文件").
    # Each piece is squeezed once (§ is no space), and only when it holds a space (``near`` ends ``sentence_left``)
    if _SPACE.search(sentence_left) or _SPACE.search(right) or _SPACE.search(after):
        left, right, after = _squeeze(sentence_left), _squeeze(right), _squeeze(after)
        window = f"{_squeeze(near)}{MARK}{right}"
    else:
        left, window = sentence_left, f"{near}{MARK}{right}"
    sentence = f"{left}{MARK}{right}"
    for pattern, word, year in relative_years:
        if year in sentence:  # the window is the end of the sentence: without the year in this, none in that
            window, sentence = pattern.sub(word, window), pattern.sub(word, sentence)
    return Context(window=window, sentence=sentence,
                   near=near, narrow_sentence=text[sentence_start:m.start], sentence_start=sentence_start,
                   heading=m.section or "", period_start=period_start,
                   after=after, around=f"{left}{MARK}{after}")


_WHITESPACE = re.compile(r"\s+")
_SPACE = re.compile(r"\s")


def _squeeze(text: str) -> str:
    return _WHITESPACE.sub("", text)


SENTENCE_ENDERS = tuple(P.SENTENCE_END_MARKS)
PERIOD_ENDERS = ("。", "！", "？", "!", "?")


def _sentence_start(text: str, pos: int, enders: tuple[str, ...] = SENTENCE_ENDERS) -> int:
    """Where the sentence holding ``pos`` starts (a blank line also ends a sentence)."""
    start = max(0, pos - 300)
    ends = [text.rfind(ch, start, pos) + 1 for ch in enders]
    blank = text.rfind("\n\n", start, pos)  # a paragraph break (text from PDF/HTML ingest writes it so)
    return max(start, *ends, blank + 2 if blank >= 0 else 0)


def _sentence_starts(text: str, pos: int) -> tuple[int, int]:
    """``_sentence_start`` of ``pos`` with SENTENCE_ENDERS and with PERIOD_ENDERS, the text read once:
    the first is the later of the second and the last semicolon."""
    start = max(0, pos - 300)
    blank = text.rfind("\n\n", start, pos)
    period_start = max(start, *(text.rfind(ch, start, pos) + 1 for ch in PERIOD_ENDERS), blank + 2 if blank >= 0 else 0)
    return max(period_start, *(text.rfind(ch, start, pos) + 1 for ch in _SEMICOLONS)), period_start


_SEMICOLONS = tuple(ch for ch in SENTENCE_ENDERS if ch not in PERIOD_ENDERS)
# WEBSITE cannot match a text that holds none of these (its search tries every position: no literal starts it)
WEBSITE_NEEDS = P.needed_chars(WEBSITE)


@lru_cache(maxsize=4096)  # a figure's clause, the text back to the figure before it and its sentence are often one
def _channel(context: str) -> str | None:
    """Which publication channel a figure is about, if its context names exactly one."""
    context = _squeeze(context)  # a line break inside a word ("视频\n号") is layout
    website = (WEBSITE_NEEDS is None or not WEBSITE_NEEDS.isdisjoint(context)) and bool(WEBSITE.search(context))
    new_media = bool(NEW_MEDIA.search(context))
    other = bool(OTHER_CHANNELS.search(context))
    if MANY_CHANNELS.search(context) or website + new_media + other >= 2:
        return "all"
    if website:
        return "website"
    if new_media:
        return "new_media"
    return "other" if other else None


def _head_fields(text: str, mentions: list[Mention], i: int, assigned: list[tuple[str, ...]]) -> tuple[str, ...] | None:
    """The fields of the figure a sub-item (其中…) belongs to; None when the mention is no sub-item."""
    m = mentions[i]
    lo = max(0, m.start - SUB_ITEM_REACH)
    marker = text.rfind(SUB_ITEMS, lo, m.start)
    if marker < 0 or "\n\n" in text[marker:m.start]:
        return None
    for j in range(i - 1, -1, -1):
        head = mentions[j]
        if head.end <= marker:
            if marker - head.end > SUB_ITEM_REACH or "\n\n" in text[head.end:marker]:
                return None
            return assigned[j]
    return None


def _blocked_by_head(head: tuple[str, ...] | None) -> set[str]:
    """A sub-item (其中…) cannot fill the field of the figure it is part of."""
    blocked = set(head or ())
    if blocked & PROACTIVE_FAMILY:
        blocked |= {"proactive.total"}
    return blocked


def _first_rule(mention: Mention, context: Context, blocked: set[str], head: tuple[str, ...] | None) -> Rule | None:
    if DIFFERENCE.search(context.window):
        return None  # 较上年减少5件: a change, not a count
    candidates = _rules_for(mention.unit, bool(head)) & context.anchored  # the units and anchors tests
    while candidates:
        lowest = candidates & -candidates
        candidates ^= lowest
        rule = RULES[lowest.bit_length() - 1]
        if blocked and blocked.issuperset(rule.fields):
            continue
        if rule.head is not None and not rule.head.intersection(head):  # type: ignore[arg-type]
            continue
        if rule.channel and not context.fits(rule.channel):
            continue
        if not rule.pattern.search(context.window):
            continue
        if rule.not_window and rule.not_window.search(context.window):
            continue
        if rule.sentence and not rule.sentence.search(context.sentence) and not (
                rule.heading and rule.heading.search(context.heading)):
            continue
        if rule.not_sentence and rule.not_sentence.search(context.sentence):
            continue
        if rule.after and not rule.after.search(context.after):
            continue
        if rule.not_around and rule.not_around.search(context.around):
            continue
        if _said_none_before(rule, context):
            continue
        return rule
    return None


# The rules (as bits) a figure may meet by its unit and whether it is a sub-item of a figure that
# filled keys (only such a sub-item may meet a rule with ``head``): worked out once per kind of figure
_RULES_FOR: dict[tuple[str | None, bool], int] = {}


def _rules_for(unit: str | None, sub_item: bool) -> int:
    rules = _RULES_FOR.get((unit, sub_item))
    if rules is None:
        rules = _RULES_FOR[unit, sub_item] = sum(
            1 << r.index for r in RULES if (r.units is None or unit in r.units) and (sub_item or r.head is None))
    return rules


def _said_none_before(rule: Rule, context: Context) -> bool:
    """"上年无结转,办结6件": the statement of none closes carried_over, so 6件 is not carried over.
    True when a statement of none of the rule's field stands in a clause before the figure's own."""
    clause_start = max((m.end() for m in P.CLAUSE_START_MARKS.finditer(context.near)), default=0)
    before = context.near[:clause_start]
    if not before:
        return False
    for field in rule.fields:
        for none_rule in NONE_OF_FIELD.get(field, ()):
            for m in none_rule.pattern.finditer(before):
                if not (none_rule.not_clause and none_rule.not_clause.search(_clause(before, m.start(), m.end()))):
                    return True
    return False


def _the_years_first(found: list[tuple[Rule, int, Context]]) -> list[tuple[Rule, int, Context]]:
    """Candidates counted up to a date (截至…累计) give way to those of the year, when there are any."""
    plain = [c for c in found if not UP_TO_A_DATE.search(_squeeze(c[2].narrow_sentence))]
    return plain or found


def _settle(
    field: str, found: list[tuple[Rule, int, Context]], mentions: list[Mention]
) -> list[tuple[Rule, int, Context]]:
    """The candidates a field's value rests on: the best rule's first (or largest), or its parts added up."""
    best = min(found, key=lambda c: (c[0].rank, c[1]))
    policy = POLICIES.get(field, "first")
    if policy == "max":
        best_rule = [c for c in found if c[0] is best[0]]
        return [max(best_rule, key=lambda c: (mentions[c[1]].value, -c[1]))]
    if policy == "sum":
        return [c for c in found if c[0] is best[0] and c[2].sentence_start == best[2].sentence_start]
    if policy == "sum_period":
        return [c for c in found if c[0] is best[0] and c[2].period_start == best[2].period_start]
    return [best]


def _add_statements_of_none(text: str, sections: SectionMap, fields: dict[str, FieldValue]) -> None:
    for rule in NONE_RULES:
        if all(f in fields for f in rule.fields):
            continue
        for m in P.finditer_from(rule.pattern, rule.starts, text):
            if sections.in_table(m.start()):
                continue
            clause = _clause(text, m.start(), m.end())
            if rule.not_clause and rule.not_clause.search(clause):
                continue
            for field in rule.fields:
                if field not in fields:
                    fields[field] = FieldValue(
                        value=0, qualifier="exact", source=f"rule:{rule.name}",
                        evidence=[Span(start=m.start(), end=m.end(), text=m.group(0))],
                    )
            break


def _clause(text: str, start: int, end: int) -> str:
    left = max((m.end() for m in P.CLAUSE_STOP.finditer(text[max(0, start - 60):start])), default=0)
    stop = P.CLAUSE_STOP.search(text, end, end + RIGHT_REACH)  # bounded: linear in time on a line without breaks
    return text[max(0, start - 60) + left: stop.start() if stop else end]
