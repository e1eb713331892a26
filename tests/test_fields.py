"""Canonical fields from real report sentences (dev excerpts and the seed)."""

from __future__ import annotations

import pytest

from extractor import extract

# (text, {field: (value, qualifier)}) — the fields the text states, and no others
FIELD_EXAMPLES = [
    ("全年主动公开政府信息98条,", {"proactive.total": (98, "exact")}),
    ("2024 年共发布各类信息 1300 余条。区政府门户网站总访问量 13 万次。",
     {"proactive.total": (1300, "over"), "platform.website_visits": (130000, "exact")}),
    ("我办共通过门户网站及政务新媒体方式主动公开907条,其中通过政府网站公开86条,微信公众号公开821条。",
     {"proactive.total": (907, "exact"), "proactive.website": (86, "exact"), "proactive.new_media": (821, "exact")}),
    ("“大冶教育”微信公众号发布稿件533条,“大冶教育”抖音公众号发布稿件165条,",
     {"proactive.new_media": (698, "exact")}),
    ("全年共收到政府信息公开申请50件,予以公开16件,部分公开3件,因不掌握相关政府信息无法提供16件,"
     "属于信访、投诉等申请(含问题咨询事项)不作为政府信息公开申请处理11件,申请人无正当理由逾期不补正、"
     "行政机关不再处理其政府信息公开申请2件,结转下年度继续办理2件。",
     {"requests.received": (50, "exact"), "requests.granted": (16, "exact"),
      "requests.partially_granted": (3, "exact"), "requests.unable_to_provide": (16, "exact"),
      "requests.not_processed": (11, "exact"), "requests.carried_forward": (2, "exact")}),
    ("2022年度全市各级各部门共接收政府信息公开申请1234件,上年度结转10件,年内办结1230件,结转下年度办理14件。",
     {"requests.received": (1234, "exact"), "requests.carried_over": (10, "exact"),
      "requests.completed": (1230, "exact"), "requests.carried_forward": (14, "exact")}),
    ("2021年度,区公安分局依申请公开受理和办结6件。",
     {"requests.received": (6, "exact"), "requests.completed": (6, "exact")}),
    ("因政府信息公开工作被申请行政复议或提起行政诉讼中,行政复议7件,均维持结果;行政诉讼3件,其中未经复议直接起诉2件",
     {"review.total": (7, "exact"), "litigation.total": (3, "exact")}),
    ("全年共制发(修改)政府规章1份,废止政府规章1份,现行有效政府规章8份;制发3份规范性文件,废止18份规范性文件,现行有效规范性文件81份。",
     {"documents.issued": (3, "exact"), "documents.repealed": (18, "exact"), "documents.in_force": (81, "exact")}),
    ("市长信箱、“政民零距离”栏目收到留言64227条,已答复63029条,",
     {"consultations.handled": (63029, "exact")}),
    ("全年开展专题培训 2 次,覆盖乡村两级工作人员 86 人次,",
     {"training.sessions": (2, "exact"), "training.participants": (86, "exact")}),
    ("累计公开政府信息842.13万条。从公开渠道来看,政府网站公开信息492.73万条,占比58.51%;政务新媒体公开信息217.11万条,占比25.78%;",
     {"proactive.total": (8421300, "exact"), "proactive.website": (4927300, "exact"),
      "proactive.new_media": (2171100, "exact")}),
    ("共受理依申请公开59件次,全部在规定时限内办理完毕,答复率100%。",
     {"requests.received": (59, "exact"), "requests.on_time_rate": (100, "exact")}),
    ("发布各类解读429件,在天津政务网开展在线访谈20期。", {"proactive.policy_interpretations": (429, "exact")}),
    ("召开新闻发布会43次,", {"proactive.press_conferences": (43, "exact")}),
    ("其他处理 14 件，转下一\n年度办理答复的有 1 件。", {"requests.carried_forward": (1, "exact")}),
    # a category joined to 解读 counts more than interpretations
    ("全年共审核发布各类公开政府信息249条，其中：发布行政公文和政策解读信息9条；机构设置和人事任免信息7条。",
     {"proactive.total": (249, "exact")}),
    ("发布政策文件4条、解读信息4条、群众留言办理10条。",
     {"proactive.policy_interpretations": (4, "exact"), "consultations.handled": (10, "exact")}),
    # complete reports (PDF and Markdown conversions: words wrap across lines)
    ("2024 年，全市共受理政府信息公开申请 3119 件，答复 3050 件（含上年度结转申请 34 件，另有 103 件顺延到下年度答复）。",
     {"requests.received": (3119, "exact"), "requests.completed": (3050, "exact"),
      "requests.carried_over": (34, "exact"), "requests.carried_forward": (103, "exact")}),
    ("全县全年共受理政府信息公开申请 749 件，其中自然人申请 741 件，法人或其他组织申请 8 件；共办理 718 件，结转下一年 31 件。",
     {"requests.received": (749, "exact"), "requests.completed": (718, "exact"),
      "requests.carried_forward": (31, "exact")}),
    ("2024 年市科委有 1 件涉及政府信息公开工作的行政复\n议，该行政复议件未被复议审查机关纠错。涉及的行政诉讼数为\n0 件。",
     {"review.total": (1, "exact"), "litigation.total": (0, "exact")}),
    ("全年主动公开市政府规章 22 件、市政府及市政府办公厅行\n政规范性文件 34 件、人事任免文件 196 件。",
     {"documents.issued": (34, "exact")}),
    ("“上海科技”网站全年累计发布信息 2139 条，其中动态类\n信息发布 1744 条，政务信息发布 393 条。",
     {"proactive.website": (2139, "exact")}),
    # request flow in varied wording (dev2 excerpts)
    ("2025关东街共受理政府信息公开申请21件,结转上年度2件,其中网上申请20件,书面申请3件,已办结18,结转下年度继续办理5。"
     "政府信息公开行政复议1(结果维持1),政府信息公开行政诉讼0件。",
     {"requests.received": (21, "exact"), "requests.carried_over": (2, "exact"), "requests.completed": (18, "exact"),
      "requests.carried_forward": (5, "exact"), "review.total": (1, "exact"), "litigation.total": (0, "exact")}),
    ("2024年,共受理政府信息公开申请95件,其中自然人申请89件,法人或其他组织申请6件。答复政府信息公开申请98件"
     "(含上年度转结申请8件,另有5件申请转结下年度继续办理),均按规定在法定期内予以答复。",
     {"requests.received": (95, "exact"), "requests.completed": (98, "exact"),
      "requests.carried_over": (8, "exact"), "requests.carried_forward": (5, "exact")}),
    ("2020年,全区共收到政府信息公开申请59件。截至2020年12月31日,全区答复政府信息公开申请59件。",
     {"requests.received": (59, "exact"), "requests.completed": (59, "exact")}),
    # answered (答复) is completed, not received; one figure of review and litigation together fills neither
    ("全年办理市政府本级依申请公开答复263件,政府信息公开行政复议、行政诉讼案件24件。",
     {"requests.completed": (263, "exact")}),
    # 依申公开, the short form of 依申请公开 (dev2 n021)
    ("2022年,我局共收到依申公开事项7件,在办理过程中,严格按照国务院办公厅政府信息公开申请办理答复有关要求。",
     {"requests.received": (7, "exact")}),
    # a change is not a count (dev2 n134 共受理信息公开申请4件(较2021年减少3件), n035 申请量同比增长6.54%)
    ("2022年,省机关事务局共受理信息公开申请4件(较2021年减少3件)。", {"requests.received": (4, "exact")}),
    ("全年收到政府信息公开申请较上年减少5件。", {}),
    # the letters of reply are not the requests (dev2 n020: 出具依申请公开信息答复书144份)
    ("出具依申请公开答复书144份。", {}),
    # handled (办理) is both received and completed
    ("2023年,办公室牵头办理向管委会申请的政府信息69件,其中予以公开6件、部分公开9件、不予公开1件、无法提供52件、不予处理1件。",
     {"requests.received": (69, "exact"), "requests.completed": (69, "exact"), "requests.granted": (6, "exact"),
      "requests.partially_granted": (9, "exact"), "requests.denied": (1, "exact"),
      "requests.unable_to_provide": (52, "exact"), "requests.not_processed": (1, "exact")}),
    ("2021年度,全年共处理依申请公开17件。", {"requests.received": (17, "exact"), "requests.completed": (17, "exact")}),
    # the heading names the requests the sentence does not
    ("(二)依申请公开\n2025年,共收到政府信息公开申请24件,其中:线下申请15件,通过市政府网站在线申请9件。"
     "规范办理答复完成24件,因不服答复引起行政复议3件,1件结果维持,2件结果纠正。",
     {"requests.received": (24, "exact"), "requests.completed": (24, "exact"), "review.total": (3, "exact")}),
    # years next to the report's year (2023 here) are the previous and the next year
    ("2023年政府信息公开工作年度报告\n2023年,全县共收到政府信息公开申请163件,申请量同比增长6.54%,"
     "2022年结转政府信息公开申请7件,结转至2024年9件。",
     {"requests.received": (163, "exact"), "requests.carried_over": (7, "exact"),
      "requests.carried_forward": (9, "exact")}),
    # carried to the next year is carried forward, whatever year it came from
    ("2024年政府信息公开工作年度报告\n2023年结转下年度3件。", {"requests.carried_forward": (3, "exact")}),
    # a statement of none inside a sentence of figures closes its key, and the next clause's figure is not its
    ("全年收到政府信息公开申请6件,上年无结转,办结6件,行政复议1件,申请和答复的渠道包括政府信息依申请平台。",
     {"requests.received": (6, "exact"), "requests.carried_over": (0, "exact"), "requests.completed": (6, "exact"),
      "review.total": (1, "exact")}),
    ("另处理重复申请1件,所有申请均在法定期限内完成答复。", {"requests.not_processed": (1, "exact")}),
    # word order (README): an outcome may follow its figure; another outcome in the figure's clause makes
    # it a combined figure (dev2 n024, n018)
    ("本年度共收到依申请公开12件,已及时完成答复,其中1件类型属于主动公开,11件类型属于无法提供。",
     {"requests.received": (12, "exact"), "requests.granted": (1, "exact"),
      "requests.unable_to_provide": (11, "exact")}),
    ("所有答复件中,予以公开及部分公开的42件,占42.86%;不予公开的1件,占1.02%;", {"requests.denied": (1, "exact")}),
]

