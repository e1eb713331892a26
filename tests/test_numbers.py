"""Number expressions in real report prose: numerals, multipliers, qualifiers, units, spans."""

from __future__ import annotations

import pytest

from extractor import extract
from extractor.numbers import find_number_expressions

# (sentence, [(value, qualifier, unit)]) — every figure the sentence holds, and nothing else
NUMERALS_AND_QUALIFIERS = [
    ("2024 年共发布各类信息 1300 余条。", [(1300, "over", "条")]),
    ("区政府门户网站总访问量 13 万次。", [(130000, "exact", "次")]),
    ("共计收到政府信息公开申请 43 项，", [(43, "exact", "项")]),
    ("主动公开各类信息约3.5万件/次,其中", [(35000, "about", "件/次")]),
    ("解答咨询10余万条,解决问题2000余个,", [(100000, "over", "条"), (2000, "over", "个")]),
    ("累计播放量60万余次。", [(600000, "over", "次")]),
    ("全省规范性文件解读率达到80%以上。", [(80, "over", "%")]),
    ("公开财政预决算和法治政府建设年度工作报告等信息百余条。", [(100, "over", "条")]),
    ("关注用户总量突破200万,本年度发布原创文章超过230条,", [(2000000, "over", None), (230, "over", "条")]),
    ("局官网总访问量377.8929万次,发布各类信息1853篇(条),", [(3778929, "exact", "次"), (1853, "exact", "篇")]),
    ("主动公开信息62.73万条。", [(627300, "exact", "条")]),
    ("累计公开政府信息842.13万条", [(8421300, "exact", "条")]),
    ("全省政府公报刊登政府规章和规范性文件等信息0.24万条,占比0.03%;", [(2400, "exact", "条"), (0.03, "exact", "%")]),
    ("在国务院新闻办公室召开专场新闻发布会两场。", [(2, "exact", "场")]),
    ("开展培训十余次,培训人员三百余人次。", [(10, "over", "次"), (300, "over", "人次")]),
    ("全年开展专题培训 2 次,覆盖乡村两级工作人员 86 人次,", [(2, "exact", "次"), (86, "exact", "人次")]),
    ("发布信息3万4千条。", [(34000, "exact", "条")]),
    ("发布信息1.3万条。", [(13000, "exact", "条")]),
    ("发布信息1,300条。", [(1300, "exact", "条")]),
    ("按期答复率１００％。", [(100, "exact", "%")]),
    ("全年受理申请３件。", [(3, "exact", "件")]),
    ("解读率达到百分之九十五。", [(95, "exact", "%")]),
    ("收取信息处理费1.5万元。", [(15000, "exact", "元")]),
    ("涉及金额12.5亿元。", [(1250000000, "exact", "元")]),
    ("总访问量16.4亿次。", [(1640000000, "exact", "次")]),
    ("发布信息十万零一千条。", [(101000, "exact", "条")]),
    ("发布信息一千三百余条。", [(1300, "over", "条")]),
    ("发布信息近千条。", [(1000, "under", "条")]),
    ("发布信息将近200条。", [(200, "under", "条")]),
    ("发布信息不足100条。", [(100, "under", "条")]),
    ("发布信息上千条。", [(1000, "about", "条")]),
    ("发布信息500条左右。", [(500, "about", "条")]),
    ("访问量超过2万次。", [(20000, "over", "次")]),
    ("浏览量逾5万次。", [(50000, "over", "次")]),
    ("共有5项以上。", [(5, "over", "项")]),
    ("发布信息1万多条。", [(10000, "over", "条")]),
    ("开设专栏20多个。", [(20, "over", "个")]),
    ("发布信息万余条。", [(10000, "over", "条")]),
    ("同比下降5个百分点。", [(5, "exact", "个百分点")]),
    ("占比82.4%;", [(82.4, "exact", "%")]),
    ("办结率为100.0%。", [(100, "exact", "%")]),
    ("在中国(河北)自由贸易试验区雄安片区官网更新各类政府信息446条", [(446, "exact", "条")]),
    ("在安全生产、义务教育、城乡规划等12个方面开展了试点工作", [(12, "exact", "个")]),
    ("在全国创新开展了国企国资、全域旅游和开发区建设等三个领域试点。", [(3, "exact", "个")]),
    ("共收到申请 0 件。", [(0, "exact", "件")]),
    ("发布信息１，３００条。", [(1300, "exact", "条")]),
    ("外媒体见报数1751篇。", [(1751, "exact", "篇")]),
    ("召开三次会议。", [(3, "exact", "次")]),
    ("占比超八成。", [(8, "over", "成")]),
    # a magnitude or a count noun can stand in for the measure word
    ("其中1条播放量破亿、2条破千万、49条破百万，", [(1, "exact", "条"), (100000000, "over", None), (2, "exact", "条"),
                                        (10000000, "over", None), (49, "exact", "条"), (1000000, "over", None)]),
    ("累计观看量 1924252 次，粉丝数\n54373；直播 118 场", [(1924252, "exact", "次"), (54373, "exact", None), (118, "exact", "场")]),
    ("亿万群众共同参与。", []),
    ("约百分之九十的申请按期答复。", [(90, "about", "%")]),
    ("同比增长百分之十五点五。", [(15.5, "exact", "%")]),
    ("按期答复率百分之八十以上。", [(80, "over", "%")]),
    ("发布信息十五点五万条。", [(155000, "exact", "条")]),
    ("投入资金500多万元。", [(5000000, "over", "元")]),
    ("一点一滴抓落实。", []),
    # a magnitude word alone names a unit, it is not an amount (table headers flattened into prose:
    # pingtan-2024, and the 2021 national table's header in many reports)
    ("第二十条第（八）项信息内容本年收费金额（单位：万元）行政事业性收费18651.06", []),
    ("本年收费金额(单位:万元)", []),
    ("接待群众上万人次。", [(10000, "about", "人次")]),
]

