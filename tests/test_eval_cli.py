"""`xxgk eval` and `xxgk label` end to end: --json keys, --pred joining, reports, compare, bad gold."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor import evals as ev
from extractor.cli import app

DATA = Path(__file__).parent / "data" / "eval"
GOOD, BAD = DATA / "good", DATA / "bad"
SEED = Path(__file__).resolve().parents[1] / "evals" / "seed" / "longting-2024.txt"
runner = CliRunner()

COUNTS = {"p", "r", "f1", "hits", "misses", "wrong", "false_positives"}


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def perfect_prediction() -> dict:
    gold = ev.load_gold(GOOD / "mini.gold.json")
    fields = {k: {"value": f["value"], "qualifier": f["qualifier"], "source": "rule:t", "evidence": []}
              for k, f in gold.fields.items()}
    return {"doc": "some/where/mini.txt", "mentions": [{**m, "source": "rule:t"} for m in gold.mentions or []],
            "fields": fields, "tables": None, "checks": [], "errors": []}


@pytest.fixture
def pred_file(tmp_path: Path) -> Path:
    pred = perfect_prediction()
    pred["mentions"] = pred["mentions"][1:]  # drop 1300余条
    pred["fields"]["proactive.total"]["value"] = 1400
    path = tmp_path / "pred.jsonl"
    lines = [pred, {"doc": "unrelated.txt", "fields": {}}]
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return path


def test_json_has_exactly_the_promised_keys_and_figures(pred_file):
    code, out, err = run("eval", str(GOOD), "--pred", str(pred_file), "--json")
    assert code == 0, err
    s = json.loads(out)  # one JSON object, nothing else on stdout
    assert set(s) == {"docs", "mentions", "fields", "tables", "metadata", "run"}
    assert s["docs"] == 1
    assert s["mentions"] == {"p": 1.0, "r": round(6 / 7, 4), "f1": round(12 / 13, 4), "tp": 6, "fp": 0, "fn": 1,
                             "f1_ci": [round(12 / 13, 4)] * 2}
    assert set(s["fields"]) == COUNTS | {"per_key", "f1_ci"}
    assert (s["fields"]["hits"], s["fields"]["wrong"]) == (6, 1)
    assert all(set(v) == COUNTS for v in s["fields"]["per_key"].values())
    assert s["fields"]["per_key"]["proactive.total"]["wrong"] == 1
    assert s["tables"] == {"cell_accuracy": None, "per_table": dict.fromkeys(ev.TABLES), "cell_accuracy_ci": None}
    assert set(s["run"]) >= {"version", "commit", "llm", "timestamp"}
    assert s["run"]["llm"] == {"mode": None, "model": None, "prompts": None}  # as the results say
    assert "unrelated.txt" in err  # results without gold are named, not scored


def test_eval_runs_the_extractor_without_pred():
    code, out, err = run("eval", str(GOOD / "mini.gold.json"), "--json")
    assert code == 0, err
    s = json.loads(out)
    assert s["docs"] == 1 and s["run"]["pred"] is None
    assert s["mentions"]["tp"] + s["mentions"]["fn"] == 7


def test_summary_table_and_markdown_report(pred_file, tmp_path):
    report = tmp_path / "errors.md"
    code, out, err = run("eval", str(GOOD), "--pred", str(pred_file), "-o", str(report))
    assert code == 0, err
    assert "mentions" in out and "proactive.total" in out
    md = report.read_text(encoding="utf-8")
    assert "### mini.txt" in md
    assert "**field wrong** `proactive.total`: gold 1300 (over), predicted 1400 (over)" in md
    assert "**mention miss** `proactive.total`: gold 1300 条 (over), predicted —" in md
    assert "本机关主动公开政府信息【1300余条】，其中门户网站发布1200条" in md


def test_malformed_gold_stops_the_eval_naming_file_and_problem(tmp_path):
    for name in ("mini.txt", "unknown_field.gold.json"):
        shutil.copy(BAD / name, tmp_path / name)
    code, out, err = run("eval", str(tmp_path), "--json")
    assert code == 1 and out == ""
    assert "unknown_field.gold.json" in err and "field 'requests.recieved' is not in fields.md" in err


def test_check_gold():
    code, _, err = run("eval", "--check-gold", str(GOOD))
    assert code == 0 and "1 gold file, 0 with problems" in err
    code, _, err = run("eval", "--check-gold", str(BAD))
    assert code == 1
    assert "bad_json.gold.json: not valid JSON" in err
    assert "text_mismatch.gold.json: mention 0 '1300余条': doc[18:23] is '300余条'" in err
    assert "6 with problems" in err


def test_llm_modes_are_checked_before_any_document_is_read(monkeypatch):
    monkeypatch.delenv("XXGK_LLM_MODEL", raising=False)
    code, _, err = run("eval", str(GOOD), "--llm", "openai")
    assert code == 2 and "unknown LLM mode 'openai'" in err
    code, _, err = run("eval", str(GOOD), "--llm", "ambiguous")
    assert code == 2 and "needs a model" in err


def test_compare(pred_file, tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(run("eval", str(GOOD), "--pred", str(pred_file), "--json")[1], encoding="utf-8")
    perfect = tmp_path / "perfect.jsonl"
    perfect.write_text(json.dumps(perfect_prediction(), ensure_ascii=False) + "\n", encoding="utf-8")
    b.write_text(run("eval", str(GOOD), "--pred", str(perfect), "--json")[1], encoding="utf-8")
    code, out, err = run("eval", "--compare", str(a), str(b), "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["metrics"]["mentions.f1"]["delta"] == round(1 - round(12 / 13, 4), 4)
    assert d["per_key"]["proactive.total"] == {"a": 0.0, "b": 1.0, "delta": 1.0}
    code, out, _ = run("eval", "--compare", str(a), str(b))
    assert code == 0 and "fields.f1" in out and "proactive.total" in out
    assert run("eval", "--compare", str(a))[0] == 2


def test_label_writes_valid_gold(tmp_path):
    report = tmp_path / "longting-2024.txt"
    shutil.copy(SEED, report)
    code, _, err = run("label", str(report), "-o", str(tmp_path / "longting-2024.gold.json"))
    assert code == 0, err
    gold = ev.load_gold(tmp_path / "longting-2024.gold.json")  # passes validation
    assert gold.data["doc"] == "longting-2024.txt" and gold.data["truncated"] is False
    assert (gold.data["body"], gold.data["year"], gold.data["admin_level"]) == ("龙亭区人民政府办公室", 2024, "county")
    assert gold.mentions and gold.fields
    assert all(set(f) == {"value", "qualifier"} for f in gold.fields.values())
    assert "warning" not in err
    code, _, err = run("label", str(report))  # default target exists: refused, not overwritten
    assert code == 1 and "--force" in err
