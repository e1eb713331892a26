"""The rule pieces the rules (fields, mentions, tables), the converters and the LLM layer (candidates,
grounding) share have one home each (``extractor/patterns.py``, ``numerals.py``, the ``[none_words]``
of ``data/field_rules.toml``); each is run here on real text from the eval documents, and so is
every regex of ``patterns.py``."""

from __future__ import annotations

import re
from pathlib import Path

from extractor import extract, fields, mentions, table_lines
from extractor import patterns as P
from extractor.ingest import pdf as ingest_pdf
from extractor.llm import candidates
from extractor.llm.definitions import FIELDS as LLM_FIELDS
from extractor.numerals import CN_DIGIT_VALUES, is_digit_by_digit, parse_numeral
from extractor.vocab import FIELD_RULES

EVALS = Path(__file__).resolve().parents[1] / "evals"


def _line_with(path: Path, needle: str) -> str:
    return next(ln for ln in path.read_text(encoding="utf-8").splitlines() if needle in ln)


def test_table_row_test_is_one_rule_for_mentions_and_llm():
    tabbed = _line_with(EVALS / "seed" / "longting-2024.txt", "规范性文件\t")  # 行政规范性文件\t3\t0\t7
    piped = _line_with(EVALS / "full" / "kewei-2024.md", "| 规范性文件 | 13 |")
    prose = _line_with(EVALS / "dev" / "r023.txt", "其中,予以公开与部分公开4宗")
    assert P.is_table_row_line(tabbed) and P.is_table_row_line(piped)
    assert not P.is_table_row_line(prose)
    text = "\n".join([prose, tabbed, piped])
    rows = candidates.table_rows(text)
    for line in (prose, tabbed, piped):
        start = text.index(line)
        in_llm_row = any(a <= start <= b for a, b in rows)
        assert mentions._in_table_row(text, start) == in_llm_row == P.is_table_row_line(line)


def test_sentence_marks_are_the_rules_and_the_llm_layers():
    """Both read a sentence from the same marks; the LLM layer alone also ends one at a line break."""
    line = _line_with(EVALS / "dev" / "r023.txt", "其中,予以公开与部分公开4宗")
    pos = line.index("因本机关不掌握") if "因本机关不掌握" in line else line.index("4宗")
    start = fields._sentence_start(line, pos)
    assert start == 0 or line[start - 1] in P.SENTENCE_END_MARKS
    s0, _ = candidates.sentence_bounds(line, pos, pos + 1)
    assert s0 == start  # one line: the same sentence for the rule and for grounding
    assert set(fields.SENTENCE_ENDERS) == set(P.SENTENCE_END_MARKS)
    assert candidates.SENTENCE_BREAK.pattern.startswith(f"[{P.SENTENCE_END_MARKS}]")
    two = "收到申请5件\n办结5件"  # a line break ends the LLM layer's sentence only
    assert candidates.sentence_bounds(two, 8, 9)[0] == 7 and fields._sentence_start(two, 8) == 0


def test_sub_items_reach_is_one_for_the_rules_and_the_llm_layer():
    line = _line_with(EVALS / "dev" / "r050.txt", "主动公开政府信息33件,其中行政许可")
    part = line.index("1件", line.index(P.SUB_ITEM_WORD))
    assert candidates._is_sub_item(line, part)  # 行政许可类信息1件 is a part of the 33
    far = line[:line.index(P.SUB_ITEM_WORD) + 2] + "，" * P.SUB_ITEM_REACH + "1件"
    assert not candidates._is_sub_item(far, len(far) - 2)
    assert fields.SUB_ITEM_REACH == candidates.SUB_ITEM_REACH == P.SUB_ITEM_REACH
    assert fields.SUB_ITEMS == P.SUB_ITEM_WORD


