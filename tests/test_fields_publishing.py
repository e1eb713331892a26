"""The publishing family (proactive.*, consultations, training, documents…) on sentences of real
reports, grouped by the kind of wording the rules must read. Each group holds examples
from at least two different reports; the report each sentence comes from is named beside it."""

from __future__ import annotations

import pytest

from extractor import extract

Expected = dict[str, tuple[float, str]]

# The count stands before what it counts (召开5场新闻发布会) as well as after it (召开新闻发布会43次)
COUNT_BEFORE_THE_NOUN: list[tuple[str, Expected]] = [
    ("围绕群众和市场主体关注度高的问题,召开5场新闻发布会。",  # dev2 n012
     {"proactive.press_conferences": (5, "exact")}),
    ("治理淮河70年等社会关注的水利热点,全年举办10场新闻发布活动,次数为近年来最多。",  # dev2 n203
     {"proactive.press_conferences": (10, "exact")}),
    ("(2)新闻发布会。本年度共举办79次新闻发布会,对经济建设等信息及时进行新闻发布。",  # dev2 n227
     {"proactive.press_conferences": (79, "exact")}),
    ("四是组织召开“优化营商环境 昆明政务在行动”和“昆明市建设营商环境综合示范区”共2场专题新闻发布会。",  # dev2 n235
     {"proactive.press_conferences": (2, "exact")}),
    ("年初、年中两次举办政府信息公开工作培训,对各办站负责人进行培训。",  # dev2 n112
     {"training.sessions": (2, "exact")}),
]

# 其中 names the channels of the figure before it: that figure is the total, the parts are the channels'
CHANNEL_PARTS_AFTER_QIZHONG: list[tuple[str, Expected]] = [
    ("局门户网站及政务新媒体平台合计发布各类信息2578条,其中:局门户网站361条,微信公众号335条,微博1882条。",  # dev2 n235
     {"proactive.total": (2578, "exact"), "proactive.website": (361, "exact"),
      "proactive.new_media": (2217, "exact")}),
    ("充分利用“首善下陆”公众号、纸质媒体、网络平台及其它方式主动向社会公开概况类信息、工作动态、惠民政策、"  # dev r111
     "公共服务信息132条。其中:主动网站信息公开78条,微信公众号信息公开24条,行政许可处理决定30条。",
     {"proactive.total": (132, "exact"), "proactive.website": (78, "exact"), "proactive.new_media": (24, "exact")}),
    ("2022年,市商务局主动公开政府信息348条,其中市商务局门户网站主动公布各类信息100条,官方微信发布46条,"  # dev2 n021
     "官方微博转载发布202条。",
     {"proactive.total": (348, "exact"), "proactive.website": (100, "exact"), "proactive.new_media": (248, "exact")}),
]

# The website named as the means in an earlier clause, the total in the figure's own clause: the total
# (and the website's figure, which it is too)
WEBSITE_AS_MEANS: list[tuple[str, Expected]] = [
    ("以“中国大连”政府门户网站与“大连市医疗保障局”机关门户网站为主要公开途径,本年度主动公开信息319件;",  # dev r107
     {"proactive.total": (319, "exact"), "proactive.website": (319, "exact")}),
    ("充分发挥水利部网站信息公开第一平台作用,全年主动公开各类信息6845条,开设25个专题专栏集中发布水利权威信息。",  # dev2 n203
     {"proactive.total": (6845, "exact"), "proactive.website": (6845, "exact")}),
]

# One category of a list published on the website is not the website's figure: (text, website's value or None)
CATEGORIES_ARE_NOT_THE_WEBSITE: list[tuple[str, int | None]] = [
    ("2022年,利用门户网站主动公开政府信息88条、规范性文件2条、人大代表建议及政协提案办理信息34条、财政信息2条。",  # dev r073
     None),
    ("2023年,在高平市人民政府门户网站政府信息公开专栏发布政务动态类信息133条,发布市政府及政府办文件及解读信息82条,"  # dev r133
     "常务会议图解信息15条。", None),
    ("全年,我县政府门户网站更新政务动态信息1841条,信息公开目录信息2875条,发布政策性文件36件,政策解读36条。",  # dev r056
     None),
    ("市国资委依托门户网站发布主动公开信息,通过时政要闻等栏目,公开国有企业改革发展情况等动态信息590条,"  # dev2 n003
     "转载其他类信息200余条。", None),
    # but a category with its own 其中, or alone in its sentence, is the website's
    ("2024年,通过长春市人民政府网站平台发布政府动态类信息1464条,其中文件15条,政策解读10条。", 1464),  # dev2 n018
    ("主动公开政府信息情况:2021年通过政府网站发布动态信息26条。受理“12345”市长热线84个。", 26),  # dev2 n129
]


