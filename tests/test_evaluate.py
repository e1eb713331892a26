"""Scoring exactly as gold-format.md defines it: hand-built predictions with known P/R/F1."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from extractor import evals as ev

DATA = Path(__file__).parent / "data" / "eval"
GOOD = DATA / "good" / "mini.gold.json"
BAD = DATA / "bad"
SPEC_FIELDS = Path(__file__).resolve().parents[1] / "docs" / "fields.md"


@pytest.fixture
def gold() -> ev.Gold:
    return ev.load_gold(GOOD)


def as_prediction(gold: ev.Gold) -> dict:
    """The gold labels as an extractor result would carry them (a perfect prediction)."""
    mentions = [{**m, "section": None, "source": "rule:test"} for m in gold.mentions or []]
    fields = {k: {"value": f["value"], "qualifier": f["qualifier"], "source": "rule:test", "evidence": []}
              for k, f in gold.fields.items()}
    return {"doc": f"reports/{gold.data['doc']}", "mentions": mentions, "fields": fields,
            "tables": copy.deepcopy(gold.tables), "checks": [], "errors": []}


def summary(gold: ev.Gold, pred: dict | None) -> dict:
    return ev.summarize([ev.score_document(gold, pred)], ci=False)


def mention(pred: dict, text: str) -> dict:
    return next(m for m in pred["mentions"] if m["text"] == text)


# --- value equality ---------------------------------------------------------------------------
@pytest.mark.parametrize(("gold", "pred", "equal"), [
    (43, 43, True), (43, 43.0, True), (43, 44, False), (43, 43.1, False),
    (0, 0, True), (0, 0.001, False),
    (99.5, 99.5, True), (99.5, 99.0025, True), (99.5, 99.002, False), (99.5, 99.9975, True), (99.5, 100, False),
    (1.2, 1.206, True), (1.2, 1.2061, False),
    (100.0, 100, True), (100.0, 99.9, False),  # a float with no fraction is an integer
    (None, None, True), (5, None, False), (None, 5, False), (5, "5", False),
])
def test_values_equal(gold, pred, equal):
    assert ev.values_equal(gold, pred) is equal


# --- mentions ----------------------------------------------------------------------------------
def test_perfect_prediction_scores_one(gold):
    s = summary(gold, as_prediction(gold))
    assert s["mentions"] == {"p": 1.0, "r": 1.0, "f1": 1.0, "tp": 7, "fp": 0, "fn": 0}
    # the optional key predicted with its value counts nothing: 7 hits, not 8
    assert {k: s["fields"][k] for k in ("p", "r", "f1", "hits", "misses", "wrong", "false_positives")} == {
        "p": 1.0, "r": 1.0, "f1": 1.0, "hits": 7, "misses": 0, "wrong": 0, "false_positives": 0}
    assert s["tables"] == {"cell_accuracy": None, "per_table": dict.fromkeys(ev.TABLES)}


def test_dropped_mention_is_a_false_negative(gold):
    pred = as_prediction(gold)
    pred["mentions"].remove(mention(pred, "12篇"))
    m = summary(gold, pred)["mentions"]
    assert (m["tp"], m["fp"], m["fn"]) == (6, 0, 1)
    assert (m["p"], m["r"], m["f1"]) == (1.0, round(6 / 7, 4), round(12 / 13, 4))


def test_wrong_value_is_a_false_negative_and_a_false_positive(gold):
    pred = as_prediction(gold)
    mention(pred, "43件")["value"] = 34
    m = summary(gold, pred)["mentions"]
    assert (m["tp"], m["fp"], m["fn"]) == (6, 1, 1)
    assert m["f1"] == round(6 / 7, 4)


def test_wrong_qualifier_does_not_match(gold):
    pred = as_prediction(gold)
    mention(pred, "1300余条")["qualifier"] = "exact"
    m = summary(gold, pred)["mentions"]
    assert (m["tp"], m["fp"], m["fn"]) == (6, 1, 1)


def test_extra_mention_is_a_false_positive(gold):
    pred = as_prediction(gold)
    pred["mentions"].append({"start": 0, "end": 5, "text": "2024年", "value": 2024, "unit": "年",
                             "qualifier": "exact", "source": "rule:test"})
    m = summary(gold, pred)["mentions"]
    assert (m["tp"], m["fp"], m["fn"]) == (7, 1, 0)
    assert m["p"] == round(7 / 8, 4)


def test_overlap_is_enough_but_needed(gold):
    pred = as_prediction(gold)
    hit = mention(pred, "1300余条")
    hit["start"] += 2  # "00余条": still overlaps the gold span
    shifted = mention(pred, "43件")
    shifted["start"], shifted["end"] = shifted["end"], shifted["end"] + 2  # touches, does not overlap
    m = summary(gold, pred)["mentions"]
    assert (m["tp"], m["fp"], m["fn"]) == (6, 1, 1)


def test_fractional_gold_value_within_half_a_percent(tmp_path):
    text = "好评率99.5%，差评率0.5%。"
    g = _gold(tmp_path, text, [("99.5%", 99.5, "%"), ("0.5%", 0.5, "%")])
    pred = {"doc": "t.txt", "mentions": [
        {**g.mentions[0], "value": 100.0}, {**g.mentions[1], "value": 0.502}], "fields": {}}
    m = summary(g, pred)["mentions"]
    assert (m["tp"], m["fp"], m["fn"]) == (1, 1, 1)


def test_one_to_one_matching_in_gold_text_order(tmp_path):
    # two gold mentions inside one predicted span of equal value: only one can take it
    text = "发布信息5条和5条。"
    g = _gold(tmp_path, text, [("5条", 5, "条"), ("5条", 5, "条")], second_at=7)
    wide = {"start": 4, "end": 10, "text": text[4:10], "value": 5, "unit": "条", "qualifier": "exact"}
    m = summary(g, {"doc": "t.txt", "mentions": [wide], "fields": {}})["mentions"]
    assert (m["tp"], m["fp"], m["fn"]) == (1, 0, 1)
    pairs = ev.match_mentions(g.mentions or [], [wide])
    assert pairs[0][1] is wide and pairs[1][1] is None  # the first gold mention in text order took it


def test_first_free_prediction_is_taken(tmp_path):
    # gold A(4-6) and B(7-9); predictions P1 overlaps both, P2 overlaps only A.
    # A takes P1 (first in text order), B finds nothing → tp 1, fn 1, fp 1 (P2).
    text = "发布信息5条和5条。"
    g = _gold(tmp_path, text, [("5条", 5, "条"), ("5条", 5, "条")], second_at=7)
    p1 = {"start": 4, "end": 9, "text": text[4:9], "value": 5, "unit": "条", "qualifier": "exact"}
    p2 = {"start": 5, "end": 6, "text": text[5:6], "value": 5, "unit": "条", "qualifier": "exact"}
    m = summary(g, {"doc": "t.txt", "mentions": [p2, p1], "fields": {}})["mentions"]
    assert (m["tp"], m["fp"], m["fn"]) == (1, 1, 1)


def test_null_gold_mentions_are_not_scored(gold):
    data = {**gold.data, "mentions": None}
    g = ev.Gold(path=gold.path, data=data, text=None)
    s = ev.summarize([ev.score_document(g, as_prediction(gold))], ci=False)
    assert (s["mentions"]["tp"], s["mentions"]["fp"], s["mentions"]["fn"]) == (0, 0, 0)
    assert not ev.score_document(g, as_prediction(gold)).scores_mentions


# --- fields --------------------------------------------------------------------------------------
def test_field_outcomes(gold):
    pred = as_prediction(gold)
    del pred["fields"]["requests.received"]                                      # miss
    pred["fields"]["proactive.total"]["qualifier"] = "about"                     # wrong
    pred["fields"]["proactive.policy_interpretations"]["value"] = 13             # wrong
    pred["fields"]["fees.collected"] = {"value": 0, "qualifier": "exact"}        # false positive
    pred["fields"]["training.sessions"] = {"value": None, "qualifier": "exact"}  # null = not predicted
    f = summary(gold, pred)["fields"]
    assert (f["hits"], f["misses"], f["wrong"], f["false_positives"]) == (4, 1, 2, 1)
    p, r = 4 / 7, 4 / 7
    assert (f["p"], f["r"], f["f1"]) == (round(p, 4), round(r, 4), round(2 * p * r / (p + r), 4))
    assert f["per_key"]["fees.collected"] == {"p": 0.0, "r": 0.0, "f1": 0.0, "hits": 0, "misses": 0,
                                              "wrong": 0, "false_positives": 1}
    assert f["per_key"]["proactive.total"]["wrong"] == 1
    assert "training.sessions" not in f["per_key"]


@pytest.mark.parametrize(("pred_field", "fp"), [
    ({"value": 1200, "qualifier": "exact"}, 0),   # optional predicted equal: nothing counted
    (None, 0),                                     # optional left out: not a miss
    ({"value": 1201, "qualifier": "exact"}, 1),   # optional predicted otherwise: false positive
    ({"value": 1200, "qualifier": "over"}, 1),
])
def test_optional_field(gold, pred_field, fp):
    pred = as_prediction(gold)
    pred["fields"].pop("proactive.website")
    if pred_field is not None:
        pred["fields"]["proactive.website"] = pred_field
    f = summary(gold, pred)["fields"]
    assert (f["hits"], f["misses"], f["wrong"], f["false_positives"]) == (7, 0, 0, fp)
    assert ("proactive.website" in f["per_key"]) is bool(fp)


def test_micro_average_over_documents(gold, tmp_path):
    other = _gold(tmp_path, "收到申请5件。", [("5件", 5, "件")],
                  fields={"requests.received": {"value": 5, "qualifier": "exact"}})
    perfect = ev.score_document(gold, as_prediction(gold))      # 7 hits, 7 tp
    empty = ev.score_document(other, {"doc": "t.txt"})           # 1 miss, 1 fn
    s = ev.summarize([perfect, empty], ci=False)
    assert (s["docs"], s["fields"]["hits"], s["fields"]["misses"]) == (2, 7, 1)
    assert s["fields"]["r"] == round(7 / 8, 4) and s["fields"]["p"] == 1.0
    assert (s["mentions"]["tp"], s["mentions"]["fn"]) == (7, 1)


def test_missing_prediction_scores_all_gold_as_missed(gold):
    score = ev.score_document(gold, None)
    s = ev.summarize([score], ci=False)
    assert (s["mentions"]["fn"], s["fields"]["misses"]) == (7, 7)
    assert s["mentions"]["f1"] == 0.0 and s["fields"]["p"] == 0.0
    assert "no prediction for this document" in score.extract_errors


# --- tables ------------------------------------------------------------------------------------------
def _table_gold(tmp_path: Path) -> ev.Gold:
    tables = {
        "active": {"rules": {"issued": 0, "repealed": 1, "in_force": 2}, "licensing": 3, "fees": 1.25},
        "requests": {"new": {"natural_person": 4, "total": 4}, "other.no_fee": {"natural_person": None, "total": None}},
        "review_litigation": {"review": {"upheld": 0, "total": 0}},
    }
    return _gold(tmp_path, "x", [], tables=tables, uncertain=["active.rules.repealed"])


def test_table_cell_accuracy(tmp_path):
    g = _table_gold(tmp_path)
    pred_tables = copy.deepcopy(g.tables)
    pred_tables["active"]["rules"]["repealed"] = 9       # uncertain cell: not scored
    pred_tables["active"]["licensing"] = None            # wrong (gold 3)
    pred_tables["active"]["fees"] = 1.255                # within 0.5 % of 1.25: right
    pred_tables["requests"]["new"]["total"] = 5          # wrong
    pred_tables["requests"]["other.no_fee"]["total"] = 0  # gold blank, predicted 0: wrong
    t = summary(g, {"doc": "t.txt", "tables": pred_tables})["tables"]
    # active: 4 scored cells, 3 right; requests: 4 cells, 2 right (one a blank); review_litigation: 2 of 2
    assert t["per_table"] == {"active": 0.75, "requests": 0.5, "review_litigation": 1.0}
    assert t["cell_accuracy"] == 0.7


def test_missing_tables_count_only_blank_gold_cells_right(tmp_path):
    g = _table_gold(tmp_path)
    t = summary(g, {"doc": "t.txt", "tables": None})["tables"]
    assert t["per_table"] == {"active": 0.0, "requests": 0.5, "review_litigation": 0.0}
    assert t["cell_accuracy"] == 0.2


# --- bootstrap -----------------------------------------------------------------------------------------
def test_bootstrap_ci_is_deterministic_and_brackets_the_estimate(gold, tmp_path):
    other = _gold(tmp_path, "收到申请5件。", [("5件", 5, "件")],
                  fields={"requests.received": {"value": 5, "qualifier": "exact"}})
    scores = [ev.score_document(gold, as_prediction(gold)), ev.score_document(other, {"doc": "t.txt"})] * 5
    a, b = ev.summarize(scores), ev.summarize(scores)
    assert a["fields"]["f1_ci"] == b["fields"]["f1_ci"]
    lo, hi = a["fields"]["f1_ci"]
    assert lo <= a["fields"]["f1"] <= hi and lo < hi
    assert a["tables"]["cell_accuracy_ci"] is None


# --- gold validation ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "problem"), [
    ("bad_json", "not valid JSON"),
    ("missing_keys", "missing key 'fields'"),
    ("text_mismatch", "doc[18:23] is '300余条'"),
    ("unknown_field", "field 'requests.recieved' is not in fields.md"),
    ("bad_qualifier", "qualifier 'more_than'"),
    ("missing_doc", "missing text file absent.txt"),
])
def test_malformed_gold_is_rejected_naming_file_and_problem(name, problem):
    path = BAD / f"{name}.gold.json"
    with pytest.raises(ev.GoldError) as exc:
        ev.load_gold(path)
    assert f"{name}.gold.json" in str(exc.value) and problem in str(exc.value)


def test_gold_set_reports_every_bad_file():
    with pytest.raises(ev.GoldError) as exc:
        ev.load_gold_set([BAD])
    assert {p.name for p, _ in exc.value.problems} == {f"{n}.gold.json" for n in (
        "bad_json", "missing_keys", "text_mismatch", "unknown_field", "bad_qualifier", "missing_doc")}


def test_shipped_gold_sets_are_valid():
    evals = Path(__file__).resolve().parents[1] / "evals"
    golds = ev.load_gold_set([evals / "dev", evals / "full", evals / "seed"])
    assert len(golds) >= 86 and all(g.data.get("source") for g in golds)


def test_field_keys_match_fields_md():
    keys = set(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", SPEC_FIELDS.read_text(encoding="utf-8"), re.M))
    assert keys == ev.FIELD_KEYS


# --- joining, context, comparison ------------------------------------------------------------------------------
def test_predictions_join_by_file_name_of_doc(tmp_path):
    lines = [{"doc": "reports/2024/mini.txt", "fields": {}}, {"doc": "C:/x/other.txt"}]
    path = tmp_path / "pred.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    assert set(ev.read_predictions(path)) == {"mini.txt", "other.txt"}


def test_context_marks_the_span():
    text = "0123456789" * 10
    assert ev.context(text, 40, 42, width=3) == "…789【01】234…"
    assert ev.context("收到申请43件。", 4, 7) == "收到申请【43件】。"


def test_markdown_lists_errors_with_context(gold):
    pred = as_prediction(gold)
    mention(pred, "43件")["value"] = 34
    del pred["fields"]["requests.received"]
    run = ev.evaluate([gold], lambda g: pred, ci=False)
    md = ev.render_markdown(run)
    assert "**field miss** `requests.received`: gold 43 (exact), predicted —" in md
    assert "收到政府信息公开申请【43件】，按期答复率" in md
    assert "**mention false positive** `requests.received`: gold —, predicted 34 件 (exact)" in md


def test_compare_runs_deltas():
    a = {"docs": 2, "mentions": {"p": 0.5, "r": 0.5, "f1": 0.5}, "fields": {"p": 1.0, "r": 0.5, "f1": 0.6667,
         "per_key": {"k.a": {"f1": 0.5}}}, "tables": {"cell_accuracy": None, "per_table": {"active": 0.5}}}
    b = copy.deepcopy(a)
    b["fields"]["f1"] = 0.8
    b["fields"]["per_key"] = {"k.a": {"f1": 0.75}, "k.b": {"f1": 1.0}}
    d = ev.compare_runs(a, b)
    assert d["metrics"]["fields.f1"] == {"a": 0.6667, "b": 0.8, "delta": 0.1333}
    assert d["metrics"]["tables.cell_accuracy"]["delta"] is None
    assert d["per_key"]["k.a"]["delta"] == 0.25 and d["per_key"]["k.b"] == {"a": None, "b": 1.0, "delta": None}


# --- helpers -----------------------------------------------------------------------------------------------------
def _gold(tmp_path: Path, text: str, spans: list[tuple[str, float, str]], *, second_at: int | None = None,
          fields: dict | None = None, tables: dict | None = None, uncertain: list[str] | None = None) -> ev.Gold:
    mentions = []
    for i, (s, value, unit) in enumerate(spans):
        start = second_at if (i == 1 and second_at is not None) else text.index(s)
        mentions.append({"start": start, "end": start + len(s), "text": s, "value": value, "unit": unit,
                         "qualifier": "exact", "subject": None, "field": None})
    data = {"doc": "t.txt", "truncated": False, "mentions": mentions, "fields": fields or {}, "tables": tables}
    if uncertain:
        data["uncertain_cells"] = uncertain
    (tmp_path / "t.txt").write_text(text, encoding="utf-8")
    (tmp_path / "t.gold.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return ev.load_gold(tmp_path / "t.gold.json")


def test_value_sightings_for_gold_without_spans():
    text = "全年收到申请17件，办结170件，答复率17.5%。"
    assert ev.value_sightings(text, 17) == ("全年收到申请【17】件，办结170件，答复率17.5%。",)
    assert ev.value_sightings(text, 17.5) == ("全年收到申请17件，办结170件，答复率【17.5】%。",)
    assert ev.value_sightings(None, 17) == ()


# --- metadata: body, year, admin_level ------------------------------------------------------------
@pytest.mark.parametrize(("gold", "pred", "same"), [
    ("襄阳市襄城区人民政府", "襄城区人民政府", True),        # a containing city in front
    ("永靖县人民政府", "临夏回族自治州永靖县人民政府", True),
    ("中华人民共和国水利部", "水利部", True),
    ("甘州区东街街道", "东街街道办事处", True),             # a 街道 is run by its 办事处
    ("石家莊市工業和信息化局", "石家庄市工业和信息化局", True),  # script
    ("中国(河北)自由贸易试验区", "中国（河北）自由贸易试验区", True),  # full-width forms
    ("汕尾市公安局", "公安局", False),                      # no place left: not a name of it
    ("东城区人民政府", "西城区人民政府", False),
    ("襄城区人民政府", "襄城区人民政府办公室", False),
    ("山西省人民政府", "山西省人民政府办公厅", False),
    ("厦门市市场监督管理局湖里分局", "湖里区市场监督管理局", False),
])
def test_same_body(gold, pred, same):
    assert ev.same_body(gold, pred) is same


def _meta_gold(gold: ev.Gold, **meta) -> ev.Gold:
    return ev.Gold(path=gold.path, data={**gold.data, **meta}, text=gold.text)


def test_metadata_rates(gold):
    labelled = [_meta_gold(gold, body="襄阳市襄城区人民政府", year=2023, admin_level="county"),
                _meta_gold(gold, body="汕尾市公安局", year=2021, admin_level="city"),
                _meta_gold(gold, body=None, year=2019, admin_level="township"),
                _meta_gold(gold, body="丽水市人民政府", year=2017)]  # admin_level not labelled
    preds = [{**as_prediction(gold), "body": "襄城区人民政府", "year": 2023, "admin_level": "county"},
             {**as_prediction(gold), "body": "汕尾市人民政府", "year": 2020, "admin_level": "city"},
             {**as_prediction(gold), "body": None, "year": 2019, "admin_level": None},
             {**as_prediction(gold), "body": None, "year": 2017, "admin_level": "city"}]
    meta = ev.summarize([ev.score_document(g, p) for g, p in zip(labelled, preds, strict=True)], ci=False)["metadata"]
    assert meta["body"] == {"docs": 4, "given": 2, "right": 1, "rate": 0.5, "coverage": 0.5,
                            "right_all": 0.5, "rate_strict": 0.0}  # the null for a null gold is right
    assert meta["year"]["right"] == 3 and meta["year"]["rate"] == 0.75
    assert meta["admin_level"] == {"docs": 3, "given": 2, "right": 2, "rate": 1.0, "coverage": 0.6667,
                                   "right_all": 0.6667, "rate_strict": 1.0}
    errors = [e for g, p in zip(labelled, preds, strict=True) for e in ev.score_document(g, p).errors
              if e.area == "metadata"]
    assert {(e.key, e.kind) for e in errors} == {("body", "wrong"), ("year", "wrong"), ("admin_level", "miss"),
                                                 ("body", "miss")}


def test_gold_admin_level_is_checked(tmp_path):
    data = json.loads(GOOD.read_text(encoding="utf-8"))
    (tmp_path / data["doc"]).write_text((GOOD.parent / data["doc"]).read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "mini.gold.json"
    path.write_text(json.dumps({**data, "admin_level": "district"}, ensure_ascii=False), encoding="utf-8")
    _, problems = ev.check_gold(path)
    assert any("admin_level 'district'" in p for p in problems)
    path.write_text(json.dumps({**data, "admin_level": None}, ensure_ascii=False), encoding="utf-8")
    assert ev.check_gold(path)[1] == []
