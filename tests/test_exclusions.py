"""Numbers that are not statistics of the body's work (gold-format.md "Not mentions")."""

from __future__ import annotations

import pytest

from extractor import extract

NOT_MENTIONS = [
    "根据《条例》第二十条第（一）项规定。",  # article numbers
    "依据国办函〔2020〕109号文件要求。",  # document numbers
    "国务院令第711号。",
    "《条例》第四十九条、第五十条规定。",
    "一是加强组织领导；二是完善工作制度。",  # list markers
    "（三）政府信息管理情况。",
    "深入学习贯彻党的二十大精神。",  # names that contain numbers
    "12345热线运行平稳。",
    "严格落实三审三校制度。",
    "深化“一件事一次办”改革。",
    "持续推进“一网通办”。",
    "发布“三个一”工作法。",
    "“十四五”规划纲要。",
    "中纪委十七届五次全会精神。",
    "G20峰会期间。",
    "5G网络覆盖。",
    "联系电话：0371-23456789。",  # phone numbers, postcodes, addresses, web and mail
    "手机13812345678。",
    "邮编：475000。",
    "地址:涵江区涵东街道四元街206弄。",
    "网址：http://www.example.gov.cn/2024/123.html。",
    "邮箱abc123@mail.gov.cn。",
    "在20个工作日内予以答复。",  # statutory time limits
    "在5个工作日内答复。",
    "7 天内答复。",
    "我们将从三方面改进。",  # discourse counts
    "报告共分六个部分。",
    "包括总体情况、其他需要报告的事项等6个部分内容。",
    "2024年1月1日至2024年12月31日。",  # dates and years
    "于2024年3月15日召开会议。",
    "发布日期：2026-01-16 18:22:45",
    "索引号：000014349/2026-00021",
    "梳理并发布一批高频政务服务事项。",
    "推动政务公开工作再上一个新台阶。",
    "落实一次性告知制度，惠及千家万户。",  # set phrases
    "发布信息数十条。",  # vague amounts have no value
    "几十个部门参与。",
    "十四届全国人大二次会议。",  # the session of a congress
    "推进“最多跑一次”改革。",
    "群众最多跑一次。",
    "构建“处长讲政策、专家评政策、媒体看政策”三位一体短视频政策解读矩阵。",
]


@pytest.mark.parametrize("sentence", NOT_MENTIONS)
def test_not_a_mention(sentence: str) -> None:
    assert extract(sentence).mentions == []


def test_numbers_inside_the_tables_are_not_mentions(seed_text: str) -> None:
    report = extract(seed_text)
    table_start = seed_text.index("二、主动公开政府信息情况")
    problems_start = seed_text.index("五、存在的主要问题及改进情况")
    assert report.mentions
    assert not [m for m in report.mentions if table_start <= m.start < problems_start]


def test_pipe_table_rows_outside_a_headed_section_are_not_prose() -> None:
    text = "（一）主动公开情况\n全年主动公开政府信息12条。\n| 行政许可 | 3 件 |\n| 行政处罚 | 5 件 |\n"
    assert [m.value for m in extract(text).mentions] == [12]
