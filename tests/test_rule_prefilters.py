"""The shortcuts that spare searches in the field rules give what the searches would give."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from extractor import fields
from extractor.patterns import finditer_from, needed_chars, start_finder

EVALS = Path(__file__).resolve().parent.parent / "evals"

SENTENCES = [
    "本年度共收到政府信息公开申请43件，其中予以公开40件",
    "通过政府网站主动公开政府信息2139条",
    "依申请公开办理答复完成24件",
    "网站访问量达12万次",
    "召开新闻发布会3次，组织培训5场，参训人员120人",
    "行政复议2件，行政诉讼1件",
    "废止规范性文件3件，现行有效规范性文件12件",
    "",
]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_anchored_rules_are_those_whose_anchors_search_finds(sentence: str) -> None:
    context = fields.Context(window="", sentence=sentence, near="", narrow_sentence="", sentence_start=0,
                             heading="", period_start=0, after="", around="")
    expected = {r.index for r in fields.RULES if r.anchors is None or r.anchors.search(sentence)}
    got = {r.index for r in fields.RULES if context.anchored >> r.index & 1}
    assert got == expected


def test_overlapping_anchor_words_are_all_found() -> None:
    # every anchor word that begins inside another one still anchors its rules
    for word in {w for r in fields.RULES for w in r.anchor_words}:
        context = fields.Context(window="", sentence=f"甲{word}乙", near="", narrow_sentence="", sentence_start=0,
                                 heading="", period_start=0, after="", around="")
        for rule in fields.RULES:
            if rule.anchors is not None and rule.anchors.search(context.sentence):
                assert context.anchored >> rule.index & 1, (word, rule.name)


@pytest.mark.parametrize(("pattern", "needed"), [
    ("网站|门户|政务网", set("站户网")),
    ("(?:访问量|浏览量)[^§]{0,12}§", {"§"}),
    ("a?b|c", {"b", "c"}),
    ("[0-9]+件", {"件"}),
    ("x*", None),
    ("[^x]", None),
    ("(?i:ab)", None),
    ("(?:行政复议|复议)诉讼|[\u4e00-\u9fff]网", set("讼网")),
])
def test_needed_chars(pattern: str, needed: set[str] | None) -> None:
    got = needed_chars(re.compile(pattern))
    assert (None if got is None else set(got)) == needed


@pytest.mark.parametrize("text", ["网站", "门户", "官网", "网页", "公开专栏", "政务公开栏目", "信息公开平台", "政务网",
                                  "政府网", "中国林业网和", "微信公众号", "报刊", ""])
def test_whatever_website_matches_holds_a_needed_char(text: str) -> None:
    needs = fields.WEBSITE_NEEDS
    assert needs is not None
    assert fields.WEBSITE.search(text) is None or not needs.isdisjoint(text)


def test_count_nouns_hold_a_needed_char() -> None:
    from extractor import patterns as P

    needed = needed_chars(P.COUNT_NOUN_BEFORE)
    assert needed is not None and needed <= set(P.COUNT_NOUN_NEEDS)


@pytest.mark.parametrize(("pattern", "starts"), [
    ("a?b", "ab"),
    ("(?:x|y*)z", "xyz"),
    ("(?=a)b", "b"),
    ("(?<!年)以来|历年", "以历"),
    ("(?:行政复议|复议)诉讼", "行复"),
    (r"\s*a", None),  # a category: not known
    ("a*", None),  # may match empty
    ("[^x]y", None),
])
def test_start_finder(pattern: str, starts: str | None) -> None:
    got = start_finder(re.compile(pattern))
    assert (None if got is None else set(got.pattern.strip("[]"))) == (None if starts is None else set(starts))


def _none_rule_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((EVALS / "dev").glob("*.txt"))[:40]]
    rng = random.Random(15)
    pieces = ["未", "没有", "无", "零", "不存在", "上年", "去年", "行政", "复议", "诉讼", "结转", "收到", "申请", "，", "。",
              "均为零", "情况：", "无法", "发生", "行政诉讼", "不予公开", "收费", "\n", "1", "件", "下一年度", "至", "咨询", "留言", "接到"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))) for _ in range(400)]
    return texts


def test_statements_of_none_found_from_their_starts_are_finditer_s() -> None:
    texts = _none_rule_texts()
    for rule in fields.NONE_RULES:
        assert rule.starts is not None, rule.name  # every statement of none starts with a known word
        for text in texts:
            expected = [(m.span(), m.group()) for m in rule.pattern.finditer(text)]
            assert [(m.span(), m.group()) for m in finditer_from(rule.pattern, rule.starts, text)] == expected


def _without_lookahead(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern behind its opening look-ahead (the alternation it filters)."""
    assert pattern.pattern.startswith("(?=")
    return re.compile(pattern.pattern[pattern.pattern.index(")(?:") + 1:])


def test_not_statistic_patterns_find_with_their_lookahead_what_they_find_without() -> None:
    """NOT_STATISTIC_HINT and ANY_NOT_STATISTIC open with a look-ahead at the characters their
    matches start with: over every window around a number of the bundled reports and made-up
    stretches (letters that fold to ASCII case-insensitively: ſ, K, İ), the same matches."""
    from extractor import patterns as P

    texts = [p.read_text(encoding="utf-8") for d in ("dev", "dev2", "full", "seed") for p in sorted((EVALS / d).glob("*.txt"))]
    windows = [t[max(0, m.start() - 40):m.end() + 40] for t in texts for m in re.finditer(r"\d+", t)]
    windows += ["ſ@x.cn", "K.tang@gov.cn", "İnfo@a.org", "WWW.GOV.CN", "HTTPS://A.B", "（2024）3号", "第 12 号", "邮编：100000",
                "办公地点:某路1号", "１２３４５６７８９０１", "2024.", "2024 .", "电话：0371-12345678", "13912345678", "12月31日"]
    assert len(windows) > 1000
    for pattern in (P.NOT_STATISTIC_HINT, P.ANY_NOT_STATISTIC):
        plain = _without_lookahead(pattern)
        for window in windows:
            assert [m.span() for m in pattern.finditer(window)] == [m.span() for m in plain.finditer(window)], window
    assert _without_lookahead(P.ANY_NOT_STATISTIC).pattern == "(?:" + "|".join(
        f"(?i:{p.pattern})" if p.flags & re.I else f"(?:{p.pattern})" for p in P.NOT_STATISTICS) + ")"
