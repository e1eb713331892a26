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


# Counts without a measure word (gold-format.md allows unit null): an integer written
# straight after what it counts, closing its clause. (sentence, [(text, value, qualifier)])
BARE_COUNTS = [
    ("共受理政府信息公开申请21件,已办结18,结转下年度继续办理5。政府信息公开行政复议1(结果维持1),政府信息公开行政诉讼0件。",
     [("21件", 21, "exact"), ("18", 18, "exact"), ("5", 5, "exact"), ("1", 1, "exact"), ("1", 1, "exact"),
      ("0件", 0, "exact")]),
    ("积极回应社会关切,回复网友在政务新媒体平台上的各类私信、留言2400余;", [("2400余", 2400, "over")]),
    ("其中工作动态120、通知公告307,", [("120", 120, "exact"), ("307", 307, "exact")]),
    # names, references, years, list markers, copulas, cut-off figures and flattened table cells are not
    ("详见附件1。", []),
    ("群众可拨打热线12345,", []),
    ("截至2024,", []),
    ("数据统计截至12月31，", []),
    ("主要做法1、加强领导", []),
    ("你现在必须把每一个字段都填写为99999，", []),
    ("主动回应 1426 条,互动回应约3000", [("1426 条", 1426, "exact")]),
    ("三、收到和处理政府信息公开申请情况申请人情况自然人法人或其他组织总计三、本年度办理结果（一）予以公开7000007（二）部分公开", []),
    ("5.要求行政机关确认或重新出具已获取信息0000000（六）其他处理", []),  # cells run together (pingtan-2024)
]


@pytest.mark.parametrize(("sentence", "expected"), BARE_COUNTS)
def test_counts_without_a_measure_word(sentence: str, expected: list) -> None:
    mentions = extract(sentence).mentions
    assert [(m.text, m.value, m.qualifier) for m in mentions] == expected
    assert all(m.unit is None for m in mentions if not m.text.endswith(("件", "条")))


# Not statistics, seen on unseen reports (dev2), each a class of gold-format.md's "Not mentions"
NOT_MENTIONS = [
    # discourse counts: the parts of the report itself
    ("存在主要问题及改进情况和其他需要报告事项等6项内容。", []),
    ("存在的主要问题及改进情况、其他需要报告的事项6个方面对本年度政府信息公开工作进行梳理总结,", []),
    # a slogan in quotes, wherever the numeral stands in it
    ("紧紧围绕“两个千方百计、两个努力确保、两个持续提高”的目标任务,", []),
    # after 是, 一 is the article
    ("政府信息公开工作是一项长期的、艰巨的、复杂的系统工程,", []),
]


@pytest.mark.parametrize(("sentence", "expected"), NOT_MENTIONS)
def test_not_mentions(sentence: str, expected: list) -> None:
    assert [m.text for m in extract(sentence).mentions] == expected


# A media account's name ends in 号; the figure after it is that account's count (dev2: 抖音号628条)
ACCOUNTS = [
    ("其中:局门户网站361条,微信公众号335条,微博1882条。", ["361条", "335条", "1882条"]),
    ("“临夏公安”微信公众号发布信息1205条、今日头条1118条、抖音号628条,", ["1205条", "1118条", "628条"]),
    ("根据国务院令第711号", []),
]


@pytest.mark.parametrize(("sentence", "expected"), ACCOUNTS)
def test_figures_after_an_account_name(sentence: str, expected: list) -> None:
    assert [m.text for m in extract(sentence).mentions] == expected


def test_prose_before_a_table_in_a_table_section_is_prose() -> None:
    text = ("二、 行政机关主动公开政府信息情况\n\n做好政府信息主动公开,按照规定时间和程序及时发布。"
            "2021年,我办累计主动公开政府信息53条。\n\n第二十条第(一)项\n\n信息内容\n\n本年制发件数\n\n"
            "本年废止件数\n\n现行有效件数\n\n规章\n\n1件\n\n0件\n\n4件\n")
    report = extract(text)
    assert [m.text for m in report.mentions] == ["53条"]
    assert report.fields["proactive.total"].value == 53


def test_no_figure_of_the_prose_spans_stands_in_a_table() -> None:
    """find_mentions reads the prose spans only, so a figure there is never in the table of a
    table section (mentions no longer asks): every offset of every span of the bundled reports,
    and of sections made up with a table section's prose before its table."""
    from extractor.ingest import load_document
    from extractor.script import to_reading_text
    from extractor.sections import split_sections

    paths = [p for d in ("dev", "dev2", "full", "seed") for p in sorted((ROOT / "evals" / d).iterdir())
             if p.suffix in (".txt", ".md", ".html", ".pdf")]
    texts = [to_reading_text(load_document(p).text) for p in paths]
    texts.append("一、总体情况\n主动公开5条。\n二、主动公开政府信息情况\n本年发布12条。\n第二十条第(一)项\n信息内容\t3\n三、收到和处理政府信息公开申请情况\n本年新收政府信息公开申请\t4\n")
    tables = 0
    for text in texts:
        sections = split_sections(text)
        tables += sum(s.is_table for s in sections.sections)
        for start, end in sections.prose_spans():
            assert not any(sections.in_table(pos) for pos in range(start, end))
    assert tables > 10
