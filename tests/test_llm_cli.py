"""The LLM layer end to end: `xxgk extract --llm ambiguous` against an OpenAI-compatible server that
answers every numeric field with a number absent from the report emits no such number and keeps
every rule result; a second identical run sends no request; with the server down, the results
equal the rules-only results plus a recorded error."""

from __future__ import annotations

import json
import re
import shutil
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.llm.definitions import FIELD_KEYS
from extractor.llm.testing import FakeOpenAIServer, Reply

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "evals" / "dev"
# reports whose prose leaves something open (received or completed? a website figure or the total?)
DOCS = ["r040", "r069", "r107", "r133", "r135"]
ABSENT = 987654321
runner = CliRunner()


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    d = tmp_path / "reports"
    d.mkdir()
    shutil.copy(Path(__file__).parent / "data" / "llm" / "sample.txt", d / "sample.txt")
    for name in DOCS:
        if (DEV / f"{name}.txt").exists():
            shutil.copy(DEV / f"{name}.txt", d / f"{name}.txt")
    for p in d.iterdir():
        assert str(ABSENT) not in p.read_text(encoding="utf-8")
    return d


def liar(request: dict) -> Reply:
    """Every field, a number the report does not contain, citing every candidate and sentence."""
    prompt = "\n".join(m["content"] for m in request["messages"] if m["role"] == "user")
    ids = sorted(set(re.findall(r"⟦(C\d+)⟧", prompt)))
    sentences = [re.sub(r"⟦C\d+⟧", "", s) for s in re.findall(r"^- (.*⟦C\d+⟧.*)$", prompt, flags=re.M)]
    return Reply.answer({"assignments": [
        {"field": key, "value": ABSENT, "qualifier": "exact", "candidates": ids, "quotes": sentences}
        for key in FIELD_KEYS]})


def run(corpus: Path, out: Path, *args: str, env: dict[str, str]) -> tuple[int, str]:
    result = runner.invoke(app, ["extract", str(corpus), "-o", str(out), *args], env=env)
    return result.exit_code, result.stderr


def results(path: Path) -> dict[str, dict]:
    return {Path(r["doc"]).name: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"XXGK_CACHE_DIR": str(tmp_path / "cache"), "XXGK_LLM_API_KEY": "sk-cli-SECRET",
            "XXGK_LLM_RETRIES": "0", "OPENAI_API_KEY": "", "OPENAI_BASE_URL": "", **extra}


def test_a_lying_server_gets_no_number_out_and_a_rerun_sends_nothing(corpus, tmp_path):
    env = env_for(tmp_path)
    code, _ = run(corpus, tmp_path / "rules.jsonl", env=env)
    assert code == 0
    with FakeOpenAIServer(responder=liar) as server:
        args = ("--llm", "ambiguous", "--model", "fake-model", "--base-url", server.base_url)
        code, stderr = run(corpus, tmp_path / "llm.jsonl", *args, env=env)
        assert code == 0
        sent = len(server.requests)
        assert sent >= 1
        assert "tokens in" in stderr and "requests" in stderr
        raw = (tmp_path / "llm.jsonl").read_text(encoding="utf-8")
        assert str(ABSENT) not in raw and "sk-cli-SECRET" not in raw + stderr
        rules, llm = results(tmp_path / "rules.jsonl"), results(tmp_path / "llm.jsonl")
        assert rules.keys() == llm.keys()
        for name, base in rules.items():
            got = llm[name]
            assert all(got["fields"][k] == v for k, v in base["fields"].items()), name  # every rule result kept
            assert got["tables"] == base["tables"] and got["errors"] == base["errors"]
            assert all(v["source"].startswith("llm:") for k, v in got["fields"].items() if k not in base["fields"])
        assert sum(r["llm"]["dropped"] for r in llm.values()) > 0
        # a second identical run: everything from the cache
        code, stderr = run(corpus, tmp_path / "again.jsonl", *args, env=env)
        assert code == 0 and len(server.requests) == sent
        assert results(tmp_path / "again.jsonl").keys() == llm.keys()
        assert all(r["fields"] == llm[n]["fields"] for n, r in results(tmp_path / "again.jsonl").items())


def test_server_down_gives_the_rules_results_plus_an_error(corpus, tmp_path):
    env = env_for(tmp_path)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run(corpus, tmp_path / "rules.jsonl", env=env)
    code, stderr = run(corpus, tmp_path / "down.jsonl", "--llm", "ambiguous", "--model", "m",
                       "--base-url", f"http://127.0.0.1:{port}/v1", env=env)
    assert code == 0 and "rules only" in stderr
    rules, down = results(tmp_path / "rules.jsonl"), results(tmp_path / "down.jsonl")
    for name, base in rules.items():
        got = dict(down[name])
        llm = got.pop("llm")
        errors = got.pop("errors")
        assert {**got, "errors": [e for e in errors if e["stage"] != "llm"]} == base
        if llm["candidates"]:
            assert [e["stage"] for e in errors] == ["llm"] and "Connection" in errors[0]["message"]