# Patterns met in reports the rules had never seen (paraphrased; the wrong reading is gone: no other key)
UNSEEN_PROSE = [
    # 不予公开 spelled by the national table's reasons, its parts added up (fields.md: a sum spelled by its parts)
    ("其中,予以公开3件,属于三类内部事务信息2件,属于四类过程性信息1件。",
     {"requests.granted": (3, "exact"), "requests.denied": (3, "exact")}),
    ("本办收到申请5件,予以公开4件,属于四类过程性性信息1件。",
     {"requests.received": (5, "exact"), "requests.granted": (4, "exact"), "requests.denied": (1, "exact")}),
    # a reason that is a sub-item of the denied figure does not add to it
    ("不予公开2件,其中属于国家秘密1件,涉及第三方合法权益1件。", {"requests.denied": (2, "exact")}),
    # a kind of information without 属于 is no answer to a request
    ("公开行政执法案卷信息5条。", {}),
    # 解读 as one item of a list closed by 等 is no count of interpretations
    ("政务微博发布图文、视频、政策解读等共计86条。", {"proactive.new_media": (86, "exact")}),
    ("在政府网站公开政策解读、通知公告等信息40条。", {"proactive.website": (40, "exact")}),
    ("发布政策解读18篇。", {"proactive.policy_interpretations": (18, "exact")}),
    # a list that names 规范性文件 once: its later 废止 / 现行有效 clauses go on with the same noun
    ("本年印发规范性文件3 件,废止 2 件,现行有效 9 件。",
     {"documents.issued": (3, "exact"), "documents.repealed": (2, "exact"), "documents.in_force": (9, "exact")}),
    ("制定行政规范性文件1件,废止行政规范性文件4件,现行有效件数12件。",
     {"documents.issued": (1, "exact"), "documents.repealed": (4, "exact"), "documents.in_force": (12, "exact")}),
    # ... but not a 规章 clause, nor a list that never names 规范性文件
    ("制发规范性文件2件,现行有效规章5件。", {"documents.issued": (2, "exact")}),
    ("本年度发布通知公告6条,废止1件,现行有效3件。", {}),
    # the figure before the account's noun: the noun names the new-media channel
    ("官方账号关注者逾百万,全年发布1500条微博,原创稿件30条。", {"proactive.new_media": (1500, "exact")}),
    # "X提交的 / X提出的申请N件" is the whole received; "提交申请的N件" (how a part was filed) is not
    ("本年度新收到个人提交的政府信息公开申请7件。", {"requests.received": (7, "exact")}),
    ("共受理群众提出的信息公开申请9件。", {"requests.received": (9, "exact")}),
    ("收到申请20件,通过信函提交申请的12件。", {"requests.received": (20, "exact")}),
    # the year's press events counted before their noun, then a 其中 part in the next sentence: the first figure
    # wins by position, not by the order of the rules
    ("本年共组织128场新闻发布活动,邀请部门负责人出席30人次。其中,防汛专题新闻发布会举行40场。",
     {"proactive.press_conferences": (128, "exact")}),
]


