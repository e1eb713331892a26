"""Mentions of the seed report against its hand labels, subjects and sections."""

from __future__ import annotations

import json

import pytest

from extractor import extract
from extractor.mentions import subject_of

from .conftest import ROOT

SEED_GOLD = json.loads((ROOT / "evals" / "seed" / "longting-2024.gold.json").read_text(encoding="utf-8"))


def test_seed_mentions_match_the_hand_labels(seed_text: str) -> None:
    report = extract(seed_text)
    predicted = [(m.start, m.end, m.text, m.value, m.unit, m.qualifier) for m in report.mentions]
    gold = [(m["start"], m["end"], m["text"], m["value"], m["unit"], m["qualifier"]) for m in SEED_GOLD["mentions"]]
    assert predicted == gold


def test_offsets_index_the_text_exactly(seed_text: str) -> None:
    for m in extract(seed_text).mentions:
        assert seed_text[m.start:m.end] == m.text


def test_each_mention_records_its_heading(seed_text: str) -> None:
    sections = {m.text: m.section for m in extract(seed_text).mentions}
    assert sections["1300 余条"] == "（一）主动公开情况"
    assert sections["43 项"] == "（二）依申请公开情况"


SUBJECTS = [
    ("2024 年，共发布各类信息 1300 余条。", "各类信息"),
    ("区政府门户网站总访问量 13 万次。", "区政府门户网站总访问量"),
    ("2024 年，我办共计收到政府信息公开申请 43 项，", "政府信息公开申请"),
    ("其中龙亭要闻 500 余条，", "龙亭要闻"),
    ("食品药品监管、产品质量、稳岗就业信息 50 余条。", "食品药品监管、产品质量、稳岗就业信息"),
    ("2021年我镇主动公开招标采购文件2个,涉及", "招标采购文件"),
    ("制发3份规范性文件,", "规范性文件"),  # the subject may follow the number
]


@pytest.mark.parametrize(("sentence", "subject"), SUBJECTS)
def test_subject_names_what_is_counted(sentence: str, subject: str) -> None:
    (mention,) = extract(sentence).mentions
    assert mention.subject == subject


def test_subject_reads_only_the_clause() -> None:
    text = "很长的一段无关文字。" * 1000 + "全年共发布信息8条。"
    start = text.index("8条")
    assert subject_of(text, start, start + 2) == "信息"
