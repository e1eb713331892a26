"""Document metadata: body, year, admin_level and region, on openings written from the rules'
general statements (README "Decisions…", gold-format.md) — none of them from a labelled report."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor import extract
from extractor.metadata import read_metadata

BODY_CASES = [
    # the title line
    ("杭州市西湖区人民政府2023年政府信息公开工作年度报告\n一、总体情况", "杭州市西湖区人民政府", "county"),
    ("广州市2022年政府信息公开工作年度报告\n本报告根据…编制。", "广州市人民政府", "city"),
    ("成都市武侯区\n2021年政府信息公开工作年度报告\n一、总体情况", "成都市武侯区人民政府", "county"),
    ("郑州市金水区教育局政府信息公开工作2024年度报告\n一、总体情况", "郑州市金水区教育局", "county"),
    ("根据《条例》规定，现发布《南京市卫生健康委员会2022年政府信息公开工作年度报告》。", "南京市卫生健康委员会", "city"),
    ("特向社会公布2015年度海关总署政府信息公开报告。", "海关总署", "national"),
    ("北京市财政局2022年政府信息公开工作年度报告", "北京市财政局", "province"),
    ("信阳市平桥区五里店街道办事处2023年政府信息公开工作年度报告", "信阳市平桥区五里店街道办事处", "township"),
    ("甘孜州财政局2023年政府信息公开工作年度报告", "甘孜藏族自治州财政局", "city"),
    # the opening sentence
    ("根据《条例》编制本报告。\n一、总体情况\n2023年，福州市鼓楼区司法局认真贯彻落实…", "福州市鼓楼区司法局", "county"),
    ("一、总体情况\n2022年，在县委县政府的正确领导下，岷县全面推进政务公开…", "岷县人民政府", "county"),
    # who compiled it; a government's report compiled by its office is the government's
    ("本报告由洛阳市人民政府办公室编制。全市各部门…", "洛阳市人民政府", "city"),
    ("本报告由洛阳市人民政府办公室编制。2023年，我办认真…", "洛阳市人民政府办公室", "city"),
    ("本报告由宜昌市自然资源和规划局根据《条例》要求编制。", "宜昌市自然资源和规划局", "city"),
    # the contact paragraph
    ("如对本报告有任何疑问，请与合肥市包河区民政局办公室联系（电话：0551-0000000）。", "合肥市包河区民政局", "county"),
    ("如对报告有疑问，请与商务部政务公开领导小组办公室联系。", "商务部", "national"),
]


@pytest.mark.parametrize(("text", "body", "level"), BODY_CASES, ids=[c[1] for c in BODY_CASES])
def test_body_and_level(text: str, body: str, level: str) -> None:
    meta = read_metadata(text)
    assert meta.body == body
    assert meta.admin_level == level


def test_abbreviations_are_written_in_full_with_the_place_the_text_names() -> None:
    text = ("市工信局2020年政府信息公开工作年度报告\n2020年，市工信局按照济南市政府的部署，"
            "在济南市政务服务平台公开信息。济南市各区县…")
    meta = read_metadata(text)
    assert meta.body == "济南市工业和信息化局"
    assert meta.admin_level == "city"
    assert meta.region == {"province": "山东省", "city": "济南市", "county": None, "code": "370100"}


def test_a_short_form_the_text_defines_is_written_in_full() -> None:
    text = ("省政府研究室2021年政府信息公开工作年度报告\n"
            "本报告由云南省人民政府研究室（以下简称“省政府研究室”）编制。")
    assert read_metadata(text).body == "云南省人民政府研究室"


def test_a_bare_level_with_no_place_in_the_text_stays_null() -> None:
    meta = read_metadata("区市场监管局2025年政府信息公开工作年度报告\n一、总体情况\n本局认真…")
    assert meta.body is None
    assert meta.admin_level == "county"  # whichever district it is, it is a district's


@pytest.mark.parametrize("text", [
    "现将本街道2021年政府信息公开工作年度报告编制如下。",
    "时任区长张三在国务院办公厅2015年政府信息公开工作会议上发言。",
    "形成2019年度政府信息公开年度报告。",
])
def test_what_does_not_read_as_a_name_is_never_a_body(text: str) -> None:
    assert read_metadata(text).body is None


def test_level_from_how_the_report_speaks_of_itself() -> None:
    assert read_metadata("一、总体情况\n2019年，我乡明确专人负责政务公开工作。").admin_level == "township"
    assert read_metadata("一、总体情况\n2019年，我县政务公开工作…全县各部门").admin_level == "county"
    assert read_metadata("一、总体情况\n2019年，我区政务公开工作…").admin_level is None  # district or region


def test_region_of_an_ambiguous_district_follows_the_city_the_text_names() -> None:
    meta = read_metadata("鼓楼区人民政府2023年政府信息公开工作年度报告\n2023年，福州市鼓楼区坚持…福州市…")
    assert meta.region == {"province": "福建省", "city": "福州市", "county": "鼓楼区", "code": "350102"}
    alone = read_metadata("鼓楼区人民政府2023年政府信息公开工作年度报告\n一、总体情况")
    assert alone.region is None and alone.admin_level == "county"  # four 鼓楼区, all districts


def test_municipality_district_has_no_city() -> None:
    meta = read_metadata("上海市黄浦区人民政府2023年政府信息公开工作年度报告")
    assert meta.admin_level == "county"
    assert meta.region == {"province": "上海市", "city": None, "county": "黄浦区", "code": "310101"}


def test_township_takes_the_county_the_text_names() -> None:
    meta = read_metadata("五里镇人民政府2022年政府信息公开工作年度报告\n按照邹城市政府的部署，我镇…邹城市…")
    assert meta.admin_level == "township"
    assert meta.region is not None and meta.region["county"] == "邹城市"


def test_a_zone_run_by_a_committee_is_not_a_government() -> None:
    meta = read_metadata("某某综合实验区2022年政府信息公开工作年度报告")
    assert meta.body == "某某综合实验区"


def test_statistics_period_wins_over_the_title_year() -> None:
    text = "我镇编制了《某镇2020年政府信息公开工作年度报告》，所列数据的统计期限自2021年1月1日起至12月31日止。"
    assert read_metadata(text).year == 2021
    assert read_metadata("广州市2022年政府信息公开工作年度报告").year == 2022


def test_traditional_report_gives_its_body_in_simplified_characters() -> None:
    report = extract("廣州市2022年政府信息公開工作年度報告\n一、總體情況\n全年主動公開政府信息1300條。")
    assert report.body == "广州市人民政府"
    assert report.admin_level == "city"
    assert report.region and report.region["code"] == "440100"
    assert report.fields["proactive.total"].evidence[0].text == "1300條"


def test_metadata_keys_in_the_output() -> None:
    data = extract("广州市2022年政府信息公开工作年度报告").model_dump(mode="json")
    assert data["admin_level"] == "city"
    assert data["region"]["province"] == "广东省"
    assert extract("一、总体情况").model_dump(mode="json")["region"] is None


def test_joint_report_and_a_name_cut_by_a_wrapped_line() -> None:
    text = "本报告是由广州市统计局、国家统计局广州调\n查总队（以下简称统计局队）编制的2020年度政府信息公开工作年度报告。"
    meta = read_metadata(text)
    assert meta.body == "广州市统计局、国家统计局广州调查总队"  # the short-form note is no part of it
    assert meta.admin_level == "city"


def test_contact_sub_unit_is_not_the_body() -> None:
    text = "如对本报告有疑问，可直接与温州市人民政府办公室政府信息公开中心联系（地址：…）。全市各部门…"
    assert read_metadata(text).body == "温州市人民政府"  # the city's report, answered at its office


def test_division_names_are_found_up_to_the_end_of_the_text() -> None:
    from extractor.divisions import find_names

    assert [(s.start, s.end, s.name) for s in find_names("位于北京市")] == [(2, 5, "北京市")]
    assert [s.name for s in find_names("临夏州永靖县")] == ["临夏州", "永靖县"]


def test_title_of_the_about_form() -> None:
    meta = read_metadata("宁波市人民政府办公厅关于2022年度政府信息公开工作情况的报告\n一、总体情况")
    assert meta.body == "宁波市人民政府办公厅"
    assert meta.year == 2022 and meta.admin_level == "city"


def test_a_word_that_starts_with_a_level_character_is_no_bare_level() -> None:
    assert read_metadata("市场监督管理局2023年政府信息公开工作年度报告\n一、总体情况").body == "市场监督管理局"


def test_a_year_before_the_regulation_is_no_report_year() -> None:
    text = "根据《中华人民共和国政府信息公开条例》（2007年国务院令第492号）编制。2009年，我局…"
    assert read_metadata(text).year == 2009


@pytest.mark.parametrize(("text", "body", "level"), [
    ("根据《条例》规定，现公布黔东南州财政局2022年政府信息公开工作年度报告。", "黔东南苗族侗族自治州财政局", "city"),
    ("如对本报告有疑问，请联系：东莞市虎门镇人民政府党政办公室，电话：0769-0000。", "东莞市虎门镇人民政府", "township"),
    ("中国人民银行2021年政府信息公开工作年度报告", "中国人民银行", "national"),
    ("中华人民共和国商务部2020年政府信息公开工作年度报告", "中华人民共和国商务部", "national"),
])
def test_more_forms_of_names(text: str, body: str, level: str) -> None:
    meta = read_metadata(text)
    assert (meta.body, meta.admin_level) == (body, level)


@pytest.mark.parametrize(("text", "body"), [
    ("如对本报告有疑问，请与滨海县人民政府办公室政务公开股联系。", "滨海县人民政府"),
    ("如对本报告有疑问，请与山东省交通运输厅信息处联系（电话：0531-0000）。", "山东省交通运输厅"),
    ("如对本报告有疑问，请与泉州市教育局办公室联系。", "泉州市教育局"),
    ("一、总体情况\n2024年，实验区坚持以公开为常态。", None),  # a zone's word alone is no name
    ("2020年，通过中国某某网和某某县政府信息公开平台发布信息。", None),
])
def test_contact_desks_and_what_is_no_name(text: str, body: str | None) -> None:
    assert read_metadata(text).body == body


def test_division_names_as_a_try_at_every_position_finds_them() -> None:
    """The scan skips positions whose first two characters start no name: it finds what trying
    every position (longest name first, then past it) finds."""
    from extractor.divisions import _index, find_names

    by_name, lengths = _index()

    def every_position(text: str) -> list[tuple[int, int, str]]:
        found, i = [], 0
        while i < len(text):
            name = next((text[i:i + n] for n in lengths.get(text[i:i + 2], ()) if text[i:i + n] in by_name), None)
            if name:
                found.append((i, i + len(name), name))
            i += len(name) if name else 1
        return found

    text = ("江苏省淮安市洪泽区人民政府办公室2024年政府信息公开工作年度报告，临夏州永靖县、西双版纳州和"
            "重庆两江新区，北京市朝阳区政府信息公开申请，位于北京市")
    expected = every_position(text)
    assert len(expected) >= 6
    assert [(s.start, s.end, s.name) for s in find_names(text)] == expected


def test_short_form_definitions_are_what_a_search_of_the_whole_head_finds() -> None:
    """Tried only at the starts that can reach a 简称, the definitions are those a search of
    every start finds: on the bundled reports' heads and on heads made of a definition's pieces."""
    import random

    from extractor.metadata import DEFINED_SHORT, HEAD_CHARS, _short_form_definitions

    root = Path(__file__).resolve().parents[1]
    heads = [p.read_text(encoding="utf-8")[:HEAD_CHARS] for p in sorted((root / "evals").glob("*/*.txt"))]
    pieces = ["北部湾经济区规划建设管理办公室", "市", "（以下简称", "（简称", "(", "）", ")", "以下", "简称", "：", "“",
              "”", "《条例》", " ", "\n", "，", "自治区北部湾办", "甲乙"]
    rng = random.Random(15)
    heads += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    found = 0
    for head in heads:
        expected = [m.span() for m in DEFINED_SHORT.finditer(head)]
        assert [m.span() for m in _short_form_definitions(head)] == expected, head
        found += len(expected)
    assert found > 300