@pytest.mark.parametrize(("text", "expected"), UNSEEN_PROSE)
def test_patterns_of_unseen_reports(text: str, expected: dict) -> None:
    fields = extract(text).fields
    assert {k: (f.value, f.qualifier) for k, f in fields.items()} == expected


def test_denied_by_its_reasons_keeps_every_part_as_evidence() -> None:
    field = extract("其中,予以公开3件,属于三类内部事务信息2件,属于四类过程性信息1件。").fields["requests.denied"]
    assert [e.text for e in field.evidence] == ["2件", "1件"]
    assert field.source == "rule:denied_by_reason"


# Word order and verbs the spec's wording implies (README "Decisions where the spec is silent": the
# figure may stand before what it counts, an outcome after its figure; 办复 = 办理答复)
WORD_ORDER = [
    ("全年共收到12件政府信息公开申请，全部按时办结。", {"requests.received": (12, "exact")}),
    ("其中8件予以公开，3件部分公开，1件不予公开。",
     {"requests.granted": (8, "exact"), "requests.partially_granted": (3, "exact"), "requests.denied": (1, "exact")}),
    ("办结政府信息公开申请35件，结转下一年度继续办理2件。",
     {"requests.completed": (35, "exact"), "requests.carried_forward": (2, "exact")}),
    ("2023年我单位收到政府信息公开申请2件，已按时答复2件。",
     {"requests.received": (2, "exact"), "requests.completed": (2, "exact")}),
    # 均 gives one figure to each key it follows; without it a figure of both fills neither
    ("因政府信息公开工作被申请行政复议、提起行政诉讼均为0件。", {"review.total": (0, "exact"), "litigation.total": (0, "exact")}),
    ("政府信息公开行政复议、行政诉讼各1件。", {"review.total": (1, "exact"), "litigation.total": (1, "exact")}),
]