def test_llm_off_is_the_default_and_bad_options_are_refused(corpus, tmp_path):
    env = env_for(tmp_path)
    with FakeOpenAIServer(responder=liar) as server:
        code, _ = run(corpus, tmp_path / "off.jsonl", "--base-url", server.base_url, "--model", "m", env=env)
        assert code == 0 and server.requests == []
        assert all("llm" not in r for r in results(tmp_path / "off.jsonl").values())
    code, stderr = run(corpus, tmp_path / "x.jsonl", "--llm", "sometimes", env=env)
    assert code == 2 and "--llm" in stderr
    code, stderr = run(corpus, tmp_path / "x.jsonl", "--llm", "ambiguous", env={**env, "XXGK_LLM_MODEL": ""})
    assert code == 2 and "model" in stderr


# ------------------------------------------------------------------ a dead endpoint fails fast
NOTICE = "LLM endpoint unreachable"
MORE = ["r004", "r007", "r009", "r013"]  # more documents, so that some come after the endpoint died


@pytest.fixture()
def bigger_corpus(corpus: Path) -> Path:
    for name in MORE:
        shutil.copy(DEV / f"{name}.txt", corpus / f"{name}.txt")
    return corpus


def dead_port() -> int:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rules_equal(got: dict, base: dict) -> bool:
    """``got`` holds every rules result of ``base`` (its own LLM record and LLM errors aside)."""
    got = {k: v for k, v in got.items() if k != "llm"}
    got["errors"] = [e for e in got["errors"] if e["stage"] != "llm"]
    return got == base


def test_a_dead_endpoint_is_given_up_after_three_connection_failures(bigger_corpus, tmp_path):
    """Retries allowed (4 per document), one document at a time: the endpoint is tried 3 times in
    all, then no more; said once on stderr; every document keeps its rules results."""
    env = env_for(tmp_path, XXGK_LLM_RETRIES="4", XXGK_LLM_CONCURRENCY="1")
    run(bigger_corpus, tmp_path / "rules.jsonl", env=env)
    code, stderr = run(bigger_corpus, tmp_path / "down.jsonl", "--llm", "all", "--model", "m",
                       "--base-url", f"http://127.0.0.1:{dead_port()}/v1", env=env)
    assert code == 0
    assert stderr.count(NOTICE) == 1
    rules, down = results(tmp_path / "rules.jsonl"), results(tmp_path / "down.jsonl")
    assert rules.keys() == down.keys() and len(down) == 10
    assert all(rules_equal(down[name], base) for name, base in rules.items())
    assert sum(r["llm"]["requests"] for r in down.values()) == 3  # not 10 documents × 5 attempts
    first, *rest = [down[name] for name in sorted(down)]
    assert first["llm"]["requests"] == 3 and first["llm"]["failed_requests"] == 3
    assert all(r["llm"]["requests"] == 0 and r["llm"]["unreachable"] for r in rest)
    assert all(r["errors"][-1]["stage"] == "llm" and "unreachable" in r["errors"][-1]["message"]
               for r in down.values())
    assert "10 documents kept rules only" in stderr


def test_a_server_dying_mid_run_stops_being_called(bigger_corpus, tmp_path):
    answered: list[str] = []

    def dies_at_the_third(request: dict) -> Reply:
        if len(answered) == 2:
            server.kill()  # this request gets no answer, the next ones no connection
        answered.append(request["model"])
        return Reply.answer({"assignments": []})

    env = env_for(tmp_path, XXGK_LLM_CONCURRENCY="1")  # XXGK_LLM_RETRIES=0
    run(bigger_corpus, tmp_path / "rules.jsonl", env=env)
    with FakeOpenAIServer(responder=dies_at_the_third) as server:
        code, stderr = run(bigger_corpus, tmp_path / "llm.jsonl", "--llm", "all", "--model", "m",
                           "--base-url", server.base_url, env=env)
    assert code == 0 and stderr.count(NOTICE) == 1
    rules, got = results(tmp_path / "rules.jsonl"), results(tmp_path / "llm.jsonl")
    assert all(rules_equal(got[name], base) for name, base in rules.items())
    order = [got[name] for name in sorted(got)]
    assert [r["errors"] == [] for r in order[:2]] == [True, True]  # answered before it died
    assert all("Connection" in r["errors"][-1]["message"] for r in order[2:5])  # 3 failures in a row
    assert all(r["llm"]["unreachable"] and r["llm"]["requests"] == 0 for r in order[5:])  # then no more
    assert len(server.requests) == 3 and sum(r["llm"]["requests"] for r in order) == 5