# Spans that cross spaces and line breaks (PDF text wraps lines)
SPANS = [
    ("公开政府常务会议 7\n期。", "7\n期"),
    ("发布信息1300\n余条。", "1300\n余条"),
    ("2024 年共发布各类信息 1300 余条。", "1300 余条"),
    ("访问量超过 2 万次。", "超过 2 万次"),
    ("规范性文件解读率达到80%以上。", "80%以上"),
]


@pytest.mark.parametrize(("sentence", "expected"), NUMERALS_AND_QUALIFIERS)
def test_every_figure_with_value_qualifier_and_unit(sentence: str, expected: list) -> None:
    mentions = extract(sentence).mentions
    assert [(m.value, m.qualifier, m.unit) for m in mentions] == expected


@pytest.mark.parametrize(("sentence", "span"), SPANS)
def test_span_runs_from_qualifier_to_unit(sentence: str, span: str) -> None:
    (mention,) = extract(sentence).mentions
    assert mention.text == span
    assert sentence[mention.start:mention.end] == span


def test_values_are_ints_when_whole() -> None:
    (mention,) = extract("访问量377.8929万次。").mentions
    assert mention.value == 3778929 and isinstance(mention.value, int)


def test_a_percentage_in_words_is_found_only_whole_inside_the_span() -> None:
    # the scan for 百分之 is skipped where the span does not hold the word: same result as the scan
    text = "答复率百分之九十五，共计3件。"
    whole = [(e.value, e.unit) for e in find_number_expressions(text, spans=[(0, len(text))])]
    assert (95, "%") in whole
    cut = [(e.value, e.unit) for e in find_number_expressions(text, spans=[(4, len(text))])]
    assert (95, "%") not in cut and (3, "件") in cut


def test_flattened_table_test_reads_the_same_as_a_scan_of_the_sentence() -> None:
    """The header words and sentence ends read once per text give, at every position, what a
    search of the sentence back from it (within TABLE_REACH) gives."""
    import re

    from extractor import numbers
    from extractor.patterns import TABLE_HEADER_WORDS

    def scanned(text: str, pos: int) -> bool:
        lo = max(0, pos - numbers.TABLE_REACH)
        stretch = text[lo:pos]
        last_end = max(stretch.rfind(ch) for ch in "。！？!?") + 1
        return bool(TABLE_HEADER_WORDS.search(stretch, last_end))

    text = ("收到申请12件。申请人情况自然人3法人2（一）予以公开7000007！本年新收政府信息公开申请"
            + "办结5件，" * 700 + "信息内容本年制发件数第二十条第二十条第（一）项。共办结8件")
    assert re.search("申请人情况", text) and len(text) > numbers.TABLE_REACH
    expected = [scanned(text, pos) for pos in range(len(text) + 1)]
    assert True in expected and False in expected
    assert [numbers._in_flattened_table(text, pos) for pos in range(len(text) + 1)] == expected
    # what the index relies on: no header word starts another (one word at most per start)
    words = TABLE_HEADER_WORDS.pattern.split("|")
    assert all(re.escape(w) == w for w in words)
    assert not [(a, b) for a in words for b in words if a != b and b.startswith(a)]
