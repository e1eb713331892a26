"""The rule pieces the rules (fields, mentions) and the LLM layer (candidates, grounding) share have
one home, ``extractor/patterns.py``; each is run here on real text from the eval documents."""

from __future__ import annotations

from pathlib import Path

from extractor import fields, mentions
from extractor import patterns as P
from extractor.llm import candidates

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
