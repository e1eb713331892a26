"""``--time-limit`` holds in the LLM stage, also where documents run in threads (``--llm`` with one
worker) and no timer can interrupt them: against the real local chat-completions server
(``extractor.llm.testing``) answering slowly, a document past its limit sends no further request,
keeps its rule results and gets an ``llm`` error, and a request cut by the limit does not count as
a failure of the endpoint."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor import extract, extract_batch, extract_file
from extractor.cli import app
from extractor.llm import LLMConfig
from extractor.llm.client import BREAKER_THRESHOLD
from extractor.llm.testing import FakeOpenAIServer, Reply

SAMPLE = Path(__file__).parent / "data" / "llm" / "sample.txt"
# The sample leaves open whether its 60件 were also completed (see tests/test_llm_fill.py).
COMPLETED_60 = {"field": "requests.completed", "value": 60, "qualifier": "exact", "candidates": ["C2"]}
SLOW = 3.0  # seconds the server takes to answer: longer than the limit, shorter than the client's timeout
LIMIT = 0.8


@pytest.fixture
def reports(tmp_path: Path) -> list[str]:
    """Four copies of the sample: four documents in flight at once."""
    paths = []
    for i in range(BREAKER_THRESHOLD + 1):
        path = tmp_path / f"report-{i}.txt"
        shutil.copy(SAMPLE, path)
        paths.append(str(path))
    return paths


class Server:
    """The local server answering every request after ``delay`` seconds (changeable)."""

    def __init__(self) -> None:
        self.delay = SLOW
        self.fake = FakeOpenAIServer(responder=lambda request: Reply.answer({"assignments": [COMPLETED_60]},
                                                                           delay=self.delay))


@pytest.fixture
def server():
    s = Server()
    with s.fake:
        yield s


def config_for(server: Server, tmp_path: Path, **changes: object) -> LLMConfig:
    settings: dict[str, object] = {"timeout": 30.0, "http_retries": 4, "backoff": 0.01, "concurrency": 4,
                                   "cache": False, "cache_dir": str(tmp_path / "cache")}
    settings.update(changes)
    return LLMConfig(mode="ambiguous", model="fake-model", base_url=server.fake.base_url, **settings)  # type: ignore[arg-type]


def assert_rules_kept_with_a_time_limit_error(report, rules) -> None:  # type: ignore[no-untyped-def]
    assert report.fields == rules.fields and report.tables == rules.tables
    assert [e.stage for e in report.errors] == ["llm"], report.errors
    assert f"time limit exceeded ({LIMIT:g} s)" in report.errors[0].message
    assert "rule results kept" in report.errors[0].message


def test_documents_in_threads_stop_at_their_time_limit(server: Server, reports: list[str], tmp_path: Path) -> None:
    config = config_for(server, tmp_path)
    rules = extract_file(reports[0])
    server.delay = 0.0  # a prompt answer first: the LLM stack is loaded (once per process) and works
    assert extract(SAMPLE.read_text(encoding="utf-8"), source="doc", llm=config).errors == []
    server.delay = SLOW
    started = time.monotonic()
    results = list(extract_batch(reports, workers=1, llm=config, time_limit=LIMIT))  # threads: one worker, --llm
    elapsed = time.monotonic() - started
    assert elapsed < SLOW - 0.5, elapsed  # not the server's time, nor the client's 30 s timeout and retries
    assert [r.doc for r in results] == reports
    for report in results:
        assert_rules_kept_with_a_time_limit_error(report, rules)
        assert report.llm is not None and report.llm.requests == 1
    assert len(server.fake.requests) == 1 + len(reports)  # no retry after a document's time was up
    # four cut requests in a row did not mark the endpoint as down: a prompt answer is taken
    server.delay = 0.0
    report = extract(SAMPLE.read_text(encoding="utf-8"), source="doc", llm=config)
    assert report.errors == [] and report.fields["requests.completed"].value == 60


def test_no_retry_is_sent_past_the_time_limit(reports: list[str], tmp_path: Path) -> None:
    """Errors 500 with a backoff longer than the time left: one request per document, then its error."""
    with FakeOpenAIServer() as failing:  # every request: HTTP 500
        config = LLMConfig(mode="ambiguous", model="fake-model", base_url=failing.base_url, timeout=30.0,
                           http_retries=4, backoff=5.0, max_wait=5.0, cache=False, concurrency=4)
        started = time.monotonic()
        results = list(extract_batch(reports, workers=1, llm=config, time_limit=LIMIT))
        assert time.monotonic() - started < 2.5  # each backoff would have been 2.5 to 5 s
        assert len(failing.requests) == len(reports)
    rules = extract_file(reports[0])
    for report in results:
        assert_rules_kept_with_a_time_limit_error(report, rules)


def test_one_document_in_the_main_thread_keeps_its_rule_results(server: Server, reports: list[str],
                                                                tmp_path: Path) -> None:
    """Where the timer can act (one document, the main thread) the LLM stage still stops first: the
    document keeps its rule results instead of being skipped whole."""
    (report,) = extract_batch(reports[:1], llm=config_for(server, tmp_path), time_limit=LIMIT)
    assert_rules_kept_with_a_time_limit_error(report, extract_file(reports[0]))


def test_the_command_line_keeps_the_limit_with_llm(server: Server, reports: list[str], tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    env = {"XXGK_CACHE_DIR": str(tmp_path / "cache"), "XXGK_LLM_API_KEY": "sk-x", "XXGK_LLM_TIMEOUT": "30",
           "OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""}
    started = time.monotonic()
    result = CliRunner().invoke(app, ["extract", *reports, "-o", str(out), "--llm", "ambiguous", "--model", "fake-model",
                                      "--base-url", server.fake.base_url, "--time-limit", str(LIMIT)], env=env)
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < SLOW + 1.5
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(reports)
    for line in lines:
        assert [e["stage"] for e in line["errors"]] == ["llm"]
        assert line["errors"][0]["message"].startswith(f"time limit exceeded ({LIMIT:g} s)")
        assert "requests.completed" not in line["fields"]
