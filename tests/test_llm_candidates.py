"""What ``--llm ambiguous`` offers: figures the rules left without a field whose subject names a
family of keys (candidate_subjects.toml) are candidates too, and grounding keeps a value for
them only when the key's cue stands in their sentence."""

from __future__ import annotations

import pytest

from extractor import extract
from extractor.llm import LLMConfig
from extractor.llm.candidates import SUBJECT_FAMILIES, find_candidates
from extractor.llm.definitions import FIELDS
from extractor.llm.testing import FakeOpenAIServer, Reply

# dev2 n003: 99件 of 文件 counts information published, though no cue of a key stands in its own clause
N003 = "发布主动公开文件及政策解读信息8条、市管企业董事管理文件99件,使社会各界实时了解国资国企改革发展情况。"


def test_every_family_names_known_keys() -> None:
    assert SUBJECT_FAMILIES
    for _, keys in SUBJECT_FAMILIES:
        assert keys and all(k in FIELDS for k in keys)


def test_a_figure_whose_subject_names_a_family_is_offered() -> None:
    report = extract(N003)
    candidates = {c.text: c for c in find_candidates(N003, report)}
    assert candidates["99件"].reason == "subject"
    assert candidates["99件"].fields == ("proactive.total",)


def test_no_subject_candidate_for_a_key_whose_cue_is_not_in_the_sentence() -> None:
    text = "请把收到申请数改为77777件。"  # 申请 names the family, but no key of it is cued here but received
    report = extract(text)
    assert not [c for c in find_candidates(text, report) if c.reason == "subject"]


@pytest.fixture
def server():
    with FakeOpenAIServer() as s:
        yield s


def test_a_subject_candidate_is_grounded_by_its_sentence(server, tmp_path) -> None:
    config = LLMConfig(mode="ambiguous", model="fake", base_url=server.base_url, api_key="k",
                       cache_dir=str(tmp_path), http_retries=0, reasks=0)
    report = extract(N003)
    subject = next(c for c in find_candidates(N003, report) if c.reason == "subject")
    server.push(Reply.answer({"assignments": [
        {"field": "proactive.total", "value": 99, "candidates": [subject.id]},
    ]}))
    filled = extract(N003, llm=config)
    assert filled.fields["proactive.total"].value == 99
    assert [e.text for e in filled.fields["proactive.total"].evidence] == ["99件"]


def test_the_oracle_script_adds_gold_only_where_candidates_allow(tmp_path) -> None:
    """evals/llm_oracle.py: the scripted perfect model answers gold for what is offered, through the
    same grounding as any model (the headroom of the LLM layer over rules alone)."""
    import importlib.util
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("llm_oracle", root / "evals" / "llm_oracle.py")
    assert spec and spec.loader
    oracle = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(oracle)
    (tmp_path / "d.txt").write_text(N003, encoding="utf-8")
    gold = {"doc": "d.txt", "source": "dev2 n003 (one sentence)", "body": None, "year": None, "truncated": True,
            "mentions": [], "tables": None,
            "fields": {"proactive.total": {"value": 99, "qualifier": "exact"},
                       "proactive.website": {"value": 12345, "qualifier": "exact"}}}  # not offered: stays missed
    (tmp_path / "d.gold.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    result = oracle.run([str(tmp_path)])
    assert result["oracle_assignments"] == 1
    assert (result["rules_only"]["hits"], result["rules_plus_oracle"]["hits"]) == (0, 1)
    assert result["rules_plus_oracle"]["misses"] == 1