# New-media accounts add up across the semicolons of one sentence; an account's reposts are its items
NEW_MEDIA_ACCOUNTS: list[tuple[str, Expected]] = [
    ("全年通过“新杨村”微博发布各类信息348条;微信公众号发布各类信息1862条,用户量达到1万余人。",  # dev2 n006
     {"proactive.new_media": (2210, "exact")}),
    ("其中,政府网站公开政府信息数112条、“幸福同田”微信公众号公开政府信息数85条,“幸福同田”微博转发政务信息数184条。",  # dev2 n104
     {"proactive.website": (112, "exact"), "proactive.new_media": (269, "exact")}),
]

# Parts are not the whole: replies by mode, documents with their interpretations, one channel other than the web
PARTS_AND_WHOLES: list[tuple[str, Expected]] = [
    ("受理网民留言111条,公开答复41条、电话答复70条,办结率100%,切实回应社会关切。",  # dev2 n230
     {"consultations.handled": (111, "exact")}),
    ("其中,行政规范性文件、政策文件、盟行署常务会议纪要及相关解读信息共90条,征集调查11期。", {}),  # dev2 n013
    ("(4)《兰州政报》。2011年度,共发行《兰州政报》12期,发布政府信息662条,赠阅4.8万份。", {}),  # dev2 n227
    ("通过主流媒体延伸宣传解读重要政策文件94篇次、发布相关信息2333条。",  # dev2 n128
     {"proactive.policy_interpretations": (94, "exact")}),
]

# Consultations received with 接受, and a statement of none
CONSULTATIONS: list[tuple[str, Expected]] = [
    ("2011年度,兰州市各部门共接受公众政府信息公开咨询约1.8万人次,并及时予以解释答复。",  # dev2 n227
     {"consultations.handled": (18000, "about")}),
    ("四、咨询处理情况 2016年度未收到任何形式的有关信息公开方面的咨询。",  # dev2 n107
     {"consultations.handled": (0, "exact")}),
    ("五是积极回应社会关切,回复网友在政务新媒体平台上的各类私信、留言2400余条;",  # dev2 n235, with a measure word
     {"consultations.handled": (2400, "over")}),
]

# Other wordings of the website, and press conferences at several venues
MORE_WORDINGS: list[tuple[str, Expected]] = [
    ("2018年,国家林业和草原局在中国林业网(国家林业和草原局政府网)发布各类政务信息59563条,包括公文73条。",  # dev2 n206
     {"proactive.website": (59563, "exact")}),
    ("全年在国务院新闻办公室召开专场新闻发布会3次,在部举行新闻发布会、政策吹风会6次。",  # dev r078
     {"proactive.press_conferences": (9, "exact")}),
    ("召开市政府新闻发布会 42 场、\n新闻通气会 19 场，有效增强政策发布的权威性。",  # full shanghai-office-2025
     {"proactive.press_conferences": (42, "exact")}),
]

# A channel figure of its own (with its verb) wins over a part listed under 其中 (dev2 n229)
OWN_FIGURE_BEATS_A_PART = (
    "州公安局通过政府网站公开政府信息754条,通过政务新媒体公开政府信息2808条,通过其他方式公开政府信息54条。"
    "其中,“临夏公安”微信公众号发布信息1205条、微博12984条、今日头条1118条、门户网站1014条、抖音号628条,"
    "总阅读人数达3200万余次。"
)