@pytest.mark.parametrize(("text", "expected"), WORD_ORDER)
def test_word_order_of_request_figures(text: str, expected: dict) -> None:
    fields = extract(text).fields
    assert {k: (f.value, f.qualifier) for k, f in fields.items()} == expected

# Sums spelled by their parts, and explicit statements of none
SEED_LIKE = (
    "（二）依申请公开情况。2024 年，我办共计收到政府信息公开申请 43 项，其中属于已主动公开范围 4 项，不予公开 4 项，"
    "不属于本行政机关掌握信息 26 项，没有现成信息需要制作 9 项。"
)


@pytest.mark.parametrize(("text", "expected"), FIELD_EXAMPLES)
def test_fields_stated_in_the_text(text: str, expected: dict) -> None:
    fields = extract(text).fields
    assert {k: (f.value, f.qualifier) for k, f in fields.items()} == expected


def test_a_sum_spelled_by_its_parts_keeps_every_part_as_evidence() -> None:
    field = extract(SEED_LIKE).fields["requests.unable_to_provide"]
    assert field.value == 35
    assert [e.text for e in field.evidence] == ["26 项", "9 项"]
    assert field.source == "rule:unable_to_provide_part"


def test_every_field_carries_evidence_and_its_rule() -> None:
    report = extract(SEED_LIKE)
    for key, field in report.fields.items():
        assert field.source.startswith("rule:"), key
        assert field.evidence, key
        for span in field.evidence:
            assert SEED_LIKE[span.start:span.end] == span.text