def test_the_word_of_none_is_one_for_the_rules_and_the_llm_layer():
    """[none_words].word (field_rules.toml) is the LLM layer's word of none and stands in the rules'
    statements of none; on a real line both read 未收到…申请 as none, and 信息不存在 is none of nothing
    for the LLM (it is why a request was not answered) while the fee rule reads 不存在…收费."""
    word = FIELD_RULES["none_words"]["word"]
    assert candidates.NONE_WORD.pattern == word
    words = fields.none_word_patterns(FIELD_RULES)
    assert words["word_none"] == word and f"(?:{word})" in words["cases_none"]
    by_name = {rule.name: rule for rule in fields.NONE_RULES}
    for name in ("no_requests", "no_carried_over", "no_carried_forward", "no_consultations", "no_fees", "no_denials"):
        assert f"(?:{word}" in by_name[name].pattern.pattern, name
    assert not candidates.NONE_WORD.search("暂无法提供") and candidates.NONE_WORD.search("暂无结转")

    line = _line_with(EVALS / "dev" / "r058.txt", "未收到要求公开政府信息的申请")
    assert extract(line).fields["requests.received"].source == "rule:no_requests"
    c0 = line.index("未收到")
    assert candidates.states_none(LLM_FIELDS["requests.received"], line, c0, line.index("。", c0))

    line = _line_with(EVALS / "dev" / "r108.txt", "不存在政府信息公开的收费")
    got = extract(line).fields
    assert got["fees.collected"].source == "rule:no_fees" and got["requests.received"].value == 0
    c0 = line.index("不存在政府信息公开的收费")
    assert not any(candidates.states_none(LLM_FIELDS[k], line, c0, len(line)) for k in LLM_FIELDS)


def test_one_numeral_table_for_the_grammar_the_parser_and_the_mentions():
    """〇 and 两 are digits for the grammar, the parser and the digit-by-digit test alike."""
    assert set(P.CN_DIGITS) == set(CN_DIGIT_VALUES) and {"〇", "两"} <= set(P.CN_DIGITS)
    assert is_digit_by_digit("二〇二四") and parse_numeral("二〇二四") == 2024  # a year, digit by digit
    assert parse_numeral("两千") == 2000 and parse_numeral("十五点两") == parse_numeral("十五点二")
    # three or four, two or three: a range, never a count (两 is a digit here as 三 is)
    for sentence in ("组织开展三四次专题培训。", "组织开展两三次专题培训。", "仅有一两件申请逾期答复。"):
        assert not extract(sentence).mentions, sentence
    assert [m.value for m in extract("召开新闻发布会两场。").mentions] == [2]


def test_one_page_number_pattern_for_pdf_pages_and_table_lines():
    """Page numbers printed in real reports: ``- 1 -`` at the foot of the Hongze PDF's pages,
    ``— 1 —`` between the rows of a Shanghai report flattened to text."""
    import pdfplumber

    with pdfplumber.open(EVALS / "full" / "hongze-2024.pdf") as pdf:
        foot = pdf.pages[1].extract_text().splitlines()[-1]
    flattened = _line_with(EVALS / "full" / "shanghai-office-2025.md", "— 1 —")
    for line in (foot, flattened):
        assert P.PAGE_NUMBER.match(line.strip()) and P.PAGE_NUMBER_AT_EDGE.match(line.strip()), line
        assert table_lines._is_rule_or_furniture(line.strip())
    assert ingest_pdf._PAGE_NUMBER is P.PAGE_NUMBER_AT_EDGE
    assert P.PAGE_NUMBER_AT_EDGE.match("4") and not P.PAGE_NUMBER.match("4")  # a bare number: at an edge only
    assert not P.PAGE_NUMBER_AT_EDGE.match("2024") and not P.PAGE_NUMBER.match("- 2024 -")  # a year
    assert not table_lines._is_rule_or_furniture("行政规范性文件\t3\t0\t7")


