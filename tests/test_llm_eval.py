"""`xxgk eval --llm …`: the endpoint and model as in extract, LLM failures in the summary and in
--json, and no run labelled "LLM" when every request failed (it is labelled rules only and
exits 1). Against the local chat-completions server of ``extractor.llm.testing``."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.llm.testing import FakeOpenAIServer, Reply

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "evals" / "dev"
# gold documents whose prose leaves something open, so that --llm ambiguous asks about each
DOCS = ["r036", "r037", "r069", "r107", "r133"]
runner = CliRunner()


@pytest.fixture()
def golds(tmp_path: Path) -> Path:
    d = tmp_path / "gold"
    d.mkdir()
    for name in DOCS:
        for suffix in (".txt", ".gold.json"):
            shutil.copy(DEV / f"{name}{suffix}", d / f"{name}{suffix}")
    return d


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"XXGK_CACHE_DIR": str(tmp_path / "cache"), "XXGK_LLM_API_KEY": "sk-eval-SECRET",
            "XXGK_LLM_RETRIES": "0", "XXGK_LLM_CONCURRENCY": "1", "XXGK_LLM_MODEL": "",
            "OPENAI_API_KEY": "", "OPENAI_BASE_URL": "", **extra}


def run_eval(*args: str, env: dict[str, str]) -> tuple[int, dict | None, str]:
    from extractor.cli import app

    result = runner.invoke(app, ["eval", *args], env=env)
    try:
        summary = json.loads(result.stdout) if "--json" in args else None
    except ValueError:
        summary = None
    return result.exit_code, summary, result.stderr


def test_eval_with_an_llm_reports_what_it_cost_and_what_failed(golds, tmp_path):
    env = env_for(tmp_path)
    code, rules, _ = run_eval(str(golds), "--json", env=env)
    assert code == 0 and rules["run"]["llm"]["mode"] == "off"
    replies = iter([Reply.error(500)])  # the first document's request fails, the others are answered

    def responder(request: dict) -> Reply:
        return next(replies, Reply.answer({"assignments": []}))

    with FakeOpenAIServer(responder=responder) as server:
        args = (str(golds), "--llm", "ambiguous", "--model", "fake-model", "--base-url", server.base_url)
        code, got, stderr = run_eval(*args, "--json", env=env)
        assert code == 0, stderr
        llm = got["run"]["llm"]
        assert (llm["mode"], llm["model"], llm["prompts"]) == ("ambiguous", "fake-model", ["fill_ambiguous.v1"])
        totals = llm["totals"]
        assert totals["requests"] == len(server.requests) == len(DOCS)
        assert (totals["failed_requests"], totals["failed"], totals["needed"]) == (1, 1, len(DOCS))
        assert totals["kept"] == 0 and totals["tokens_in"] > 0
        assert got["fields"] == rules["fields"]  # an empty answer changes no score
        assert "LLM ambiguous · fake-model" in stderr and "1 requests failed" in stderr
        assert "1 documents kept rules only" in stderr and "sk-eval-SECRET" not in stderr
        # the readable summary says the same
        code, _, stderr = run_eval(*args, env=env)
        assert code == 0 and "LLM ambiguous · fake-model" in stderr and "from cache" in stderr


def test_eval_where_every_request_failed_is_labelled_rules_only(golds, tmp_path):
    env = env_for(tmp_path)
    _, rules, _ = run_eval(str(golds), "--json", env=env)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, got, stderr = run_eval(str(golds), "--llm", "all", "--model", "m",
                                 "--base-url", f"http://127.0.0.1:{port}/v1", "--json", env=env)
    assert code == 1
    llm = got["run"]["llm"]
    assert llm["mode"] == "off" and llm["requested"] == "all" and "rules-only" in llm["note"]
    assert llm["totals"]["failed"] == llm["totals"]["needed"] == len(DOCS)
    assert llm["totals"]["requests"] == 3  # the endpoint is given up after 3 connection failures
    assert {k: got[k] for k in ("mentions", "fields", "tables")} == {k: rules[k] for k in ("mentions", "fields", "tables")}
    assert stderr.count("LLM endpoint unreachable") == 1
    assert "every LLM request failed" in stderr and "rules only" in stderr


def test_eval_llm_options_are_checked_first(golds, tmp_path):
    env = env_for(tmp_path)
    code, _, stderr = run_eval(str(golds), "--llm", "ambiguous", env=env)
    assert code == 2 and "needs a model" in stderr
    pred = tmp_path / "results.jsonl"
    pred.write_text("", encoding="utf-8")
    code, _, stderr = run_eval(str(golds), "--llm", "all", "--model", "m", "--base-url", "http://127.0.0.1:9/v1",
                               "--pred", str(pred), env=env)
    assert "--llm is ignored with --pred" in stderr


def test_label_takes_the_same_llm_options(tmp_path):
    from extractor.cli import app

    report = tmp_path / "sample.txt"
    shutil.copy(ROOT / "tests" / "data" / "llm" / "sample.txt", report)
    answer = {"assignments": [{"field": "requests.completed", "value": 60, "candidates": ["C2"]}]}
    with FakeOpenAIServer(default=Reply.answer(answer)) as server:
        result = runner.invoke(app, ["label", str(report), "--llm", "ambiguous", "--model", "fake-model",
                                     "--base-url", server.base_url], env=env_for(tmp_path))
    assert result.exit_code == 0, result.stderr
    gold = json.loads((tmp_path / "sample.gold.json").read_text(encoding="utf-8"))
    assert gold["fields"]["requests.completed"]["value"] == 60 and len(server.requests) == 1
    result = runner.invoke(app, ["label", str(report), "--force", "--llm", "ambiguous"], env=env_for(tmp_path))
    assert result.exit_code == 2 and "needs a model" in result.stderr