STATEMENTS_OF_NONE = [
    ("2023年度我局未收到政府信息公开申请,我局将严格规范依申请公开工作。", {"requests.received"}),
    ("本镇2021年没有受理政府信息申请情况、没有“不予公开”的政府信息情况。", {"requests.received", "requests.denied"}),
    ("全年未发生因依申请公开引发的行政复议或行政诉讼案件。", {"review.total", "litigation.total"}),
    ("2024年度未收取信息公开信息处理费用。", {"fees.collected"}),
    ("县政府在受理依申请公开政府信息工作中均没有收取费用。", {"fees.collected"}),
    ("2023年区民政局无依申请公开信息。", {"requests.received"}),
    ("2024年全年未收到政府信息公开申请,也未发生因依申请公开答复引起的投诉举报、行政复议、行政诉讼等情况。",
     {"requests.received", "review.total", "litigation.total"}),
    ("2016年度未接到有关政府信息公开方面的复议、诉讼和申诉。", {"review.total", "litigation.total"}),
    ("上年无结转。", {"requests.carried_over"}),
    # the year between the word of none and the verb, as 无上年度结转
    ("其他1件为申请人撤回。无下年度结转。", {"requests.carried_forward"}),
    ("本年度没有下一年度结转的申请。", {"requests.carried_forward"}),
    # after the keys (README: word order)
    ("因政府信息公开工作被申请行政复议、提起行政诉讼均为零。", {"review.total", "litigation.total"}),
    ("五、政府信息公开行政复议、行政诉讼情况：无。", {"review.total", "litigation.total"}),
]


@pytest.mark.parametrize(("text", "keys"), STATEMENTS_OF_NONE)
def test_explicit_statements_of_none_fill_zero(text: str, keys: set[str]) -> None:
    fields = extract(text).fields
    assert set(fields) == keys
    for key in keys:
        assert (fields[key].value, fields[key].qualifier) == (0, "exact")
        assert fields[key].evidence and fields[key].source.startswith("rule:no_")


def test_a_figure_beats_a_statement_of_none() -> None:
    fields = extract("收到申请3件。未发生行政复议。").fields
    assert fields["requests.received"].value == 3
    assert fields["review.total"].value == 0


def test_not_statements_of_none() -> None:
    fields = extract("因政府信息公开被提起行政复议 1 件，未经复议直接起诉 0 件。").fields
    assert fields["review.total"].value == 1
    assert "requests.received" not in fields


def test_a_body_wide_total_wins_over_a_channel_figure() -> None:
    text = "通过政府网站发布信息300条,政务微博发布信息500条。全年通过新闻媒体发布信息报道120条。"
    fields = extract(text).fields
    assert "proactive.total" not in fields  # 120 cannot be all channels together
    assert fields["proactive.website"].value == 300


def test_sub_items_do_not_take_the_total() -> None:
    fields = extract("共发布信息2000余条，其中主动公开政务信息300条。").fields
    assert (fields["proactive.total"].value, fields["proactive.total"].qualifier) == (2000, "over")


def test_mentions_name_the_field_they_fill(seed_text: str) -> None:
    report = extract(seed_text)
    by_text = {m.text: m.field for m in report.mentions}
    assert by_text["1300 余条"] == "proactive.total"
    assert by_text["13 万次"] == "platform.website_visits"
    assert by_text["500 余条"] is None