# Every regex of patterns.py run on a real line: (file, a piece of the line, how the regex is run
# on it, what it must find). "before X" / "after X": the text before / after X, as the rules read it.
REAL_EXAMPLES = {
    "ADDRESS": ("dev/r018.txt", "地址:丽水市花园路1号", "search", "地址:丽水市花园路1号"),
    "ANY_NOT_STATISTIC": ("dev/r004.txt", "联系电话:010-83926723", "search 地址", "地址:广安门南街2号"),
    "BARE_COUNT": ("dev2/n117.txt", "已办结18,", "search", "18"),
    "CLAUSE_BREAK": ("dev2/n117.txt", "已办结18,", "search 18,", ","),
    "CLAUSE_START_MARKS": ("dev2/n117.txt", "结转上年度2件", "before 结转上年度2件", ","),
    "CLAUSE_STOP": ("dev2/n117.txt", "结转下年度继续办理5。", "search 5。", "。"),
    "CANDIDATE_CLAUSE_BREAK": ("dev2/n117.txt", "已办结18,", "search 18,", ","),
    "CLAUSE_END_AFTER": ("dev2/n117.txt", "已办结18,", "after 已办结18", ","),
    "COUNT_NOUN_BEFORE": ("dev/r053.txt", "总访问量377.8929万", "before 377.8929", "量"),
    "DATE": ("dev/r007.txt", "发布时间:2021-01-28", "search", "2021-01-28"),
    "DOC_NUMBER": ("dev/r018.txt", "浙政办发〔2017〕36号", "search", "〔2017〕36号"),
    "HEADING_WORDS": ("dev/r004.txt", "一、总体情况", "search", "总体情况"),
    "NOT_A_COUNT_AFTER": ("dev2/n226.txt", "均在5个工作日内办结", "after 均在5", "个工作日"),
    "NOT_STATISTIC_HINT": ("dev/r029.txt", "电话:0537-5770001", "search 电话", ":"),
    "NUMBER_EXPRESSION": ("seed/longting-2024.txt", "1300 余条", "search 1300", "1300 余条"),
    "ORDINAL_BEFORE": ("dev/r030.txt", "国务院令第711号", "before 711", "第"),
    "PAGE_NUMBER": ("full/shanghai-office-2025.md", "— 1 —", "line", "— 1 —"),
    "PAGE_NUMBER_AT_EDGE": ("full/shanghai-office-2025.md", "— 2 —", "line", "— 2 —"),
    "PHONE": ("dev/r029.txt", "电话:0537-5770001", "search", "0537-5770001"),
    "POSTCODE": ("dev/r032.txt", "邮编:132011", "search", "邮编:132011"),
    "SUB_HEADING": ("dev/r012.txt", "(一)主动公开工作情况", "search", "(一)主动公开工作情况"),
    "TABLE_HEADER_WORDS": ("dev/r124.txt", "三、本年度办理结果", "search", "本年度办理结果"),
    "TABLE_MARKERS": ("dev/r026.txt", "第二十条第(一)项", "search", "第二十条第"),
    "TABLE_SECTION_TITLE": ("dev/r012.txt", "二、主动公开政府信息情况", "search", "主动公开政府信息情况"),
    "TOP_HEADING": ("dev/r004.txt", "一、总体情况", "search", "一、总体情况"),
    "URL": ("dev/r004.txt", "http://www.bjxch.gov.cn", "search", "http://www.bjxch.gov.cn"),
    "YEAR_LIKE": ("seed/longting-2024.txt", "2024 年", "line 2024", "2024"),
}
# No bundled report writes these; held-out sentences (tests/heldout_sentences.py, test_exclusions.py)
HELD_OUT_EXAMPLES = {
    "PERCENT_WORDS": ("群众满意率超过百分之九十五。", "超过百分之九十五"),
    "VAGUE_BEFORE": ("发布信息数", "数"),
}


def _run(pattern, line: str, how: str):
    kind, _, at = how.partition(" ")
    if kind == "line":
        return pattern.match(at or line.strip())
    if kind == "before":
        return pattern.search(line[:line.index(at)])
    if kind == "after":
        return pattern.match(line[line.index(at) + len(at):])
    return pattern.search(line, line.index(at) if at else 0)


def test_every_regex_of_patterns_runs_on_a_real_example():
    regexes = {name for name in dir(P) if isinstance(getattr(P, name), re.Pattern)}
    assert regexes == set(REAL_EXAMPLES) | set(HELD_OUT_EXAMPLES), "give a new regex its real example here"
    for name, (path, needle, how, found) in REAL_EXAMPLES.items():
        line = _line_with(EVALS / path, needle)
        m = _run(getattr(P, name), line, how)
        assert m is not None and m.group(0) == found, (name, line[:80])
    for name, (text, found) in HELD_OUT_EXAMPLES.items():
        m = getattr(P, name).search(text)
        assert m is not None and m.group(0) == found, name