@pytest.mark.parametrize(("text", "expected"), COUNT_BEFORE_THE_NOUN + CHANNEL_PARTS_AFTER_QIZHONG + WEBSITE_AS_MEANS
                         + NEW_MEDIA_ACCOUNTS + PARTS_AND_WHOLES + CONSULTATIONS
                         + MORE_WORDINGS)
def test_publishing_fields(text: str, expected: Expected) -> None:
    fields = extract(text).fields
    assert {k: (f.value, f.qualifier) for k, f in fields.items()} == expected


def test_a_channel_figure_of_its_own_beats_a_part_listed_under_qizhong() -> None:
    fields = extract(OWN_FIGURE_BEATS_A_PART).fields
    assert fields["proactive.website"].value == 754
    assert fields["proactive.new_media"].value == 2808


def test_new_media_accounts_named_with_hao_are_counted() -> None:
    report = extract("微信公众号335条,抖音号628条,头条号181条。")
    assert [m.value for m in report.mentions] == [335, 628, 181]


@pytest.mark.parametrize(("text", "website"), CATEGORIES_ARE_NOT_THE_WEBSITE)
def test_one_category_of_a_list_is_not_the_website(text: str, website: int | None) -> None:
    field = extract(text).fields.get("proactive.website")
    assert (field.value if field else None) == website


def test_a_channel_figure_of_wider_scope_does_not_cost_the_total() -> None:
    # the body's total stands beside a county-wide new-media figure that is larger
    fields = extract("全年主动公开各类政府信息5268条。全县48个政务新媒体全年发布信息1.3万余条。").fields
    assert {k: f.value for k, f in fields.items()} == {"proactive.total": 5268}
    # without a wider scope the larger channel figure shows the "total" to be a part
    fields = extract("全年主动公开各类政府信息5268条。政务微博全年发布信息1.3万余条。").fields
    assert {k: f.value for k, f in fields.items()} == {"proactive.new_media": 13000}


@pytest.mark.parametrize(("text", "expected"), [
    # counted since the regulation came into force: not the year's figure, whichever comes first (dev2 n110)
    ("《条例》颁布实施以来,累计主动公开政府信息2841340条。2018年,全市新增主动公开政府信息449248条。",
     {"proactive.total": 449248}),
    ("2018年,全市新增主动公开政府信息449248条。《条例》颁布实施以来,累计主动公开政府信息2841340条。",
     {"proactive.total": 449248}),
    # up to a date and in all (截至…累计): the year's own figure wins when the text gives one
    ("截至2024年底,政务新媒体累计发布信息12000余条;2024年政务新媒体发布信息1500条。",
     {"proactive.new_media": 1500}),
    ("截止2021年12月31日,通过网站主动公开政府信息共88条。", {"proactive.website": 88}),  # dev r029: alone, it stands
    # since the start of this year is the year (dev r037)
    ("今年以来,在政府网站公开政策解读14项,主动公开的政策文件均配有政策解读。",
     {"proactive.policy_interpretations": 14}),
])
def test_a_cumulative_figure_is_not_the_years(text: str, expected: dict) -> None:
    assert {k: f.value for k, f in extract(text).fields.items()} == expected


def test_a_reply_to_a_request_is_no_publication_on_the_website() -> None:
    text = "共接到网上政务信息公开平台民众申请的依申请公开答复内容68条,出具依申请公开信息答复书144份。"  # dev2 n020
    assert "proactive.website" not in extract(text).fields


def test_prose_before_the_table_of_section_two_is_prose() -> None:
    # gold-format.md: mentions are the prose's, not the tables' — a sentence before the table of 二 is prose (dev2 n130)
    text = ("一、总体情况\n\n全年办理依申请公开46件。\n\n二、 行政机关主动公开政府信息情况\n\n"
            "做好政府信息主动公开,按照规定时间和程序及时发布。2021年,我办累计主动公开政府信息53条。\n\n"
            "第二十条第(一)项\n\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t1\t0\t4\n"
            "行政规范性文件\t27\t2\t93\n\n三、收到和处理政府信息公开申请情况\n\n申请人情况\t自然人\n")
    report = extract(text)
    assert [m.value for m in report.mentions] == [46, 53]
    assert report.fields["proactive.total"].value == 53
